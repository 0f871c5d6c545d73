"""Answering offers and taking jobs (spec section 2): accept_offer, reject_offer, the countdown's expiry,
accept_job from the feed, and the retry sweep (the feed itself is `services.jobs_feed`).

Taking a job reads the job (and the offer), fails fast with WrongState when either is no longer pending,
and writes everything in one conditional commit (`work.conditional`) guarded by the `update_time` of the
job, the offers and the technician's dispatch-index entry: of any number of technicians racing for one job
exactly one commits, the others are told it is taken (FAILED_PRECONDITION) or, when the job changed in
another way meanwhile, to try again (ABORTED); and one technician taking two jobs at once passes their
capacity check once, since both commits rewrite their index entry. The winner's commit also withdraws every
other pending offer of the job, writes `JobContacts` and the client's notification (through `record_move`).

Rejection and expiry are two steps, each safe to repeat: close the offer (a transaction that changes
nothing unless it is still pending — and, for expiry, due; when the job had reserved this technician's time,
the same commit gives it back, D128), then `offer_next`, which itself does nothing
while the job is taken or someone holds an offer. A crash between the steps leaves a pending job with no
pending offer, which is exactly what `retry_dispatch` picks up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.catalogue import missing_skills
from curbside.domain.documents import JobOffer, ServiceRequest, User
from curbside.domain.documents.contacts import JobContact
from curbside.domain.enums import AccountStatus, OfferStatus, RequestActor, RequestStatus
from curbside.domain.errors import NotAllowed, NotFound, WrongState
from curbside.domain.geo import haversine_m
from curbside.domain.lifecycle import Actor
from curbside.domain.request_lifecycle import transition, unmatched_deadline
from curbside.services import calendars, work
from curbside.services.accounts import requests_dispatched
from curbside.services.arrival_estimates import estimate_arrival
from curbside.services.dispatch_queue import closed_details, offer_next, offers_of
from curbside.services.job_moves import JOB_CHANGED, cancel_unmatched, record_move
from curbside.store import queries
from curbside.store.derived import technician_standing
from curbside.store.engine import Conflict
from curbside.store.uow import UnitOfWork

TAKEN = "This job has already been taken by another technician."
TOO_FAR = ("Your last reported position is too far from this job, or too old: share your location and take jobs "
           "within the dispatch radius of where you are.")
NO_OFFER = "There is no such offer among yours."


@dataclass(frozen=True)
class Accepted:
    request_id: str
    status: RequestStatus = RequestStatus.ACCEPTED


@dataclass(frozen=True)
class Answered:
    offer_status: OfferStatus


def _name(user: User | None) -> str | None:
    return (user.full_name or user.display_name) if user is not None else None


def _check_may_take(uow: UnitOfWork, uid: str, request: ServiceRequest, *, from_feed: bool) -> None:
    """A technician may take a job: verified, an account in good standing, room for another job and — from
    the feed — a fresh reported position within the dispatch radius of the job. A shadow ban is checked last
    and answers as a job someone else took, so every refusal a shadow-banned technician can reach reads as it
    does for an active one (spec section 15)."""
    standing = technician_standing(uow, uid)
    if standing.profile is None:
        raise NotAllowed("Only technicians can accept jobs.")
    if standing.account_status in (AccountStatus.SUSPENDED, AccountStatus.BANNED):
        raise NotAllowed(f"Your account is {standing.account_status.value}; contact support.")
    if not standing.verified:
        raise NotAllowed("Finish your verification before accepting jobs.")
    if missing := missing_skills(request.required_skills, standing.profile.skills):
        raise NotAllowed(f"This job ({request.service_name}) needs skills you are not approved for: "
                         f"{', '.join(missing)}.")
    if len(standing.active_jobs) >= uow.settings.dispatch.capacity:
        raise WrongState("You already hold as many active jobs as you can; finish one first.")
    if from_feed and not _within_reach(uow, uid, request):
        raise WrongState(TOO_FAR)
    if standing.account_status is AccountStatus.SHADOW_BANNED:
        raise WrongState(TAKEN)


def _within_reach(uow: UnitOfWork, uid: str, request: ServiceRequest) -> bool:
    """The technician's last reported position is fresh and within the dispatch radius of the job."""
    entry = uow.locations.get(uid)
    search = uow.settings.dispatch.search
    if entry is None or entry.position is None or entry.location_updated_at is None \
            or entry.location_updated_at < uow.now - search.max_location_age:
        return False
    return haversine_m(*entry.position, request.location_lat, request.location_lng) <= search.radius_m


