"""Free slots and reservations: which scheduled slots a nearby technician can serve, and booking one so that
no technician is ever double-booked (issue 21 item 2; D111, D112).

The search is the dispatch's nearest-first ring search (`domain.ring_search`, D41) over the technicians'
calendars (`TechnicianCalendars`, whose `search_cells` are their base's cells) instead of their live positions:
a booking days ahead needs whoever works near the address then, online or not. It keeps the `NEARBY` nearest
calendars and reads their dispatch-index entries to drop anyone no longer verified or active, so a call
costs the same few dozen reads in a town or a city of thousands, whatever the date range (one calendar holds
the whole 30-day window).

A booking finds its nearby calendars once, before its commit (`nearby_ids`); the commit re-reads only those
documents by id and writes the reservation into the chosen technician's calendar, guarded by the calendar's
`update_time` (the conditional style, D24): of any number of clients booking the same free time at once, one
commit lands and the others, reading those calendars again, find the time taken — they take another free
technician, or are refused with the next free slots, never a second booking (D112, D127).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from curbside.deps import Deps
from curbside.domain.calendars import Calendar, Interval, date_range, free_slots, slot_starts
from curbside.domain.dispatch_scoring import Contender
from curbside.domain.documents import TechnicianCalendar
from curbside.domain.documents.calendars import Reservation
from curbside.domain.enums import AccountStatus
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound, WrongState
from curbside.domain.geo import haversine_m
from curbside.domain.ring_search import RingSearch
from curbside.domain.scheduling import MAX_DAYS_AHEAD, Slot, time_zone
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

NEARBY = 10
"""Calendars a slot search keeps, nearest first: enough that a slot one technician cannot take another can,
few enough that a call reads a few dozen documents."""
NEXT_OFFERED = 5
"""Free slots a refused booking offers instead."""
NOBODY_NEARBY = ("No technician near this address takes scheduled bookings yet; book a job for now instead, "
                 "or try another address.")


def as_calendar(document: TechnicianCalendar) -> Calendar:
    return Calendar(
        dispatcher_id=document.dispatcher_id, zone=ZoneInfo(document.time_zone),
        hours={day: [(block.start, block.end) for block in blocks] for day, blocks in document.working_hours.items()},
        time_off=[Interval(period.start, period.end) for period in document.time_off],
        booked=[Interval(held.start, held.end) for held in document.reservations],
        travel_buffer=dt.timedelta(minutes=document.travel_buffer_minutes))


def _serves(calendar: TechnicianCalendar, lat: float, lng: float, *, client_id: str | None,
            needed: Collection[str], radius_m: float) -> float | None:
    """How far (metres) the calendar's base is from (lat, lng) when it may take a booking there: findable,
    within the dispatch radius, with the skills, not the client's own; None otherwise."""
    distance_m = haversine_m(lat, lng, calendar.base_lat, calendar.base_lng)
    if (calendar.search_cells and distance_m <= radius_m and calendar.dispatcher_id != client_id
            and set(needed) <= set(calendar.skills)):
        return distance_m
    return None


def nearby_calendars(uow: UnitOfWork, lat: float, lng: float, *, client_id: str | None,
                     required_skills: Collection[str] = ()) -> list[TechnicianCalendar]:
    """The calendars of the `NEARBY` nearest bookable technicians within the dispatch radius with the
    service's skills, nearest first: verified, with an active account (their dispatch-index entry says so),
    never the client themselves."""
    settings = uow.settings.dispatch.search
    plan = RingSearch(lat, lng, settings.radius_m, settings.weights, k=NEARBY)
    found: dict[str, TechnicianCalendar] = {}
    while (query := plan.next_query()) is not None:
        returned = uow.calendars.find(queries.CALENDARS_IN_CELLS, limit=query.limit, cells=list(query.tokens))
        contenders = []
        for calendar in returned:
            distance_m = _serves(calendar, lat, lng, client_id=client_id, needed=required_skills,
                                 radius_m=settings.radius_m)
            if distance_m is not None:
                found[calendar.dispatcher_id] = calendar
                contenders.append(Contender(calendar.dispatcher_id, 5.0, distance_m / 1000, 0))
        plan.record(contenders, len(returned))
    nearest = [candidate.dispatcher_id for candidate in plan.ranked(high_priority=False)]
    entries = uow.locations.get_many(nearest)
    return [found[uid] for uid, entry in zip(nearest, entries, strict=True)
            if entry is not None and entry.verified and entry.account_status is AccountStatus.ACTIVE]


