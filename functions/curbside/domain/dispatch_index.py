"""A technician's entry in the dispatch search index, computed from the documents it copies (D15, D16).

The candidate search and a location report read `DispatcherLocations/{uid}` only, so the entry carries copies
of the technician's verification, account status, rating, skills and number of active jobs. `index_entry` is the one
definition of those copies; the unit of work applies it in the same commit as any change to the originals
(`store.derived`), so a banned, unverified or fully booked technician leaves the index at that moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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
    active_jobs: frozenset[str]
    """Their jobs in `ACTIVE_JOB_STATUSES`, by request id."""

    @property
    def verified(self) -> bool:
        return self.profile is not None and self.profile.verification_status is VerificationStatus.VERIFIED


def active_jobs_of(uid: str, stored: Iterable[ServiceRequest], changed: Iterable[ServiceRequest]) -> frozenset[str]:
    """The technician's active jobs once `changed` (jobs about to be written, of anyone) replace their stored
    versions among `stored` (the technician's active jobs as read)."""
    jobs = {request.id: request for request in stored}
    jobs.update((request.id, request) for request in changed)
    return frozenset(rid for rid, request in jobs.items()
                     if request.dispatcher_id == uid and request.status in ACTIVE_JOB_STATUSES)


def occupies(request: ServiceRequest | None) -> str | None:
    """The technician a job keeps busy (accepted to in progress), if any."""
    if request is None or request.status not in ACTIVE_JOB_STATUSES:
        return None
    return request.dispatcher_id


def index_entry(uid: str, standing: Standing, stored: DispatcherLocation | None, *,
                capacity: int) -> DispatcherLocation | None:
    """The entry these facts call for: `stored` (or a new, offline one) with its copies brought up to date.
    None for a user who never was a technician."""
    if standing.profile is None and stored is None:
        return None
    base = stored or DispatcherLocation(id=uid, dispatcher_id=uid)
    return revised(
        base,
        verified=standing.verified,
        rating=standing.profile.rating if standing.profile is not None else base.rating,
        skills=list(standing.profile.skills) if standing.profile is not None else base.skills,
        account_status=standing.account_status,
        active_jobs=len(standing.active_jobs),
        capacity=capacity,
    )
