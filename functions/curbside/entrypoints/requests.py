"""Service requests: quote, create, cancel, the technician's status moves, and the background work that
hands jobs to dispatch (the created trigger, the scheduled-job activator)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from firebase_functions import firestore_fn, https_fn, logger, scheduler_fn
from google.cloud.firestore_v1 import DocumentSnapshot
from pydantic import AfterValidator, Field, StrictBool, StrictInt, field_validator, model_validator

from curbside import config, deps
from curbside.domain.documents.base import DateString, TimeString
from curbside.domain.enums import RequestStatus
from curbside.domain.scheduling import is_time_zone
from curbside.entrypoints.insurance import InsuranceFields
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.services import job_moves, requests, scheduled_jobs
from curbside.store.collections import Collection

Latitude = Annotated[float, Field(strict=True, ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(strict=True, ge=-180, le=180, allow_inf_nan=False)]
def not_reserved(value: str) -> str:
    if value.startswith("__") and value.endswith("__"):
        raise ValueError("ids of the form __name__ are reserved")
    return value


DocId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_:-][A-Za-z0-9_.:-]*$"),
                  AfterValidator(not_reserved)]
"""A document id a caller names: letters, digits and `_.:-`; never Firestore's reserved `__...__` form."""
StoragePath = Annotated[str, Field(min_length=1, max_length=512)]
RetryKey = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
"""Made by the app once per tap and sent again with every retry of that call: the call acts once (D22)."""
AuditReason = Annotated[str, Field(min_length=5, max_length=500)]
"""Why an admin acts: kept on the action's audit entry (D48)."""
AddOnId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
"""An add-on's id within its service (`Services.add_ons[].add_on_id`)."""


class PlacementPayload(Payload):
    """Where and when: shared by quote_price and create_request (which names the position differently)."""

    is_urgent: StrictBool = False
    is_scheduled: StrictBool = False
    scheduled_date: DateString | None = None
    scheduled_time: TimeString | None = None
    time_zone: Annotated[str, Field(max_length=64)] | None = None
    """Contract addition: the client's IANA zone, in which the slot and peak hours are read."""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and not is_time_zone(value):
            raise ValueError("must be an IANA time zone such as 'Australia/Sydney'")
        return value

    @model_validator(mode="after")
    def _slot_only_when_scheduled(self) -> Self:
        has_slot = (self.scheduled_date is not None, self.scheduled_time is not None)
        if self.is_scheduled and not all(has_slot):
            raise ValueError("a scheduled job needs scheduled_date and scheduled_time")
        if not self.is_scheduled and any(has_slot):
            raise ValueError("scheduled_date and scheduled_time are only for a scheduled job (is_scheduled: true)")
        return self

    def placement(self, lat: float, lng: float) -> requests.Placement:
        return requests.Placement(lat, lng, self.is_urgent, self.is_scheduled, self.scheduled_date,
                                  self.scheduled_time, self.time_zone)


class ServicePayload(Payload):
    """The catalogue service booked and its add-ons (issue 21): the price starts from the service's."""

    service_id: DocId | None = None
    add_on_ids: Annotated[list[AddOnId], Field(max_length=20)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _add_ons_of_a_service(self) -> Self:
        if self.add_on_ids and self.service_id is None:
            raise ValueError("add_on_ids need the service_id they belong to")
        if len(set(self.add_on_ids)) != len(self.add_on_ids):
            raise ValueError("add_on_ids: each add-on once")
        return self


class QuotePricePayload(PlacementPayload, ServicePayload):
    lat: Latitude
    lng: Longitude
    reward_redemption_id: DocId | None = None


@on_call()
def quote_price(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, QuotePricePayload, lambda caller, p: requests.quote_price(
        deps.get(), caller.uid, p.placement(p.lat, p.lng), p.reward_redemption_id, service_id=p.service_id,
        add_on_ids=tuple(p.add_on_ids)))


class JobPayload(PlacementPayload):
    """The car, the place and the time of a new job: shared by create_request and create_merchant_order."""

    car_model: Annotated[str, Field(min_length=1, max_length=80)]
    license_plate: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9][A-Za-z0-9 .-]*$")]
    location_address: Annotated[str, Field(min_length=3, max_length=300)]
    location_lat: Latitude
    location_lng: Longitude
    notes: Annotated[str, Field(max_length=500)] | None = None
    request_key: RetryKey | None = None

    def job(self, images: tuple[str, ...], **more: Any) -> requests.NewRequest:
        return requests.NewRequest(
            placement=self.placement(self.location_lat, self.location_lng), car_model=self.car_model,
            license_plate=self.license_plate, location_address=self.location_address, car_location_images=images,
            notes=self.notes, request_key=self.request_key, **more)


