"""Calendars, pure (domain/calendars.py): validation of hours and time off, and when a job fits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from curbside.domain.calendars import (
    Calendar,
    Interval,
    date_range,
    free_slots,
    occurrences,
    slot_starts,
    time_off,
    who_fits,
    working_hours,
)
from curbside.domain.errors import InvalidInput

SYDNEY = ZoneInfo("Australia/Sydney")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # Friday 20:00 in Sydney (UTC+11)
MONDAY = dt.date(2026, 11, 23)


def at(day: dt.date, clock: str, zone: ZoneInfo = SYDNEY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=zone).astimezone(dt.UTC)


def job(day: dt.date, clock: str, minutes: int = 60) -> Interval:
    start = at(day, clock)
    return Interval(start, start + dt.timedelta(minutes=minutes))


def calendar(uid: str = "tech", *, booked: tuple[Interval, ...] = (), off: tuple[Interval, ...] = (),
             buffer: int = 30) -> Calendar:
    return Calendar(uid, SYDNEY, {"monday": [("08:00", "12:00"), ("13:00", "17:00")]}, off, booked,
                    dt.timedelta(minutes=buffer))


@pytest.mark.parametrize(("hours", "fragment"), [
    ({"mondey": [("08:00", "17:00")]}, "mondey is not a weekday"),
    ({"monday": [("17:00", "08:00")]}, "17:00-08:00 ends before it starts"),
    ({"monday": [("09:00", "09:00")]}, "ends before it starts"),
    ({"monday": [("08:00", "12:00"), ("11:00", "14:00")]}, "11:00-14:00 overlaps the block before it"),
    ({"monday": [("8am", "12:00")]}, "is not a time like 08:30"),
    ({"monday": [(f"0{h}:00", f"0{h}:30") for h in range(5)]}, "at most 4 blocks"),
])
def test_bad_working_hours_are_refused_with_what_is_wrong(hours, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        working_hours(hours)


def test_working_hours_come_back_sorted_in_week_order_without_days_off():
    assert list(working_hours({"sunday": [("09:00", "12:00")], "monday": [("13:00", "14:00"), ("08:00", "09:00")],
                               "tuesday": []}).items()) == [
        ("monday", [("08:00", "09:00"), ("13:00", "14:00")]), ("sunday", [("09:00", "12:00")])]


@pytest.mark.parametrize(("periods", "fragment"), [
    ([Interval(NOW + dt.timedelta(days=2), NOW + dt.timedelta(days=1))], "ends before it starts"),
    ([Interval(NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=1))], "already over"),
    ([Interval(NOW, NOW + dt.timedelta(days=3)), Interval(NOW + dt.timedelta(days=2), NOW + dt.timedelta(days=4))],
     "overlaps another period"),
    ([Interval(NOW, NOW + dt.timedelta(days=400))], "longer than a year"),
])
def test_bad_time_off_is_refused(periods, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        time_off(periods, NOW)


def test_a_job_fits_inside_one_working_block_only():
    tech = calendar()
    assert tech.fits(job(MONDAY, "08:00")) and tech.fits(job(MONDAY, "11:00")) and tech.fits(job(MONDAY, "16:00"))
    assert not tech.fits(job(MONDAY, "11:30"))  # runs into the lunch break
    assert not tech.fits(job(MONDAY, "07:30"))  # starts before work
    assert not tech.fits(job(MONDAY + dt.timedelta(days=1), "09:00"))  # Tuesday is a day off


def test_a_reserved_job_blocks_its_time_and_the_travel_buffer_on_both_sides():
    tech = calendar(booked=(job(MONDAY, "10:00"),))  # 10:00-11:00, buffer 30 minutes
    assert not tech.fits(job(MONDAY, "10:30", 30))
    assert not tech.fits(job(MONDAY, "09:00"))  # ends 10:00: no time to drive over
    assert not tech.fits(job(MONDAY, "11:00"))
    assert tech.fits(job(MONDAY, "08:30")) and tech.fits(job(MONDAY, "11:30", 30))
    assert calendar(booked=(job(MONDAY, "10:00"),), buffer=0).fits(job(MONDAY, "11:00"))


def test_time_off_blocks_the_jobs_it_overlaps():
    tech = calendar(off=(Interval(at(MONDAY, "12:00"), at(MONDAY, "14:00")),))
    assert not tech.fits(job(MONDAY, "13:00")) and tech.fits(job(MONDAY, "14:00")) and tech.fits(job(MONDAY, "11:00"))


def test_hours_are_the_technicians_local_time_whatever_the_clients_zone():
    perth = ZoneInfo("Australia/Perth")  # 3 hours behind Sydney in November
    tech = calendar()
    start = dt.datetime.combine(MONDAY, dt.time(5, 0), tzinfo=perth)  # 08:00 in Sydney
    assert tech.fits(Interval(start, start + dt.timedelta(hours=1)))
    assert not tech.fits(Interval(start - dt.timedelta(hours=1), start))


def test_free_slots_are_the_picker_slots_someone_fits_nearest_technician_first():
    busy = calendar("near", booked=(job(MONDAY, "08:00", 240),))
    free = calendar("far")
    starts = slot_starts(MONDAY, MONDAY, SYDNEY, NOW)
    assert len(starts) == 29 and starts[0] == at(MONDAY, "07:00") and starts[-1] == at(MONDAY, "21:00")
    assert free_slots([busy], starts, dt.timedelta(hours=1)) == [at(MONDAY, f"{h}:{m}") for h in range(13, 17)
                                                                  for m in ("00", "30") if (h, m) != (16, "30")]
    assert who_fits([busy, free], job(MONDAY, "09:00")) == ["far"]
    assert who_fits([busy, free], job(MONDAY, "14:00")) == ["near", "far"]


def test_past_slots_are_never_offered_and_the_range_is_checked():
    friday = NOW.astimezone(SYDNEY).date()
    assert slot_starts(friday, friday, SYDNEY, NOW)[0] == at(friday, "20:30")
    assert date_range("2026-11-01", "2026-11-25", SYDNEY, NOW) == (friday, dt.date(2026, 11, 25))
    for first, last, fragment in (("2026-11-25", "2026-11-24", "before from_date"),
                                  ("2026-11-21", "2026-12-31", "at most 30 days"),
                                  ("2027-01-05", "2027-01-06", "30 days ahead")):
        with pytest.raises(InvalidInput, match=fragment):
            date_range(first, last, SYDNEY, NOW)


def test_recurring_occurrences_within_the_window():
    first = dt.date(2026, 1, 31)
    assert occurrences(first, "monthly", after=first, until=dt.date(2026, 5, 31)) == [
        dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30), dt.date(2026, 5, 31)]
    assert occurrences(MONDAY, "weekly", after=MONDAY, until=MONDAY + dt.timedelta(days=21)) == [
        MONDAY + dt.timedelta(days=7 * n) for n in (1, 2, 3)]
    assert occurrences(MONDAY, "fortnightly", after=MONDAY + dt.timedelta(days=10),
                       until=MONDAY + dt.timedelta(days=30)) == [MONDAY + dt.timedelta(days=14),
                                                                MONDAY + dt.timedelta(days=28)]
    assert occurrences(dt.date(2026, 12, 15), "monthly", after=dt.date(2026, 12, 15),
                       until=dt.date(2027, 1, 20)) == [dt.date(2027, 1, 15)]
