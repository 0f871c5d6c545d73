"""Technician calendars (issue 21 item 2): when a technician can take a scheduled job (D110, D111).

A calendar is the technician's working hours per weekday (wall-clock blocks in their time zone), their time
off (UTC intervals) and the scheduled jobs already reserved with them (UTC intervals, the job's duration). A
job of `duration` starting at `start` fits when it lies inside one working block of that local day, overlaps
no time off, and keeps `travel_buffer` clear of every reserved job on both sides (the drive between them).

The slots offered are the spec's picker (`domain.scheduling`: 30-minute steps from 07:00 to 21:00 in the
client's zone, today to 30 days ahead) narrowed to those some calendar fits. Pure: no Firestore, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from curbside.domain.errors import InvalidInput
from curbside.domain.scheduling import FIRST_SLOT, LAST_SLOT, MAX_DAYS_AHEAD, SLOT_MINUTES

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_BLOCKS_A_DAY = 4
MAX_TIME_OFF = 50
MAX_TIME_OFF_DAYS = 366


@dataclass(frozen=True, order=True)
class Interval:
    """[start, end) in UTC."""

    start: dt.datetime
    end: dt.datetime

    def overlaps(self, other: Interval, margin: dt.timedelta = dt.timedelta(0)) -> bool:
        return self.start < other.end + margin and other.start < self.end + margin


def _clock(value: str, what: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not a time like 08:30.") from None


def working_hours(hours: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    """Validate working hours {weekday: [(start, end), ...]}: known weekdays, each block starting before it
    ends, at most `MAX_BLOCKS_A_DAY` a day and none overlapping another. Returns them sorted, days in week
    order (a day left out is a day off)."""
    unknown = sorted(set(hours) - set(WEEKDAYS))
    if unknown:
        raise InvalidInput(f"working_hours: {', '.join(unknown)} is not a weekday; use {', '.join(WEEKDAYS)}.")
    cleaned: dict[str, list[tuple[str, str]]] = {}
    for day in WEEKDAYS:
        blocks = sorted(hours.get(day, ()))
        if len(blocks) > MAX_BLOCKS_A_DAY:
            raise InvalidInput(f"working_hours.{day}: at most {MAX_BLOCKS_A_DAY} blocks a day.")
        previous_end: dt.time | None = None
        for start, end in blocks:
            opens, closes = _clock(start, f"working_hours.{day}"), _clock(end, f"working_hours.{day}")
            if opens >= closes:
                raise InvalidInput(f"working_hours.{day}: {start}-{end} ends before it starts.")
            if previous_end is not None and opens < previous_end:
                raise InvalidInput(f"working_hours.{day}: {start}-{end} overlaps the block before it.")
            previous_end = closes
        if blocks:
            cleaned[day] = [(start, end) for start, end in blocks]
    return cleaned


def time_off(intervals: Iterable[Interval], now: dt.datetime) -> list[Interval]:
    """Validate time off: each interval ends after it starts and after now, lasts at most a year, and
    overlaps no other (merge them instead). Returns them sorted."""
    ordered = sorted(intervals)
    if len(ordered) > MAX_TIME_OFF:
        raise InvalidInput(f"time_off: at most {MAX_TIME_OFF} periods; remove some that have passed.")
    for i, period in enumerate(ordered):
        label = f"time_off {period.start:%Y-%m-%d %H:%M}-{period.end:%Y-%m-%d %H:%M} UTC"
        if period.end <= period.start:
            raise InvalidInput(f"{label}: ends before it starts.")
        if period.end <= now:
            raise InvalidInput(f"{label}: is already over.")
        if period.end - period.start > dt.timedelta(days=MAX_TIME_OFF_DAYS):
            raise InvalidInput(f"{label}: is longer than a year.")
        if i and ordered[i - 1].end > period.start:
            raise InvalidInput(f"{label}: overlaps another period of time off; make them one.")
    return ordered


@dataclass(frozen=True)
class Calendar:
    """One technician's calendar as the slot search sees it."""

    dispatcher_id: str
    zone: ZoneInfo
    hours: Mapping[str, Sequence[tuple[str, str]]]
    time_off: Sequence[Interval]
    booked: Sequence[Interval]
    travel_buffer: dt.timedelta

    def works(self, job: Interval) -> bool:
        """The job lies inside one working block of its local day."""
        local_start, local_end = job.start.astimezone(self.zone), job.end.astimezone(self.zone)
        if local_end.date() != local_start.date():
            return False  # blocks end by 23:59: a job past midnight fits none
        return any(dt.time.fromisoformat(start) <= local_start.time()
                   and local_end.time() <= dt.time.fromisoformat(end)
                   for start, end in self.hours.get(WEEKDAYS[local_start.weekday()], ()))

    def fits(self, job: Interval) -> bool:
        """Free for the job: working, not off, and a travel buffer clear of every reserved job."""
        return (self.works(job) and not any(job.overlaps(period) for period in self.time_off)
                and not any(job.overlaps(booked, self.travel_buffer) for booked in self.booked))


