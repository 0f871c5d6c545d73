"""Auto-dispatch (spec section 2): offer a pending job to the best technician, one at a time, 60 s each.

`start_dispatch(deps, request_id)` is the one door from the job workflow (the created trigger, the
scheduled-job activator); `offer_next` is how a job moves on after an offer is rejected or expires, and
`retry_dispatch` is the sweep that re-runs it for pending jobs nobody holds an offer for.

Whether a step offers at once or hands the job to its region's surge window is the policy's call
(`domain.dispatch_policy.route`, one `count()` of the region's pending jobs): outside a surge the job goes to
its best candidate not yet offered it (found by the ring search, D41); in a surge the step only makes sure
the window's named task exists, and the window offers its jobs together (`services.surge_windows`, D42).
Before either, a scheduled job that reserved a technician's time is offered to them while they may take it
(`dispatch_policy.reserved_offer`, D128).

Each step is one decision in one transaction, and safe to repeat:

- the ranked candidate search is a query and runs before the transaction; the transaction re-reads the job
  and its latest offer (by id, no query: D133) and writes nothing when the job is no longer pending or
  someone already holds an offer (so two overlapping runs make one offer);
- offers have deterministic ids `{request_id}:{n}` (n = offers made so far + 1): two runs that race to make
  the same next offer collide on the same document and one of them finds it there;
- the offer, the technician's `new_job_offer` notification and the `dispatch_started_at` marker are written
  together; the countdown (`expire_offer`, a Cloud Task named after the offer) is enqueued only after the
  commit, so a retried transaction never enqueues, and a repeated enqueue is refused by name;
- when nobody is left the job stays pending and its client is told about the delay once (the notification's
  id is keyed by the job); `retry_dispatch` offers it again when someone new becomes eligible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from firebase_functions import logger

from curbside.deps import Deps
from curbside.domain.dispatch_policy import (
    Route,
    Window,
    best_offer,
    may_offer_reserved,
    region_of,
    reserved_offer,
    route,
    window_for,
)
from curbside.domain.dispatch_scoring import RankedCandidate, is_high_priority
from curbside.domain.documents import JobOffer, ServiceRequest
from curbside.domain.enums import NotificationType, OfferStatus, RequestStatus
from curbside.domain.texts import t
from curbside.gateways.tasks import task_id
from curbside.services import work
from curbside.services.accounts import requests_dispatched
from curbside.services.candidates import JobSite, find_candidates
from curbside.services.notifications import notification_id, notify
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

EXPIRE_OFFER = "expire_offer"
"""The Cloud Tasks function that ends an offer's countdown."""
MATCH_SURGE_WINDOW = "match_surge_window"
"""The Cloud Tasks function that matches a region's window in a surge."""
PHOTO_LINK_GRACE = dt.timedelta(minutes=1)


def offer_id(request_id: str, number: int) -> str:
    return f"{request_id}:{number}"


def offers_of(uow: UnitOfWork, request_id: str, *, pending_only: bool = False) -> list[JobOffer]:
    """A job's offers (every one, or the pending ones)."""
    if pending_only:
        return uow.offers.find(queries.OFFERS_OF_JOB_IN_STATE, request_id=request_id,
                               offer_status=OfferStatus.PENDING)
    return uow.offers.find(queries.OFFERS_OF_JOB, request_id=request_id)


WHILE_OFFERED = ("location_address", "location_lat", "location_lng", "photo_urls")
"""What of an offer's job details only the offered technician sees, and only while the offer is open."""


def job_details(request: ServiceRequest, photo_urls: list[str]) -> dict[str, Any]:
    """What the offer screen shows without reading the job (the technician may not read it before accepting):
    enough to decide — where, what car and its photos, what pay, private or insurance (D91) — and nothing
    about the client beyond their rating. The photos are links that stop working shortly after the offer ends."""
    return {
        "photo_urls": photo_urls,
        "car_model": request.car_model, "location_address": request.location_address,
        "location_area": request.location_area, "location_lat": request.location_lat,
        "location_lng": request.location_lng, "price": float(request.final_price), "is_urgent": request.is_urgent,
        "is_scheduled": request.is_scheduled, "scheduled_datetime": request.scheduled_datetime,
        "client_rating": request.client_rating, "priority_booking": request.priority_booking,
        "special_perk": request.special_perk, "job_type": request.job_type.value,
    }


