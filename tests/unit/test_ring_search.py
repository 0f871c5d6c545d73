"""The ring search returns the same k best technicians, in the same order, as the full search, on random
worlds; and it reads far fewer documents where technicians are dense.

The index is played in memory exactly as Firestore answers `search_cells array-contains-any [...]`: a
technician matches when any queried value is among their stored tokens, each returned once per query, and a
limited query returns the first documents in a fixed order."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curbside.domain.dispatch_scoring import Contender, ScoringWeights, contender_at, rank
from curbside.domain.geo import haversine_m, offset
from curbside.domain.ring_search import (
    CLASSES,
    RATING_BANDS,
    RingSearch,
    band_ceiling,
    class_ceiling,
    index_tokens,
    score_class,
)

SYDNEY = (-33.8688, 151.2093)
NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
DEFAULT_WEIGHTS = ScoringWeights()


Free = tuple[dt.datetime, tuple[float, float]]


class MemoryIndex:
    """Technicians (uid, lat, lng, rating, active_jobs) filed under their `index_tokens`; for busy ones, when
    and where their work should end (`DispatcherLocation.free`)."""

    def __init__(self, technicians: list[tuple[str, float, float, float, int]],
                 free: dict[str, Free] | None = None) -> None:
        self.technicians = technicians
        self.free = free or {}
        self.tokens = {uid: set(index_tokens(lat, lng, rating, jobs)) for uid, lat, lng, rating, jobs in technicians}

    def query(self, values: tuple[str, ...], limit: int | None) -> list[tuple[str, float, float, float, int]]:
        wanted = set(values)
        found = [tech for tech in self.technicians if self.tokens[tech[0]] & wanted]
        return found[:limit] if limit is not None else found


def search(index: MemoryIndex, centre: tuple[float, float], radius_m: float, weights: ScoringWeights, *,
           k: int | None, exclude: frozenset[str] = frozenset()) -> RingSearch:
    """Run the plan against the index as `services.candidates.find_candidates` runs it against Firestore."""
    plan = RingSearch(*centre, radius_m, weights, k=k)
    while (query := plan.next_query()) is not None:
        returned = index.query(query.tokens, query.limit)
        plan.record([contender_at(uid, rating, jobs, from_here_km=distance / 1000, now=NOW,
                                  free=index.free.get(uid), site=centre)
                     for uid, lat, lng, rating, jobs in returned
                     if (distance := haversine_m(*centre, lat, lng)) <= radius_m and uid not in exclude],
                    len(returned))
    return plan


@st.composite
def worlds(draw: st.DrawFn) -> tuple[MemoryIndex, float, ScoringWeights, int, frozenset[str]]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    clusters = [(rng.uniform(-40_000, 40_000), rng.uniform(-40_000, 40_000), rng.choice([300, 2_000, 15_000]))
                for _ in range(draw(st.integers(1, 3)))]
    technicians = []
    for n in range(draw(st.integers(0, 70))):
        north, east, spread = rng.choice(clusters)
        lat, lng = offset(*SYDNEY, north + rng.gauss(0, spread), east + rng.gauss(0, spread))
        rating = rng.choice([5.0, 4.9, 4.8, round(rng.uniform(1, 5), 1), round(rng.uniform(3.5, 5), 2)])
        technicians.append((f"t{n:02d}", lat, lng, rating, rng.choice([0, 0, 1])))
    # busy ones end their work 30 minutes ago (overrunning) to two hours from now, near where they are or not
    # (an estimate behind them: the floor of `waiting_minutes` keeps the ring search's bound)
    free = {uid: (NOW + dt.timedelta(minutes=rng.uniform(-30, 120)),
                  offset(lat, lng, rng.gauss(0, rng.choice([100, 3_000, 20_000])), rng.gauss(0, 3_000)))
            for uid, lat, lng, _, jobs in technicians if jobs}
    weights = ScoringWeights(rating=draw(st.sampled_from([0.0, 2.0, 10.0, 25.0])),
                             distance_per_km=draw(st.sampled_from([0.0, 0.5, 1.0, 3.0])),
                             availability_bonus=draw(st.sampled_from([0.0, 5.0, 20.0])), priority_bonus=10.0)
    exclude = frozenset(uid for uid, *_ in technicians if rng.random() < 0.15)
    return MemoryIndex(technicians, free), draw(st.sampled_from([5_000.0, 30_000.0, 80_467.2])), weights, \
        draw(st.integers(1, 6)), exclude


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.booleans())
def test_the_ring_search_picks_what_the_full_search_picks(world, urgent):
    index, radius, weights, k, exclude = world

    full = search(index, SYDNEY, radius, weights, k=None, exclude=exclude).ranked(high_priority=urgent)
    ring = search(index, SYDNEY, radius, weights, k=k, exclude=exclude).ranked(high_priority=urgent)

    assert ring == full[:k]


def test_a_busy_technician_is_never_scored_nearer_than_where_they_stand():
    # An estimate behind the technician: their work "ended" at the job's door ten minutes ago, but they stand
    # 30 km away. Scored from the stale site they would beat everyone, unread by the ring search; the wait's
    # floor (the drive from where they stand) keeps the full and the ring search agreeing.
    technicians = [(f"t{n:02d}", *offset(*SYDNEY, 2_000.0 + 100 * n, 0.0), 4.5, 0) for n in range(30)]
    technicians.append(("late", *offset(*SYDNEY, 30_000.0, 0.0), 5.0, 1))
    index = MemoryIndex(technicians, {"late": (NOW - dt.timedelta(minutes=10), SYDNEY)})

    full = search(index, SYDNEY, 80_467.2, DEFAULT_WEIGHTS, k=None).ranked(high_priority=False)
    ring = search(index, SYDNEY, 80_467.2, DEFAULT_WEIGHTS, k=1).ranked(high_priority=False)

    assert ring == full[:1] and ring[0].dispatcher_id == "t00"
    late = next(candidate for candidate in full if candidate.dispatcher_id == "late")
    assert late.score == pytest.approx(10 * 5.0 - 30.0, abs=0.01)


def test_in_a_dense_city_it_reads_a_few_dozen_documents_where_the_full_search_reads_thousands():
    rng = random.Random(11)
    technicians = []
    for n in range(3_000):  # about 10 per square km around the job, like central Sydney at 100,000 nationwide
        lat, lng = offset(*SYDNEY, rng.gauss(0, 8_000), rng.gauss(0, 8_000))
        technicians.append((f"t{n:04d}", lat, lng, round(rng.triangular(3.5, 5.0, 4.8), 2),
                            rng.choices((0, 1), (65, 35))[0]))
    index = MemoryIndex(technicians)

    full = search(index, SYDNEY, 80_467.2, DEFAULT_WEIGHTS, k=None)
    ring = search(index, SYDNEY, 80_467.2, DEFAULT_WEIGHTS, k=1)

    assert ring.ranked(high_priority=False) == full.ranked(high_priority=False)[:1]
    assert full.reads == 3_000
    assert ring.reads <= 60, ring.reads


def test_a_town_with_fewer_technicians_than_the_first_limit_costs_what_the_full_search_costs():
    technicians = [(f"t{n}", *offset(*SYDNEY, 400.0 * n, 0.0), 4.5, 0) for n in range(7)]
    index = MemoryIndex(technicians)

    full = search(index, SYDNEY, 80_467.2, DEFAULT_WEIGHTS, k=None)
    ring = search(index, SYDNEY, 80_467.2, DEFAULT_WEIGHTS, k=1)

    assert (ring.reads, ring.queries) == (full.reads, full.queries) == (7, 1)
    assert search(MemoryIndex([]), SYDNEY, 80_467.2, DEFAULT_WEIGHTS, k=1).reads == 1


@pytest.mark.parametrize(("rating", "band"), [(5.0, 0), (4.9, 0), (4.899, 1), (4.8, 1), (4.0, 4), (1.0, 5)])
def test_a_rating_never_exceeds_its_bands_ceiling(rating, band):
    klass = score_class(rating, 0)

    assert klass in CLASSES and klass.startswith(str(round(RATING_BANDS[band] * 10)))
    assert RATING_BANDS[band] <= rating <= band_ceiling(band)
    assert class_ceiling(DEFAULT_WEIGHTS, klass) >= 10 * rating + 5
    assert class_ceiling(DEFAULT_WEIGHTS, score_class(rating, 1)) >= 10 * rating
    assert class_ceiling(DEFAULT_WEIGHTS, None) == 55.0


def test_a_search_asks_for_at_least_one():
    with pytest.raises(ValueError, match="at least 1"):
        RingSearch(*SYDNEY, 1_000.0, DEFAULT_WEIGHTS, k=0)


def test_the_full_search_ranks_everyone_within_the_radius():
    technicians = [(f"t{n}", *offset(*SYDNEY, 9_000.0 * n, 0.0), 4.5, 0) for n in range(12)]
    within = [Contender(uid, rating, haversine_m(*SYDNEY, lat, lng) / 1000, jobs)
              for uid, lat, lng, rating, jobs in technicians if haversine_m(*SYDNEY, lat, lng) <= 50_000]

    found = search(MemoryIndex(technicians), SYDNEY, 50_000.0, DEFAULT_WEIGHTS, k=None).ranked(high_priority=False)

    assert found == rank(within, DEFAULT_WEIGHTS, high_priority=False)
    assert len(found) == math.floor(50_000 / 9_000) + 1
