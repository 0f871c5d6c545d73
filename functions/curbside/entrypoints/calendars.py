"""Technician calendars and free slots (services/calendars.py, services/slots.py); booking a slot is
`create_request` with `is_scheduled` (D112); recurring bookings (services/recurring_bookings.py, D113)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

from firebase_functions import https_fn, logger, scheduler_fn
from pydantic import AwareDatetime, Field, StrictInt, field_validator, model_validator

from curbside import config, deps
from curbside.domain.calendars import MAX_BLOCKS_A_DAY, MAX_TIME_OFF
from curbside.domain.documents.base import DateString, TimeString
from curbside.domain.documents.calendars import DEFAULT_TRAVEL_BUFFER_MINUTES
from curbside.domain.scheduling import is_time_zone
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId, Latitude, Longitude
from curbside.services import calendars, recurring_bookings, slots
from curbside.services.requests import DEFAULT_DURATION_MINUTES

ZoneName = Annotated[str, Field(max_length=64)]


def _known_zone(value: str | None) -> str | None:
    if value is not None and not is_time_zone(value):
        raise ValueError("must be an IANA time zone such as 'Australia/Sydney'")
    return value


class HoursBlockPayload(Payload):
    start: TimeString
    end: TimeString


class SetCalendarPayload(Payload):
    time_zone: ZoneName
    base_lat: Latitude
    base_lng: Longitude
    working_hours: dict[Annotated[str, Field(max_length=16)],
                        Annotated[list[HoursBlockPayload], Field(max_length=MAX_BLOCKS_A_DAY)]]
    """{"monday": [{"start": "08:00", "end": "12:00"}, ...], ...}: a day left out is a day off."""
    travel_buffer_minutes: Annotated[StrictInt, Field(ge=0, le=180)] = DEFAULT_TRAVEL_BUFFER_MINUTES

    _zone = field_validator("time_zone")(_known_zone)


@on_call()
def set_calendar(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetCalendarPayload, lambda caller, p: calendars.set_calendar(
        deps.get(), caller.uid, zone_name=p.time_zone, base_lat=p.base_lat, base_lng=p.base_lng,
        working_hours={day: [(block.start, block.end) for block in blocks] for day, blocks in p.working_hours.items()},
        travel_buffer_minutes=p.travel_buffer_minutes))


class TimeOffPayload(Payload):
    start: AwareDatetime
    end: AwareDatetime
    reason: Annotated[str, Field(max_length=200)] | None = None


class SetTimeOffPayload(Payload):
    time_off: Annotated[list[TimeOffPayload], Field(max_length=MAX_TIME_OFF)]
    """Every period of time off (replaces the list): ISO 8601 instants with their offset."""


@on_call()
def set_time_off(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetTimeOffPayload, lambda caller, p: calendars.set_time_off(
        deps.get(), caller.uid, [(period.start.astimezone(dt.UTC), period.end.astimezone(dt.UTC), period.reason)
                                 for period in p.time_off]))


class ListAvailableSlotsPayload(Payload):
    lat: Latitude
    lng: Longitude
    from_date: DateString
    to_date: DateString
    time_zone: ZoneName | None = None
    service_id: DocId | None = None
    """The catalogue service: its duration (with the add-ons') and the skills a technician needs."""
    add_ons: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=20)] = Field(default_factory=list)
    estimated_duration_minutes: Annotated[StrictInt, Field(ge=15, le=480)] = DEFAULT_DURATION_MINUTES
    """Without a service: how long the job takes."""

    _zone = field_validator("time_zone")(_known_zone)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.to_date < self.from_date:
            raise ValueError("to_date is before from_date")
        return self


@on_call()
def list_available_slots(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ListAvailableSlotsPayload, lambda caller, p: slots.list_available_slots(
        deps.get(), caller.uid, p.lat, p.lng, from_date=p.from_date, to_date=p.to_date, zone_name=p.time_zone,
        service_id=p.service_id, add_on_ids=p.add_ons, duration_minutes=p.estimated_duration_minutes))


class CreateRecurringBookingPayload(Payload):
    request_id: DocId
    """The client's scheduled request: the first occurrence, which the others copy."""
    frequency: Literal["weekly", "fortnightly", "monthly"]
    time_zone: ZoneName | None = None
    """The zone the request's date and time were picked in (default: the platform's)."""

    _zone = field_validator("time_zone")(_known_zone)


@on_call()
def create_recurring_booking(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CreateRecurringBookingPayload, lambda caller, p: (
        recurring_bookings.create_recurring_booking(deps.get(), caller.uid, p.request_id, p.frequency, p.time_zone)))


@scheduler_fn.on_schedule(schedule="every day 02:00", timezone=config.DEFAULT_TIME_ZONE)
def book_recurring_jobs(event: scheduler_fn.ScheduledEvent) -> None:
    """Each recurring booking's occurrences within the 30-day window are booked (or skipped, telling the
    client), each once."""
    logger.info("recurring_bookings.booked", outcomes=recurring_bookings.book_due(deps.get()))