def _take(deps: Deps, uid: str, *, request_id: str | None = None, offer_id: str | None = None) -> Accepted:
    """Give a pending job to `uid`: through their offer (`offer_id`) or from the feed (see the module
    docstring: one conditional commit, D19)."""

    job_id = request_id

    def decide(uow: UnitOfWork) -> Accepted:
        nonlocal job_id
        offer = uow.offers.get(offer_id) if offer_id else None
        if offer_id is not None and (offer is None or offer.dispatcher_id != uid):
            raise NotFound(NO_OFFER)
        job_id = offer.request_id if offer is not None else request_id
        request = uow.requests.get(job_id) if job_id else None
        if request is None:
            raise NotFound("There is no such job.")
        if request.dispatcher_id == uid and request.status is RequestStatus.ACCEPTED:
            return Accepted(request.id, request.status)  # accepting twice answers the same
        if offer is not None and offer.offer_status is not OfferStatus.PENDING:
            raise WrongState(f"This offer is no longer open: it was {offer.offer_status.value}.")
        if offer is not None and uow.now >= offer.expires_at:
            raise WrongState("This offer has expired.")
        if request.status is not RequestStatus.PENDING or request.awaiting_payment_method:
            raise WrongState(TAKEN)
        if request.client_id == uid:
            raise NotAllowed("You cannot accept your own job.")
        _check_may_take(uow, uid, request, from_feed=offer_id is None)
        if not requests_dispatched(uow, request.client_id):
            raise WrongState(TAKEN)  # a shadow-banned client's job: offered by no one, taken by no one
        client, technician = uow.users.get(request.client_id), uow.users.get(uid)
        pending = offers_of(uow, request.id, pending_only=True)

        for other in pending:  # the winner's offer is accepted, the rest withdrawn
            if other.id == offer_id:
                uow.offers.move(other, OfferStatus.ACCEPTED, Actor.DISPATCHER, responded_at=uow.now)
            else:
                uow.offers.move(other, OfferStatus.EXPIRED, Actor.DISPATCHER,
                                job_details=closed_details(other.job_details))
        technician_name = _name(technician)
        record_move(uow, request, transition(request.status, RequestStatus.ACCEPTED, RequestActor.DISPATCHER),
                    dispatcher_id=uid, dispatcher_name=technician_name)
        uow.contacts.put(JobContact(
            id=request.id, request_id=request.id, client_id=request.client_id, dispatcher_id=uid,
            client_name=request.client_name or _name(client),
            client_phone=request.customer_phone or (client.phone_number if client else None),
            dispatcher_name=technician_name,
            dispatcher_phone=technician.phone_number if technician else None, created_date=uow.now))
        estimate_arrival(uow, request.id)
        return Accepted(request.id)

    try:
        return work.conditional(deps, decide, lost_race=JOB_CHANGED)
    except Conflict:
        # Something read changed since and nothing was written: say why, if we can.
        current = work.reading(deps, lambda uow: uow.requests.get(job_id)) if job_id else None
        if current is None or current.status is not RequestStatus.PENDING:
            raise WrongState(TAKEN) from None
        raise


def accept_offer(deps: Deps, uid: str, offer_id: str) -> Accepted:
    """The offered technician takes the job before the countdown ends (accepting twice answers the same)."""
    return _take(deps, uid, offer_id=offer_id)


def accept_job(deps: Deps, uid: str, request_id: str) -> Accepted:
    """A technician takes a pending job from the feed, under the same guard as an offer."""
    return _take(deps, uid, request_id=request_id)


