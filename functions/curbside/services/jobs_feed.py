"""The technicians' available-jobs feed (spec section 2, "Available Jobs"): pending jobs near the caller,
ordered for one of four tabs (D21).

"Near" is around the caller's own last reported position (fresh, as for offers), never a position the app
names: the app's may only narrow the list. Until a technician takes a job, the feed shows its area (the
address without the street), the distance and the car, never the client's name, exact address or plate
(docs/security.md, "Threats we defend against").

The feed reads through the same cell index as the candidate search, turned around: one query for the
pending jobs whose `search_cells` meet the cells covering the caller's radius, then the exact distance. A
backlog — more pending jobs in the cover than one query may read — would leave an arbitrary 500, so the feed
narrows to the widest disc that holds fewer (a bisection with one-read counts) and lists that one completely.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from curbside.deps import Deps
from curbside.domain.catalogue import qualified
from curbside.domain.documents import ServiceRequest
from curbside.domain.enums import RequestStatus
from curbside.domain.errors import NotAllowed
from curbside.domain.geo import haversine_m
from curbside.domain.search_cells import cover_disc
from curbside.services import work
from curbside.services.accounts import requests_dispatched
from curbside.store import queries
from curbside.store.uow import UnitOfWork

FEED_READ_LIMIT = 500
"""The most pending jobs one feed query reads (each is a billed read). The cell query returns only jobs in
cells touching the caller's radius, so this bounds a city's backlog, not the country's."""

FEED_MIN_REACH_M = 2_000.0
"""In a backlog the feed narrows its disc (`pending_jobs_near`), never below this radius."""

NARROWING_STEPS = 6
"""Count queries spent narrowing the feed in a backlog: six halvings of log(80 km / 2 km) leave the radius
within 6 % of the widest disc that fits."""


class FeedTab(StrEnum):
    PRIORITY = "priority"
    SCHEDULED = "scheduled"
    HIGHEST_PAY = "highest_pay"
    MOST_RECENT = "most_recent"


@dataclass(frozen=True)
class FeedJob:
    request_id: str
    car_model: str
    location_area: str | None
    price: Any
    distance_km: float
    is_urgent: bool
    is_scheduled: bool
    scheduled_datetime: dt.datetime | None
    client_rating: float | None
    created_date: dt.datetime | None
    priority_booking: bool = False
    special_perk: str | None = None
    job_type: str = "private"
    """`private` or `insurance` (D91): the pay shown is the whole price either way."""


_ORDER: dict[FeedTab, Callable[[FeedJob], Any]] = {
    FeedTab.PRIORITY: lambda job: (not job.priority_booking, not job.is_urgent, job.distance_km),
    FeedTab.SCHEDULED: lambda job: (job.scheduled_datetime or dt.datetime.max.replace(tzinfo=dt.UTC)),
    FeedTab.HIGHEST_PAY: lambda job: (-job.price, job.distance_km),
    FeedTab.MOST_RECENT: lambda job: -(job.created_date or dt.datetime.min.replace(tzinfo=dt.UTC)).timestamp(),
}


def _browsing_from(uow: UnitOfWork, uid: str) -> tuple[float, float] | None:
    """Where the caller browses from: their fresh reported position, if they see the feed at all — exactly
    who the candidate search would find (online, verified, an active account, room for a job, a fresh fix).
    Everyone else gets an empty list and no hint why: a shadow-banned technician must not be able to tell
    (spec section 15)."""
    entry = uow.locations.get(uid)
    fresh_since = uow.now - uow.settings.dispatch.search.max_location_age
    if (entry is None or not entry.searchable or entry.location_updated_at is None
            or entry.location_updated_at < fresh_since):
        return None
    return entry.position


@dataclass(frozen=True)
class NearbyJobs:
    jobs: list[tuple[ServiceRequest, float]]
    """Pending jobs within `reach_m`, each with its distance in metres."""
    reach_m: float
    """How far the list is complete: the radius asked for, or less in a backlog (see `pending_jobs_near`)."""
    reads: int
    """Document reads Firestore bills for the queries: the jobs they returned before the exact distance filter,
    and one for each that returned none."""


