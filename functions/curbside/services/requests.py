"""Service requests: quoting, creating, cancelling and the technician's status moves.

The server prices every request itself (the payload never carries a price). Each change is decided and
written atomically:

- creating a request with a reward claims the redemption in the same atomic commit as the request, guarded
  by the redemption's `update_time` (optimistic concurrency): of any number of concurrent requests naming
  one redemption exactly one commits, the others are told it is used — without lock waits on a hot
  document (docs/decisions.md, "Claiming a reward: one atomic commit with a precondition");
- a status move or a cancellation is one transaction: re-read the job, ask the lifecycle table, write the
  status, its timestamp, the client's notification and its `client_notified_*` flag together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from google.api_core import exceptions as google_errors
from google.cloud import firestore
from google.cloud.firestore_v1._helpers import WriteOption
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.documents import ClientProfile, Reward, RewardRedemption, ServiceRequest
from curbside.domain.enums import (
    LoyaltyTier,
    NotificationType,
    OfferStatus,
    RedemptionStatus,
    RequestActor,
    RequestStatus,
    RewardType,
)
from curbside.domain.errors import InvalidInput, LostRace, NotAllowed, NotFound, WrongState
from curbside.domain.geo import haversine_m
from curbside.domain.pricing import Job, PricingSettings, Quote, RewardDiscount, as_decimal
from curbside.domain.request_lifecycle import Move, cancellation_terms, transition
from curbside.domain.scheduling import Slot, slot, time_zone
from curbside.domain.tracking import ACTIVE_JOB_STATUSES
from curbside.domain.uploads import Purpose
from curbside.services import pricing, scheduled_jobs
from curbside.services.accounts import require_usable_account
from curbside.services.dispatch_queue import start_dispatch
from curbside.services.dispatcher_index import begin_index_refresh
from curbside.services.notifications import notify
from curbside.services.uploads import require_own_uploads
from curbside.store.codec import encode_value, from_snapshot, to_document
from curbside.store.collections import Collection, doc_path
from curbside.store.transactions import retry_lost_races, run_transaction

JOB_CHANGED = "The job changed at the same moment; try again."

ARRIVAL_WARNING = "You're not at the job location. Please navigate to the correct address."
"""The spec's words (section 4, Location Verification)."""


@dataclass(frozen=True)
class RequestSettings:
    """The deployment's tunables the request services need (`configured()` reads them)."""

    pricing: PricingSettings = field(default_factory=PricingSettings)
    default_time_zone: str = "Australia/Sydney"
    late_cancellation_fee: Decimal = Decimal("10.00")
    arrival_radius_m: float = 100.0


def configured() -> RequestSettings:
    return RequestSettings(
        pricing=pricing.configured_settings(),
        default_time_zone=config.DEFAULT_TIME_ZONE.value,
        late_cancellation_fee=Decimal(config.LATE_CANCELLATION_FEE.value),
        arrival_radius_m=float(config.ARRIVAL_RADIUS_M.value),
    )


# --- inputs and results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where and when a job happens: what a price depends on besides the rules and the reward."""

    lat: float
    lng: float
    is_urgent: bool = False
    is_scheduled: bool = False
    scheduled_date: str | None = None
    scheduled_time: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True)
class NewRequest:
    placement: Placement
    car_model: str
    license_plate: str
    location_address: str
    car_location_images: tuple[str, ...]
    notes: str | None = None
    reward_redemption_id: str | None = None
    request_key: str | None = None
    """The app's key for this one "Request Service" tap, sent again with any retry of the call."""


@dataclass(frozen=True)
class RequestCreated:
    request_id: str
    status: RequestStatus
    final_price: Decimal
    breakdown: dict[str, Any]


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


# --- reading what a decision needs ------------------------------------------------------------------------