def closed_details(details: dict[str, Any]) -> dict[str, Any]:
    """An offer's details once it closed unaccepted: the exact place goes (the area stays)."""
    return {name: value for name, value in details.items() if name not in WHILE_OFFERED}


def job_site(uow: UnitOfWork, request: ServiceRequest) -> JobSite:
    """The job as the candidate search sees it (priority: urgent, or booked with a priority_booking reward)."""
    redemption = uow.redemptions.get(request.reward_redemption_id) if request.reward_redemption_id else None
    reward = uow.rewards.get(redemption.reward_id) if redemption is not None else None
    return JobSite(request.location_lat, request.location_lng,
                   high_priority=is_high_priority(is_urgent=request.is_urgent,
                                                  reward_type=reward.reward_type if reward else None),
                   client_id=request.client_id, required_skills=frozenset(request.required_skills))


@dataclass(frozen=True)
class Outcome:
    """What one dispatch step did: `offer` made (and to be counted down), or why not."""

    started: bool
    """The `dispatch_started_at` marker was set by this step."""
    offer: JobOffer | None = None
    delayed: bool = False
    """Nobody was left to offer the job to."""
    window: Window | None = None
    """The job waits for this surge window (its task is enqueued)."""
    stale: bool = False
    """The technician the search found could no longer be offered work when the offer was to be made (banned,
    gone offline... since the search): nothing was written, the search runs again."""


@dataclass(frozen=True)
class Plan:
    """What was read outside the decision's transaction: the best technician not yet offered the job (or the
    surge window it waits for instead)."""

    best: RankedCandidate | None
    next_offer: int
    photo_urls: list[str]
    window: Window | None = None
    first: bool = False
    """The hand-over: refused once `dispatch_started_at` is set (another run handed the job over)."""
    reserved: bool = False
    """`best` is the technician the scheduled job reserved (D128): offered online or not."""
    best_name: str | None = None
    """`best`'s name for the offer, read with the search: the offer's transaction leaves their `Users` document
    alone, since every notice to them adds to its badge count (D60) and would collide with the offer (D133)."""


def pending_in_region(uow: UnitOfWork, region: str) -> int:
    """The region's pending jobs, counted up to the surge threshold (one read)."""
    return uow.requests.count(queries.PENDING_JOBS_IN_CELLS, up_to=uow.settings.dispatch.surge.pending_jobs,
                              status=RequestStatus.PENDING, cells=[region])


def plan(deps: Deps, request_id: str, *, first: bool) -> Plan | None:
    """The candidate search (a query, so outside the transaction); None when there is nothing to do."""

    def look(uow: UnitOfWork) -> Plan | None:
        request = uow.requests.get(request_id)
        if request is None or request.status is not RequestStatus.PENDING or request.awaiting_payment_method or (
                first and request.dispatch_started_at is not None):
            return None
        made = offers_of(uow, request_id)
        if any(offer.offer_status is OfferStatus.PENDING for offer in made):
            return None
        if not requests_dispatched(uow, request.client_id):
            # a shadow-banned client's job meets nobody, exactly as in an area without technicians (spec 15)
            return Plan(None, len(made) + 1, [], first=first)
        offered = {offer.dispatcher_id for offer in made}
        site = job_site(uow, request)
        if (reserved := _reserved_first(uow, request, offered, site)) is not None:  # before any surge window
            return _offer_to(uow, request, reserved, len(made) + 1, first=first, reserved=True)
        surge = uow.settings.dispatch.surge
        region = region_of(request.location_lat, request.location_lng)
        if route(pending_in_region(uow, region), surge) is Route.WINDOW:
            return Plan(None, len(made) + 1, [], window_for(region, uow.now, surge), first=first)
        best = best_offer(find_candidates(uow, site, k=1, exclude=offered).candidates)
        return _offer_to(uow, request, best, len(made) + 1, first=first)

    found = work.reading(deps, look)
    if found is None or found.best is None:
        return found
    return replace(found, photo_urls=photo_links(deps, found.photo_urls))


