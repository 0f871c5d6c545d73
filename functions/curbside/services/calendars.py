"""A technician's calendar: working hours, time off, and releasing a reservation when its job no longer
needs it (issue 21 item 2; D110).

The technician edits their hours and time off through callables that validate the whole calendar
(`domain.calendars`); the reservations are the bookings' (`services.slots`). A reservation is released when
its job is cancelled (the client, the technician, an admin, or no technician found) or taken by a technician
other than the one it reserved — from the job's update trigger, idempotently: a second run finds nothing to
release — and when the reserved technician declines the job's offer or lets it expire, in the commit that
closes the offer (D128).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from curbside.deps import Deps
from curbside.domain import calendars
from curbside.domain.documents import DispatcherProfile, JobOffer, TechnicianCalendar
from curbside.domain.documents.calendars import HoursBlock, TimeOff
from curbside.domain.enums import RequestStatus, VerificationStatus
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound
from curbside.domain.scheduling import time_zone
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

CHANGED = "Your calendar changed at the same moment (a booking came in); try again."
NO_CALENDAR = "Set your working hours first (set_calendar)."


def _require_verified_technician(uow: UnitOfWork, uid: str) -> DispatcherProfile:
    require_usable_account(uow, uid)
    profile = uow.dispatcher_profiles.get(uid)
    if profile is None:
        raise NotAllowed("Only technicians keep a calendar.")
    if profile.verification_status is not VerificationStatus.VERIFIED:
        raise NotAllowed("Finish verification first: clients can book you once you are verified.")
    return profile


def _view(calendar: TechnicianCalendar) -> dict[str, object]:
    return {"working_hours": {day: [block.model_dump() for block in blocks]
                              for day, blocks in calendar.working_hours.items()},
            "time_off": [period.model_dump() for period in calendar.time_off],
            "reservations": len(calendar.reservations), "time_zone": calendar.time_zone,
            "travel_buffer_minutes": calendar.travel_buffer_minutes}


def set_calendar(deps: Deps, uid: str, *, zone_name: str, base_lat: float, base_lng: float,
                 working_hours: Mapping[str, Sequence[tuple[str, str]]],
                 travel_buffer_minutes: int) -> dict[str, object]:
    """Set the technician's weekly hours, time zone, base and travel buffer (their time off and the jobs
    already reserved stay: a booked job is kept even outside the new hours; cancel it to free the client)."""
    time_zone(zone_name)
    hours = calendars.working_hours(working_hours)

    def decide(uow: UnitOfWork) -> dict[str, object]:
        profile = _require_verified_technician(uow, uid)
        stored = uow.calendars.get(uid)
        calendar = TechnicianCalendar(
            skills=list(profile.skills),
            id=uid, dispatcher_id=uid, time_zone=zone_name, base_lat=base_lat, base_lng=base_lng,
            working_hours={day: [HoursBlock(start=start, end=end) for start, end in blocks]
                           for day, blocks in hours.items()},
            travel_buffer_minutes=travel_buffer_minutes,
            time_off=[period for period in stored.time_off if period.end > uow.now] if stored else [],
            reservations=[held for held in stored.reservations if held.end > uow.now] if stored else [],
            updated_date=uow.now)
        uow.calendars.put(calendar)
        return _view(calendar)

    return work.conditional(deps, decide, lost_race=CHANGED)


def set_time_off(deps: Deps, uid: str, periods: Sequence[tuple[dt.datetime, dt.datetime, str | None]]) -> dict[
        str, object]:
    """Replace the technician's time off. Refused, naming the job, where it would cover a reserved job (the
    client was promised that time: cancel the job first)."""

    def decide(uow: UnitOfWork) -> dict[str, object]:
        _require_verified_technician(uow, uid)
        calendar = uow.calendars.get(uid)
        if calendar is None:
            raise NotFound(NO_CALENDAR)
        ordered = calendars.time_off((calendars.Interval(start, end) for start, end, _ in periods), uow.now)
        reasons = {(start, end): reason for start, end, reason in periods}
        for period in ordered:
            for held in calendar.reservations:
                if held.end > uow.now and period.overlaps(calendars.Interval(held.start, held.end)):
                    raise InvalidInput(
                        f"time_off {period.start:%Y-%m-%d %H:%M}-{period.end:%Y-%m-%d %H:%M} UTC covers the booked "
                        f"job {held.request_id} ({held.start:%Y-%m-%d %H:%M} UTC); cancel it first.")
        saved = uow.calendars.save(evolve(calendar, time_off=[
            TimeOff(start=period.start, end=period.end, reason=reasons[(period.start, period.end)])
            for period in ordered], updated_date=uow.now))
        return _view(saved)

    return work.conditional(deps, decide, lost_race=CHANGED)


def _without(calendar: TechnicianCalendar | None, request_id: str, now: dt.datetime) -> TechnicianCalendar | None:
    """The calendar without the job's reservation; None when it holds none (released already)."""
    if calendar is None or not any(held.request_id == request_id for held in calendar.reservations):
        return None
    return evolve(calendar, reservations=[held for held in calendar.reservations if held.request_id != request_id],
                  updated_date=now)


def release_reservation(deps: Deps, request_id: str) -> str:
    """Give back the time a job reserved once it no longer needs it: cancelled, or accepted by another
    technician than the one reserved. Safe to run twice (the second run finds nothing to release)."""

    def decide(uow: UnitOfWork) -> str:
        job = uow.requests.get(request_id)
        if job is None or job.reserved_dispatcher_id is None:
            return "no_reservation"
        taken_by_other = job.dispatcher_id is not None and job.dispatcher_id != job.reserved_dispatcher_id
        if job.status is not RequestStatus.CANCELLED and not taken_by_other:
            return "kept"
        freed = _without(uow.calendars.get(job.reserved_dispatcher_id), request_id, uow.now)
        if freed is None:
            return "already_released"
        uow.calendars.save(freed)
        return "released"

    return work.transaction(deps, decide)


def freed_by_declining(uow: UnitOfWork, offer: JobOffer) -> TechnicianCalendar | None:
    """Reads only, for the commit that closes `offer` unaccepted (rejected or expired): the offered
    technician's calendar without the job's time when the job had reserved them — they turned their own booking
    down or let it lapse, so the time is theirs again while the job goes to others (D128). None: nothing to
    give back. Their calendar holds the job's reservation exactly when the job reserved them (the booking's
    commit wrote both), so the job itself — a hot document in an offer's life — is not read."""
    return _without(uow.calendars.get(offer.dispatcher_id), offer.request_id, uow.now)
