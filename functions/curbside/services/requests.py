"""Service requests: quoting, creating, and handing a new request to dispatch (spec sections 1 and 3).

The server prices every request itself (the payload never carries a price). Creating a request with a reward
claims the redemption in the same conditional commit as the request, guarded by the redemption's
`update_time`: of any number of concurrent requests naming one redemption exactly one commits, the others are
told it is used — without lock waits on a hot document (D10). With a `request_key` a retried call answers
with the request the first one created (D22). A merchant's order for its customer's car is made by the same
`create_request`, with `NewRequest.merchant_order`: priced by its SKU, no card (D116). Status moves and
cancellation are `services.job_moves`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import Any

from curbside.deps import Deps
from curbside.domain.catalogue import Booking
from curbside.domain.documents import ClientProfile, RewardRedemption, ServiceRequest
from curbside.domain.enums import LoyaltyTier, RedemptionStatus, RequestStatus, RewardType
from curbside.domain.errors import InvalidInput, LostRace, NotAllowed, NotFound, WrongState
from curbside.domain.insurance import InsuranceTerms
from curbside.domain.lifecycle import Actor
from curbside.domain.merchants import OrderTerms
from curbside.domain.pricing import Quote, RewardDiscount
from curbside.domain.pricing_conditions import Job, as_decimal
from curbside.domain.scheduling import Slot, slot, time_zone
from curbside.domain.uploads import Purpose
from curbside.services import (
    catalogue,
    insurance,
    leads,
    merchant_orders,
    photo_quotes,
    pricing,
    scheduled_jobs,
    slots,
    vehicles,
    work,
)
from curbside.services.accounts import require_usable_account
from curbside.services.dispatch_queue import start_dispatch
from curbside.services.rate_limits import next_slot
from curbside.services.uploads import COPY_REQUEST_PHOTOS, request_photo_paths, require_own_uploads
from curbside.settings import Settings
from curbside.store.codec import encode_value
from curbside.store.collections import retry_document_id
from curbside.store.engine import Conflict
from curbside.store.transactions import retry_lost_races
from curbside.store.uow import UnitOfWork

DEFAULT_DURATION_MINUTES = 30


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
    vehicle_id: str | None = None
    """One of the client's saved vehicles: the completion goes on its service history (issue 21)."""
    insurance: InsuranceTerms | None = None
    """An insurance job's claim (None: a private job; D91)."""
    quote_id: str | None = None
    """A photo quote of the caller's: its price replaces the standard price (`photo_quotes.book_quote`)."""
    lead_id: str | None = None
    """The Messenger lead whose booking link opened the request screen: booked with this request (D86)."""
    service_id: str | None = None
    """The catalogue service booked, with `add_on_ids` of its add-ons (None: the configured base price, D107)."""
    add_on_ids: tuple[str, ...] = ()
    merchant_order: OrderTerms | None = None
    """A merchant's order for its customer's car (`create_merchant_order`, D116): priced by the SKU, no card."""
    estimated_duration_minutes: int = DEFAULT_DURATION_MINUTES
    """How long the job takes: the time a scheduled job reserves in a technician's calendar (D112)."""


@dataclass(frozen=True)
class RequestCreated:
    request_id: str
    status: RequestStatus
    final_price: Decimal
    breakdown: dict[str, Any]


def plan_job(settings: Settings, placement: Placement, now: dt.datetime) -> tuple[Job, Slot | None]:
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


def _client(uow: UnitOfWork, uid: str) -> _Client:
    """The caller as a client: signed up, account usable, and a client profile (role client or both)."""
    user = uow.users.get(uid)
    if user is None:
        raise NotFound("Finish sign-up first: your user record does not exist yet.")
    require_usable_account(uow, uid)
    profile = uow.client_profiles.get(uid)
    if profile is None:
        raise NotAllowed("Only clients can request a service: choose 'client' or 'both' as your account type.")
    return _Client(user.full_name or user.display_name, profile)


NO_CARD = ("Add a card in Payment methods before booking: the price is held on it when a technician accepts, "
           "and charged when the job is done.")


def _require_card(uow: UnitOfWork, uid: str) -> None:
    """A job is booked only with a saved card to hold its price on (docs/decisions.md D28)."""
    private = uow.client_private.get_or_default(uid)
    if not private.stripe_customer_id or not private.payment_method:
        raise WrongState(NO_CARD)


