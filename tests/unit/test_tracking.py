"""Which position reports are believed, stored, and shown on the live map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from curbside.domain.errors import InvalidInput
from curbside.domain.geo import offset
from curbside.domain.tracking import (
    ImplausibleFix,
    LocationFix,
    LocationPolicy,
    check_fix,
    check_plausible,
    live_update_due,
    position_write_due,
)

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOME = (-33.8688, 151.2093)
POLICY = LocationPolicy(max_age=timedelta(seconds=600), refresh_after=timedelta(seconds=240), min_move_m=500,
                        live_interval=timedelta(seconds=10), max_accuracy_m=500)


def fix(after_s: float = 0.0, *, north_m: float = 0.0, accuracy_m: float | None = 8.0) -> LocationFix:
    lat, lng = offset(*HOME, north_m=north_m, east_m=0.0)
    return LocationFix(lat, lng, accuracy_m, NOW + timedelta(seconds=after_s))


@pytest.mark.parametrize(("after_s", "fragment"), [(31, "in the future"), (-601, "older than 600 seconds")])
def test_a_fix_from_the_future_or_already_stale_is_refused(after_s, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        check_fix(fix(after_s), NOW, POLICY)


@pytest.mark.parametrize("after_s", [30, 0, -600])
def test_clock_skew_and_the_full_age_are_allowed(after_s):
    check_fix(fix(after_s), NOW, POLICY)


@pytest.mark.parametrize(("stored", "repeated", "refused"), [
    ((-33.8712345, 151.2067891), (-33.8712345, 151.2067891), True),   # to the last of seven decimals
    ((-33.871234, 151.206789), (-33.871234, 151.206789), True),       # six
    ((-33.87123, 151.20679), (-33.87123, 151.20679), False),          # five: a coarse provider may repeat
    ((-33.8712345, 151.2067891), (-33.8712346, 151.2067891), False),  # a real receiver wanders
    ((-33.8712, 151.2067891), (-33.8712, 151.2067891), False),        # one coarse coordinate
])
def test_a_later_fix_repeating_the_stored_one_to_the_last_of_many_digits_is_refused(stored, repeated, refused):
    later = LocationFix(repeated[0], repeated[1], 8.0, NOW + timedelta(seconds=240))
    if refused:
        with pytest.raises(ImplausibleFix, match="last digit"):
            check_plausible(NOW, stored, later, POLICY)
    else:
        check_plausible(NOW, stored, later, POLICY)


def test_a_fix_the_phone_calls_mocked_is_refused():
    with pytest.raises(ImplausibleFix, match="mock-location"):
        check_fix(LocationFix(*HOME, 8.0, NOW, mock=True), NOW, POLICY)


def test_the_first_fix_is_stored():
    assert position_write_due(None, None, fix(), POLICY)


@pytest.mark.parametrize(("after_s", "north_m", "expected"), [
    (5, 499, False),     # close and soon: nothing new for dispatch
    (5, 501, True),      # moved far enough
    (215, 10, False),    # still fresh
    (216, 10, True),     # refresh interval, less 10 % jitter: written before it goes stale
    (0, 900, False),     # same instant: a repeat
    (-5, 900, False),    # an older report arriving late never moves the technician back
])
def test_a_fix_replaces_the_stored_one_when_it_moved_far_or_the_old_one_ages(after_s, north_m, expected):
    assert position_write_due(NOW, HOME, fix(after_s, north_m=north_m), POLICY) is expected


@pytest.mark.parametrize("accuracy_m", [500.1, 5000.0])
def test_an_imprecise_fix_is_neither_stored_nor_shown(accuracy_m):
    assert not position_write_due(None, None, fix(accuracy_m=accuracy_m), POLICY)
    assert not live_update_due(None, fix(accuracy_m=accuracy_m), POLICY)


def test_a_fix_without_an_accuracy_is_taken():
    assert position_write_due(None, None, fix(accuracy_m=None), POLICY)


@pytest.mark.parametrize(("after_s", "expected"), [(8.9, False), (9.0, True), (10.0, True), (0.0, False),
                                                   (-3.0, False)])
def test_the_live_map_moves_every_ten_seconds_forgiving_timer_jitter(after_s, expected):
    assert live_update_due(NOW, fix(after_s), POLICY) is expected


def test_the_first_live_fix_is_shown():
    assert live_update_due(None, fix(), POLICY)


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"refresh_after": timedelta(seconds=600)}, "shorter than max_age"), ({"refresh_after": timedelta(0)}, "positive"),
    ({"min_move_m": 0}, "positive"), ({"live_interval": timedelta(0)}, "positive"), ({"jitter": 1.0}, "fraction"),
])
def test_an_incoherent_policy_is_refused(changes, fragment):
    values = {"max_age": timedelta(seconds=600), "refresh_after": timedelta(seconds=240), "min_move_m": 500.0,
              "live_interval": timedelta(seconds=10), "max_accuracy_m": 500.0} | changes
    with pytest.raises(ValueError, match=fragment):
        LocationPolicy(**values)