def _close(deps: Deps, offer_id: str, decide: Callable[[JobOffer], tuple[OfferStatus, dict[str, object]] | None],
           ) -> JobOffer | None:
    """Close an offer in one transaction when `decide` returns its new status and fields (and give back the
    time the job reserved in the technician's calendar, if it had); returns the offer as read (None: no such
    offer). Then hands the job on (`offer_next` does nothing while it is taken or offered)."""

    def close(uow: UnitOfWork) -> tuple[JobOffer | None, bool]:
        offer = uow.offers.get(offer_id)
        if offer is None:
            return None, False
        closing = decide(offer)
        if closing is not None:
            freed = calendars.freed_by_declining(uow, offer)  # read before the writes
            status, fields = closing
            uow.offers.move(offer, status, Actor.SYSTEM if status is OfferStatus.EXPIRED else Actor.DISPATCHER,
                            job_details=closed_details(offer.job_details), **fields)
            if freed is not None:
                uow.calendars.save(freed)
        return offer, closing is not None

    offer, closed = work.transaction(deps, close, lost_race="The offer changed at the same moment; try again.")
    if offer is not None and (closed or offer.offer_status is not OfferStatus.PENDING):
        offer_next(deps, offer.request_id)
    return offer


def reject_offer(deps: Deps, uid: str, offer_id: str, reason: str | None = None) -> Answered:
    """The offered technician declines; the job moves on to the next-best technician at once."""
    now = deps.clock.now()

    def decide(offer: JobOffer) -> tuple[OfferStatus, dict[str, object]] | None:
        if offer.dispatcher_id != uid:
            raise NotFound(NO_OFFER)
        if offer.offer_status is OfferStatus.REJECTED:
            return None
        if offer.offer_status is not OfferStatus.PENDING:
            raise WrongState(f"This offer is no longer open: it was {offer.offer_status.value}.")
        return OfferStatus.REJECTED, {"responded_at": now, "rejection_reason": reason or "declined"}

    if _close(deps, offer_id, decide) is None:
        raise NotFound(NO_OFFER)
    return Answered(OfferStatus.REJECTED)


def expire_offer(deps: Deps, offer_id: str) -> str:
    """The countdown task: a pending offer whose time is up expires and the job moves on. A late, early or
    repeated task changes nothing. Returns what happened, for the log."""
    now = deps.clock.now()
    outcome = "settled"

    def decide(offer: JobOffer) -> tuple[OfferStatus, dict[str, object]] | None:
        nonlocal outcome
        if offer.offer_status is not OfferStatus.PENDING:
            return None
        if now < offer.expires_at:
            outcome = "not_due"
            return None
        outcome = "expired"
        return OfferStatus.EXPIRED, {"rejection_reason": "timeout"}

    return outcome if _close(deps, offer_id, decide) is not None else "missing"


def retry_dispatch(deps: Deps, *, limit: int = 200) -> list[str]:
    """The sweep (every 2 minutes): for each pending job, cancel one nobody took by its deadline ("no technician
    available", `job_moves.cancel_unmatched`), expire an overdue offer whose task was lost, or offer a job
    nobody holds an offer for — jobs booked with a `priority_booking` reward first, so they get the free
    technicians before the others do. Returns the jobs that were offered to someone."""
    now = deps.clock.now()
    wait = deps.settings.unmatched_request_timeout
    offered: list[str] = []

    def pending_jobs(uow: UnitOfWork) -> list[tuple[ServiceRequest, list[JobOffer]]]:
        first = uow.requests.find(queries.PRIORITY_JOBS_BY_STATUS, status=RequestStatus.PENDING,
                                  priority_booking=True, limit=limit)
        rest = uow.requests.find(queries.JOBS_BY_STATUS, status=RequestStatus.PENDING, limit=limit)
        jobs = list({job.id: job for job in [*first, *rest]}.values())[:limit]
        return [(job, offers_of(uow, job.id, pending_only=True)) for job in jobs]

    jobs = work.reading(deps, pending_jobs)
    for job, pending in jobs:
        if now >= unmatched_deadline(job, wait):
            cancel_unmatched(deps, job.id)
            continue
        for offer in pending:
            if now >= offer.expires_at:
                expire_offer(deps, offer.id)
        if not pending and offer_next(deps, job.id).offer is not None:
            offered.append(job.id)
    return offered
