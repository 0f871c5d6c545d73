"""The candidate search over the emulator: who comes out, in what order, and what it costs."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from curbside.domain.dispatch_scoring import ScoringWeights, SearchSettings
from curbside.domain.enums import AccountStatus, VerificationStatus
from curbside.domain.tracking import LocationFix
from curbside.services import work
from curbside.services.candidates import JobSite, find_candidates
from curbside.services.locations import update_location
from tests.technicians import MELBOURNE, SYDNEY, add_technician, north_of

pytestmark = pytest.mark.emulator

RADIUS_M = 50 * 1609.344
MAX_AGE = dt.timedelta(seconds=600)
SETTINGS = SearchSettings(radius_m=RADIUS_M, max_location_age=MAX_AGE,
                          weights=ScoringWeights(rating=10.0, distance_per_km=1.0, availability_bonus=5.0,
                                                 priority_bonus=10.0))


def run_search(deps, site: JobSite, **options):
    """The production search, read through a unit of work as dispatch runs it."""
    return work.reading(deps, lambda uow: find_candidates(uow, site, **options))


def ids(search):
    return [candidate.dispatcher_id for candidate in search.candidates]


def test_only_eligible_technicians_come_out_best_first(db, deps, clock):
    now = clock.now()
    near = {"fixed_at": now - dt.timedelta(seconds=30)}
    add_technician(db, "near", at=north_of(SYDNEY, 2_000), rating=4.5, **near)
    add_technician(db, "star", at=north_of(SYDNEY, 10_000), rating=5.0, **near)
    add_technician(db, "busy", at=north_of(SYDNEY, 1_000), rating=4.5, active_jobs=1, **near)
    add_technician(db, "shadow", at=north_of(SYDNEY, 500), account_status=AccountStatus.SHADOW_BANNED, **near)
    add_technician(db, "suspended", at=north_of(SYDNEY, 500), account_status=AccountStatus.SUSPENDED, **near)
    add_technician(db, "banned", at=north_of(SYDNEY, 500), account_status=AccountStatus.BANNED, **near)
    add_technician(db, "unverified", at=north_of(SYDNEY, 500), verification=VerificationStatus.UNDER_REVIEW, **near)
    add_technician(db, "offline", at=north_of(SYDNEY, 500), online=False, **near)
    add_technician(db, "full", at=north_of(SYDNEY, 500), active_jobs=2, **near)
    add_technician(db, "stale", at=north_of(SYDNEY, 500), fixed_at=now - MAX_AGE - dt.timedelta(seconds=1))
    add_technician(db, "nowhere", at=None)
    add_technician(db, "client-too", at=north_of(SYDNEY, 500), **near)

    search = run_search(deps, JobSite(*SYDNEY, client_id="client-too"), settings=SETTINGS)

    # star: 50 - 10 + 5 = 45; near: 45 - 2 + 5 = 48; busy: 45 - 1 (no availability bonus) = 44
    assert ids(search) == ["near", "star", "busy"]
    assert [round(c.score, 3) for c in search.candidates] == [48.0, 45.0, 44.0]
    assert search.candidates[0].distance_km == pytest.approx(2.0, abs=1e-6)
    assert search.queries == 1
    assert search.reads == 4, "the index returns the three candidates and the client's own entry, nothing else"


def test_the_radius_is_exact_at_its_edge(db, deps, clock):
    fresh = clock.now()
    add_technician(db, "inside", at=north_of(SYDNEY, RADIUS_M - 50), fixed_at=fresh)
    add_technician(db, "outside", at=north_of(SYDNEY, RADIUS_M + 50), fixed_at=fresh)

    search = run_search(deps, JobSite(*SYDNEY), settings=SETTINGS)

    assert ids(search) == ["inside"]
    assert search.candidates[0].distance_km == pytest.approx((RADIUS_M - 50) / 1000, abs=1e-6)


def test_a_fix_as_old_as_the_limit_counts_and_one_second_more_does_not(db, deps, clock):
    add_technician(db, "limit", fixed_at=clock.now() - MAX_AGE)
    add_technician(db, "older", fixed_at=clock.now() - MAX_AGE - dt.timedelta(seconds=1))

    search = run_search(deps, JobSite(*SYDNEY), settings=SETTINGS)

    assert ids(search) == ["limit"]
    assert search.reads == 1


def test_a_stale_technician_is_found_again_after_a_fresh_report(db, deps, clock):
    add_technician(db, "dozing", fixed_at=clock.now() - dt.timedelta(minutes=30))
    assert ids(run_search(deps, JobSite(*SYDNEY), settings=SETTINGS)) == []

    fix = LocationFix(*north_of(SYDNEY, 300), accuracy_m=6.0, recorded_at=clock.now())
    assert update_location(deps, "dozing", fix).accepted

    assert ids(run_search(deps, JobSite(*SYDNEY), settings=SETTINGS)) == ["dozing"]


def test_technicians_elsewhere_cost_nothing(db, deps, clock):
    for n in range(25):
        add_technician(db, f"melbourne-{n}", at=north_of(MELBOURNE, 100 * n), fixed_at=clock.now())

    search = run_search(deps, JobSite(*SYDNEY), settings=SETTINGS)

    assert ids(search) == []
    assert (search.queries, search.reads) == (1, 1), "an empty query is billed one read, and only that"


def test_excluded_technicians_are_not_considered_again(db, deps, clock):
    add_technician(db, "offered", fixed_at=clock.now())
    add_technician(db, "next", at=north_of(SYDNEY, 5_000), fixed_at=clock.now())

    search = run_search(deps, JobSite(*SYDNEY), exclude={"offered"}, settings=SETTINGS)

    assert ids(search) == ["next"]


def test_a_high_priority_job_scores_higher_without_reordering(db, deps, clock):
    add_technician(db, "a", at=north_of(SYDNEY, 1_000), fixed_at=clock.now())
    add_technician(db, "b", at=north_of(SYDNEY, 3_000), fixed_at=clock.now())

    normal = run_search(deps, JobSite(*SYDNEY), settings=SETTINGS)
    urgent = run_search(deps, JobSite(*SYDNEY, high_priority=True), settings=SETTINGS)

    assert ids(urgent) == ids(normal) == ["a", "b"]
    assert [u.score - n.score for u, n in zip(urgent.candidates, normal.candidates, strict=True)] == [10.0, 10.0]


def test_the_deployments_settings_are_used_by_default(db, deps, clock):
    add_technician(db, "twelve-km", at=north_of(SYDNEY, 12_000), fixed_at=clock.now())

    def within(miles: float):
        radius = SearchSettings(radius_m=miles * 1609.344)
        return dataclasses.replace(deps, settings=dataclasses.replace(
            deps.settings, dispatch=dataclasses.replace(deps.settings.dispatch, search=radius)))

    assert ids(run_search(within(5), JobSite(*SYDNEY))) == []
    assert ids(run_search(within(10), JobSite(*SYDNEY))) == ["twelve-km"]
