"""A job's status moves after acceptance: the technician's en_route / arrived / in_progress, and cancellation by
the client, the technician or an admin (spec section 3; D11, D14).

Each is one transaction: re-read the job, ask the lifecycle table (`transition`), and write the status, its
timestamp, the client's notification and its `client_notified_*` flag together (`record_move`, which taking a
job and completing it use too). The technician's dispatch-index entry follows in the same commit
(`store.derived`) whenever the move frees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import ServiceRequest
from curbside.domain.enums import (
    AuthorizationStatus,
    NotificationType,
    OfferStatus,
    RedemptionStatus,
    RequestActor,
    RequestStatus,
    VerificationStatus,
)
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound, VendorUnavailable, WrongState
from curbside.domain.geo import haversine_m
from curbside.domain.insurance import JobType
from curbside.domain.lifecycle import Actor
from curbside.domain.money import to_minor
from curbside.domain.request_lifecycle import (
    NO_TECHNICIAN_AVAILABLE,
    Move,
    cancellation_terms,
    transition,
    unmatched_deadline,
)
from curbside.domain.texts import Money, Text, t
from curbside.services import card_holds, work
from curbside.services.accounts import require_usable_account
from curbside.services.arrival_estimates import estimate_arrival
from curbside.services.dispatch_queue import closed_details, offers_of
from curbside.services.notifications import notify
from curbside.store.collections import Collection
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

JOB_CHANGED = "The job changed at the same moment; try again."
NOT_YOURS = "There is no such job among yours."

ARRIVAL_WARNING = "You're not at the job location. Please navigate to the correct address."
"""The spec's words (section 4, Location Verification)."""
NOT_VERIFIED = "Your verification is not valid at the moment; contact support before you continue this job."
NO_POSITION = "Share your location first (or send it with this update): we could not tell where you are."
PAYMENT_DECLINED = ("The client's card could not hold the price of this job, so it was released: don't drive out; "
                    "it is offered again once the client adds a card that works.")
PAYMENT_PENDING = "The client's payment is not confirmed yet; try again in a moment before you drive out."
REVISED_PRICE_DECLINED = ("The client's card could not hold the revised price: don't start the work. The client is "
                          "asked to update their card; or cancel the job.")
REVISION_PENDING = ("Your revised price is waiting for the client's answer: start the work once they accept or "
                    "decline it.")