def _offer_to(uow: UnitOfWork, request: ServiceRequest, best: RankedCandidate | None, number: int, *,
              first: bool, reserved: bool = False) -> Plan:
    """The plan to offer the job to `best` under the name their `Users` document gives (read here, with the
    search, so that the offer's transaction leaves that document alone: D133); nobody when there is no one."""
    technician = uow.users.get(best.dispatcher_id) if best is not None else None
    if best is None or technician is None:
        return Plan(None, number, [], first=first)
    return Plan(best, number, list(request.car_location_images), first=first, reserved=reserved,
                best_name=technician.full_name)


def _reserved_first(uow: UnitOfWork, request: ServiceRequest, offered: set[str],
                    site: JobSite) -> RankedCandidate | None:
    """The technician the scheduled job reserved, when the policy offers it to them next (two reads, only for
    a job with a reservation not yet offered to its technician)."""
    uid = request.reserved_dispatcher_id
    if uid is None or uid in offered:
        return None
    return reserved_offer(request, offered, uow.locations.get(uid), uow.calendars.get(uid),
                          uow.settings.dispatch.search.weights, high_priority=site.high_priority)


def photo_links(deps: Deps, paths: list[str]) -> list[str]:
    """Links to the job's photos for the offered technician, living a little longer than the offer."""
    lifetime = deps.settings.dispatch.offer_ttl + PHOTO_LINK_GRACE
    try:
        return [deps.files.signed_url(path, lifetime) for path in paths]
    except Exception as exc:  # the offer goes out without photos rather than not at all
        logger.warn("dispatch.photo_links_failed", error=type(exc).__name__)
        return []


SEARCHES_PER_STEP = 3
"""A step whose chosen technician became unavailable meanwhile searches again, at most this often."""


def _dispatch(deps: Deps, request_id: str, *, first: bool) -> Outcome:
    """One dispatch step (see the module docstring). `first`: the hand-over, done once per job."""
    outcome = Outcome(started=False)
    for _ in range(SEARCHES_PER_STEP):
        found = plan(deps, request_id, first=first)
        if found is None:
            return Outcome(started=False)
        if found.window is not None:
            return _wait_for_window(deps, request_id, found.window, first=first)
        outcome = make_offer(deps, request_id, found)
        if not outcome.stale:
            break
    return outcome


def _wait_for_window(deps: Deps, request_id: str, window: Window, *, first: bool) -> Outcome:
    """In a surge: the hand-over marks the job (once), then the window's task is enqueued after the commit.
    The task is named after the region and window, so every job of the window asks for the same one."""
    started = False
    if first:

        def mark(uow: UnitOfWork) -> bool:
            current = uow.requests.get(request_id)
            if current is None or current.status is not RequestStatus.PENDING or \
                    current.dispatch_started_at is not None:
                return False
            uow.requests.save(evolve(current, dispatch_started_at=uow.now, updated_date=uow.now))
            return True

        started = work.transaction(deps, mark, lost_race="The job changed while it was being dispatched.")
        if not started:
            return Outcome(started=False)
    deps.tasks.enqueue(MATCH_SURGE_WINDOW, {"region": window.region, "window": window.index},
                       at=window.closes_at, name=task_id(window.key))
    return Outcome(started=started, window=window)