def _plan(settings: RequestSettings, placement: Placement, now: dt.datetime) -> tuple[Job, Slot | None]:
    """The job as pricing sees it, and the validated slot of a scheduled one."""
    zone = time_zone(placement.time_zone or settings.default_time_zone)
    booked: Slot | None = None
    if placement.is_scheduled:
        if placement.scheduled_date is None or placement.scheduled_time is None:
            raise InvalidInput("scheduled_date and scheduled_time are needed for a scheduled job.")
        booked = slot(placement.scheduled_date, placement.scheduled_time, zone, now)
    elif placement.scheduled_date is not None or placement.scheduled_time is not None:
        raise InvalidInput("scheduled_date and scheduled_time are only for scheduled jobs (is_scheduled: true).")
    at = booked.scheduled_datetime if booked else now
    return Job(placement.lat, placement.lng, placement.is_urgent, placement.is_scheduled, at, zone), booked


@dataclass(frozen=True)
class _Client:
    name: str | None
    profile: ClientProfile


def _client(db: firestore.Client, uid: str) -> _Client:
    """The caller as a client: signed up, account usable, and a client profile (role client or both)."""
    user_snap = db.document(doc_path(Collection.USERS, uid)).get()
    if not user_snap.exists:
        raise NotFound("Finish sign-up first: your user record does not exist yet.")
    require_usable_account(db, uid)
    profile_snap = db.document(doc_path(Collection.CLIENT_PROFILES, uid)).get()
    if not profile_snap.exists:
        raise NotAllowed("Only clients can request a service: choose 'client' or 'both' as your account type.")
    user = user_snap.to_dict() or {}  # only the name is needed; the app-written document may carry extras
    name = user.get("full_name") or user.get("display_name")
    return _Client(name if isinstance(name, str) else None, from_snapshot(ClientProfile, profile_snap))


@dataclass(frozen=True)
class _Redeemed:
    snapshot: firestore.DocumentSnapshot[Any]
    discount: RewardDiscount


def _redemption(db: firestore.Client, uid: str, redemption_id: str, tier: LoyaltyTier,
                now: dt.datetime) -> _Redeemed:
    """A redemption the caller may use now: theirs, active, unexpired, and of a reward their tier allows."""
    snap = db.document(doc_path(Collection.REWARD_REDEMPTIONS, redemption_id)).get()
    redemption = from_snapshot(RewardRedemption, snap) if snap.exists else None
    if redemption is None or redemption.client_id != uid:
        raise NotFound(f"reward_redemption_id: there is no redeemed reward {redemption_id} in your account.")
    if redemption.status is RedemptionStatus.USED:
        raise WrongState("This reward has already been used on another request.")
    if redemption.status is RedemptionStatus.EXPIRED or redemption.expires_at <= now:
        raise WrongState(f"This reward expired on {redemption.expires_at:%Y-%m-%d}.")
    reward_snap = db.document(doc_path(Collection.REWARDS, redemption.reward_id)).get()
    if not reward_snap.exists:  # the catalogue entry was deleted after redeeming: honour what was paid for
        return _Redeemed(snap, RewardDiscount(RewardType.FIXED_DISCOUNT, amount=redemption.discount_amount))
    reward = from_snapshot(Reward, reward_snap)
    tiers = list(LoyaltyTier)
    if tiers.index(tier) < tiers.index(reward.tier_required):
        raise WrongState(f"This reward needs the {reward.tier_required.value} tier; yours is {tier.value}.")
    percentage = as_decimal(reward.discount_percentage) if reward.discount_percentage is not None else None
    amount = redemption.discount_amount if redemption.discount_amount is not None else reward.discount_amount
    return _Redeemed(snap, RewardDiscount(reward.reward_type, percentage=percentage, amount=amount))


# --- quote and create -------------------------------------------------------------------------------------


def quote_price(deps: Deps, uid: str, placement: Placement, reward_redemption_id: str | None,
                settings: RequestSettings) -> dict[str, Any]:
    """What the job would cost now, with the breakdown the create screen shows; nothing is written and the
    reward is only checked, not used."""
    now = deps.clock.now()
    job, _ = _plan(settings, placement, now)
    client = _client(deps.db, uid)
    redeemed = (_redemption(deps.db, uid, reward_redemption_id, client.profile.loyalty_tier, now)
                if reward_redemption_id else None)
    return pricing.price(deps, settings.pricing, job, redeemed.discount if redeemed else None).breakdown()


