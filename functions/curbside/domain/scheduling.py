"""When a scheduled job may be booked and when it becomes available (spec section 12).

The client picks a day from today to 30 days ahead and a 30-minute slot from 07:00 to 21:00. Both are wall-
clock values in the client's time zone: "today" and "09:00" mean nothing without one, and a server in UTC
would otherwise refuse a Sydney client's morning slot as "in the past" or accept a day 31 ahead. The chosen
slot becomes one UTC instant (`scheduled_datetime`); the job is offered to technicians 24 hours before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from curbside.domain.errors import InvalidInput

FIRST_SLOT = dt.time(7, 0)
LAST_SLOT = dt.time(21, 0)
"""The time picker's range, both ends included ("7 AM - 9 PM")."""
SLOT_MINUTES = 30
MAX_DAYS_AHEAD = 30
AVAILABLE_BEFORE = dt.timedelta(hours=24)
"""A scheduled job is offered to technicians this long before its slot."""


def is_time_zone(name: str) -> bool:
    """Whether `name` is an installed IANA zone. Checked against the zone list, so a crafted name (a path, an
    empty string) is refused as input rather than looked up on disk."""
    return name in _zone_names()


def time_zone(name: str) -> ZoneInfo:
    if not is_time_zone(name):
        raise InvalidInput(f"time_zone: {name!r} is not an IANA time zone such as 'Australia/Sydney'.")
    return ZoneInfo(name)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@dataclass(frozen=True)
class Slot:
    """A validated booking: the local day and time as the spec stores them, and the instants they mean."""

    scheduled_date: str
    scheduled_time: str
    scheduled_datetime: dt.datetime
    becomes_available_at: dt.datetime

    def is_due(self, now: dt.datetime) -> bool:
        """Booked less than 24 hours ahead: the job goes to technicians at once."""
        return self.becomes_available_at <= now


def becomes_available_at(scheduled_datetime: dt.datetime) -> dt.datetime:
    return scheduled_datetime - AVAILABLE_BEFORE


def booking_window(now: dt.datetime, zone: ZoneInfo) -> tuple[dt.date, dt.date]:
    """The first and last day a client in `zone` may pick at `now`."""
    today = now.astimezone(zone).date()
    return today, today + dt.timedelta(days=MAX_DAYS_AHEAD)


def slot(scheduled_date: str, scheduled_time: str, zone: ZoneInfo, now: dt.datetime) -> Slot:
    """Validate a requested slot against the calendar and the clock; each refusal names the field and says
    what would be accepted. `scheduled_date`/`scheduled_time` are already "YYYY-MM-DD"/"HH:MM" strings."""
    day = dt.date.fromisoformat(scheduled_date)
    first, last = booking_window(now, zone)
    if not first <= day <= last:
        raise InvalidInput(f"scheduled_date: pick a day from today ({first.isoformat()}) to {MAX_DAYS_AHEAD} "
                           f"days ahead ({last.isoformat()}).")
    at = dt.time.fromisoformat(scheduled_time)
    if not FIRST_SLOT <= at <= LAST_SLOT or at.minute % SLOT_MINUTES or at.second:
        raise InvalidInput(f"scheduled_time: pick a {SLOT_MINUTES}-minute slot from "
                           f"{FIRST_SLOT:%H:%M} to {LAST_SLOT:%H:%M} (e.g. 09:00 or 09:30).")
    # Clocks change at night, outside the slots; were one to fall in a gap or fold, fold=0 still gives one
    # well-defined instant.
    instant = dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)
    if instant <= now:
        raise InvalidInput(f"scheduled_time: {scheduled_date} {scheduled_time} has already passed; pick a "
                           "later slot.")
    return Slot(scheduled_date, scheduled_time, instant, becomes_available_at(instant))
