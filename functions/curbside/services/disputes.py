"""Disputes (spec section 10): raising one holds the job's money at once; the thread of comments; an admin
asking one side for more; the hourly escalation. The decision itself is `services.dispute_resolution`.

Each use case is one transaction over the dispute, its job's payment and completion: the dispute exists
exactly when the money is held (`JobPayments.dispute_open`, which is also what makes "one open dispute per
job" hold under concurrent raisers — the second transaction re-reads it and is refused), and every notice is
written in the same commit (docs/decisions.md D55-D57).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.disputes import priority_of
from curbside.domain.documents import Dispute, DisputeComment, JobCompletion, ServiceRequest
from curbside.domain.documents.payments import JobPayment
from curbside.domain.enums import (
    CommentUserType,
    DisputePriority,
    DisputeReason,
    DisputeStatus,
    NotificationType,
    PartyType,
    RequestStatus,
)
from curbside.domain.errors import InvalidInput, LostRace, NotAllowed, NotFound, WrongState
from curbside.domain.insurance import JobType
from curbside.domain.lifecycle import Actor
from curbside.domain.lifecycles import DISPUTE_WAITING
from curbside.domain.money import from_minor
from curbside.domain.texts import Text, t
from curbside.domain.uploads import Audience, Purpose
from curbside.services import completions, work
from curbside.services.accounts import admins, require_usable_account
from curbside.services.job_moves import NOT_YOURS
from curbside.services.notifications import notify
from curbside.services.payment_records import load
from curbside.services.uploads import require_admin_dispute_files, require_own_uploads
from curbside.store import queries
from curbside.store.collections import new_document_id, retry_document_id
from curbside.store.repositories import evolve
from curbside.store.transactions import retry_lost_races
from curbside.store.uow import UnitOfWork

CHANGED = "The dispute changed at the same moment; try again."
NO_DISPUTE = "There is no such dispute among yours."
ONLY_ADMINS = "Only admins can do this to a dispute."
EVIDENCE = ("photo or video", "a JPEG, PNG, WebP or HEIC photo, or an MP4 or QuickTime video, within the size limit")


@dataclass(frozen=True)
class Raised:
    dispute_id: str
    status: DisputeStatus
    priority: DisputePriority


@dataclass(frozen=True)
class Commented:
    comment_id: str
    status: DisputeStatus


def tell(uow: UnitOfWork, people: list[str], dispute: Dispute, kind: NotificationType, *, title: str | Text,
         body: str | Text,
         key: str | None = None) -> None:
    for user_id in dict.fromkeys(people):
        notify(uow, user_id=user_id, kind=kind, title=title, body=body, request_id=dispute.request_id,
               key=key or dispute.id, data={"screen": "dispute_details", "dispute_id": dispute.id})


def _ended_at(request: ServiceRequest, completion: JobCompletion | None, payment: JobPayment) -> dt.datetime:
    """When the disputable part of the job ended: its completion, or a cancellation that cost the client."""
    if request.status is RequestStatus.COMPLETED and completion is not None:
        return completion.completed_at
    charged = payment.captured_minor - payment.refunded_minor > 0
    if request.status is RequestStatus.CANCELLED and charged and request.cancelled_at is not None:
        return request.cancelled_at
    raise WrongState("Only a completed job, or a cancelled one you were charged for, can be disputed.")


def _raised_before(dispute: Dispute | None, uid: str, request_id: str) -> Raised | None:
    """The answer for a dispute this caller already raised under the same `dispute_key`, as it is now."""
    if dispute is None:
        return None
    if dispute.raised_by_user_id != uid:  # an 80-bit hash collision between two people: never hand it over
        raise LostRace("Another change got in the way; try again with a new dispute_key.")
    if dispute.request_id != request_id:
        raise InvalidInput("dispute_key: this key raised a dispute about another job; make a new key for each "
                           "dispute.")
    return Raised(dispute.id, dispute.status, dispute.priority)


def raise_dispute(deps: Deps, uid: str, request_id: str, *, reason: DisputeReason, description: str,
                  evidence_urls: tuple[str, ...], dispute_key: str | None = None) -> Raised:
    """The job's client or technician opens a dispute within the window after the job; the payment is held in
    the same commit, and both parties and the admins are told. With a `dispute_key` a retried call (the answer
    was lost, the button tapped twice) answers with the dispute the first call raised (D22, D66)."""
    require_own_uploads(deps.files, uid, evidence_urls, purpose=Purpose.DISPUTE_EVIDENCE, field_name="evidence_urls",
                        request_id=request_id, described=EVIDENCE)
    dispute_id = retry_document_id(uid, key=dispute_key)

    def decide(uow: UnitOfWork) -> Raised:
        if dispute_key and (earlier := _raised_before(uow.disputes.get(dispute_id), uid, request_id)) is not None:
            return earlier
        request = uow.requests.get(request_id)
        if request is None or uid not in (request.client_id, request.dispatcher_id):
            raise NotFound(NOT_YOURS)
        if request.job_type is JobType.MERCHANT:
            raise NotAllowed("A merchant order is settled on the merchant's statement, not through a dispute: "
                             "contact Curbside support about it.")
        require_usable_account(uow, uid)
        completion, loaded = uow.completions.get(request_id), load(uow, request_id)
        user, alerted = uow.users.get(uid), admins(uow)
        payment = loaded.payment
        deadline = _ended_at(request, completion, payment) + uow.settings.disputes.window
        if uow.now > deadline:
            raise WrongState(f"Disputes about this job could be raised until {deadline:%Y-%m-%d %H:%M} UTC.")
        if payment.dispute_open:
            raise WrongState("This job already has an open dispute; add a comment to it instead.")
        party = PartyType.CLIENT if uid == request.client_id else PartyType.DISPATCHER
        dispatcher_id = request.dispatcher_id or payment.dispatcher_id
        if dispatcher_id is None:
            raise WrongState("This job had no technician; there is no one to dispute it with.")
        dispute = uow.disputes.create(Dispute(
            id=dispute_id, request_id=request_id, job_completion_id=completion.id if completion else None,
            client_id=request.client_id, dispatcher_id=dispatcher_id, raised_by_user_id=uid,
            raised_by_name=user.full_name if user else None, raised_by_type=party, dispute_reason=reason,
            description=description, evidence_urls=list(evidence_urls),
            priority=priority_of(reason, from_minor(payment.amount_minor, payment.currency)),
            opened_at=uow.now, last_activity_at=uow.now, last_admin_activity_at=uow.now))
        completions.hold_for_dispute(uow, loaded, completion, Actor(party.value))
        other = dispatcher_id if party is PartyType.CLIENT else request.client_id
        tell(uow, [uid], dispute, NotificationType.DISPUTE_UPDATE, title=t("Dispute opened"),
             body=t("We hold the job's payment while our team reviews your dispute."))
        tell(uow, [other], dispute, NotificationType.DISPUTE_UPDATE, title=t("A dispute was opened"),
             body=t("The other party disputed your job; the payment is held until our team decides. Add your side."))
        tell(uow, [admin.id for admin in alerted], dispute, NotificationType.DISPUTE_UPDATE,
             title=t("New {priority}-priority dispute", priority=dispute.priority.value),
             body=f"{reason.value}: {description[:120]}")
        return Raised(dispute.id, dispute.status, dispute.priority)

    def raised_before() -> Raised | None:
        """A plain read (no transaction, no lock) of the dispute this key names."""
        return _raised_before(work.reading(deps, lambda uow: uow.disputes.get(dispute_id)), uid, request_id)

    def attempt() -> Raised:
        if dispute_key and (earlier := raised_before()) is not None:
            return earlier
        try:
            return work.transaction(deps, decide, lost_race=CHANGED)
        except (WrongState, LostRace):
            # A concurrent retry of this same call may have raised it first (and taken the payment's hold).
            if dispute_key and (earlier := raised_before()) is not None:
                return earlier
            raise

    # With a key the call is safe to repeat, so concurrent retries that all lost a race try again here.
    return retry_lost_races(attempt, attempts=6, first_pause_s=0.2) if dispute_key else attempt()


def _dispute_of(uow: UnitOfWork, dispute_id: str, uid: str, is_admin: bool) -> Dispute:
    dispute = uow.disputes.get(dispute_id)
    if dispute is None or not (is_admin or uid in (dispute.client_id, dispute.dispatcher_id)):
        raise NotFound(NO_DISPUTE)
    return dispute


def _role(dispute: Dispute, uid: str) -> CommentUserType:
    """A party speaks as that party even if they are also an admin: no one judges their own job."""
    if uid == dispute.client_id:
        return CommentUserType.CLIENT
    return CommentUserType.DISPATCHER if uid == dispute.dispatcher_id else CommentUserType.ADMIN


def _post(uow: UnitOfWork, dispute: Dispute, uid: str, role: CommentUserType, *, text: str,
          attachments: tuple[str, ...], internal: bool, status: DisputeStatus | None) -> DisputeComment:
    """Write the comment, move the dispute (to `status`, if it changes) and its activity times, and tell those
    who may read it."""
    user = uow.users.get(uid)
    comment = DisputeComment(id=new_document_id(), dispute_id=dispute.id, user_id=uid,
                             user_name=user.full_name if user else None, user_type=role, comment=text,
                             attachments=list(attachments), is_internal=internal, created_date=uow.now)
    times: dict[str, object] = {"last_activity_at": uow.now}
    if role is CommentUserType.ADMIN:
        times["last_admin_activity_at"] = uow.now
    if status is not None and status is not dispute.status:
        uow.disputes.move(dispute, status, Actor(role.value), **times)
    else:
        uow.disputes.save(evolve(dispute, **times))
    uow.dispute_comments.create(comment)
    if not internal:
        readers = [dispute.client_id, dispute.dispatcher_id]
        tell(uow, [reader for reader in readers if reader != uid], dispute, NotificationType.DISPUTE_UPDATE,
             title=t("New comment on your dispute"), body=text[:160], key=comment.id)
    return comment


def _next_status(dispute: Dispute, role: CommentUserType) -> DisputeStatus | None:
    """The asked party's answer, or an admin's first look, puts the dispute under review."""
    asked = {CommentUserType.CLIENT: DisputeStatus.AWAITING_CLIENT_RESPONSE,
             CommentUserType.DISPATCHER: DisputeStatus.AWAITING_DISPATCHER_RESPONSE}
    if role is CommentUserType.ADMIN and dispute.status in (DisputeStatus.OPEN, DisputeStatus.ESCALATED):
        return DisputeStatus.UNDER_REVIEW
    return DisputeStatus.UNDER_REVIEW if asked.get(role) is dispute.status else None


def add_dispute_comment(deps: Deps, uid: str, *, is_admin: bool, dispute_id: str, comment: str,
                        attachments: tuple[str, ...], is_internal: bool = False) -> Commented:
    """Either party or an admin adds to the thread; only admins write internal notes (never shown to the
    parties). A party's attachments are their own uploads under `dispute_evidence/{request_id}/`; an admin's are
    under `dispute_files/{dispute_id}/parties/`, or `.../internal/` for an internal note (D68)."""
    dispute = work.reading(deps, lambda uow: _dispute_of(uow, dispute_id, uid, is_admin))
    role = _role(dispute, uid)
    if is_internal and role is not CommentUserType.ADMIN:
        raise NotAllowed("Only admins write internal notes.")
    if role is CommentUserType.ADMIN:
        audience = Audience.INTERNAL if is_internal else Audience.PARTIES
        require_admin_dispute_files(deps.files, attachments, dispute_id=dispute.id, audience=audience,
                                    field_name="attachments")
    else:
        require_own_uploads(deps.files, uid, attachments, purpose=Purpose.DISPUTE_EVIDENCE, field_name="attachments",
                            request_id=dispute.request_id, described=EVIDENCE)

    def decide(uow: UnitOfWork) -> Commented:
        current = _dispute_of(uow, dispute_id, uid, is_admin)
        if current.status is DisputeStatus.CLOSED:
            raise WrongState("This dispute is closed; open a support ticket if something is still wrong.")
        status = _next_status(current, role)
        posted = _post(uow, current, uid, role, text=comment, attachments=attachments, internal=is_internal,
                       status=status)
        return Commented(posted.id, status or current.status)

    return work.transaction(deps, decide, lost_race=CHANGED)


def admin_request_dispute_info(deps: Deps, admin_uid: str, *, is_admin: bool, dispute_id: str, party: PartyType,
                               message: str) -> Commented:
    """An admin asks one side for more: the dispute awaits that party's answer (their next comment puts it back
    under review); the question is a comment both parties see, and the asked party is notified."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)
    target = (DisputeStatus.AWAITING_CLIENT_RESPONSE if party is PartyType.CLIENT
              else DisputeStatus.AWAITING_DISPATCHER_RESPONSE)

    def decide(uow: UnitOfWork) -> Commented:
        dispute = _dispute_of(uow, dispute_id, admin_uid, True)
        if dispute.status not in DISPUTE_WAITING:
            raise WrongState(f"This dispute is {dispute.status.value}; there is nothing left to ask.")
        posted = _post(uow, dispute, admin_uid, CommentUserType.ADMIN, text=message, attachments=(), internal=False,
                       status=target)
        return Commented(posted.id, target)

    return work.transaction(deps, decide, lost_race=CHANGED)


