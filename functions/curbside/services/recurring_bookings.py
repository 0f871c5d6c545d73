"""Recurring bookings (issue 21 item 2; D113): a client's scheduled job repeated weekly, fortnightly or
monthly, booked ahead within the 30-day window.

`create_recurring_booking` turns one of the client's scheduled requests into the template. The daily
`book_recurring_jobs` creates each occurrence due within the window as its own request,
`ServiceRequests/{booking id}~{date}`, reserving its slot in a technician's calendar in the same commit as
any booking (`services.slots`), and records the date on the booking. The request's id is the occurrence's, so
a second run (or two at once) cannot create it twice: the create collides and the date is already recorded.
When nobody nearby is free at the occurrence's slot, the client is told once and the occurrence is skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.calendars import FREQUENCIES, occurrences
from curbside.domain.documents import RecurringBooking, ServiceRequest
from curbside.domain.enums import NotificationType, RequestStatus
from curbside.domain.errors import InvalidInput, NotFound, WrongState
from curbside.domain.pricing_conditions import Job
from curbside.domain.scheduling import MAX_DAYS_AHEAD, slot, time_zone
from curbside.services import pricing, slots, work
from curbside.services.notifications import notify
from curbside.store import queries
from curbside.store.codec import encode_value
from curbside.store.engine import Conflict, Cursor
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

PAGE = 100
BOOKABLE = (RequestStatus.SCHEDULED, RequestStatus.PENDING, RequestStatus.ACCEPTED)


def create_recurring_booking(deps: Deps, uid: str, request_id: str, frequency: str,
                             zone_name: str | None) -> dict[str, object]:
    """Repeat the caller's scheduled request (the first occurrence) at `frequency`. Once per request: asked
    again, it answers with the booking it made."""
    if frequency not in FREQUENCIES:
        raise InvalidInput(f"frequency: choose one of {', '.join(FREQUENCIES)}.")
    zone = time_zone(zone_name or deps.settings.default_time_zone)

    def decide(uow: UnitOfWork) -> dict[str, object]:
        template = uow.requests.get(request_id)
        if template is None or template.client_id != uid:
            raise NotFound(f"request_id: there is no request {request_id} of yours.")
        if not template.is_scheduled or template.scheduled_date is None or template.scheduled_time is None:
            raise WrongState("Only a scheduled job can repeat: book a date and time first.")
        if template.status not in BOOKABLE:
            raise WrongState(f"This job is {template.status.value}; repeat a job that is still booked.")
        booking = uow.recurring_bookings.get(request_id)
        if booking is None:
            booking = uow.recurring_bookings.create(RecurringBooking(
                id=request_id, client_id=uid, template_request_id=request_id, frequency=frequency,
                first_date=template.scheduled_date, scheduled_time=template.scheduled_time, time_zone=zone.key,
                booked_dates=[template.scheduled_date], created_date=uow.now, updated_date=uow.now))
        return {"recurring_booking_id": booking.id, "frequency": booking.frequency}

    return work.transaction(deps, decide)


@dataclass(frozen=True)
class Occurrence:
    booking_id: str
    day: dt.date


def _due(booking: RecurringBooking, now: dt.datetime) -> list[Occurrence]:
    zone = time_zone(booking.time_zone)
    today = now.astimezone(zone).date()
    done = set(booking.booked_dates) | set(booking.skipped_dates)
    days = occurrences(dt.date.fromisoformat(booking.first_date), booking.frequency,
                       after=today - dt.timedelta(days=1), until=today + dt.timedelta(days=MAX_DAYS_AHEAD))
    return [Occurrence(booking.id, day) for day in days if day.isoformat() not in done]


def _occurrence(uow: UnitOfWork, template: ServiceRequest, booking: RecurringBooking, day: dt.date) -> ServiceRequest:
    """The occurrence's request, its slot reserved in a technician's calendar (or `WrongState`)."""
    zone = time_zone(booking.time_zone)
    booked = slot(day.isoformat(), booking.scheduled_time, zone, uow.now)
    quote = pricing.price(uow, Job(template.location_lat, template.location_lng, False, True,
                                   booked.scheduled_datetime, zone))
    request_id = f"{booking.id}~{day.isoformat()}"
    nearby = slots.nearby_ids(uow, template.location_lat, template.location_lng, client_id=template.client_id,
                              required_skills=template.required_skills)
    reserved = slots.reserve(uow, slots.Booking(template.client_id, template.location_lat, template.location_lng,
                                                booked, zone, template.estimated_duration_minutes,
                                                tuple(template.required_skills)), request_id, nearby)
    return ServiceRequest(
        id=request_id, client_id=template.client_id, client_name=template.client_name,
        client_rating=template.client_rating, car_model=template.car_model, license_plate=template.license_plate,
        location_address=template.location_address, location_lat=template.location_lat,
        location_lng=template.location_lng, car_location_images=list(template.car_location_images),
        status=RequestStatus.PENDING if booked.is_due(uow.now) else RequestStatus.SCHEDULED, is_scheduled=True,
        scheduled_date=booked.scheduled_date, scheduled_time=booked.scheduled_time,
        scheduled_datetime=booked.scheduled_datetime, becomes_available_at=booked.becomes_available_at,
        base_price=quote.base_price, price=quote.subtotal, final_price=quote.final_price,
        price_breakdown=encode_value(quote.breakdown()), notes=template.notes, vehicle_id=template.vehicle_id,
        estimated_duration_minutes=template.estimated_duration_minutes, reserved_dispatcher_id=reserved,
        recurring_booking_id=booking.id, service_id=template.service_id, service_name=template.service_name,
        service_category=template.service_category, add_ons=list(template.add_ons),
        required_skills=list(template.required_skills), created_date=uow.now, updated_date=uow.now)


def book_occurrence(deps: Deps, occurrence: Occurrence) -> str:
    """Create one occurrence's job, or skip it (telling the client) when nobody is free; once either way."""
    day = occurrence.day.isoformat()

    def decide(uow: UnitOfWork) -> str:
        booking = uow.recurring_bookings.get(occurrence.booking_id)
        if booking is None or not booking.active:
            return "inactive"
        if day in booking.booked_dates or day in booking.skipped_dates:
            return "done_before"
        template = uow.requests.get(booking.template_request_id)
        if template is None:
            return "no_template"
        try:
            request = _occurrence(uow, template, booking, occurrence.day)
        except (WrongState, InvalidInput) as refused:
            uow.recurring_bookings.save(evolve(booking, skipped_dates=[*booking.skipped_dates, day],
                                               updated_date=uow.now))
            notify(uow, user_id=booking.client_id, kind=NotificationType.SCHEDULED_JOB_REMINDER,
                   title="A repeat booking could not be made",
                   body=f"Your {booking.frequency} booking on {day} at {booking.scheduled_time} could not be "
                        f"booked: {refused} Book another time in the app.",
                   request_id=None, key=f"recurring:{booking.id}:{day}")
            return "skipped"
        uow.requests.create(request)
        uow.recurring_bookings.save(evolve(booking, booked_dates=[*booking.booked_dates, day], updated_date=uow.now))
        return "booked"

    try:
        return work.conditional(deps, decide)
    except Conflict:
        return "raced"  # another run booked it (or a client took the slot): the next run decides again


def book_due(deps: Deps) -> dict[str, int]:
    """Every active recurring booking's occurrences within the window, each booked or skipped once; returns
    the count of each outcome. Pages through the bookings by cursor."""
    now = deps.clock.now()
    outcomes: dict[str, int] = {}
    cursor: Cursor | None = None

    def next_page(uow: UnitOfWork) -> tuple[list[Occurrence], Cursor | None]:
        page = uow.recurring_bookings.find(queries.ACTIVE_RECURRING_BOOKINGS, active=True, limit=PAGE,
                                           start_after=cursor)
        due = [occurrence for booking in page for occurrence in _due(booking, now)]
        return due, uow.recurring_bookings.cursor(page[-1]) if len(page) == PAGE else None

    while True:
        due, cursor = work.reading(deps, next_page)
        for occurrence in due:
            outcome = book_occurrence(deps, occurrence)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if cursor is None:
            return outcomes
