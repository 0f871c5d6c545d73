"""Trust and safety (issue 15): an admin's account action and fraud-alert update, the hourly fraud monitor, and
the triggers that apply what an admin edits in the Firebase console (account status, verification) as a
callable would have."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from firebase_functions import firestore_fn, https_fn, logger, scheduler_fn
from firebase_functions.core import Change
from google.cloud.firestore_v1 import DocumentSnapshot
from pydantic import Field, ValidationError

from curbside import deps
from curbside.domain.enums import AccountStatus, FraudAlertStatus
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId
from curbside.services import account_actions, fraud, fraud_monitor
from curbside.store.collections import PRIVATE_DOC_ID, PRIVATE_SUBCOLLECTION, Collection


class SetAccountStatusPayload(Payload):
    user_id: DocId
    account_status: Literal["active", "shadow_banned", "suspended", "banned"]
    reason: Annotated[str, Field(min_length=5, max_length=1000)]
    """Why, for the other admins and the audit trail (never shown to the person)."""


@on_call()
def admin_set_account_status(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetAccountStatusPayload, lambda caller, p: account_actions.set_account_status(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, user_id=p.user_id,
        status=AccountStatus(p.account_status), reason=p.reason), fresh_sign_in=True)


class UpdateFraudAlertPayload(Payload):
    alert_id: DocId
    status: Literal["investigating", "resolved", "false_positive"]
    resolution_notes: Annotated[str, Field(max_length=2000)] | None = None


@on_call()
def admin_update_fraud_alert(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UpdateFraudAlertPayload, lambda caller, p: fraud.update_alert(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, alert_id=p.alert_id,
        status=FraudAlertStatus(p.status), resolution_notes=p.resolution_notes), fresh_sign_in=True)


@scheduler_fn.on_schedule(schedule="every 1 hours")
def monitor_fraud(event: scheduler_fn.ScheduledEvent) -> None:
    """The spec's `monitorFraud`: the five history-based checks over the activity since the last run (safe to
    run twice: a pattern already raised adds nothing)."""
    run = fraud_monitor.monitor_fraud(deps.get())
    logger.info("fraud.monitored", after=run.span.after.isoformat() if run.span else None,
                until=run.span.until.isoformat() if run.span else None, findings=len(run.findings),
                alert_types=sorted({finding.alert_type.value for finding in run.findings}))


@firestore_fn.on_document_written(
    document=f"{Collection.USERS}/{{uid}}/{PRIVATE_SUBCOLLECTION}/{PRIVATE_DOC_ID}")
def on_account_status_written(event: firestore_fn.Event[Change[DocumentSnapshot[Any] | None]]) -> None:
    """An account status set in the console takes effect as if set by `admin_set_account_status` (a function's
    own write, or a replay, costs one read and changes nothing)."""
    uid = event.params["uid"]
    try:
        applied = account_actions.apply_console_edit(deps.get(), uid)
    except ValidationError:  # a value no status has: nothing can be applied; the admin must correct it
        logger.error("account.console_edit_unreadable", uid=uid, event_id=event.id)
        return
    if applied is not None:
        logger.info("account.console_edit_applied", uid=uid, account_status=applied.value, event_id=event.id)


@firestore_fn.on_document_updated(document=f"{Collection.DISPATCHER_PROFILES}/{{uid}}")
def on_dispatcher_profile_updated(event: firestore_fn.Event[Change[DocumentSnapshot[Any] | None]]) -> None:
    """A technician's `verification_status` changed: when it was changed in the console, the dispatch index
    and their offers follow (`apply_verification_edit`). Other profile updates cost nothing here."""
    before = event.data.before.to_dict() if event.data.before is not None else None
    after = event.data.after.to_dict() if event.data.after is not None else None
    if (before or {}).get("verification_status") == (after or {}).get("verification_status"):
        return
    uid = event.params["uid"]
    try:
        stale = account_actions.apply_verification_edit(deps.get(), uid)
    except ValidationError:
        logger.error("verification.console_edit_unreadable", uid=uid, event_id=event.id)
        return
    if stale:
        logger.info("verification.console_edit_applied", uid=uid, event_id=event.id)