def make_offer(deps: Deps, request_id: str, plan: Plan) -> Outcome:
    """Offer the job to `plan.best` (or, with nobody left, tell the client of the delay once) in one
    transaction that re-checks the job is pending with no open offer and the offer's number is free; the
    countdown is enqueued after the commit. Shared by immediate dispatch and the surge windows, so both
    make offers under the same guards. The technician's index entry is read in it, so an account action or a
    verification decision committed since the search is seen — or, committing meanwhile, collides with this
    transaction — and no offer reaches a technician who left dispatch (`stale`: search again).

    It reads documents by id only (D133): "no open offer" is the previous offer `{request_id}:{n-1}` not
    pending — offers are made here alone, numbered in turn, each only once the one before is closed, and a
    closed offer never reopens, so only the latest can be open. A query of the job's pending offers would
    hold a lock on the range it reads, which the emulator takes as the whole collection: every other job's
    offer made or closed meanwhile collided with it."""
    best = plan.best
    next_id = offer_id(request_id, plan.next_offer)
    previous_id = offer_id(request_id, plan.next_offer - 1) if plan.next_offer > 1 else None

    def decide(uow: UnitOfWork) -> Outcome:
        current = uow.requests.get(request_id)
        entry = uow.locations.get(best.dispatcher_id) if best is not None else None
        taken = uow.offers.get(next_id) is not None
        previous = uow.offers.get(previous_id) if previous_id is not None else None
        pending = previous is not None and previous.offer_status is OfferStatus.PENDING
        told = current is not None and uow.notifications.get(notification_id(
            NotificationType.DISPATCH_DELAYED, request_id, current.client_id)) is not None
        if (current is None or current.status is not RequestStatus.PENDING or taken or pending
                or (plan.first and current.dispatch_started_at is not None)):
            return Outcome(started=False)
        if best is not None and not ((entry is not None and entry.searchable)
                                     or (plan.reserved and may_offer_reserved(entry, current.required_skills))):
            return Outcome(started=False, stale=True)
        started = current.dispatch_started_at is None
        if started:
            uow.requests.save(evolve(current, dispatch_started_at=uow.now, updated_date=uow.now))
        if best is None:
            if not told:
                notify(uow, user_id=current.client_id, kind=NotificationType.DISPATCH_DELAYED,
                       title=t("Still looking for a technician"),
                       body=t("No technician nearby is free right now; we keep trying and will tell you as soon "
                              "as one accepts."), request_id=request_id)
            return Outcome(started=started, delayed=True)
        ttl = uow.settings.dispatch.offer_ttl
        offer = uow.offers.create(JobOffer(
            id=next_id, request_id=request_id, dispatcher_id=best.dispatcher_id,
            dispatcher_name=plan.best_name, offered_at=uow.now, expires_at=uow.now + ttl,
            assignment_score=round(best.score, 3), distance_km=round(best.distance_km, 3),
            job_details=job_details(current, plan.photo_urls)))
        notify(uow, user_id=best.dispatcher_id, kind=NotificationType.NEW_JOB_OFFER, title=t("New job offer"),
               body=t("{car} in {area}, {km} km away: accept within {seconds} seconds.", car=current.car_model,
                      area=current.location_area or t("your area"), km=round(best.distance_km, 1),
                      seconds=int(ttl.total_seconds())), request_id=request_id,
               expires_at=offer.expires_at, data={"screen": "job_offer", "offer_id": offer.id})
        return Outcome(started=started, offer=offer)

    outcome = work.transaction(deps, decide, lost_race="The job changed while it was being offered.")
    if outcome.offer is not None:
        deps.tasks.enqueue(EXPIRE_OFFER, {"offer_id": outcome.offer.id}, at=outcome.offer.expires_at,
                           name=task_id(f"expire-{outcome.offer.id}"))
    return outcome


def start_dispatch(deps: Deps, request_id: str) -> bool:
    """Hand a pending job to auto-dispatch once: its first offer (or, with nobody eligible, the client's delay
    notice). Returns False when there is nothing to do: the job is gone, no longer pending (cancelled,
    already taken), or dispatch already started."""
    return _dispatch(deps, request_id, first=True).started


def offer_next(deps: Deps, request_id: str) -> Outcome:
    """Offer a pending job that nobody holds an offer for to the best technician not yet offered it."""
    return _dispatch(deps, request_id, first=False)
