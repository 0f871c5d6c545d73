"""The spec's assignment score and the order of the offer queue."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curbside.domain.dispatch_scoring import (
    KM_PER_WAITING_MINUTE,
    Contender,
    ScoringWeights,
    assignment_score,
    contender_at,
    is_high_priority,
    rank,
)
from curbside.domain.enums import RewardType
from curbside.domain.geo import offset

WEIGHTS = ScoringWeights(rating=10.0, distance_per_km=1.0, availability_bonus=5.0, priority_bonus=10.0)

ratings = st.floats(min_value=1, max_value=5)
distances = st.floats(min_value=0, max_value=81)
jobs = st.integers(min_value=0, max_value=3)
weights = st.builds(ScoringWeights, *(st.floats(min_value=0, max_value=100) for _ in range(4)))
contenders = st.lists(st.builds(Contender, st.uuids().map(str), ratings, distances, jobs), max_size=12,
                      unique_by=lambda c: c.dispatcher_id)


def test_the_score_is_the_spec_formula():
    free = Contender("a", rating=4.5, distance_km=12.0, active_jobs=0)
    busy = Contender("b", rating=4.5, distance_km=12.0, active_jobs=1)

    assert assignment_score(WEIGHTS, free, high_priority=False) == 10 * 4.5 - 12 + 5
    assert assignment_score(WEIGHTS, busy, high_priority=True) == 10 * 4.5 - 12 + 10


SITE = (-27.4698, 153.0251)
NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


def test_a_busy_technician_is_scored_from_where_their_job_ends_after_the_wait_counted_as_driving():
    job_ahead = offset(*SITE, 2_000.0, 0.0)  # they stand at their job, 2 km from the new one
    busy = contender_at("b", 4.5, 1, from_here_km=2.0, now=NOW, free=(NOW + dt.timedelta(minutes=20), job_ahead),
                        site=SITE)
    free = contender_at("f", 4.5, 0, from_here_km=9.0, now=NOW, free=None, site=SITE)

    assert busy.distance_km == pytest.approx(2.0, abs=1e-3) and busy.waiting_minutes == pytest.approx(20.0)
    assert assignment_score(WEIGHTS, busy, high_priority=False) == pytest.approx(45 - 2 - 20 * KM_PER_WAITING_MINUTE)
    assert free == Contender("f", 4.5, 9.0, 0)  # a free technician is scored as the spec scores them
    overrun = contender_at("b", 4.5, 1, from_here_km=2.0, now=NOW, free=(NOW - dt.timedelta(hours=1), job_ahead),
                           site=SITE)
    assert overrun.waiting_minutes == 0.0  # a job past its estimate counts as ending now


def test_a_busy_technician_is_never_nearer_than_where_they_stand():
    # their job "ends" at the new job's door now, but they stand 30 km away: the wait is at least the drive
    stale = contender_at("b", 4.5, 1, from_here_km=30.0, now=NOW, free=(NOW, SITE), site=SITE)

    assert stale.reach_km == pytest.approx(30.0)


@given(weights.filter(lambda w: w.distance_per_km > 0), ratings, jobs, distances, distances)
def test_closer_wins_at_equal_rating_and_workload(w, rating, active, near, far):
    if near == far:
        return
    near, far = min(near, far), max(near, far)

    queue = rank([Contender("far", rating, far, active), Contender("near", rating, near, active)], w,
                 high_priority=False)

    assert [c.dispatcher_id for c in queue] == ["near", "far"]


@given(weights.filter(lambda w: w.rating > 0), distances, jobs, ratings, ratings)
def test_better_rated_wins_at_equal_distance_and_workload(w, distance, active, low, high):
    if low == high:
        return
    low, high = min(low, high), max(low, high)

    queue = rank([Contender("low", low, distance, active), Contender("high", high, distance, active)], w,
                 high_priority=False)

    assert [c.dispatcher_id for c in queue] == ["high", "low"]


@given(ratings, distances, st.integers(min_value=1, max_value=3))
def test_a_free_technician_beats_a_busy_one_all_else_equal(rating, distance, busy_jobs):
    queue = rank([Contender("busy", rating, distance, busy_jobs), Contender("free", rating, distance, 0)], WEIGHTS,
                 high_priority=False)

    assert queue[0].dispatcher_id == "free"
    assert queue[0].score - queue[1].score == pytest.approx(WEIGHTS.availability_bonus)


@given(contenders, weights)
def test_the_priority_bonus_lifts_every_score_alike_and_never_reorders(field, w):
    normal = rank(field, w, high_priority=False)
    urgent = rank(field, w, high_priority=True)

    assert [c.dispatcher_id for c in urgent] == [c.dispatcher_id for c in normal]
    assert all(u.score == pytest.approx(n.score + w.priority_bonus) for u, n in zip(urgent, normal, strict=True))


@given(contenders, weights)
def test_the_queue_is_best_first_and_keeps_everyone(field, w):
    queue = rank(field, w, high_priority=False)

    assert sorted(c.dispatcher_id for c in queue) == sorted(c.dispatcher_id for c in field)
    assert all(a.score >= b.score for a, b in itertools.pairwise(queue))
    assert rank(list(reversed(field)), w, high_priority=False) == queue


def test_ties_go_to_the_nearer_then_the_better_rated_then_the_id():
    weights = ScoringWeights(rating=0.0, distance_per_km=0.0, availability_bonus=0.0, priority_bonus=0.0)
    field = [Contender("c", 4.0, 5.0, 0), Contender("b", 4.0, 5.0, 0), Contender("a", 3.0, 5.0, 0),
             Contender("d", 5.0, 9.0, 0)]

    assert [c.dispatcher_id for c in rank(field, weights, high_priority=False)] == ["b", "c", "a", "d"]


@pytest.mark.parametrize(("urgent", "reward", "expected"), [
    (False, None, False), (True, None, True), (False, RewardType.PRIORITY_BOOKING, True),
    (False, RewardType.FIXED_DISCOUNT, False), (True, RewardType.PERCENTAGE_DISCOUNT, True),
])
def test_urgent_jobs_and_priority_bookings_are_high_priority(urgent, reward, expected):
    assert is_high_priority(is_urgent=urgent, reward_type=reward) is expected


def test_a_negative_weight_is_refused():
    with pytest.raises(ValueError, match="not negative"):
        ScoringWeights(rating=10.0, distance_per_km=-1.0, availability_bonus=5.0, priority_bonus=10.0)
