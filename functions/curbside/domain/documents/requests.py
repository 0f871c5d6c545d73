"""ServiceRequests: one job, from the client's request to completion or cancellation."""

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, model_validator

from curbside.domain.documents.base import (
    AverageStars,
    DateString,
    DerivesFields,
    Document,
    Latitude,
    Longitude,
    Money,
    Skill,
    TimeString,
    UtcDatetime,
)
from curbside.domain.documents.catalogue import AddOn
from curbside.domain.enums import RequestActor, RequestStatus, ServiceCategory
from curbside.domain.insurance import JobType, client_share
from curbside.domain.search_cells import search_cell_tokens


def area_of(address: str) -> str | None:
    """The part of an address after its first comma (suburb, state, postcode), trimmed; None without one."""
    _, _, rest = address.partition(",")
    return rest.strip() or None


class ServiceRequest(Document, DerivesFields):
    """ServiceRequests/{auto id}. Created by the create_request function, which prices it; the status and
    timestamps then move through the job workflow (spec section 3).

    Added to the spec's fields (all server-written, null until they happen): the cancellation record
    (`cancelled_at`, `cancelled_by` uid, `cancelled_by_type`, `cancellation_reason`, `refund_amount`,
    `cancellation_fee` — the spec's "Refund processed (if applicable)" needs the amounts), the arrival check
    (`arrival_distance_meters`, `arrival_location_verified` — "Verify location (distance < 100m)"), and
    `dispatch_started_at`, the idempotency marker of the hand-over to auto-dispatch, and `price_breakdown`,
    the price as quoted when the request was created (create_request's `breakdown`, amounts as doubles), so
    a retried call and the receipt show the lines the client agreed to.

    Derived (computed from the job's location whenever the model is built, never taken as input):
    `search_cells`, the cells containing the job at every search depth, so that the technicians' jobs feed
    reads only the pending jobs near the caller in one query (`services.offers.list_available_jobs`)."""

    derived_fields: ClassVar[frozenset[str]] = frozenset({"search_cells"})

    client_id: str
    client_name: str | None = None
    client_rating: AverageStars | None = None
    car_model: str
    license_plate: str
    location_address: str
    location_lat: Latitude
    location_lng: Longitude
    car_location_images: Annotated[list[str], Field(max_length=4)]
    """At least one for a client's job; a merchant order may have none (the merchant is not at the car)."""
    status: RequestStatus
    is_scheduled: bool = False
    scheduled_date: DateString | None = None
    scheduled_time: TimeString | None = None
    scheduled_datetime: UtcDatetime | None = None
    becomes_available_at: UtcDatetime | None = None
    dispatcher_id: str | None = None
    dispatcher_name: str | None = None
    dispatcher_current_lat: Latitude | None = None
    dispatcher_current_lng: Longitude | None = None
    dispatcher_location_updated_at: UtcDatetime | None = None
    accepted_at: UtcDatetime | None = None
    en_route_at: UtcDatetime | None = None
    arrived_at: UtcDatetime | None = None
    started_at: UtcDatetime | None = None
    completed_at: UtcDatetime | None = None
    estimated_arrival_time: UtcDatetime | None = None
    estimated_duration_minutes: Annotated[int, Field(gt=0)] = 30
    reserved_dispatcher_id: str | None = None
    """Added (issue 21, D112): the technician whose calendar a scheduled job reserved its time in at booking."""
    recurring_booking_id: str | None = None
    """Added (D113): the recurring booking this job is an occurrence of."""
    base_price: Money = Decimal("33.00")
    price: Money
    reward_applied: bool = False
    reward_redemption_id: str | None = None
    reward_discount: Money | None = None
    priority_booking: bool = False
    """Added (D53): booked with a `priority_booking` reward — dispatched before other pending jobs and shown
    first in technicians' priority tab."""
    special_perk: str | None = None
    """Added (D53): the `special_perk` reward the client booked with (its title), shown to the technician."""
    final_price: Money
    currency: str | None = None
    """Added, server-written (D122): the ISO 4217 currency of every price on the job, from its service region when
    it was created; the card is held and charged in it. None on jobs written before: the platform's `CURRENCY`."""
    is_urgent: bool = False
    urgency_multiplier: Annotated[float, Field(ge=1.0, le=1.5)] = 1.0
    location_multiplier: Annotated[float, Field(ge=1.0, le=1.3)] = 1.0
    priority_score: float | None = None
    notes: str | None = None
    client_notified_accepted: bool = False
    client_notified_en_route: bool = False
    client_notified_arrived: bool = False
    client_notified_started: bool = False
    client_notified_completed: bool = False
    created_date: UtcDatetime
    updated_date: UtcDatetime | None = None
    cancelled_at: UtcDatetime | None = None
    cancelled_by: str | None = None
    cancelled_by_type: RequestActor | None = None
    cancellation_reason: str | None = None
    refund_amount: Money | None = None
    cancellation_fee: Money | None = None
    arrival_distance_meters: Annotated[float, Field(ge=0)] | None = None
    arrival_location_verified: bool | None = None
    dispatch_started_at: UtcDatetime | None = None
    reminder_sent_at: UtcDatetime | None = None
    """Added: when the scheduled-job reminder (an hour before the slot) went to the parties; it goes once."""
    price_breakdown: dict[str, Any] | None = None
    awaiting_payment_method: bool = False
    """The client's card could not hold the price (declined, removed): the job is not offered until the client
    saves a card that works (docs/decisions.md D28)."""
    vehicle_id: str | None = None
    """Added (issue 21): one of the client's `Vehicles`; the completion goes on its service history."""
    service_id: str | None = None
    """Added (issue 21): the catalogue's `Services/{id}` the job is for (None: a request priced the old way,
    without a service). The fields below copy what the job needs of it when it was booked, so a later edit
    of the catalogue changes neither its price, its invoice nor who may take it."""
    service_name: str | None = None
    service_category: ServiceCategory | None = None
    add_ons: list[AddOn] = Field(default_factory=list)
    """The add-ons the client chose, with their prices and durations as booked."""
    required_skills: list[Skill] = Field(default_factory=list)
    """The service's skills at booking: only technicians with all of them are offered the job."""
    service_reminder_months: Annotated[int, Field(ge=1, le=60)] | None = None
    """The service's own reminder interval at booking; the completion dates the vehicle's next service by it
    (unset: `SERVICE_REMINDER_MONTHS`)."""
    search_cells: list[str] = Field(default_factory=list)
    job_type: JobType = JobType.PRIVATE
    """Added (issue 20, D91): `insurance` jobs charge the client's card only `excess_amount`; the insurer owes
    the rest of `final_price` (an `InsuranceClaims` record). `insurer` and `claim_number` name the claim."""
    insurer: str | None = None
    claim_number: str | None = None
    excess_amount: Money | None = None
    merchant_id: str | None = None
    """Added (issue 21, D116): the merchant that ordered a `merchant` job (also its `client_id`, the client of
    record); `merchant_sku` the SKU it ordered by; `customer_phone` / `customer_email` reach the person at the car
    (`client_name` is theirs)."""
    merchant_sku: str | None = None
    customer_phone: str | None = None
    customer_email: str | None = None

    @property
    def client_pays(self) -> Decimal:
        """What the client's card is charged for the job: the price, or an insurance job's excess."""
        return client_share(self.final_price, self.job_type, self.excess_amount)
    quote_id: str | None = None
    """Added (issue 20): the photo quote that priced this job (`Quotes`), instead of the standard price."""
    proposed_price: Money | None = None
    """Added: a revised price the technician proposed on site; pending until the client accepts or declines it,
    and no work starts while it is (D89)."""
    proposed_price_reason: str | None = None
    proposed_price_at: UtcDatetime | None = None
    price_revised_at: UtcDatetime | None = None
    """When the client accepted a revised price: from then on work starts only once the card holds it."""

    @property
    def location_area(self) -> str | None:
        """The address without its first part (the street): what a technician who has not taken the job sees
        (the spec's addresses read "12 George St, Sydney NSW 2000"). None when the address has one part."""
        return area_of(self.location_address)

    @model_validator(mode="after")
    def _photos_unless_merchant(self) -> Self:
        if not self.car_location_images and self.job_type is not JobType.MERCHANT:
            raise ValueError("car_location_images: at least one photo of the car")
        return self

    @model_validator(mode="after")
    def _derive(self) -> Self:
        # Written past validate_assignment on purpose: an output of validation, not an input to it.
        self.__dict__["search_cells"] = search_cell_tokens(self.location_lat, self.location_lng)
        return self