def _spec_range(value: Decimal, high: Decimal) -> float:
    """`urgency_multiplier`/`location_multiplier` are informational fields the spec bounds (1.0-1.5 and
    1.0-1.3); a configured multiplier outside that range is stored at the bound — the price lines carry
    the amounts actually charged."""
    return float(min(max(value, Decimal(1)), high))


def request_doc_id(uid: str, request_key: str) -> str:
    """The id of the request a client creates with `request_key`: the same for every retry of the call,
    different for every client (20 hex characters, like Firestore's own ids in length)."""
    return hashlib.sha256(f"{uid}\n{request_key}".encode()).hexdigest()[:20]


def _already_created(db: firestore.Client, uid: str, ref: firestore.DocumentReference) -> RequestCreated | None:
    """The answer for a request this client already created under the same key, as the request is now."""
    snap = ref.get()
    if not snap.exists:
        return None
    request = from_snapshot(ServiceRequest, snap)
    if request.client_id != uid:  # an 80-bit hash collision between two clients: never hand over another's job
        raise LostRace("Another change got in the way; try again with a new request.")
    return RequestCreated(request.id, request.status, request.final_price, request.price_breakdown or {})


def create_request(deps: Deps, uid: str, new: NewRequest, settings: RequestSettings) -> RequestCreated:
    """Validate, price and store a new request; a named reward is marked used in the same commit. With a
    `request_key`, a retried call (the answer was lost, the button tapped twice) answers with the request the
    first call created instead of creating a second one."""
    db = deps.db
    now = deps.clock.now()
    job, booked = _plan(settings, new.placement, now)
    client = _client(db, uid)
    jobs = db.collection(Collection.SERVICE_REQUESTS)
    ref = jobs.document(request_doc_id(uid, new.request_key)) if new.request_key else jobs.document()
    if new.request_key and (earlier := _already_created(db, uid, ref)) is not None:
        return earlier
    try:
        return _store_new(deps, uid, new, pricing_settings=settings.pricing, client=client, ref=ref, job=job,
                          booked=booked, now=now)
    except (WrongState, LostRace):
        # With a key, the refusal may only mean that a concurrent retry of this same call got there first
        # (it created the request and used the reward): its request is the answer.
        if new.request_key and (earlier := _already_created(db, uid, ref)) is not None:
            return earlier
        raise


