"""Firebase Authentication's admin API, behind a small Protocol: whether a person's sessions were revoked
(a callable that moves money or changes an account refuses a token issued before), and later disabling an
account. There is no Auth emulator here, so the local stack and tests use a recording double
(`devstack/doubles.py`); this is the production one."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from curbside.domain.errors import VendorUnavailable
from curbside.gateways.firebase_app import admin_app


class AuthAdmin(Protocol):
    def sessions_valid_after(self, uid: str) -> dt.datetime | None:
        """Tokens issued (signed in) before this instant are revoked; None when none ever were."""


class FirebaseAuthAdmin:
    """`firebase_admin.auth`: the account's `tokens_valid_after_timestamp` (set by `revoke_refresh_tokens`)."""

    def sessions_valid_after(self, uid: str) -> dt.datetime | None:
        from firebase_admin import auth, exceptions

        try:
            user = auth.get_user(uid, app=admin_app())
        except auth.UserNotFoundError:
            return dt.datetime.max.replace(tzinfo=dt.UTC)  # a deleted account has no valid session
        except exceptions.FirebaseError:
            raise VendorUnavailable("Sign-in could not be checked; try again in a moment.") from None
        valid_after_ms = user.tokens_valid_after_timestamp
        return dt.datetime.fromtimestamp(valid_after_ms / 1000, tz=dt.UTC) if valid_after_ms else None
