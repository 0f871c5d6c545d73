"""Step 3, the background check (spec section 11): the provider call from the outbox, and its webhook.

**Asking** (the outbox entry `background_check:{uid}:{n}` that consenting commits, D25): the handler makes sure
the technician has a candidate at the provider (`candidate:{uid}`, recorded once), then asks for a report
under the entry's id as idempotency key and records the report's id on the current attempt. A failure at any
point leaves the entry pending; the sweep runs it again with the same keys, so the provider answers with the
same candidate and report. An entry of an attempt that is no longer current (the step was decided meanwhile,
or consent was given again) does nothing.

**Hearing back** (`background_check_webhook`, after the signature check): each event is applied once — its id
is recorded in `BackgroundCheckEvents` in the transaction of its effect — and never backwards:
- the report must be the current attempt's: an event about an older report is recorded as `superseded`; one
  that arrives before the report's id is recorded here (the provider answered faster than our recording step)
  is refused with `NotRecordedYet`, so the webhook answers 503 and the provider delivers it again later;
- an event created before the one that last changed the report is recorded as `older_than_stored`;
- `complete` with `clear` approves the step (the system's move in its table); `consider`, or a report that
  stopped (suspended, disputed, cancelled), leaves it under review for an admin and puts the technician in the
  review queue. The report id and verdict stay in the private part; the technician is told the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from firebase_functions import logger

from curbside.deps import Deps
from curbside.domain.documents import BackgroundCheckEvent, DispatcherProfilePrivate
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import BackgroundCheckResult, NotificationType, StepStatus, VerificationStep
from curbside.domain.lifecycle import Actor
from curbside.domain.texts import t
from curbside.domain.verification import check_needs_admin, step_status
from curbside.gateways.background_checks import Report
from curbside.services import work
from curbside.services.notifications import notify
from curbside.services.outbox import Handler
from curbside.services.verification import (
    SCREEN,
    START_BACKGROUND_CHECK,
    TechnicianFile,
    decide_step,
    hand_on,
    open_file,
    record,
)
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

APPLIED = "applied"
DUPLICATE = "duplicate"
IGNORED = "ignored"
SUPERSEDED = "superseded"
OLDER_THAN_STORED = "older_than_stored"
UNKNOWN_CANDIDATE = "unknown_candidate"
NOT_IN_PROGRESS = "no_check_in_progress"
REPORT_EVENTS = frozenset({"report.created", "report.updated", "report.completed", "report.suspended",
                           "report.resumed", "report.disputed", "report.canceled"})
"""Every event about a report carries the report as it is now; they are applied alike."""


class NotRecordedYet(Exception):
    """The event's report is not yet recorded on the technician's current attempt: deliver it again later."""


def _current(private: DispatcherProfilePrivate, attempt: int) -> bool:
    return private.background_check_attempts == attempt


def _names(full_name: str | None) -> tuple[str, str]:
    parts = (full_name or "").split()
    return (parts[0], " ".join(parts[1:]) or parts[0]) if parts else ("Technician", "Technician")


def _start_check(deps: Deps, entry: OutboxEntry) -> None:
    uid, attempt = str(entry.payload["uid"]), int(entry.payload["attempt"])
    file = work.reading(deps, lambda uow: open_file(uow, uid))
    if file is None or not _current(file.private, attempt) or \
            step_status(file.profile, VerificationStep.BACKGROUND_CHECK) is not StepStatus.UNDER_REVIEW:
        return  # decided, or asked again since: nothing to do for this attempt
    candidate_id = file.private.background_check_candidate_id
    if candidate_id is None:
        first, last = _names(entry.payload.get("full_name"))
        candidate_id = deps.background_checks.create_candidate(
            uid=uid, email=entry.payload.get("email"), first_name=first, last_name=last,
            idempotency_key=f"candidate:{uid}")
        _record_candidate(deps, uid, candidate_id)
    report = deps.background_checks.create_report(candidate_id=candidate_id, idempotency_key=entry.id)
    withdrawn = work.transaction(deps, lambda uow: _record_report(uow, uid, attempt, report))
    hand_on(deps, withdrawn)


def _record_candidate(deps: Deps, uid: str, candidate_id: str) -> None:
    def store(uow: UnitOfWork) -> None:
        private = uow.dispatcher_private.get_or_default(uid)
        if private.background_check_candidate_id is None:
            uow.dispatcher_private.save(uid, evolve(private, background_check_candidate_id=candidate_id))

    work.transaction(deps, store)


def _record_report(uow: UnitOfWork, uid: str, attempt: int, report: Report) -> tuple[str, ...]:
    """The provider's report for the current attempt, with whatever it already says (a replayed create
    answers with the report as it is now)."""
    file = open_file(uow, uid)
    if file is None or not _current(file.private, attempt) or \
            file.private.background_check_report_id not in (None, report.id):
        return ()
    if file.private.background_check_report_status is not None:
        return ()  # recorded by an earlier run of this entry, and maybe advanced by the webhook since
    return _apply_report(uow, file, report, event_created=None)


def _apply_report(uow: UnitOfWork, file: TechnicianFile, report: Report,
                  event_created: dt.datetime | None) -> tuple[str, ...]:
    """Record the report's state on the current attempt and act on a verdict; returns withdrawn offers' jobs."""
    result = BackgroundCheckResult(report.result) if report.result in tuple(BackgroundCheckResult) else None
    private = evolve(file.private, background_check_report_id=report.id, background_check_report_status=report.status,
                     background_check_result=result if report.status == "complete" else None,
                     background_check_event_created=event_created or file.private.background_check_event_created)
    step = VerificationStep.BACKGROUND_CHECK
    waiting = step_status(file.profile, step) is StepStatus.UNDER_REVIEW
    if waiting and private.background_check_result is BackgroundCheckResult.CLEAR:
        return decide_step(uow, file, step, StepStatus.APPROVED, Actor.SYSTEM, reviewed_by="system",
                           private=private, notes=f"Provider report {report.id}: clear.").withdrawn
    submitted = file.profile.background_check_submitted_at or uow.now
    decided = record(uow, file, file.profile, private, actor=Actor.SYSTEM, step=step,
                     subject=f"{step.value}:{int(submitted.timestamp() * 1000)}:{report.status}")
    if waiting and check_needs_admin(private) and not check_needs_admin(file.private):
        subject = f"{step.value}:{int(submitted.timestamp() * 1000)}:manual_review"
        notify(uow, user_id=file.uid, kind=NotificationType.VERIFICATION_UPDATE, title=t("Background check in review"),
               body=t("Your background check needs a manual review; we will tell you the outcome."),
               request_id=None, key=subject, data={"screen": SCREEN, "subject": subject})
    return decided.withdrawn


HANDLERS: Mapping[str, Handler] = {START_BACKGROUND_CHECK: _start_check}


# --- the webhook ------------------------------------------------------------------------------------------------


def event_time(event: Mapping[str, Any]) -> dt.datetime:
    """The provider's `created_at` (ISO-8601): the order of events, whatever order they arrive in."""
    created = dt.datetime.fromisoformat(str(event["created_at"]).replace("Z", "+00:00"))
    return created if created.tzinfo else created.replace(tzinfo=dt.UTC)


