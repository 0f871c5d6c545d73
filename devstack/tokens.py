"""Unsigned Firebase ID tokens, as the Firebase emulators accept them (`alg: none`).

Used only against emulators: by tests, to act as a given user under the security rules, and by the demo,
to call functions as real users do. Production code never accepts these.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from devstack.emulators import PROJECT_ID


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def emulator_id_token(uid: str, claims: dict[str, Any] | None = None, *, project_id: str = PROJECT_ID,
                      email: str | None = None) -> str:
    """An unsigned ID token for `uid` carrying `claims` (e.g. `{"admin": True}`) as custom claims."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": f"https://securetoken.google.com/{project_id}",
        "aud": project_id,
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "sub": uid,
        "user_id": uid,
        "firebase": {"sign_in_provider": "password", "identities": {}},
    }
    if email is not None:
        payload.update(email=email, email_verified=True)
    payload.update(claims or {})
    header = {"alg": "none", "typ": "JWT"}
    return f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(payload).encode())}."