def _store_new(deps: Deps, uid: str, new: NewRequest, *, pricing_settings: PricingSettings, client: _Client,
               ref: firestore.DocumentReference, job: Job, booked: Slot | None, now: dt.datetime) -> RequestCreated:
    """Check the photos and the reward, price the job, and create it at `ref` with the reward's use."""
    db = deps.db
    require_own_uploads(deps.files, uid, new.car_location_images, purpose=Purpose.CAR_PHOTOS,
                        field_name="car_location_images")
    redeemed = (_redemption(db, uid, new.reward_redemption_id, client.profile.loyalty_tier, now)
                if new.reward_redemption_id else None)
    quote: Quote = pricing.price(deps, pricing_settings, job, redeemed.discount if redeemed else None)

    placement = new.placement
    request = ServiceRequest(
        id=ref.id, client_id=uid, client_name=client.name, client_rating=client.profile.client_rating,
        car_model=new.car_model, license_plate=new.license_plate, location_address=new.location_address,
        location_lat=placement.lat, location_lng=placement.lng, car_location_images=list(new.car_location_images),
        status=RequestStatus.SCHEDULED if booked and not booked.is_due(now) else RequestStatus.PENDING,
        is_scheduled=placement.is_scheduled,
        scheduled_date=booked.scheduled_date if booked else None,
        scheduled_time=booked.scheduled_time if booked else None,
        scheduled_datetime=booked.scheduled_datetime if booked else None,
        becomes_available_at=booked.becomes_available_at if booked else None,
        base_price=quote.base_price, price=quote.subtotal, reward_applied=redeemed is not None,
        reward_redemption_id=new.reward_redemption_id, reward_discount=quote.reward_discount,
        final_price=quote.final_price, is_urgent=placement.is_urgent,
        urgency_multiplier=_spec_range(quote.urgency_multiplier, Decimal("1.5")),
        location_multiplier=_spec_range(quote.location_multiplier, Decimal("1.3")),
        notes=new.notes or None, price_breakdown=encode_value(quote.breakdown()), created_date=now,
        updated_date=now,
    )
    batch = db.batch()
    batch.create(ref, to_document(request))
    if redeemed is not None:
        claim = {"status": RedemptionStatus.USED.value, "used_at": encode_value(now), "used_on_request_id": ref.id}
        batch.update(redeemed.snapshot.reference, claim,
                     option=db.write_option(last_update_time=redeemed.snapshot.update_time))
    try:
        batch.commit()
    except google_errors.FailedPrecondition:
        # Someone changed the redemption since we read it: nothing was written. Say why, if we can.
        if redeemed is not None:
            _redemption(db, uid, redeemed.snapshot.id, client.profile.loyalty_tier, now)
        raise LostRace("The reward changed while the request was being created; try again.") from None
    except (google_errors.AlreadyExists, google_errors.Aborted):  # AlreadyExists: the same key, concurrently
        raise LostRace("Another change got in the way; try again.") from None
    return RequestCreated(ref.id, request.status, quote.final_price, quote.breakdown())


def request_created(deps: Deps, request_id: str) -> str:
    """After a request is stored (the `on_request_created` trigger): an immediate job goes to dispatch, a
    scheduled one waits for the activator unless its slot is already within 24 hours. Safe to run twice:
    the activation and the dispatch hand-over each happen once, and a hand-over that lost a race is tried
    again here, since the trigger is never delivered again. Returns what happened, for the log."""
    return retry_lost_races(lambda: _hand_over_created(deps, request_id))


def _hand_over_created(deps: Deps, request_id: str) -> str:
    snap = deps.db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).get()
    status = (snap.to_dict() or {}).get("status") if snap.exists else None
    if status == RequestStatus.PENDING.value:
        return "dispatch_started" if start_dispatch(deps, request_id) else "dispatch_already_started"
    if status == RequestStatus.SCHEDULED.value:
        if scheduled_jobs.activate(deps, request_id):
            start_dispatch(deps, request_id)
            return "activated"
        return "scheduled"
    return "missing" if status is None else "ignored"


# --- moves ------------------------------------------------------------------------------------------------


def _actor(request: ServiceRequest, uid: str, is_admin: bool) -> RequestActor:
    """The caller's part in this job. Someone with no part is told the job does not exist for them."""
    if is_admin:
        return RequestActor.ADMIN
    if uid == request.client_id:
        return RequestActor.CLIENT
    if request.dispatcher_id is not None and uid == request.dispatcher_id:
        return RequestActor.DISPATCHER
    raise NotFound("There is no such job among yours.")


def _client_notice(kind: NotificationType, request: ServiceRequest) -> tuple[str, str]:
    who = request.dispatcher_name or "Your technician"
    return {
        NotificationType.JOB_ACCEPTED: ("Technician found", f"{who} accepted your job."),
        NotificationType.DISPATCHER_EN_ROUTE: ("Technician on the way", f"{who} is on the way to your car."),
        NotificationType.DISPATCHER_ARRIVED: ("Technician has arrived", f"{who} has arrived at your car."),
        NotificationType.JOB_STARTED: ("Job started", f"{who} has started working on your car."),
        NotificationType.JOB_COMPLETED: ("Job completed", "Your job is done: review it within 48 hours or it is "
                                                          "approved automatically."),
    }[kind]


