"""Firebase Authentication's admin API, behind a small Protocol: whether a person's sessions were revoked
(a callable that moves money or changes an account refuses a token issued before), revoking them, and
disabling or enabling an account (account actions, issue 15; called through the outbox), deleting it
(`delete_my_account`, through the outbox), and a password-reset link (an admin's reset, through the outbox).
There is no Auth emulator here, so the local stack and tests use a recording double
(`devstack/doubles.py`); this is the production one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from curbside.domain.errors import VendorUnavailable
from curbside.gateways.firebase_app import admin_app


class AuthAdmin(Protocol):
    def sessions_valid_after(self, uid: str) -> dt.datetime | None:
        """Tokens issued (signed in) before this instant are revoked; None when none ever were."""

    def revoke_sessions(self, uid: str, at: dt.datetime) -> None:
        """Revoke every refresh token: the person must sign in again (`at`, the action's time, is what the
        double records; Firebase uses its own clock). A missing account has nothing to revoke."""

    def set_disabled(self, uid: str, disabled: bool) -> None:
        """Disable (no sign-in, no token refresh) or enable the account; a missing account is left alone."""

    def delete_account(self, uid: str) -> None:
        """Delete the account (sign-in methods, e-mail, phone); deleting a missing account is done already."""

    def password_reset_link(self, email: str) -> str:
        """A link with which the owner of `email` sets a new password (Firebase's hosted page); VendorUnavailable
        when Auth cannot make one (no such account, an outage)."""


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

    def revoke_sessions(self, uid: str, at: dt.datetime) -> None:
        from firebase_admin import auth

        _change(lambda: auth.revoke_refresh_tokens(uid, app=admin_app()), "did not revoke the sessions")

    def set_disabled(self, uid: str, disabled: bool) -> None:
        from firebase_admin import auth

        _change(lambda: auth.update_user(uid, disabled=disabled, app=admin_app()), "did not update the account")

    def delete_account(self, uid: str) -> None:
        from firebase_admin import auth

        _change(lambda: auth.delete_user(uid, app=admin_app()), "did not delete the account")


    def password_reset_link(self, email: str) -> str:
        from firebase_admin import auth, exceptions

        try:
            return str(auth.generate_password_reset_link(email, app=admin_app()))
        except exceptions.FirebaseError as exc:
            raise VendorUnavailable(f"Firebase Auth made no password-reset link: {type(exc).__name__}") from None


def _change(action: Callable[[], object], failure: str) -> None:
    """Run one change of an account; a missing account needs none (deleted already, or never made)."""
    from firebase_admin import auth, exceptions

    try:
        action()
    except auth.UserNotFoundError:
        return
    except exceptions.FirebaseError as exc:
        raise VendorUnavailable(f"Firebase Auth {failure}: {type(exc).__name__}") from None