def slot_starts(first: dt.date, last: dt.date, zone: ZoneInfo, now: dt.datetime) -> list[dt.datetime]:
    """Every slot of the client's picker from `first` to `last` (their local days), in UTC, future ones only."""
    starts = []
    day = first
    while day <= last:
        at = dt.datetime.combine(day, FIRST_SLOT, tzinfo=zone)
        end = dt.datetime.combine(day, LAST_SLOT, tzinfo=zone)
        while at <= end:
            instant = at.astimezone(dt.UTC)
            if instant > now:
                starts.append(instant)
            at += dt.timedelta(minutes=SLOT_MINUTES)
        day += dt.timedelta(days=1)
    return starts


def date_range(from_date: str, to_date: str, zone: ZoneInfo, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """Validate a slot search's days: from <= to, at most 30 days, and inside the booking window."""
    first, last = dt.date.fromisoformat(from_date), dt.date.fromisoformat(to_date)
    today = now.astimezone(zone).date()
    if last < first:
        raise InvalidInput("to_date: is before from_date.")
    if (last - first).days > MAX_DAYS_AHEAD:
        raise InvalidInput(f"to_date: ask for at most {MAX_DAYS_AHEAD} days at a time.")
    if last < today or first > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"from_date/to_date: pick days from today ({today.isoformat()}) to "
                           f"{MAX_DAYS_AHEAD} days ahead.")
    return max(first, today), min(last, today + dt.timedelta(days=MAX_DAYS_AHEAD))


def who_fits(calendars: Iterable[Calendar], job: Interval) -> list[str]:
    """The technicians (in the order given: nearest first) whose calendar the job fits."""
    return [calendar.dispatcher_id for calendar in calendars if calendar.fits(job)]


def free_slots(calendars: Sequence[Calendar], starts: Iterable[dt.datetime],
               duration: dt.timedelta) -> list[dt.datetime]:
    """The starts at which at least one calendar fits a job of `duration`."""
    return [start for start in starts if any(calendar.fits(Interval(start, start + duration))
                                             for calendar in calendars)]


FREQUENCIES = ("weekly", "fortnightly", "monthly")


def occurrences(first: dt.date, frequency: str, *, after: dt.date, until: dt.date) -> list[dt.date]:
    """The days a recurring booking falls on in (after, until]: every 7 or 14 days from `first`, or the same
    day of each month (the month's last day when it is shorter: a booking on the 31st comes on 30 April)."""
    days: list[dt.date] = []
    n = 0
    while True:
        if frequency == "monthly":
            month_index = first.month - 1 + n
            year, month = first.year + month_index // 12, month_index % 12 + 1
            last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
            day = dt.date(year, month, min(first.day, last_day))
        else:
            day = first + dt.timedelta(days=(7 if frequency == "weekly" else 14) * n)
        if day > until:
            return days
        if day > after:
            days.append(day)
        n += 1