def record_move(transaction: firestore.WriteBatch, db: firestore.Client, request: ServiceRequest, move: Move, *,
                now: dt.datetime, updates: dict[str, Any] | None = None,
                precondition: WriteOption | None = None) -> ServiceRequest:
    """Write `move` inside `transaction`: the status, its timestamp, `updated_date`, the client's in-app
    notification and its `client_notified_*` flag, plus `updates`. The new state is validated against the
    model before anything is written. Accepting and completing a job use this same helper; accepting writes
    in a batch guarded by `precondition` (the job's `update_time`) instead of a transaction."""
    fields: dict[str, Any] = {"status": move.target, "updated_date": now, **(updates or {})}
    if move.timestamp_field:
        fields[move.timestamp_field] = now
    if move.notification is not None and move.notified_flag is not None:
        title, body = _client_notice(move.notification, request)
        notify(transaction, db, user_id=request.client_id, kind=move.notification, title=title, body=body,
               request_id=request.id, now=now)
        fields[move.notified_flag] = True
    moved = ServiceRequest.model_validate({**request.model_dump(), **fields})
    transaction.update(db.document(doc_path(Collection.SERVICE_REQUESTS, request.id)),
                       {name: encode_value(getattr(moved, name)) for name in fields}, option=precondition)
    return moved


def _load(transaction: firestore.Transaction, db: firestore.Client, request_id: str) -> ServiceRequest:
    snap = db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).get(transaction=transaction)
    if not snap.exists:
        raise NotFound("There is no such job among yours.")
    return from_snapshot(ServiceRequest, snap)


def _arrival(request: ServiceRequest, radius_m: float) -> StatusUpdated:
    distance = request.arrival_distance_meters
    warning = ARRIVAL_WARNING if distance is not None and distance > radius_m else None
    return StatusUpdated(request.status, warning, distance)


def update_job_status(deps: Deps, settings: RequestSettings, *, uid: str, is_admin: bool, request_id: str,
                      target: RequestStatus, lat: float | None = None, lng: float | None = None) -> StatusUpdated:
    """The assigned technician's moves: en_route, arrived (position checked against the job: farther than
    the arrival radius gives the spec's warning; the move still happens and the distance is recorded for
    fraud review), in_progress. Repeating the move the job already made answers as the first time did."""
    if target not in (RequestStatus.EN_ROUTE, RequestStatus.ARRIVED, RequestStatus.IN_PROGRESS):
        raise InvalidInput("status: a technician can set en_route, arrived or in_progress here.")
    if (lat is None) != (lng is None):
        raise InvalidInput("lat, lng: send both or neither.")
    if target is RequestStatus.ARRIVED and lat is None:
        raise InvalidInput("lat, lng: send your position when you arrive; it is checked against the job's address.")
    db = deps.db
    now = deps.clock.now()

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> StatusUpdated:
        request = _load(transaction, db, request_id)
        actor = _actor(request, uid, is_admin)
        require_usable_account(db, uid, transaction)
        if request.status is target and actor is RequestActor.DISPATCHER:
            return _arrival(request, settings.arrival_radius_m) if target is RequestStatus.ARRIVED \
                else StatusUpdated(target)
        move = transition(request.status, target, actor)
        updates: dict[str, Any] = {}
        if lat is not None and lng is not None:
            updates |= {"dispatcher_current_lat": lat, "dispatcher_current_lng": lng,
                        "dispatcher_location_updated_at": now}
            if target is RequestStatus.ARRIVED:
                distance = round(haversine_m(lat, lng, request.location_lat, request.location_lng), 1)
                updates |= {"arrival_distance_meters": distance,
                            "arrival_location_verified": distance <= settings.arrival_radius_m}
        moved = record_move(transaction, db, request, move, now=now, updates=updates)
        return _arrival(moved, settings.arrival_radius_m) if target is RequestStatus.ARRIVED \
            else StatusUpdated(target)

    updated: StatusUpdated = run_transaction(db, run, lost_race=JOB_CHANGED)
    return updated


