"""`estimated_arrival_time`: set when a job is accepted and refreshed with the technician's stored positions
(D43).

The commit that matters — the accept, or a location report that stores a new position — asks for an estimate
through the outbox (`estimate_arrival(uow, request_id)`): the drive is a vendor call (Google's Routes API),
so it runs after the commit, and again from the sweep if it failed. The handler reads the job, the
technician's position and their other active jobs, asks the routing gateway for the drive from where they
will set off (`domain.arrival.free_from`), and writes the estimate if the job is still theirs and on its way
(accepted or en route). Position writes are throttled (`LOCATION_MIN_MOVE_M`, `LOCATION_REFRESH_S`), so the
estimate is refreshed at most about every 500 m or 4 minutes, not with every 10-second report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.arrival import free_from
from curbside.domain.dispatch_index import accepted_order, job_ahead
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import RequestStatus
from curbside.domain.tracking import ACTIVE_JOB_STATUSES
from curbside.services import work
from curbside.services.outbox import Handler
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

ARRIVAL_ESTIMATE = "arrival_estimate"
ON_THE_WAY = frozenset({RequestStatus.ACCEPTED, RequestStatus.EN_ROUTE})
"""Jobs whose technician has not arrived yet: their estimate is kept fresh."""


def estimate_arrival(uow: UnitOfWork, request_id: str) -> None:
    """Ask, in this commit, for the job's arrival estimate to be (re)computed once it is committed."""
    uow.outbox.add(ARRIVAL_ESTIMATE, request_id)


@dataclass(frozen=True)
class _Trip:
    dispatcher_id: str
    sets_off_at: dt.datetime
    origin: tuple[float, float]
    destination: tuple[float, float]


def _trip(uow: UnitOfWork, request_id: str) -> _Trip | None:
    job = uow.requests.get(request_id)
    if job is None or job.status not in ON_THE_WAY or job.dispatcher_id is None:
        return None
    entry = uow.locations.get(job.dispatcher_id)
    if entry is None or entry.position is None:
        return None
    ahead = []
    if job.status is RequestStatus.ACCEPTED:  # en route means the technician is driving to this one now
        others = uow.requests.find(queries.JOBS_OF_TECHNICIAN_IN, dispatcher_id=job.dispatcher_id,
                                   statuses=sorted(ACTIVE_JOB_STATUSES))
        ahead = [job_ahead(other) for other in sorted(others, key=accepted_order)
                 if other.id != job.id and accepted_order(other) <= accepted_order(job)]
    sets_off_at, origin = free_from(uow.now, entry.position, ahead)
    return _Trip(job.dispatcher_id, sets_off_at, origin, (job.location_lat, job.location_lng))


def _refresh(deps: Deps, entry: OutboxEntry) -> None:
    request_id = entry.key
    trip = work.reading(deps, lambda uow: _trip(uow, request_id))
    if trip is None:
        return
    arrival = trip.sets_off_at + deps.routing.drive(trip.origin, trip.destination).leg.duration

    def record(uow: UnitOfWork) -> None:
        job = uow.requests.get(request_id)
        if job is not None and job.status in ON_THE_WAY and job.dispatcher_id == trip.dispatcher_id:
            uow.requests.save(evolve(job, estimated_arrival_time=arrival))

    work.transaction(deps, record, lost_race="The job changed while its arrival was being estimated.")


HANDLERS: Mapping[str, Handler] = {ARRIVAL_ESTIMATE: _refresh}
