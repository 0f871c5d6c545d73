"""The monitor's pure checks (`domain.fraud_checks`): their edges, worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from curbside.domain.fraud import FraudThresholds
from curbside.domain.fraud_checks import Event, burst, earnings_jump, photo_reuse, same_durations

T0 = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
LIMITS = FraudThresholds()


def events(*minutes: int) -> list[Event]:
    return [Event(f"job-{at}", T0 + at * MINUTE) for at in minutes]


def test_a_burst_is_more_than_the_limit_strictly_within_the_span_and_ends_in_something_new():
    three_in_an_hour = events(0, 30, 59)
    assert burst(three_in_an_hour, more_than=2, within=60 * MINUTE, since=T0) == tuple(three_in_an_hour)
    assert burst(events(0, 30, 60), more_than=2, within=60 * MINUTE, since=T0) is None  # a full hour apart
    assert burst(events(0, 30, 59), more_than=3, within=60 * MINUTE, since=T0) is None  # not more than three
    assert burst(three_in_an_hour, more_than=2, within=60 * MINUTE, since=T0 + 59 * MINUTE) is None  # all old


def test_the_latest_burst_is_reported():
    found = burst(events(0, 1, 2, 200, 201, 202, 203), more_than=2, within=10 * MINUTE, since=T0)
    assert found is not None and [event.request_id for event in found] == ["job-200", "job-201", "job-202", "job-203"]


def week_of_jobs(before: str, after: str) -> list[tuple[Event, Decimal]]:
    return [(Event("old", T0 - dt.timedelta(days=9)), Decimal(before)), (Event("new", T0), Decimal(after))]


def test_earnings_must_more_than_triple_over_a_week_of_at_least_the_base():
    assert earnings_jump(week_of_jobs("100", "300.01"), until=T0, since=T0 - MINUTE, limits=LIMITS) == (
        Decimal("300.01"), Decimal("100"), Event("new", T0))
    assert earnings_jump(week_of_jobs("100", "300"), until=T0, since=T0 - MINUTE, limits=LIMITS) is None
    assert earnings_jump(week_of_jobs("99.99", "900"), until=T0, since=T0 - MINUTE, limits=LIMITS) is None
    assert earnings_jump(week_of_jobs("100", "900"), until=T0, since=T0, limits=LIMITS) is None  # nothing new


def timed(*durations: int) -> list[tuple[Event, dt.timedelta]]:
    return [(Event(f"job-{n}", T0 + n * 60 * MINUTE), minutes * MINUTE) for n, minutes in enumerate(durations)]


def test_the_last_five_jobs_must_all_last_the_same_within_a_minute():
    found = same_durations(timed(45, 30, 30, 31, 30, 30), since=T0, limits=LIMITS)
    assert found is not None and found[1] == 30 * MINUTE and len(found[0]) == 5
    assert same_durations(timed(30, 30, 30, 30), since=T0, limits=LIMITS) is None  # only four jobs
    assert same_durations(timed(30, 30, 32, 30, 30), since=T0, limits=LIMITS) is None  # one took two minutes more
    assert same_durations(timed(30, 30, 30, 30, 30), since=T0 + 4 * 60 * MINUTE, limits=LIMITS) is None  # old


def test_photo_reuse_names_the_other_jobs_and_the_shared_bytes():
    assert photo_reuse(["a", "b"], [("job-1", ["b", "c"]), ("job-2", ["d"])]) == {"job-1": ["b"]}
