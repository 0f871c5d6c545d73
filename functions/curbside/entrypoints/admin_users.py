"""The console's user details and account actions (services/admin_users.py): one person's account, jobs,
reviews and activity; a password reset e-mailed to them; deletion through the privacy path. Admins only; the
actions are audited."""

from __future__ import annotations

from typing import Any

from firebase_functions import https_fn

from curbside import deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import AuditReason, DocId
from curbside.services import admin_users


class UserPayload(Payload):
    user_id: DocId


@on_call()
def admin_get_user(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UserPayload, lambda caller, p: admin_users.details(
        deps.get(), is_admin=caller.is_admin, user_id=p.user_id))


class UserActionPayload(UserPayload):
    reason: AuditReason


@on_call()
def admin_reset_password(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UserActionPayload, lambda caller, p: admin_users.reset_password(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, user_id=p.user_id, reason=p.reason),
        fresh_sign_in=True)


@on_call()
def admin_delete_user(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UserActionPayload, lambda caller, p: admin_users.delete_account(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, user_id=p.user_id, reason=p.reason),
        fresh_sign_in=True)
