"""Call callable functions over HTTP the way the Firebase client SDKs do.

`httpsCallable(name)(data)` in a FlutterFlow app is a POST of `{"data": ...}` with
`Authorization: Bearer <ID token>` to the function URL; the answer is `{"result": ...}` or
`{"error": {"status", "message"}}`. The demo and the tests use this client so they exercise exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from devstack.emulators import PROJECT_ID
from devstack.loader import DEFAULT_REGION
from devstack.tokens import emulator_id_token


@dataclass(frozen=True)
class CallResult:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict) and "result" in self.body

    @property
    def result(self) -> Any:
        if not self.ok:
            raise AssertionError(f"expected a result, got {self.status} {self.body}")
        return self.body["result"]

    @property
    def error_status(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"].get("status"))
        return None


@dataclass
class CallableClient:
    functions_url: str
    project: str = PROJECT_ID
    region: str = DEFAULT_REGION
    calls: int = field(default=0, init=False)

    def url(self, name: str) -> str:
        return f"{self.functions_url}/{self.project}/{self.region}/{name}"

    def call(self, name: str, data: Any, *, uid: str | None = None, **claims: Any) -> CallResult:
        """Call `name` as user `uid` (with custom `claims`), or signed out when `uid` is None."""
        headers = {"Content-Type": "application/json"}
        if uid is not None:
            headers["Authorization"] = f"Bearer {emulator_id_token(uid, claims, project_id=self.project)}"
        self.calls += 1
        response = requests.post(self.url(name), json={"data": data}, headers=headers, timeout=60)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return CallResult(response.status_code, body)
