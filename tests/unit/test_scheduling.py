"""Booking a slot: today to 30 days ahead, 07:00-21:00 in 30-minute steps, in the client's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from curbside.domain.errors import InvalidInput
from curbside.domain.scheduling import becomes_available_at, is_time_zone, slot, time_zone

SYDNEY = ZoneInfo("Australia/Sydney")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
"""20 Nov 2026, 20:00 in Sydney (UTC+11)."""


def test_a_slot_becomes_one_utc_instant_available_24_hours_before():
    booked = slot("2026-11-22", "09:30", SYDNEY, NOW)

    assert booked.scheduled_datetime == dt.datetime(2026, 11, 21, 22, 30, tzinfo=dt.UTC)
    assert booked.becomes_available_at == dt.datetime(2026, 11, 20, 22, 30, tzinfo=dt.UTC)
    assert becomes_available_at(booked.scheduled_datetime) == booked.becomes_available_at
    assert not booked.is_due(NOW) and booked.is_due(booked.becomes_available_at)


@pytest.mark.parametrize(("day", "accepted"), [
    ("2026-11-20", False),  # "today" in Sydney, but 20:00 there: 21:00 is the only slot left, see below
    ("2026-11-21", True), ("2026-12-20", True), ("2026-12-21", False), ("2026-11-19", False),
])
def test_the_day_is_from_today_to_thirty_days_ahead_in_the_clients_zone(day, accepted):
    if accepted:
        assert slot(day, "10:00", SYDNEY, NOW).scheduled_date == day
    else:
        with pytest.raises(InvalidInput, match=r"scheduled_(date|time)"):
            slot(day, "10:00", SYDNEY, NOW)


def test_the_thirty_day_limit_is_counted_in_the_clients_calendar():
    late_evening_in_sydney = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # 23:00 there, 01:00 in Auckland
    assert slot("2026-12-21", "10:00", ZoneInfo("Pacific/Auckland"), late_evening_in_sydney).scheduled_date \
        == "2026-12-21"
    with pytest.raises(InvalidInput, match="2026-12-20"):
        slot("2026-12-21", "10:00", SYDNEY, late_evening_in_sydney)


def test_today_is_bookable_for_a_slot_still_ahead():
    assert slot("2026-11-20", "21:00", SYDNEY, NOW).is_due(NOW)
    with pytest.raises(InvalidInput, match="already passed"):
        slot("2026-11-20", "19:30", SYDNEY, NOW)


@pytest.mark.parametrize(("time", "accepted"), [
    ("07:00", True), ("07:30", True), ("20:30", True), ("21:00", True),
    ("06:30", False), ("21:30", False), ("07:15", False), ("12:01", False), ("00:00", False),
])
def test_times_are_thirty_minute_slots_from_seven_to_nine(time, accepted):
    if accepted:
        assert slot("2026-11-25", time, SYDNEY, NOW).scheduled_time == time
    else:
        with pytest.raises(InvalidInput, match="30-minute slot from 07:00 to 21:00"):
            slot("2026-11-25", time, SYDNEY, NOW)


def test_daylight_saving_is_the_zones_business():
    # Sydney leaves daylight saving on 4 Apr 2027: 09:00 is 22:00 UTC the day before (UTC+11), then 23:00.
    clock = dt.datetime(2027, 3, 20, 0, 0, tzinfo=dt.UTC)
    before = slot("2027-04-03", "09:00", SYDNEY, clock).scheduled_datetime
    after = slot("2027-04-05", "09:00", SYDNEY, clock).scheduled_datetime
    assert after - before == dt.timedelta(days=2, hours=1)


def test_time_zones_are_checked_against_the_zone_list():
    assert is_time_zone("Australia/Sydney") and time_zone("Europe/Dublin") == ZoneInfo("Europe/Dublin")
    for bad in ("", "Mars/Olympus", "../../etc/passwd", "australia/sydney"):
        assert not is_time_zone(bad)
        with pytest.raises(InvalidInput, match="time_zone"):
            time_zone(bad)
