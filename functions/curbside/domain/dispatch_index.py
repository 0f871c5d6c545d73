"""A technician's entry in the dispatch search index, computed from the documents it copies (D15, D16).

The candidate search and a location report read `DispatcherLocations/{uid}` only, so the entry carries copies
of the technician's verification, account status, rating, skills and number of active jobs. `index_entry` is the one
definition of those copies; the unit of work applies it in the same commit as any change to the originals
(`store.derived`), so a banned, unverified or fully booked technician leaves the index at that moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from curbside.domain.arrival import JobAhead, free_from
from curbside.domain.documents import DispatcherLocation, DispatcherProfile, ServiceRequest
from curbside.domain.enums import AccountStatus, VerificationStatus
from curbside.domain.tracking import ACTIVE_JOB_STATUSES


def revised(location: DispatcherLocation, **changes: Any) -> DispatcherLocation:
    """A validated copy with some fields changed (the derived fields follow by construction)."""
    return DispatcherLocation.model_validate({**location.model_dump(), **changes})


@dataclass(frozen=True)
class Standing:
    """What the source documents say about a technician."""

    profile: DispatcherProfile | None
    """None: the user is not (or no longer) a technician."""
    account_status: AccountStatus
    jobs: tuple[ServiceRequest, ...]
    """Their jobs in `ACTIVE_JOB_STATUSES`, in the order they took them."""

    @property
    def active_jobs(self) -> frozenset[str]:
        """The active jobs' request ids."""
        return frozenset(job.id for job in self.jobs)

    @property
    def verified(self) -> bool:
        return self.profile is not None and self.profile.verification_status is VerificationStatus.VERIFIED


def active_jobs_of(uid: str, stored: Iterable[ServiceRequest],
                   changed: Iterable[ServiceRequest]) -> tuple[ServiceRequest, ...]:
    """The technician's active jobs once `changed` (jobs about to be written, of anyone) replace their stored
    versions among `stored` (the technician's active jobs as read), in the order they were taken."""
    jobs = {request.id: request for request in stored}
    jobs.update((request.id, request) for request in changed)
    return tuple(sorted((request for request in jobs.values()
                         if request.dispatcher_id == uid and request.status in ACTIVE_JOB_STATUSES),
                        key=accepted_order))


def accepted_order(job: ServiceRequest) -> tuple[dt.datetime, str]:
    """The order a technician works their jobs in: as they took them."""
    return (job.accepted_at or job.created_date, job.id)


def job_ahead(job: ServiceRequest) -> JobAhead:
    """An active job as work ahead of the technician's next one: from its start (or arrival, or arrival
    estimate) for its `estimated_duration_minutes`."""
    starts = job.started_at or job.arrived_at or job.estimated_arrival_time
    return JobAhead((job.location_lat, job.location_lng), starts, dt.timedelta(minutes=job.estimated_duration_minutes))


def free_at(now: dt.datetime, position: tuple[float, float] | None,
            jobs: Iterable[ServiceRequest]) -> tuple[dt.datetime, tuple[float, float]] | None:
    """When and where a busy technician should be done with the jobs they hold (`arrival.free_from`); None
    when they hold none. Without a known position, the first job's drive is not counted."""
    ahead = [job_ahead(job) for job in jobs]
    if not ahead:
        return None
    return free_from(now, position or ahead[0].location, ahead)


def occupies(request: ServiceRequest | None) -> str | None:
    """The technician a job keeps busy (accepted to in progress), if any."""
    if request is None or request.status not in ACTIVE_JOB_STATUSES:
        return None
    return request.dispatcher_id


def index_entry(uid: str, standing: Standing, stored: DispatcherLocation | None, *,
                capacity: int, now: dt.datetime) -> DispatcherLocation | None:
    """The entry these facts call for: `stored` (or a new, offline one) with its copies brought up to date.
    None for a user who never was a technician. `free_at` is estimated again only when the jobs held change
    (it is an estimate made when a job is taken or ends, not a clock)."""
    if standing.profile is None and stored is None:
        return None
    base = stored or DispatcherLocation(id=uid, dispatcher_id=uid)
    free = base.free
    if base.active_jobs != len(standing.active_jobs) or (free is None) != (not standing.jobs):
        free = free_at(now, base.position, standing.jobs)
    return revised(
        base,
        verified=standing.verified,
        rating=standing.profile.rating if standing.profile is not None else base.rating,
        skills=list(standing.profile.skills) if standing.profile is not None else base.skills,
        account_status=standing.account_status,
        active_jobs=len(standing.active_jobs),
        capacity=capacity,
        free_at=free[0] if free else None,
        free_lat=free[1][0] if free else None,
        free_lng=free[1][1] if free else None,
    )