def pending_jobs_near(uow: UnitOfWork, lat: float, lng: float, radius_m: float) -> NearbyJobs:
    """Pending jobs within `radius_m` of a point (see the module docstring). Normal days cost one query."""
    reach_m = radius_m
    returned = _pending_within(uow, lat, lng, reach_m)
    reads = max(1, len(returned))
    if len(returned) >= FEED_READ_LIMIT:
        reach_m, counted = _widest_unfilled_reach(uow, lat, lng, radius_m)
        returned = _pending_within(uow, lat, lng, reach_m)
        reads += counted + max(1, len(returned))
    near = [(request, distance_m) for request in returned
            if (distance_m := haversine_m(lat, lng, request.location_lat, request.location_lng)) <= reach_m]
    return NearbyJobs(near, reach_m, reads)


def _cover(lat: float, lng: float, reach_m: float) -> list[str]:
    return [cell.token for cell in cover_disc(lat, lng, reach_m)]


def _pending_within(uow: UnitOfWork, lat: float, lng: float, reach_m: float) -> list[ServiceRequest]:
    """Pending jobs in the cells covering the disc, at most `FEED_READ_LIMIT` of them."""
    return uow.requests.find(queries.PENDING_JOBS_IN_CELLS, status=RequestStatus.PENDING,
                             cells=_cover(lat, lng, reach_m), limit=FEED_READ_LIMIT)


def _widest_unfilled_reach(uow: UnitOfWork, lat: float, lng: float, full_m: float) -> tuple[float, int]:
    """The widest radius, to within a few per cent, whose disc holds fewer than `FEED_READ_LIMIT` pending
    jobs (never below `FEED_MIN_REACH_M`), and the reads spent finding it: a bisection of the radius on a
    log scale with count queries, each billed one read (the count stops at the limit). The full radius is
    known to be full."""
    low, high = FEED_MIN_REACH_M, full_m
    for _ in range(NARROWING_STEPS):
        middle = math.sqrt(low * high)
        counted = uow.requests.count(queries.PENDING_JOBS_IN_CELLS, up_to=FEED_READ_LIMIT,
                                     status=RequestStatus.PENDING, cells=_cover(lat, lng, middle))
        low, high = (middle, high) if counted < FEED_READ_LIMIT else (low, middle)
    return low, NARROWING_STEPS


def list_available_jobs(deps: Deps, uid: str, *, tab: FeedTab, limit: int | None = None,
                        near: tuple[float, float] | None = None) -> dict[str, list[FeedJob]]:
    """Pending jobs within the dispatch radius of the caller's reported position (and of `near`, when the
    app names a point: it narrows the list, never moves it), ordered for the chosen tab."""

    def look(uow: UnitOfWork) -> list[FeedJob]:
        profile = uow.dispatcher_profiles.get(uid)
        if profile is None:
            raise NotAllowed("Only technicians can browse available jobs.")
        here = _browsing_from(uow, uid)
        if here is None:
            return []
        radius_m = uow.settings.dispatch.search.radius_m
        nearby = pending_jobs_near(uow, *here, radius_m)
        listed = [(request, distance_m) for request, distance_m in nearby.jobs
                  if request.client_id != uid and not request.awaiting_payment_method
                  and qualified(request.required_skills, profile.skills)
                  and (tab is not FeedTab.SCHEDULED or request.is_scheduled)
                  and (near is None or haversine_m(*near, request.location_lat, request.location_lng) <= radius_m)]
        clients = sorted({request.client_id for request, _ in listed})  # one read each (spec 15: shadow bans)
        dispatched = {client: requests_dispatched(uow, client) for client in clients}
        return [FeedJob(request.id, request.car_model, request.location_area, request.final_price,
                        round(distance_m / 1000, 2), request.is_urgent, request.is_scheduled,
                        request.scheduled_datetime, request.client_rating, request.created_date,
                        request.priority_booking, request.special_perk, request.job_type.value)
                for request, distance_m in listed if dispatched[request.client_id]]

    feed_limit = deps.settings.dispatch.feed_limit
    most = min(limit or feed_limit, feed_limit)
    return {"jobs": sorted(work.reading(deps, look), key=_ORDER[tab])[:most]}