def _require_client(uow: UnitOfWork, uid: str) -> None:
    require_usable_account(uow, uid)
    if uow.client_profiles.get(uid) is None:
        raise NotAllowed("Only clients book technicians: choose 'client' or 'both' as your account type.")


@dataclass(frozen=True)
class FreeSlot:
    scheduled_date: str
    scheduled_time: str
    starts_at: dt.datetime


def _as_free(start: dt.datetime, zone: ZoneInfo) -> FreeSlot:
    local = start.astimezone(zone)
    return FreeSlot(local.date().isoformat(), f"{local:%H:%M}", start)


@dataclass(frozen=True)
class Work:
    """What a slot must hold: how long the job takes and the skills it needs."""

    duration_minutes: int
    required_skills: tuple[str, ...] = ()


def service_work(uow: UnitOfWork, service_id: str, add_on_ids: Sequence[str]) -> Work:
    """A catalogue service's duration (with the chosen add-ons') and required skills."""
    service = uow.services.get(service_id)
    if service is None or not service.is_active:
        raise NotFound(f"service_id: there is no service {service_id} on offer.")
    extra = 0
    for add_on_id in add_on_ids:
        add_on = service.add_on(add_on_id)
        if add_on is None:
            raise InvalidInput(f"add_ons: {add_on_id} is not an add-on of {service.name}.")
        extra += add_on.duration_minutes
    return Work(service.estimated_duration_minutes + extra, tuple(service.required_skills))


def list_available_slots(deps: Deps, uid: str, lat: float, lng: float, *, from_date: str, to_date: str,
                         zone_name: str | None, service_id: str | None, add_on_ids: Sequence[str] = (),
                         duration_minutes: int) -> dict[str, object]:
    """The slots of the client's picker from `from_date` to `to_date` (at most 30 days, in their zone) at
    which a nearby technician qualified for the service can do it at (lat, lng). Without a service, a job of
    `duration_minutes` that needs no particular skill."""
    zone = time_zone(zone_name or deps.settings.default_time_zone)

    def look(uow: UnitOfWork) -> tuple[Work, list[FreeSlot]]:
        first, last = date_range(from_date, to_date, zone, uow.now)
        _require_client(uow, uid)
        job = service_work(uow, service_id, add_on_ids) if service_id else Work(duration_minutes)
        calendars = [as_calendar(document) for document in nearby_calendars(
            uow, lat, lng, client_id=uid, required_skills=job.required_skills)]
        starts = free_slots(calendars, slot_starts(first, last, zone, uow.now),
                            dt.timedelta(minutes=job.duration_minutes))
        return job, [_as_free(start, zone) for start in starts]

    job, free = work.reading(deps, look)
    return {"slots": free, "time_zone": zone.key, "duration_minutes": job.duration_minutes}


def next_free(calendars: list[Calendar], after: dt.datetime, zone: ZoneInfo, duration: dt.timedelta,
              now: dt.datetime) -> list[FreeSlot]:
    """The first `NEXT_OFFERED` free slots after `after`, within the booking window."""
    today = now.astimezone(zone).date()
    starts = [start for start in slot_starts(after.astimezone(zone).date(), today + dt.timedelta(days=MAX_DAYS_AHEAD),
                                             zone, now) if start > after]
    found: list[FreeSlot] = []
    for start in starts:
        if any(calendar.fits(Interval(start, start + duration)) for calendar in calendars):
            found.append(_as_free(start, zone))
            if len(found) == NEXT_OFFERED:
                break
    return found


def offer_text(free: list[FreeSlot]) -> str:
    if not free:
        return "No other slot is free in the next 30 days."
    return "The next free slots: " + ", ".join(f"{slot.scheduled_date} {slot.scheduled_time}" for slot in free) + "."


@dataclass(frozen=True)
class Booking:
    """A scheduled job to book: whose, where, its validated slot (in the client's zone) and how long it takes."""

    client_id: str
    lat: float
    lng: float
    slot: Slot
    zone: ZoneInfo
    duration_minutes: int
    required_skills: tuple[str, ...] = ()

    @property
    def job(self) -> Interval:
        start = self.slot.scheduled_datetime
        return Interval(start, start + dt.timedelta(minutes=self.duration_minutes))