def technician_of_candidate(deps: Deps, candidate_id: str) -> str | None:
    owners = work.reading(deps, lambda uow: uow.dispatcher_private.owners(
        queries.OWNER_OF_BACKGROUND_CHECK_CANDIDATE, background_check_candidate_id=candidate_id))
    return owners[0] if owners else None


def process_event(deps: Deps, event: Mapping[str, Any]) -> str:
    """Apply one verified event (see the module docstring); returns what happened. Raises `NotRecordedYet`
    for an event to deliver again later, `KeyError`/`ValueError` for a malformed one."""
    if event["type"] not in REPORT_EVENTS:
        logger.info("background_check.event_ignored", event_id=event["id"], event_type=event["type"])
        return IGNORED
    obj = event["data"]["object"]
    report = Report(str(obj["id"]), str(obj["status"]), obj.get("result") if isinstance(obj.get("result"), str)
                    else None)
    created = event_time(event)
    candidate = obj.get("candidate_id")
    uid = technician_of_candidate(deps, candidate) if isinstance(candidate, str) else None

    def apply(uow: UnitOfWork) -> tuple[str, tuple[str, ...]]:
        if uow.background_check_events.get(str(event["id"])) is not None:
            return DUPLICATE, ()
        file = open_file(uow, uid) if uid is not None else None
        outcome, withdrawn = _outcome(uow, file, report, created)
        uow.background_check_events.create(BackgroundCheckEvent(
            id=str(event["id"]), type=str(event["type"]), report_id=report.id, dispatcher_id=uid, outcome=outcome,
            event_created=created, processed_date=uow.now))
        return outcome, withdrawn

    outcome, withdrawn = work.transaction(deps, apply, lost_race="Another delivery of this event was being applied.")
    hand_on(deps, withdrawn)
    logger.info("background_check.event_processed", event_id=event["id"], event_type=event["type"],
                outcome=outcome)
    return outcome


def _outcome(uow: UnitOfWork, file: TechnicianFile | None, report: Report,
             created: dt.datetime) -> tuple[str, tuple[str, ...]]:
    if file is None:
        return UNKNOWN_CANDIDATE, ()
    private = file.private
    if private.background_check_report_id is None:
        if private.background_check_attempts and \
                step_status(file.profile, VerificationStep.BACKGROUND_CHECK) is StepStatus.UNDER_REVIEW:
            raise NotRecordedYet(report.id)
        return NOT_IN_PROGRESS, ()
    if private.background_check_report_id != report.id:
        return SUPERSEDED, ()
    if private.background_check_event_created is not None and created < private.background_check_event_created:
        return OLDER_THAN_STORED, ()
    return APPLIED, _apply_report(uow, file, report, created)