def cancel_request(deps: Deps, settings: RequestSettings, *, uid: str, is_admin: bool, request_id: str,
                   reason: str | None = None) -> Cancelled:
    """Cancel a job on behalf of its client, its technician or an admin (the lifecycle table says who may,
    from where): withdraws open offers, gives back the reward when no work was done, frees the technician,
    tells the other side, and records the refund and fee. Repeating one's own cancellation answers the same."""
    db = deps.db
    now = deps.clock.now()
    currency = settings.pricing.currency

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> Cancelled:
        request = _load(transaction, db, request_id)
        actor = _actor(request, uid, is_admin)
        require_usable_account(db, uid, transaction)
        if request.status is RequestStatus.CANCELLED and request.cancelled_by == uid:
            return Cancelled(request.status, request.refund_amount or Decimal("0.00"),
                             request.cancellation_fee or Decimal("0.00"), currency)
        move = transition(request.status, RequestStatus.CANCELLED, actor)
        terms = cancellation_terms(request.status, actor, request.final_price, settings.late_cancellation_fee)

        # Reads first (a transaction reads everything before it writes).
        offers = list(db.collection(Collection.JOB_OFFERS)
                      .where(filter=FieldFilter("request_id", "==", request.id))
                      .where(filter=FieldFilter("offer_status", "==", OfferStatus.PENDING.value))
                      .stream(transaction=transaction))
        redemption = (db.document(doc_path(Collection.REWARD_REDEMPTIONS, request.reward_redemption_id))
                      .get(transaction=transaction)
                      if request.reward_redemption_id and terms.reward_returned else None)
        technician = (begin_index_refresh(db, transaction, request.dispatcher_id)
                      if request.dispatcher_id and request.status in ACTIVE_JOB_STATUSES else None)

        for offer in offers:  # withdrawn: the countdown task finds them no longer pending
            transaction.update(offer.reference, {"offer_status": OfferStatus.EXPIRED.value})
        if redemption is not None and redemption.exists:
            stored = redemption.to_dict() or {}
            if stored.get("status") == RedemptionStatus.USED.value and stored.get("used_on_request_id") == request.id:
                transaction.update(redemption.reference, {"status": RedemptionStatus.ACTIVE.value, "used_at": None,
                                                          "used_on_request_id": None})
        _tell_cancellation(transaction, db, request, actor=actor, refund=terms.refund, currency=currency, now=now)
        cancelled = record_move(transaction, db, request, move, now=now, updates={
            "cancelled_by": uid, "cancelled_by_type": actor, "cancellation_reason": reason or None,
            "refund_amount": terms.refund, "cancellation_fee": terms.fee,
        })
        if technician is not None:  # the job no longer occupies its technician in the dispatch index
            technician.finish(transaction, request=cancelled)
        return Cancelled(RequestStatus.CANCELLED, terms.refund, terms.fee, currency)

    cancelled: Cancelled = run_transaction(db, run, lost_race=JOB_CHANGED)
    return cancelled


def _tell_cancellation(transaction: firestore.Transaction, db: firestore.Client, request: ServiceRequest, *,
                       actor: RequestActor, refund: Decimal, currency: str, now: dt.datetime) -> None:
    """The other side learns of the cancellation; after an admin's, both sides do."""
    by = {RequestActor.CLIENT: "the client", RequestActor.DISPATCHER: "your technician"}.get(actor, "support")
    where = request.location_address
    if actor is not RequestActor.DISPATCHER and request.dispatcher_id:
        notify(transaction, db, user_id=request.dispatcher_id, kind=NotificationType.JOB_CANCELLED,
               title="Job cancelled", body=f"The job at {where} was cancelled by {by}.", request_id=request.id,
               now=now)
    if actor is not RequestActor.CLIENT:
        notify(transaction, db, user_id=request.client_id, kind=NotificationType.JOB_CANCELLED,
               title="Job cancelled", body=f"Your job at {where} was cancelled by {by}; you are not charged "
                                           f"for it ({refund:.2f} {currency} released).",
               request_id=request.id, now=now)