@dataclass(frozen=True)
class _Redeemed:
    redemption: RewardRedemption
    discount: RewardDiscount


def _redemption(uow: UnitOfWork, uid: str, redemption_id: str, tier: LoyaltyTier) -> _Redeemed:
    """A redemption the caller may use now: theirs, active, unexpired, and of a reward their tier allows."""
    redemption = uow.redemptions.get(redemption_id)
    if redemption is None or redemption.client_id != uid:
        raise NotFound(f"reward_redemption_id: there is no redeemed reward {redemption_id} in your account.")
    if redemption.status is RedemptionStatus.USED:
        raise WrongState("This reward has already been used on another request.")
    if redemption.status is RedemptionStatus.EXPIRED or redemption.expires_at <= uow.now:
        raise WrongState(f"This reward expired on {redemption.expires_at:%Y-%m-%d}.")
    reward = uow.rewards.get(redemption.reward_id)
    if reward is None:  # the catalogue entry was deleted after redeeming: honour what was paid for
        return _Redeemed(redemption, RewardDiscount(RewardType.FIXED_DISCOUNT, amount=redemption.discount_amount))
    tiers = list(LoyaltyTier)
    if tiers.index(tier) < tiers.index(reward.tier_required):
        raise WrongState(f"This reward needs the {reward.tier_required.value} tier; yours is {tier.value}.")
    percentage = as_decimal(reward.discount_percentage) if reward.discount_percentage is not None else None
    amount = redemption.discount_amount if redemption.discount_amount is not None else reward.discount_amount
    return _Redeemed(redemption, RewardDiscount(reward.reward_type, percentage=percentage, amount=amount))


