"""The arrival model (`domain.arrival`): the road-speed drive, and when and where a technician with jobs ahead
sets off for the next one."""

from __future__ import annotations

import datetime as dt

import pytest

from curbside.domain.arrival import ROAD_DETOUR, SETTING_OFF, URBAN_SPEED_KMH, JobAhead, free_from, road_leg
from curbside.domain.geo import offset

SYDNEY = (-33.8688, 151.2093)
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_a_drive_is_the_straight_line_lengthened_and_driven_at_an_urban_speed_plus_setting_off():
    ten_km_north = offset(*SYDNEY, 10_000.0, 0.0)

    leg = road_leg(SYDNEY, ten_km_north)

    assert leg.distance_m == pytest.approx(10_000 * ROAD_DETOUR, rel=1e-3)
    assert leg.duration == pytest.approx(SETTING_OFF + dt.timedelta(hours=13.0 / URBAN_SPEED_KMH),
                                         abs=dt.timedelta(seconds=3))
    assert road_leg(SYDNEY, SYDNEY).duration == SETTING_OFF


def test_a_free_technician_sets_off_now_from_where_they_are():
    assert free_from(NOW, SYDNEY, []) == (NOW, SYDNEY)


def test_jobs_ahead_are_done_in_turn_before_setting_off_from_the_last_one():
    first, second = offset(*SYDNEY, 2_000.0, 0.0), offset(*SYDNEY, 4_000.0, 0.0)
    ahead = [JobAhead(first, NOW - dt.timedelta(minutes=20), dt.timedelta(minutes=60)),  # in progress
             JobAhead(second, NOW + dt.timedelta(minutes=50), dt.timedelta(minutes=30))]  # next, its own ETA

    assert free_from(NOW, SYDNEY, ahead) == (NOW + dt.timedelta(minutes=80), second)


def test_a_job_overrunning_its_estimate_is_taken_to_end_now_not_in_the_past():
    there = offset(*SYDNEY, 2_000.0, 0.0)
    overrun = JobAhead(there, NOW - dt.timedelta(hours=3), dt.timedelta(minutes=60))

    assert free_from(NOW, SYDNEY, [overrun]) == (NOW, there)