def escalate_disputes(deps: Deps, *, limit: int = 200) -> list[str]:
    """The hourly job: undecided disputes without admin activity for `escalate_after` (72 h) become
    `escalated`, priority `critical`, and every admin is alerted — once per dispute. Returns their ids."""
    due = work.reading(deps, lambda uow: uow.disputes.find(
        queries.DISPUTES_WITHOUT_ADMIN_ACTIVITY, before=uow.now - uow.settings.disputes.escalate_after,
        statuses=[status for status in DISPUTE_WAITING if status is not DisputeStatus.ESCALATED], limit=limit))
    return [dispute.id for dispute in due if _escalate(deps, dispute.id)]


def _escalate(deps: Deps, dispute_id: str) -> bool:
    def decide(uow: UnitOfWork) -> bool:
        dispute = uow.disputes.get(dispute_id)
        alerted = admins(uow)
        quiet_since = uow.now - uow.settings.disputes.escalate_after
        if (dispute is None or dispute.escalated_at is not None or dispute.status not in DISPUTE_WAITING
                or dispute.status is DisputeStatus.ESCALATED
                or (dispute.last_admin_activity_at or dispute.opened_at) > quiet_since):
            return False
        uow.disputes.move(dispute, DisputeStatus.ESCALATED, Actor.SYSTEM, priority=DisputePriority.CRITICAL,
                          escalated_at=uow.now)
        tell(uow, [admin.id for admin in alerted], dispute, NotificationType.DISPUTE_UPDATE,
             title=t("Dispute escalated: no admin response in 72 hours"),
             body=t("{reason} on job {job} is waiting for a decision.", reason=dispute.dispute_reason.value,
                    job=dispute.request_id),
             key=f"escalated:{dispute.id}")
        return True

    return work.transaction(deps, decide, lost_race=CHANGED)
