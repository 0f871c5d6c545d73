"""Candidate search: the technicians auto-dispatch may offer a job, best first (spec section 2).

One Firestore query per search (more only for radii far beyond the default): documents of technicians whose
`search_cells` meet the cells covering the disc around the job (`domain.search_cells.cover_disc`) and whose
last fix is fresh. The index holds searchable technicians only — online, verified, active account, room for
another job — so the query returns almost exactly the eligible ones; the few returned from just outside the
radius, where the cover overhangs the circle, are dropped by an exact haversine distance. Every returned
entry is re-checked in memory as well, so an entry whose stored index fields lag behind (written by older
code, or whose capacity changed) can cost a read but never yields a wrong candidate.

Billing (docs/benchmarks.md): Firestore charges one read per document a query returns, and one read for a
query that returns none; `CandidateSearch.reads` counts exactly that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection as CollectionOf
from dataclasses import dataclass

from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.dispatch_scoring import Contender, RankedCandidate, ScoringWeights, rank
from curbside.domain.documents import DispatcherLocation
from curbside.domain.geo import haversine_m
from curbside.domain.search_cells import QUERY_VALUES_LIMIT, cover_disc
from curbside.store.codec import from_snapshot
from curbside.store.collections import Collection

METRES_PER_MILE = 1609.344


@dataclass(frozen=True)
class SearchSettings:
    radius_m: float
    max_location_age: dt.timedelta
    weights: ScoringWeights


def configured_settings() -> SearchSettings:
    return SearchSettings(
        radius_m=float(config.DISPATCH_RADIUS_MILES.value) * METRES_PER_MILE,
        max_location_age=dt.timedelta(seconds=config.LOCATION_MAX_AGE_S.value),
        weights=ScoringWeights(
            rating=float(config.DISPATCH_RATING_WEIGHT.value),
            distance_per_km=float(config.DISPATCH_DISTANCE_WEIGHT.value),
            availability_bonus=float(config.DISPATCH_AVAILABILITY_BONUS.value),
            priority_bonus=float(config.DISPATCH_PRIORITY_BONUS.value),
        ),
    )


@dataclass(frozen=True)
class JobSite:
    """Where a job is and what its score depends on."""

    lat: float
    lng: float
    high_priority: bool = False
    """`dispatch_scoring.is_high_priority(...)` of the job."""
    client_id: str | None = None
    """Never offered their own job (a user may be client and technician both)."""


@dataclass(frozen=True)
class CandidateSearch:
    candidates: list[RankedCandidate]
    """Eligible technicians within the radius, best first."""
    queries: int
    reads: int
    """Document reads Firestore bills for the search: documents returned, and one per query returning none."""


def find_candidates(deps: Deps, site: JobSite, *, exclude: CollectionOf[str] = (),
                    settings: SearchSettings | None = None) -> CandidateSearch:
    """Eligible technicians for a job, ranked. `exclude`: technicians not to consider again (already offered
    this job)."""
    settings = settings or configured_settings()
    now = deps.clock.now()
    fresh_since = now - settings.max_location_age
    tokens = [cell.token for cell in cover_disc(site.lat, site.lng, settings.radius_m)]
    locations = deps.db.collection(Collection.DISPATCHER_LOCATIONS)

    contenders: list[Contender] = []
    queries = reads = 0
    for start in range(0, len(tokens), QUERY_VALUES_LIMIT):
        cells = tokens[start:start + QUERY_VALUES_LIMIT]
        query = (locations
                 .where(filter=FieldFilter("search_cells", "array_contains_any", cells))
                 .where(filter=FieldFilter("location_updated_at", ">=", fresh_since)))
        returned = [from_snapshot(DispatcherLocation, snap) for snap in query.stream()]
        queries += 1
        reads += max(1, len(returned))
        contenders += (contender for location in returned
                       if (contender := _contender(location, site, settings, fresh_since, exclude)) is not None)
    return CandidateSearch(rank(contenders, settings.weights, high_priority=site.high_priority), queries, reads)


def _contender(location: DispatcherLocation, site: JobSite, settings: SearchSettings, fresh_since: dt.datetime,
               exclude: CollectionOf[str]) -> Contender | None:
    """The technician as a contender for the job, or None when they are not eligible for it after all."""
    position = location.position
    if (not location.searchable or position is None
            or location.location_updated_at is None or location.location_updated_at < fresh_since
            or location.dispatcher_id == site.client_id or location.dispatcher_id in exclude):
        return None
    distance_m = haversine_m(site.lat, site.lng, *position)
    if distance_m > settings.radius_m:
        return None
    return Contender(location.dispatcher_id, location.rating, distance_m / 1000, location.active_jobs)