def refusal(calendars: list[Calendar], booking: Booking, now: dt.datetime) -> WrongState:
    """Why nobody can take the job at its slot, with the next free slots."""
    job = booking.job
    when = f"{booking.slot.scheduled_date} {booking.slot.scheduled_time}"
    if not calendars:
        return WrongState(NOBODY_NEARBY)
    working = [calendar for calendar in calendars if calendar.works(job)
               and not any(job.overlaps(period) for period in calendar.time_off)]
    reason = (f"The slot {when} has just been booked by someone else." if working
              else f"No technician near you works at {when}.")
    return WrongState(f"{reason} {offer_text(next_free(calendars, now, booking.zone, job.end - job.start, now))}")


def nearby_ids(uow: UnitOfWork, lat: float, lng: float, *, client_id: str,
               required_skills: Collection[str] = ()) -> tuple[str, ...]:
    """The ids of the calendars `nearby_calendars` finds, nearest first: found before a booking's commit
    (plain reads, D127), which then re-reads only these documents by id, so a retry after a lost race costs
    ten reads and no query however many clients book at once."""
    return tuple(calendar.dispatcher_id for calendar in nearby_calendars(uow, lat, lng, client_id=client_id,
                                                                         required_skills=required_skills))


def find_nearby(deps: Deps, client_id: str, lat: float, lng: float, service_id: str | None) -> tuple[str, ...]:
    """A scheduled booking's nearby calendars qualified for its service, found once before its commits (plain
    reads, D127): the ring search's queries stay out of the commit, which re-reads only these by id."""

    def look(uow: UnitOfWork) -> tuple[str, ...]:
        service = uow.services.get(service_id) if service_id else None  # unknown: the booking refuses it
        return nearby_ids(uow, lat, lng, client_id=client_id,
                          required_skills=service.required_skills if service else ())

    return work.reading(deps, look)


def _still_nearby(uow: UnitOfWork, booking: Booking, nearby: Sequence[str]) -> list[TechnicianCalendar]:
    """The calendars found before the commit as they are now (read by id, nearest first), those that still
    may take the booking (a technician who moved their base or lost a skill meanwhile drops out)."""
    radius_m = uow.settings.dispatch.search.radius_m
    return [document for document in uow.calendars.get_many(nearby)
            if document is not None and _serves(document, booking.lat, booking.lng, client_id=booking.client_id,
                                                needed=booking.required_skills, radius_m=radius_m) is not None]


def _pick(fitting: Sequence[TechnicianCalendar], request_id: str, attempt: int) -> TechnicianCalendar:
    """The nearest free technician; after a lost race (`attempt` > 0) one of the free ones chosen by the
    request and the attempt, so contenders who all lost the nearest spread over the others instead of all
    racing for the next nearest again (one booking per round)."""
    if attempt == 0:
        return fitting[0]
    spread = int.from_bytes(hashlib.sha256(f"{request_id}:{attempt}".encode()).digest()[:8], "big")
    return fitting[spread % len(fitting)]


def reserve(uow: UnitOfWork, booking: Booking, request_id: str, nearby: Sequence[str], *, attempt: int = 0) -> str:
    """Reserve a technician free for the job in this commit, one of `nearby` (`find_nearby`, read again here
    by id: the commit is guarded by exactly these documents, D112); returns their uid. Refuses with the next
    free slots when nobody nearby is (outside working hours, or the slot was just taken)."""
    documents = _still_nearby(uow, booking, nearby)
    job = booking.job
    calendars = [as_calendar(document) for document in documents]
    fitting = [document for document, calendar in zip(documents, calendars, strict=True) if calendar.fits(job)]
    if not fitting:
        raise refusal(calendars, booking, uow.now)
    chosen = _pick(fitting, request_id, attempt)
    kept = [held for held in chosen.reservations if held.end > uow.now and held.request_id != request_id]
    uow.calendars.save(evolve(chosen, reservations=[*kept, Reservation(request_id=request_id, start=job.start,
                                                                       end=job.end)], updated_date=uow.now))
    return chosen.dispatcher_id


def explain_lost_booking(deps: Deps, booking: Booking, nearby: Sequence[str]) -> WrongState:
    """After a booking lost every commit race: the slot's fate as of now, with the next free slots."""

    def look(uow: UnitOfWork) -> WrongState:
        calendars = [as_calendar(document) for document in _still_nearby(uow, booking, nearby)]
        job = booking.job
        if any(calendar.fits(job) for calendar in calendars):
            free = next_free(calendars, job.start - dt.timedelta(seconds=1), booking.zone, job.end - job.start,
                             uow.now)
            return WrongState("Many people booked at the same moment and yours did not get through. "
                              + offer_text(free))
        return refusal(calendars, booking, uow.now)

    return work.reading(deps, look)