def quote_price(deps: Deps, uid: str, placement: Placement, reward_redemption_id: str | None, *,
                service_id: str | None = None, add_on_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    """What the job would cost now, with the breakdown the create screen shows; nothing is written and the
    reward is only checked, not used."""

    def look(uow: UnitOfWork) -> dict[str, Any]:
        job, _ = plan_job(uow.settings, placement, uow.now)
        client = _client(uow, uid)
        booking = catalogue.bookable(uow, service_id, add_on_ids) if service_id else None
        redeemed = _redemption(uow, uid, reward_redemption_id, client.profile.loyalty_tier) \
            if reward_redemption_id else None
        job = replace(job, service=booking.terms) if booking else job
        return pricing.price(uow, job, redeemed.discount if redeemed else None).breakdown()

    return work.reading(deps, look)


def _spec_range(value: Decimal, high: Decimal) -> float:
    """`urgency_multiplier`/`location_multiplier` are informational fields the spec bounds (1.0-1.5 and
    1.0-1.3); a configured multiplier outside that range is stored at the bound — the price lines carry
    the amounts actually charged."""
    return float(min(max(value, Decimal(1)), high))


def _already_created(deps: Deps, uid: str, request_id: str) -> RequestCreated | None:
    """The answer for a request this client already created under the same key, as the request is now."""
    request = work.reading(deps, lambda uow: uow.requests.get(request_id))
    if request is None:
        return None
    if request.client_id != uid:  # an 80-bit hash collision between two clients: never hand over another's job
        raise LostRace("Another change got in the way; try again with a new request.")
    return RequestCreated(request.id, request.status, request.final_price, request.price_breakdown or {})


def create_request(deps: Deps, uid: str, new: NewRequest) -> RequestCreated:
    """Validate, price and store a new request; a named reward is marked used in the same commit. With a
    `request_key`, a retried call (the answer was lost, the button tapped twice) answers with the request the
    first call created instead of creating a second one."""
    plan_job(deps.settings, new.placement, deps.clock.now())  # a bad slot is refused before anything is read
    request_id = retry_document_id(uid, key=new.request_key)
    if new.request_key and (earlier := _already_created(deps, uid, request_id)) is not None:
        return earlier
    require_own_uploads(deps.files, uid, new.car_location_images, purpose=Purpose.CAR_PHOTOS,
                        field_name="car_location_images")
    nearby = slots.find_nearby(deps, uid, new.placement.lat, new.placement.lng, new.service_id) \
        if new.placement.is_scheduled else ()
    attempts = deps.settings.rate_limits.create_request.count + 1
    for attempt in range(attempts):
        try:
            return work.conditional(deps, partial(_store_new, uid=uid, new=new, request_id=request_id, nearby=nearby,
                                                  attempt=attempt),
                                    lost_race="Another change got in the way; try again.")
        except (WrongState, LostRace) as refused:
            # With a key, the refusal may only mean that a concurrent retry of this same call got there first
            # (it created the request and used the reward): its request is the answer.
            if new.request_key and (earlier := _already_created(deps, uid, request_id)) is not None:
                return earlier
            if isinstance(refused, Conflict) and new.reward_redemption_id:
                _explain_reward(deps, uid, new.reward_redemption_id)
            if not isinstance(refused, Conflict):
                raise
            if attempt + 1 == attempts:
                _explain_lost_booking(deps, uid, new, nearby)
                raise
            # Another of the caller's requests took the same rate-limit slot at the same moment: count again.
    raise AssertionError("unreachable: the last attempt returns or raises")


def _explain_lost_booking(deps: Deps, uid: str, new: NewRequest, nearby: tuple[str, ...]) -> None:
    """After the last lost commit of a scheduled booking (many clients booking one technician's time at once):
    the slot's fate and the next free slots, rather than a bare "try again"."""
    job, booked = plan_job(deps.settings, new.placement, deps.clock.now())
    if booked is not None:
        service_id = new.service_id
        service = work.reading(deps, lambda uow: catalogue.bookable(uow, service_id, new.add_on_ids)) \
            if service_id else None
        duration, skills = ((service.duration_minutes, tuple(service.service.required_skills)) if service
                            else (new.estimated_duration_minutes, ()))
        raise slots.explain_lost_booking(deps, slots.Booking(uid, job.lat, job.lng, booked, job.zone, duration,
                                                             skills), nearby)


def _explain_reward(deps: Deps, uid: str, redemption_id: str) -> None:
    """After a lost commit: the reward used meanwhile is the likely reason; say so if it is."""

    def look(uow: UnitOfWork) -> None:
        profile = uow.client_profiles.get(uid)
        _redemption(uow, uid, redemption_id, profile.loyalty_tier if profile else LoyaltyTier.BRONZE)

    work.reading(deps, look)
    raise LostRace("The reward changed while the request was being created; try again.")


def _store_new(uow: UnitOfWork, uid: str, new: NewRequest, request_id: str, *, nearby: tuple[str, ...],
               attempt: int) -> RequestCreated:
    """Check the caller, the rate limit and the reward, price the job, and create it with the reward's use, the
    rate limit's slot and, for a scheduled job, its reservation in one of the `nearby` calendars (`attempt`: how
    many commits of this call were lost before, see `slots.reserve`)."""
    job, booked = plan_job(uow.settings, new.placement, uow.now)
    ordered = merchant_orders.ordered(uow, uid, new.merchant_order) if new.merchant_order else None
    client = None if ordered else _client(uow, uid)
    slot = None if ordered else next_slot(uow, uow.settings.rate_limits.create_request, uid)
    if client is not None:
        _require_card(uow, uid)
    vehicle = vehicles.require_own(uow, uid, new.vehicle_id) if new.vehicle_id else None
    booking = catalogue.bookable(uow, new.service_id, new.add_on_ids) if new.service_id else None
    job = replace(job, service=booking.terms) if booking else job
    redeemed = _redemption(uow, uid, new.reward_redemption_id, client.profile.loyalty_tier) \
        if new.reward_redemption_id and client else None
    quoted = photo_quotes.book_quote(uow, uid, new.quote_id, new.car_model, redeemed.discount if redeemed else None) \
        if new.quote_id else None
    quote: Quote = ordered.quote if ordered else quoted.price if quoted else \
        pricing.price(uow, job, redeemed.discount if redeemed else None)
    insured = ordered.request_fields if ordered else \
        insurance.request_fields(new.insurance, quote.final_price, with_reward=redeemed is not None)
    lead = leads.bookable(uow, new.lead_id)
    placement = new.placement
    duration = (booking.duration_minutes if booking else ordered.duration_minutes if ordered
                else new.estimated_duration_minutes)
    skills = booking.service.required_skills if booking else ()
    # the last read (the calendars by id): the reservation is the first write
    reserved = slots.reserve(uow, slots.Booking(uid, job.lat, job.lng, booked, job.zone, duration, tuple(skills)),
                             request_id, nearby, attempt=attempt) if booked else None
    photos = request_photo_paths(uid, request_id, new.car_location_images)
    request = uow.requests.create(ServiceRequest(
        id=request_id, client_id=uid, client_name=ordered.customer_name if ordered else client and client.name,
        client_rating=client.profile.client_rating if client else None,
        car_model=new.car_model, license_plate=new.license_plate, location_address=new.location_address,
        location_lat=placement.lat, location_lng=placement.lng, car_location_images=list(photos),
        status=RequestStatus.SCHEDULED if booked and not booked.is_due(uow.now) else RequestStatus.PENDING,
        is_scheduled=placement.is_scheduled,
        scheduled_date=booked.scheduled_date if booked else None,
        scheduled_time=booked.scheduled_time if booked else None,
        scheduled_datetime=booked.scheduled_datetime if booked else None,
        becomes_available_at=booked.becomes_available_at if booked else None,
        base_price=quote.base_price, price=quote.subtotal, reward_applied=redeemed is not None,
        reward_redemption_id=new.reward_redemption_id, reward_discount=quote.reward_discount,
        priority_booking=redeemed is not None and redeemed.discount.reward_type is RewardType.PRIORITY_BOOKING,
        special_perk=redeemed.redemption.reward_title
        if redeemed is not None and redeemed.discount.reward_type is RewardType.SPECIAL_PERK else None,
        final_price=quote.final_price, currency=quote.currency, is_urgent=placement.is_urgent,
        urgency_multiplier=_spec_range(quote.urgency_multiplier, Decimal("1.5")),
        location_multiplier=_spec_range(quote.location_multiplier, Decimal("1.3")),
        notes=new.notes or None, price_breakdown=encode_value(quote.breakdown()), created_date=uow.now,
        vehicle_id=vehicle.id if vehicle else None, updated_date=uow.now, quote_id=new.quote_id, **insured,
        **_service_fields(booking), estimated_duration_minutes=duration, reserved_dispatcher_id=reserved,
    ))
    if quoted is not None:
        quoted.record_use(uow, request.id)
    if slot is not None:
        uow.rate_slots.create(slot)
    leads.book(uow, lead, request.id, uid)
    if redeemed is not None:
        uow.redemptions.move(redeemed.redemption, RedemptionStatus.USED, Actor.CLIENT, used_at=uow.now,
                             used_on_request_id=request.id)
    uow.outbox.add(COPY_REQUEST_PHOTOS, request.id,
                   copies=[{"from": source, "to": target}
                           for source, target in zip(new.car_location_images, photos, strict=True)])
    return RequestCreated(request.id, request.status, quote.final_price, quote.breakdown())


def _service_fields(booking: Booking | None) -> dict[str, Any]:
    """What the job copies of its catalogue service: the next edit of the service changes no booked job."""
    if booking is None:
        return {}
    service = booking.service
    return {"service_id": service.id, "service_name": service.name, "service_category": service.category,
            "add_ons": list(booking.add_ons), "required_skills": list(service.required_skills),
            "service_reminder_months": service.service_reminder_months}


def request_created(deps: Deps, request_id: str) -> str:
    """After a request is stored (the `on_request_created` trigger): an immediate job goes to dispatch, a
    scheduled one waits for the activator unless its slot is already within 24 hours. Safe to run twice:
    the activation and the dispatch hand-over each happen once, and a hand-over that lost a race is tried
    again here, since the trigger is never delivered again. Returns what happened, for the log."""
    return retry_lost_races(lambda: _hand_over_created(deps, request_id))


def _hand_over_created(deps: Deps, request_id: str) -> str:
    request = work.reading(deps, lambda uow: uow.requests.get(request_id))
    if request is None:
        return "missing"
    if request.status is RequestStatus.PENDING:
        return "dispatch_started" if start_dispatch(deps, request_id) else "dispatch_already_started"
    if request.status is RequestStatus.SCHEDULED:
        if scheduled_jobs.activate(deps, request_id):
            start_dispatch(deps, request_id)
            return "activated"
        return "scheduled"
    return "ignored"