class CreateRequestPayload(JobPayload, InsuranceFields, ServicePayload):
    car_location_images: Annotated[list[StoragePath], Field(min_length=1, max_length=4)]
    reward_redemption_id: DocId | None = None
    vehicle_id: DocId | None = None
    quote_id: DocId | None = None
    """A photo quote of the caller's (`quote_from_photos`): the job costs what it quoted."""
    lead_id: Annotated[str, Field(pattern=r"^\d{1,64}$")] | None = None
    """The `lead_id` of a Messenger booking link (a page-scoped id)."""
    estimated_duration_minutes: Annotated[StrictInt, Field(ge=15, le=480)] = requests.DEFAULT_DURATION_MINUTES
    """How long the job takes (until the service catalogue gives it): what a scheduled job reserves."""

    @field_validator("car_location_images")
    @classmethod
    def _distinct(cls, paths: list[str]) -> list[str]:
        if len(set(paths)) != len(paths):
            raise ValueError("the same photo is listed twice")
        return paths

    def new_request(self) -> requests.NewRequest:
        return self.job(tuple(self.car_location_images), reward_redemption_id=self.reward_redemption_id,
                        vehicle_id=self.vehicle_id, insurance=self.insurance_terms(), quote_id=self.quote_id,
                        lead_id=self.lead_id, service_id=self.service_id,
                        add_on_ids=tuple(self.add_on_ids),
                        estimated_duration_minutes=self.estimated_duration_minutes)


@on_call()
def create_request(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CreateRequestPayload, lambda caller, p: requests.create_request(
        deps.get(), caller.uid, p.new_request()), fresh_sign_in=True)


class CancelRequestPayload(Payload):
    request_id: DocId
    reason: Annotated[str, Field(max_length=500)] | None = None


@on_call()
def cancel_request(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CancelRequestPayload, lambda caller, p: job_moves.cancel_request(
        deps.get(), uid=caller.uid, is_admin=caller.is_admin, request_id=p.request_id,
        reason=p.reason), fresh_sign_in=True)


class UpdateJobStatusPayload(Payload):
    request_id: DocId
    status: Literal["en_route", "arrived", "in_progress"]
    lat: Latitude | None = None
    lng: Longitude | None = None


@on_call(secrets=config.secrets(config.ROUTES_API_KEY))  # setting off refreshes the arrival estimate (D43)
def update_job_status(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UpdateJobStatusPayload, lambda caller, p: job_moves.update_job_status(
        deps.get(), uid=caller.uid, is_admin=caller.is_admin, request_id=p.request_id,
        target=RequestStatus(p.status), lat=p.lat, lng=p.lng))


@firestore_fn.on_document_created(document=f"{Collection.SERVICE_REQUESTS}/{{request_id}}")
def on_request_created(event: firestore_fn.Event[DocumentSnapshot[Any] | None]) -> None:
    """Hand an immediate job to dispatch (safe to deliver twice)."""
    request_id = event.params["request_id"]
    outcome = requests.request_created(deps.get(), request_id)
    logger.info("request.created_handled", request_id=request_id, outcome=outcome, event_id=event.id)


@scheduler_fn.on_schedule(schedule="every 5 minutes")
def activate_scheduled_jobs(event: scheduler_fn.ScheduledEvent) -> None:
    """Scheduled jobs whose slot is within 24 hours become pending and go to dispatch (exactly once)."""
    activated = scheduled_jobs.activate_due(deps.get())
    logger.info("scheduled_jobs.activated", count=len(activated), request_ids=activated[:50])
