"""Candidate search: the technicians auto-dispatch may offer a job, best first (spec section 2).

Queries match technicians whose `search_cells` meet the cells around the job (`domain.search_cells`) and
whose last fix is fresh. The index holds searchable technicians only — online, verified, active account, room
for another job — so a query returns almost exactly eligible ones; the few returned from just outside the
radius, where the cells overhang the circle, are dropped by an exact haversine distance. Every returned
entry is re-checked in memory as well, so an entry whose stored index fields lag behind (written by older
code, or whose capacity changed) can cost a read but never yields a wrong candidate. A job booked with a
catalogue service is offered only to technicians whose entry holds every skill the service requires: the
check is in memory, after the query, so the ring search keeps reading until nobody unread could beat the
k-th *qualified* contender — the same answer as the full search filtered the same way (D108).

Which queries run is `domain.ring_search`'s plan: for the `k` best (dispatch asks for one; a surge window
for a few per job) it reads nearest first in growing rings and stops once nobody unread could outscore them,
so a job in a city reads a few dozen documents instead of everyone within the radius (D41); with `k=None`
it is the full search, one query over the radius's cover (D15), which returns everyone ranked.

Billing (docs/benchmarks.md): Firestore charges one read per document a query returns, and one read for a
query that returns none; `CandidateSearch.reads` counts exactly that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection as CollectionOf
from dataclasses import dataclass

from curbside.domain.catalogue import qualified
from curbside.domain.dispatch_scoring import Contender, RankedCandidate, SearchSettings, contender_at
from curbside.domain.documents import DispatcherLocation
from curbside.domain.geo import haversine_m
from curbside.domain.ring_search import RingSearch
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
    required_skills: frozenset[str] = frozenset()
    """The booked service's skills: technicians lacking one are not candidates (D108)."""


@dataclass(frozen=True)
class CandidateSearch:
    candidates: list[RankedCandidate]
    """The k best eligible technicians within the radius (all of them for the full search), best first."""
    queries: int
    reads: int
    """Document reads Firestore bills for the search: documents returned, and one per query returning none."""


def find_candidates(uow: UnitOfWork, site: JobSite, *, k: int | None = None, exclude: CollectionOf[str] = (),
                    settings: SearchSettings | None = None) -> CandidateSearch:
    """The `k` best eligible technicians for a job (None: all of them), ranked. `exclude`: technicians not to
    consider again (already offered this job)."""
    settings = settings or uow.settings.dispatch.search
    fresh_since = uow.now - settings.max_location_age
    plan = RingSearch(site.lat, site.lng, settings.radius_m, settings.weights, k=k)
    while (query := plan.next_query()) is not None:
        returned = uow.locations.find(queries.FRESH_TECHNICIANS_IN_CELLS, limit=query.limit,
                                      cells=list(query.tokens), fresh_since=fresh_since)
        plan.record((contender for location in returned
                     if (contender := _contender(location, site, settings, uow.now, exclude)) is not None),
                    len(returned))
    return CandidateSearch(plan.ranked(high_priority=site.high_priority), plan.queries, plan.reads)


def _contender(location: DispatcherLocation, site: JobSite, settings: SearchSettings, now: dt.datetime,
               exclude: CollectionOf[str]) -> Contender | None:
    """The technician as a contender for the job, or None when they are not eligible for it after all."""
    position = location.position
    fresh_since = now - settings.max_location_age
    if (not location.searchable or position is None
            or location.location_updated_at is None or location.location_updated_at < fresh_since
            or location.dispatcher_id == site.client_id or location.dispatcher_id in exclude
            or not qualified(site.required_skills, location.skills)):
        return None
    distance_m = haversine_m(site.lat, site.lng, *position)
    if distance_m > settings.radius_m:
        return None
    return contender_at(location.dispatcher_id, location.rating, location.active_jobs, from_here_km=distance_m / 1000,
                        now=now, free=location.free, site=(site.lat, site.lng))
