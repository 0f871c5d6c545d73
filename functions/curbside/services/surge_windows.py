"""Surge windows: a region's waiting jobs matched with their candidates at once (D42).

In a surge a dispatch step only enqueues its region's window task (`dispatch_queue`); when the window closes,
`match_window` reads the region's pending jobs that nobody holds an offer for (the longest waiting first),
each one's best candidates not yet offered it (the ring search with `WINDOW_CANDIDATES`), asks the policy for
the assignment (`dispatch_policy.match`) and makes the offers, each through `dispatch_queue.make_offer` — the
same transaction and guards as an immediate offer, and the same countdown. Jobs the window could not place
stay pending: the next window of the region (opened by the next job, expiry or rejection there) or the retry
sweep takes them up.

Safe to run twice, at once or one after the other: every read is repeated, a job with an open offer is
skipped, and an offer's id is the job's next number, so two runs making the same offer collide on one
document and the second finds it there. A job is offered at most once per window whatever happens
(tests/integration/test_surge_windows.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from curbside.deps import Deps
from curbside.domain.dispatch_policy import (
    WINDOW_CANDIDATES,
    WINDOW_JOB_LIMIT,
    WaitingJob,
    jobs_for_window,
    match,
)
from curbside.domain.enums import OfferStatus, RequestStatus
from curbside.services import work
from curbside.services.accounts import requests_dispatched
from curbside.services.candidates import JobSite, find_candidates
from curbside.services.dispatch_queue import Plan, job_site, make_offer, offers_of, photo_links
from curbside.store import queries
from curbside.store.uow import UnitOfWork


@dataclass(frozen=True)
class WindowOutcome:
    jobs: int
    """Jobs of the region waiting for an offer that the window considered."""
    offered: list[str]
    """Jobs offered to someone by this run."""
    reads: int
    """Documents read for the candidates (Firestore's billing), for the log."""


@dataclass(frozen=True)
class _Waiting:
    job: WaitingJob
    next_offer: int
    photos: list[str]


def _waiting(uow: UnitOfWork, region: str) -> tuple[list[_Waiting], int]:
    """The region's jobs the window matches, with their candidates; and the reads the candidates cost."""
    requests = uow.requests.find(queries.PENDING_JOBS_OF_REGION, status=RequestStatus.PENDING, region=region,
                                 limit=2 * WINDOW_JOB_LIMIT)
    open_jobs: dict[str, tuple[JobSite, set[str], int, list[str]]] = {}
    for request in requests:
        if request.awaiting_payment_method or request.dispatch_started_at is None:
            continue  # not (or no longer) in dispatch's hands
        if not requests_dispatched(uow, request.client_id):
            continue  # a shadow-banned client's job meets nobody, in a surge as outside one
        made = offers_of(uow, request.id)
        if not any(offer.offer_status is OfferStatus.PENDING for offer in made):
            open_jobs[request.id] = (job_site(uow, request), {offer.dispatcher_id for offer in made},
                                     len(made) + 1, list(request.car_location_images))
    chosen = jobs_for_window([WaitingJob(request.id, request.created_date, open_jobs[request.id][0].high_priority,
                                         (), dt.timedelta(minutes=request.estimated_duration_minutes))
                              for request in requests if request.id in open_jobs])
    result, reads = [], 0
    for job in chosen:
        site, offered, next_offer, photos = open_jobs[job.request_id]
        search = find_candidates(uow, site, k=WINDOW_CANDIDATES, exclude=offered)
        reads += search.reads
        result.append(_Waiting(replace(job, candidates=tuple(search.candidates)), next_offer, photos))
    return result, reads


def _names(deps: Deps, uids: list[str]) -> dict[str, str | None]:
    """The assigned technicians' names for their offers, in one round trip (the offers' transactions do not
    read `Users`, D133); a technician without a `Users` document is left out."""
    users = work.reading(deps, lambda uow: uow.users.get_many(uids)) if uids else []
    return {user.id: user.full_name for user in users if user is not None}


def match_window(deps: Deps, region: str) -> WindowOutcome:
    """The window task of a region: match its waiting jobs and make the offers (see the module docstring)."""
    waiting, reads = work.reading(deps, lambda uow: _waiting(uow, region))
    assignments = match([item.job for item in waiting], deps.settings.dispatch.search.weights,
                        capacity=deps.settings.dispatch.capacity)
    by_job = {item.job.request_id: item for item in waiting}
    names = _names(deps, [assignment.candidate.dispatcher_id for assignment in assignments])
    offered = []
    for assignment in assignments:
        item = by_job[assignment.request_id]
        if assignment.candidate.dispatcher_id not in names:
            continue  # no Users document (an account being deleted): the job waits for the next round
        plan = Plan(assignment.candidate, item.next_offer, photo_links(deps, item.photos),
                    best_name=names[assignment.candidate.dispatcher_id])
        if make_offer(deps, assignment.request_id, plan).offer is not None:
            offered.append(assignment.request_id)
    nobody = [item.job.request_id for item in waiting if not item.job.candidates]
    for request_id in nobody:  # the client hears of the delay once, as outside a surge
        make_offer(deps, request_id, Plan(None, by_job[request_id].next_offer, []))
    return WindowOutcome(len(waiting), offered, reads)