_TECHNICIAN_MOVES = (RequestStatus.EN_ROUTE, RequestStatus.ARRIVED, RequestStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Cancelled:
    status: RequestStatus
    refund_amount: Decimal
    cancellation_fee: Decimal
    currency: str


@dataclass(frozen=True)
class StatusUpdated:
    status: RequestStatus
    warning: str | None = None
    distance_meters: float | None = None


def actor_of(request: ServiceRequest, uid: str, is_admin: bool) -> RequestActor:
    """The caller's part in this job. Someone with no part is told the job does not exist for them."""
    if is_admin:
        return RequestActor.ADMIN
    if uid == request.client_id:
        return RequestActor.CLIENT
    if request.dispatcher_id is not None and uid == request.dispatcher_id:
        return RequestActor.DISPATCHER
    raise NotFound(NOT_YOURS)


def job_of(uow: UnitOfWork, request_id: str) -> ServiceRequest:
    request = uow.requests.get(request_id)
    if request is None:
        raise NotFound(NOT_YOURS)
    return request


def _client_notice(kind: NotificationType, request: ServiceRequest) -> tuple[Text, Text]:
    who = request.dispatcher_name or t("Your technician")
    return {
        NotificationType.JOB_ACCEPTED: (t("Technician found"), t("{who} accepted your job.", who=who)),
        NotificationType.DISPATCHER_EN_ROUTE: (t("Technician on the way"),
                                               t("{who} is on the way to your car.", who=who)),
        NotificationType.DISPATCHER_ARRIVED: (t("Technician has arrived"),
                                              t("{who} has arrived at your car.", who=who)),
        NotificationType.JOB_STARTED: (t("Job started"), t("{who} has started working on your car.", who=who)),
        NotificationType.JOB_COMPLETED: (t("Job completed"), t("Your job is done: review it within 48 hours or it "
                                                               "is approved automatically.")),
    }[kind]


def record_move(uow: UnitOfWork, request: ServiceRequest, move: Move, **updates: Any) -> ServiceRequest:
    """Stage `move`: the status, its timestamp, `updated_date`, the client's in-app notification and its
    `client_notified_*` flag, plus `updates`. Returns the job as it will be stored."""
    fields: dict[str, Any] = {"status": move.target, "updated_date": uow.now, **updates}
    if move.timestamp_field:
        fields[move.timestamp_field] = uow.now
    moved = evolve(request, **fields)
    if move.notification is not None and move.notified_flag is not None:
        title, body = _client_notice(move.notification, request)
        notify(uow, user_id=request.client_id, kind=move.notification, title=title, body=body,
               request_id=request.id)
        moved = evolve(moved, **{move.notified_flag: True})
    return uow.requests.save(moved)


def _arrival(request: ServiceRequest, radius_m: float) -> StatusUpdated:
    distance = request.arrival_distance_meters
    warning = ARRIVAL_WARNING if distance is not None and distance > radius_m else None
    return StatusUpdated(request.status, warning, distance)


def require_current_technician(uow: UnitOfWork, uid: str) -> None:
    """A technician works on a job only while their verification stands (it can be withdrawn mid-job)."""
    profile = uow.dispatcher_profiles.get(uid)
    if profile is None or profile.verification_status is not VerificationStatus.VERIFIED:
        raise NotAllowed(NOT_VERIFIED)


def _require_position(uow: UnitOfWork, uid: str, lat: float | None) -> None:
    """A move needs to know where the technician is: the position sent with it, or a fresh report."""
    if lat is not None:
        return
    entry = uow.locations.get(uid)
    fresh_since = uow.now - uow.settings.location.max_age
    if entry is None or entry.location_updated_at is None or entry.location_updated_at < fresh_since:
        raise WrongState(NO_POSITION)


class _PaymentNotReady(Exception):
    """The job's card hold is not in place (yet) or about to lapse: the technician may not drive out."""


def _require_payment(uow: UnitOfWork, request: ServiceRequest) -> None:
    """No technician drives out before the job's price is held on the client's card (D28); a merchant order is
    secured by the merchant's account instead (D117)."""
    if request.job_type is JobType.MERCHANT:
        return
    payment = uow.payments.get(request.id)
    if (payment is None or payment.authorization_status is not AuthorizationStatus.AUTHORIZED
            or payment.amount_minor < to_minor(request.client_pays, payment.currency)
            or not card_holds.hold_is_fresh(uow, payment)):
        raise _PaymentNotReady


def update_job_status(deps: Deps, *, uid: str, is_admin: bool, request_id: str, target: RequestStatus,
                      lat: float | None = None, lng: float | None = None) -> StatusUpdated:
    """The assigned technician's moves: en_route, arrived (position checked against the job: farther than
    the arrival radius gives the spec's warning; the move still happens and the distance is recorded for
    fraud review), in_progress. Repeating the move the job already made answers as the first time did.

    The technician must still be verified and must have shared where they are; setting off (en_route) also
    needs the job's price held on the client's card: when it is not in place yet (or about to lapse), the
    hold is placed now, and the move refused if the card cannot hold it."""
    try:
        return _move(deps, uid=uid, is_admin=is_admin, request_id=request_id, target=target, lat=lat, lng=lng)
    except _PaymentNotReady:
        status = card_holds.ensure_authorized(deps, request_id)
    if status is AuthorizationStatus.AUTHORIZED:
        try:
            return _move(deps, uid=uid, is_admin=is_admin, request_id=request_id, target=target, lat=lat, lng=lng)
        except _PaymentNotReady:
            pass
    if status in (AuthorizationStatus.FAILED, AuthorizationStatus.CANCELLED):
        raise WrongState(REVISED_PRICE_DECLINED if target is RequestStatus.IN_PROGRESS else PAYMENT_DECLINED)
    raise VendorUnavailable(PAYMENT_PENDING)


def _move(deps: Deps, *, uid: str, is_admin: bool, request_id: str, target: RequestStatus, lat: float | None,
          lng: float | None) -> StatusUpdated:
    if target not in _TECHNICIAN_MOVES:
        raise InvalidInput("status: a technician can set en_route, arrived or in_progress here.")
    if (lat is None) != (lng is None):
        raise InvalidInput("lat, lng: send both or neither.")
    if target is RequestStatus.ARRIVED and lat is None:
        raise InvalidInput("lat, lng: send your position when you arrive; it is checked against the job's address.")
    radius_m = deps.settings.arrival_radius_m

    def move(uow: UnitOfWork) -> StatusUpdated:
        request = job_of(uow, request_id)
        actor = actor_of(request, uid, is_admin)
        require_usable_account(uow, uid)
        if request.status is target and actor is RequestActor.DISPATCHER:
            return _arrival(request, radius_m) if target is RequestStatus.ARRIVED else StatusUpdated(target)
        step = transition(request.status, target, actor)
        if actor is RequestActor.DISPATCHER:
            require_current_technician(uow, uid)
            _require_position(uow, uid, lat)
        if target is RequestStatus.IN_PROGRESS and request.proposed_price is not None:
            raise WrongState(REVISION_PENDING)
        if target is RequestStatus.EN_ROUTE or (target is RequestStatus.IN_PROGRESS and request.price_revised_at):
            _require_payment(uow, request)  # a revised price is held on the card before the work starts (D89)
        updates: dict[str, Any] = {}
        if lat is not None and lng is not None:
            updates |= {"dispatcher_current_lat": lat, "dispatcher_current_lng": lng,
                        "dispatcher_location_updated_at": uow.now}
            if target is RequestStatus.ARRIVED:
                distance = round(haversine_m(lat, lng, request.location_lat, request.location_lng), 1)
                updates |= {"arrival_distance_meters": distance, "arrival_location_verified": distance <= radius_m}
        moved = record_move(uow, request, step, **updates)
        if target is RequestStatus.EN_ROUTE:  # a direct drive now, no longer after the jobs ahead (D43)
            estimate_arrival(uow, request.id)
        return _arrival(moved, radius_m) if target is RequestStatus.ARRIVED else StatusUpdated(target)

    return work.transaction(deps, move, lost_race=JOB_CHANGED)


def cancel_request(deps: Deps, *, uid: str, is_admin: bool, request_id: str, reason: str | None = None) -> Cancelled:
    """Cancel a job on behalf of its client, its technician or an admin (the lifecycle table says who may,
    from where): withdraws open offers, gives back the reward when no work was done, frees the technician,
    tells the other side, and records the refund and fee. Repeating one's own cancellation answers the same."""
    def cancel(uow: UnitOfWork) -> Cancelled:
        request = job_of(uow, request_id)
        currency = request.currency or uow.settings.currency
        actor = actor_of(request, uid, is_admin)
        require_usable_account(uow, uid)
        if request.status is RequestStatus.CANCELLED and request.cancelled_by == uid:
            return Cancelled(request.status, request.refund_amount or Decimal("0.00"),
                             request.cancellation_fee or Decimal("0.00"), currency)
        cancelled = _cancel(uow, request, actor, by=uid, reason=reason or None)
        if actor is RequestActor.ADMIN:
            uow.audit.record(actor_id=uid, action="cancel_request", target=Collection.SERVICE_REQUESTS,
                             target_id=request.id, before={"status": request.status.value},
                             after={"status": RequestStatus.CANCELLED.value}, reason=reason or None)
        return cancelled

    return work.transaction(deps, cancel, lost_race=JOB_CHANGED)


def cancel_unmatched(deps: Deps, request_id: str) -> bool:
    """The system cancels a pending job nobody took by its deadline (`unmatched_deadline`), as "no technician
    available": free, the reward given back, the client told; the card hold, if any, is released by the status
    trigger like any cancellation's. Returns whether it cancelled (a replay, or a job taken meanwhile: no)."""

    def cancel(uow: UnitOfWork) -> bool:
        request = uow.requests.get(request_id)
        if (request is None or request.status is not RequestStatus.PENDING
                or uow.now < unmatched_deadline(request, uow.settings.unmatched_request_timeout)):
            return False
        _cancel(uow, request, RequestActor.SYSTEM, by=RequestActor.SYSTEM.value, reason=NO_TECHNICIAN_AVAILABLE)
        return True

    return work.transaction(deps, cancel, lost_race=JOB_CHANGED)


def _cancel(uow: UnitOfWork, request: ServiceRequest, actor: RequestActor, *, by: str, reason: str | None
            ) -> Cancelled:
    currency = request.currency or uow.settings.currency
    step = transition(request.status, RequestStatus.CANCELLED, actor)
    terms = cancellation_terms(request.status, actor, request.client_pays,
                               uow.settings.cancellation_fee_at(request.location_lat, request.location_lng))
    offers = offers_of(uow, request.id, pending_only=True)
    redemption = (uow.redemptions.get(request.reward_redemption_id)
                  if request.reward_redemption_id and terms.reward_returned else None)

    for offer in offers:  # withdrawn: the countdown task finds them no longer pending
        uow.offers.move(offer, OfferStatus.EXPIRED, actor, job_details=closed_details(offer.job_details))
    if (redemption is not None and redemption.status is RedemptionStatus.USED
            and redemption.used_on_request_id == request.id):
        uow.redemptions.move(redemption, RedemptionStatus.ACTIVE, actor, used_at=None, used_on_request_id=None)
    _tell_cancellation(uow, request, actor=actor, refund=terms.refund, currency=currency)
    record_move(uow, request, step, cancelled_by=by, cancelled_by_type=actor, cancellation_reason=reason,
                refund_amount=terms.refund, cancellation_fee=terms.fee)
    return Cancelled(RequestStatus.CANCELLED, terms.refund, terms.fee, currency)


def _tell_cancellation(uow: UnitOfWork, request: ServiceRequest, *, actor: Actor, refund: Decimal,
                       currency: str) -> None:
    """The other side learns of the cancellation; after an admin's, both sides do."""
    by = {RequestActor.CLIENT: t("the client"), RequestActor.DISPATCHER: t("your technician")}.get(actor, t("support"))
    where = request.location_address
    released = Money(to_minor(refund, currency), currency)
    if actor is RequestActor.SYSTEM:
        notify(uow, user_id=request.client_id, kind=NotificationType.JOB_CANCELLED, title=t("No technician available"),
               body=t("No technician could take your job at {where}, so it was cancelled; you are not charged for it "
                      "({amount} released). Try again later.", where=where, amount=released), request_id=request.id)
        return
    if actor is not RequestActor.DISPATCHER and request.dispatcher_id:
        notify(uow, user_id=request.dispatcher_id, kind=NotificationType.JOB_CANCELLED, title=t("Job cancelled"),
               body=t("The job at {where} was cancelled by {by}.", where=where, by=by), request_id=request.id)
    if actor is not RequestActor.CLIENT:
        notify(uow, user_id=request.client_id, kind=NotificationType.JOB_CANCELLED, title=t("Job cancelled"),
               body=t("Your job at {where} was cancelled by {by}; you are not charged for it ({amount} released).",
                      where=where, by=by, amount=released), request_id=request.id)
