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

from collections.abc import Collection as CollectionOf
from dataclasses import dataclass
from typing import Any

from curbside.domain.dispatch_scoring import Contender, RankedCandidate, SearchSettings, rank
from curbside.domain.documents import DispatcherLocation
from curbside.domain.geo import haversine_m
from curbside.domain.search_cells import QUERY_VALUES_LIMIT, cover_disc
from curbside.store import queries
from curbside.store.uow import UnitOfWork


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


def find_candidates(uow: UnitOfWork, site: JobSite, *, exclude: CollectionOf[str] = (),
                    settings: SearchSettings | None = None) -> CandidateSearch:
    """Eligible technicians for a job, ranked. `exclude`: technicians not to consider again (already offered
    this job)."""
    settings = settings or uow.settings.dispatch.search
    fresh_since = uow.now - settings.max_location_age
    tokens = [cell.token for cell in cover_disc(site.lat, site.lng, settings.radius_m)]

    contenders: list[Contender] = []
    searches = reads = 0
    for start in range(0, len(tokens), QUERY_VALUES_LIMIT):
        returned = uow.locations.find(queries.FRESH_TECHNICIANS_IN_CELLS,
                                      cells=tokens[start:start + QUERY_VALUES_LIMIT], fresh_since=fresh_since)
        searches += 1
        reads += max(1, len(returned))
        contenders += (contender for location in returned
                       if (contender := _contender(location, site, settings, fresh_since, exclude)) is not None)
    return CandidateSearch(rank(contenders, settings.weights, high_priority=site.high_priority), searches, reads)


def _contender(location: DispatcherLocation, site: JobSite, settings: SearchSettings, fresh_since: Any,
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
