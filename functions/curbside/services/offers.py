"""Answering offers and taking jobs (spec section 2): accept_offer, reject_offer, the countdown's expiry,
accept_job from the feed, the available-jobs feed, and the retry sweep.

Taking a job reads the job (and the offer), fails fast with WrongState when either is no longer pending,
and writes everything in one commit guarded by the job's and the offers' `update_time`: of any number of
technicians racing for one job exactly one commits, the others are told it is taken (FAILED_PRECONDITION)
or, when the job changed in another way meanwhile, to try again (ABORTED). The winner's commit also
withdraws every other pending offer of the job, writes `JobContacts`, the client's notification (through
`record_move`) and the technician's dispatch-index entry.

Rejection and expiry are two steps, each safe to repeat: close the offer (a transaction that changes
nothing unless it is still pending — and, for expiry, due), then `offer_next`, which itself does nothing
while the job is taken or someone holds an offer. A crash between the steps leaves a pending job with no
pending offer, which is exactly what `retry_dispatch` picks up.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from google.api_core import exceptions as google_errors
from google.cloud import firestore
from google.cloud.firestore_v1.aggregation import AggregationQuery
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.documents import DispatcherLocation, JobOffer, ServiceRequest
from curbside.domain.documents.contacts import JobContact
from curbside.domain.enums import AccountStatus, OfferStatus, RequestActor, RequestStatus, VerificationStatus
from curbside.domain.errors import LostRace, NotAllowed, NotFound, WrongState
from curbside.domain.geo import haversine_m
from curbside.domain.request_lifecycle import transition
from curbside.domain.search_cells import cover_disc
from curbside.services.candidates import configured_settings
from curbside.services.dispatch_queue import offer_next, offers_of
from curbside.services.dispatcher_index import Standing, begin_index_refresh, configured_capacity
from curbside.services.requests import JOB_CHANGED, record_move
from curbside.store.codec import encode_value, from_snapshot, to_document
from curbside.store.collections import Collection, doc_path
from curbside.store.transactions import run_transaction

TAKEN = "This job has already been taken by another technician."
NO_OFFER = "There is no such offer among yours."

FEED_READ_LIMIT = 500
"""The most pending jobs one feed query reads (each is a billed read). The cell query returns only jobs in
cells touching the caller's radius, so this bounds a city's backlog, not the country's."""

FEED_MIN_REACH_M = 2_000.0
"""In a backlog the feed narrows its disc (`pending_jobs_near`), never below this radius."""

NARROWING_STEPS = 6
"""Count queries spent narrowing the feed in a backlog: six halvings of log(80 km / 2 km) leave the radius
within 6 % of the widest disc that fits."""


@dataclass(frozen=True)
class Accepted:
    request_id: str
    status: RequestStatus = RequestStatus.ACCEPTED


@dataclass(frozen=True)
class Answered:
    offer_status: OfferStatus


def _name_and_phone(snap: firestore.DocumentSnapshot[Any]) -> tuple[str | None, str | None]:
    user = snap.to_dict() or {}
    name, phone = user.get("full_name") or user.get("display_name"), user.get("phone_number")
    return (name if isinstance(name, str) else None, phone if isinstance(phone, str) else None)


def _check_may_take(standing: Standing) -> None:
    """A technician may take a job: verified, an account in good standing, room for another job."""
    if standing.profile is None:
        raise NotAllowed("Only technicians can accept jobs.")
    if standing.account_status in (AccountStatus.SUSPENDED, AccountStatus.BANNED):
        raise NotAllowed(f"Your account is {standing.account_status.value}; contact support.")
    if standing.account_status is AccountStatus.SHADOW_BANNED:
        raise WrongState(TAKEN)  # spec section 15: a shadow-banned technician must notice nothing
    if standing.profile.verification_status is not VerificationStatus.VERIFIED:
        raise NotAllowed("Finish your verification before accepting jobs.")
    if len(standing.active_jobs) >= configured_capacity():
        raise WrongState("You already hold as many active jobs as you can; finish one first.")


def _take(deps: Deps, uid: str, *, request_id: str | None = None, offer_id: str | None = None) -> Accepted:
    """Give a pending job to `uid`: through their offer (`offer_id`) or from the feed.

    One atomic commit guarded by preconditions (the job's, the offers' `update_time`), not a read-write
    transaction: fifty technicians reading one hot job in transactions make Firestore (and its emulator)
    queue them behind lock waits, while a conditional commit lets the first writer win and every other one
    fail at once (docs/decisions.md, D19)."""
    db = deps.db
    now = deps.clock.now()
    offer_snap = db.document(doc_path(Collection.JOB_OFFERS, offer_id)).get() if offer_id else None
    offer = from_snapshot(JobOffer, offer_snap) if offer_snap is not None and offer_snap.exists else None
    if offer_id is not None and (offer is None or offer.dispatcher_id != uid):
        raise NotFound(NO_OFFER)
    request_id = offer.request_id if offer is not None else request_id
    request_snap = db.document(doc_path(Collection.SERVICE_REQUESTS, request_id or "-")).get()
    if request_id is None or not request_snap.exists:
        raise NotFound("There is no such job.")
    request = from_snapshot(ServiceRequest, request_snap)
    if request.dispatcher_id == uid and request.status is RequestStatus.ACCEPTED:
        return Accepted(request.id, request.status)  # accepting twice answers the same
    if offer is not None and offer.offer_status is not OfferStatus.PENDING:
        raise WrongState(f"This offer is no longer open: it was {offer.offer_status.value}.")
    if offer is not None and now >= offer.expires_at:
        raise WrongState("This offer has expired.")
    if request.status is not RequestStatus.PENDING:
        raise WrongState(TAKEN)
    if request.client_id == uid:
        raise NotAllowed("You cannot accept your own job.")

    refresh = begin_index_refresh(db, None, uid)
    _check_may_take(refresh.standing)
    client_name, client_phone = _name_and_phone(db.document(doc_path(Collection.USERS, request.client_id)).get())
    technician_name, technician_phone = _name_and_phone(db.document(doc_path(Collection.USERS, uid)).get())

    batch = db.batch()
    for pending in offers_of(db, request.id, pending_only=True):  # the winner's is accepted, the rest withdrawn
        accepted = pending.id == offer_id
        batch.update(pending.reference, {
            "offer_status": (OfferStatus.ACCEPTED if accepted else OfferStatus.EXPIRED).value,
            **({"responded_at": encode_value(now)} if accepted else {}),
        }, option=db.write_option(last_update_time=pending.update_time))
    moved = record_move(batch, db, request, transition(request.status, RequestStatus.ACCEPTED,
                                                       RequestActor.DISPATCHER), now=now,
                        updates={"dispatcher_id": uid, "dispatcher_name": technician_name},
                        precondition=db.write_option(last_update_time=request_snap.update_time))
    contact = JobContact(id=request.id, request_id=request.id, client_id=request.client_id, dispatcher_id=uid,
                         client_name=request.client_name or client_name, client_phone=client_phone,
                         dispatcher_name=technician_name, dispatcher_phone=technician_phone, created_date=now)
    batch.set(db.document(doc_path(Collection.JOB_CONTACTS, request.id)), to_document(contact))
    refresh.finish(batch, request=moved)
    try:
        batch.commit()
    except google_errors.FailedPrecondition:
        # The job or an offer changed since we read it and nothing was written: say why, if we can.
        if (request_snap.reference.get().to_dict() or {}).get(
                "status") != RequestStatus.PENDING.value:
            raise WrongState(TAKEN) from None
        raise LostRace(JOB_CHANGED) from None
    except google_errors.Aborted:
        raise LostRace(JOB_CHANGED) from None
    return Accepted(request.id)


def accept_offer(deps: Deps, uid: str, offer_id: str) -> Accepted:
    """The offered technician takes the job before the countdown ends (accepting twice answers the same)."""
    return _take(deps, uid, offer_id=offer_id)


def accept_job(deps: Deps, uid: str, request_id: str) -> Accepted:
    """A technician takes a pending job from the feed, under the same guard as an offer."""
    return _take(deps, uid, request_id=request_id)


def _close(deps: Deps, offer_id: str, decide: Callable[[JobOffer], dict[str, Any] | None]) -> JobOffer | None:
    """Close an offer in one transaction when `decide` returns its new fields; returns the offer as read
    (None: no such offer). Then hands the job on (`offer_next` does nothing while it is taken or offered)."""
    db = deps.db
    ref = db.document(doc_path(Collection.JOB_OFFERS, offer_id))

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> tuple[JobOffer | None, bool]:
        snap = ref.get(transaction=transaction)
        if not snap.exists:
            return None, False
        offer = from_snapshot(JobOffer, snap)
        fields = decide(offer)
        if fields is not None:
            transaction.update(ref, {name: encode_value(value) for name, value in fields.items()})
        return offer, fields is not None

    result: tuple[JobOffer | None, bool] = run_transaction(
        db, run, lost_race="The offer changed at the same moment; try again.")
    offer, closed = result
    if offer is not None and (closed or offer.offer_status is not OfferStatus.PENDING):
        offer_next(deps, offer.request_id)
    return offer


def reject_offer(deps: Deps, uid: str, offer_id: str, reason: str | None = None) -> Answered:
    """The offered technician declines; the job moves on to the next-best technician at once."""
    now = deps.clock.now()

    def decide(offer: JobOffer) -> dict[str, Any] | None:
        if offer.dispatcher_id != uid:
            raise NotFound(NO_OFFER)
        if offer.offer_status is OfferStatus.REJECTED:
            return None
        if offer.offer_status is not OfferStatus.PENDING:
            raise WrongState(f"This offer is no longer open: it was {offer.offer_status.value}.")
        return {"offer_status": OfferStatus.REJECTED.value, "responded_at": now,
                "rejection_reason": reason or "declined"}

    if _close(deps, offer_id, decide) is None:
        raise NotFound(NO_OFFER)
    return Answered(OfferStatus.REJECTED)


def expire_offer(deps: Deps, offer_id: str) -> str:
    """The countdown task: a pending offer whose time is up expires and the job moves on. A late, early or
    repeated task changes nothing. Returns what happened, for the log."""
    now = deps.clock.now()
    outcome = "settled"

    def decide(offer: JobOffer) -> dict[str, Any] | None:
        nonlocal outcome
        if offer.offer_status is not OfferStatus.PENDING:
            return None
        if now < offer.expires_at:
            outcome = "not_due"
            return None
        outcome = "expired"
        return {"offer_status": OfferStatus.EXPIRED.value, "rejection_reason": "timeout"}

    return outcome if _close(deps, offer_id, decide) is not None else "missing"


def retry_dispatch(deps: Deps, *, limit: int = 200) -> list[str]:
    """The sweep (every 2 minutes): for each pending job, expire an overdue offer whose task was lost, or
    offer a job nobody holds an offer for. Returns the jobs that were offered to someone."""
    db = deps.db
    now = deps.clock.now()
    offered: list[str] = []
    jobs = (db.collection(Collection.SERVICE_REQUESTS)
            .where(filter=FieldFilter("status", "==", RequestStatus.PENDING.value)).limit(limit).stream())
    for job in jobs:
        pending = [from_snapshot(JobOffer, snap) for snap in offers_of(db, job.id, pending_only=True)]
        for offer in pending:
            if now >= offer.expires_at:
                expire_offer(deps, offer.id)
        if not pending and offer_next(deps, job.id).offer is not None:
            offered.append(job.id)
    return offered


# --- the feed -----------------------------------------------------------------------------------------------


class FeedTab(StrEnum):
    PRIORITY = "priority"
    SCHEDULED = "scheduled"
    HIGHEST_PAY = "highest_pay"
    MOST_RECENT = "most_recent"


@dataclass(frozen=True)
class FeedJob:
    request_id: str
    car_model: str
    license_plate: str
    location_address: str
    price: Any
    distance_km: float
    is_urgent: bool
    is_scheduled: bool
    scheduled_datetime: dt.datetime | None
    client_name: str | None
    client_rating: float | None
    created_date: dt.datetime | None


_ORDER: dict[FeedTab, Callable[[FeedJob], Any]] = {
    FeedTab.PRIORITY: lambda job: (not job.is_urgent, job.distance_km),
    FeedTab.SCHEDULED: lambda job: (job.scheduled_datetime or dt.datetime.max.replace(tzinfo=dt.UTC)),
    FeedTab.HIGHEST_PAY: lambda job: (-job.price, job.distance_km),
    FeedTab.MOST_RECENT: lambda job: -(job.created_date or dt.datetime.min.replace(tzinfo=dt.UTC)).timestamp(),
}


def _may_browse(deps: Deps, uid: str) -> bool:
    """Whether the caller sees the feed: exactly who the candidate search would find (online, verified, an
    active account, room for a job, a fresh fix). Everyone else gets an empty list and no hint why — a
    shadow-banned technician must not be able to tell (spec section 15)."""
    snap = deps.db.document(doc_path(Collection.DISPATCHER_LOCATIONS, uid)).get()
    if not snap.exists:
        return False
    entry = from_snapshot(DispatcherLocation, snap)
    fresh_since = deps.clock.now() - configured_settings().max_location_age
    return entry.searchable and entry.location_updated_at is not None and entry.location_updated_at >= fresh_since


@dataclass(frozen=True)
class NearbyJobs:
    jobs: list[tuple[ServiceRequest, float]]
    """Pending jobs within `reach_m`, each with its distance in metres."""
    reach_m: float
    """How far the list is complete: the radius asked for, or less in a backlog (see `pending_jobs_near`)."""
    reads: int
    """Document reads Firestore bills for the queries: the jobs they returned before the exact distance filter,
    and one for each that returned none."""


def pending_jobs_near(db: firestore.Client, lat: float, lng: float, radius_m: float) -> NearbyJobs:
    """Pending jobs within `radius_m` of a point. One query reads the pending jobs whose `search_cells` meet the
    cells covering the disc (the candidate search's index, turned around); the exact distance then drops the
    few from where the cover overhangs the circle. Normal days cost that one query.

    A backlog — the query fills `FEED_READ_LIMIT` — would leave an arbitrary 500 of the jobs around, so the
    feed narrows to the widest disc that holds fewer (`_widest_unfilled_reach`, a few one-read counts) and
    reads that one: every job nearest the caller, as many as one query may read."""
    reach_m = radius_m
    returned = list(_pending_within(db, lat, lng, reach_m).stream())
    reads = max(1, len(returned))
    if len(returned) >= FEED_READ_LIMIT:
        reach_m, counted = _widest_unfilled_reach(db, lat, lng, radius_m)
        returned = list(_pending_within(db, lat, lng, reach_m).stream())
        reads += counted + max(1, len(returned))
    near = []
    for snap in returned:
        request = from_snapshot(ServiceRequest, snap)
        distance_m = haversine_m(lat, lng, request.location_lat, request.location_lng)
        if distance_m <= reach_m:
            near.append((request, distance_m))
    return NearbyJobs(near, reach_m, reads)


def _pending_within(db: firestore.Client, lat: float, lng: float, reach_m: float) -> firestore.Query:
    """Pending jobs in the cells covering the disc, at most `FEED_READ_LIMIT` of them."""
    cover = [cell.token for cell in cover_disc(lat, lng, reach_m)]
    return (db.collection(Collection.SERVICE_REQUESTS)
            .where(filter=FieldFilter("status", "==", RequestStatus.PENDING.value))
            .where(filter=FieldFilter("search_cells", "array_contains_any", cover))
            .limit(FEED_READ_LIMIT))


def _widest_unfilled_reach(db: firestore.Client, lat: float, lng: float, full_m: float) -> tuple[float, int]:
    """The widest radius, to within a few per cent, whose disc holds fewer than `FEED_READ_LIMIT` pending
    jobs (never below `FEED_MIN_REACH_M`), and the reads spent finding it: a bisection of the radius on a
    log scale with count queries, each billed one read (up to 1,000 entries counted; the count stops at the
    limit). The full radius is known to be full."""
    low, high = FEED_MIN_REACH_M, full_m
    for _ in range(NARROWING_STEPS):
        middle = math.sqrt(low * high)
        counted = _count(_pending_within(db, lat, lng, middle))
        low, high = (middle, high) if counted < FEED_READ_LIMIT else (low, middle)
    return low, NARROWING_STEPS


def _count(query: firestore.Query) -> int:
    """How many documents the query matches (one read per 1,000 counted)."""
    # The client annotates `get` as a flat list of results; it returns a list of rows of them.
    rows: Any = AggregationQuery(query).count(alias="matched").get()
    return int(rows[0][0].value)


def list_available_jobs(deps: Deps, uid: str, *, lat: float, lng: float, tab: FeedTab,
                        limit: int | None = None) -> dict[str, list[FeedJob]]:
    """Pending jobs within the dispatch radius of the caller, ordered for the chosen tab."""
    if not deps.db.document(doc_path(Collection.DISPATCHER_PROFILES, uid)).get().exists:
        raise NotAllowed("Only technicians can browse available jobs.")
    if not _may_browse(deps, uid):
        return {"jobs": []}
    most = min(limit or config.FEED_LIMIT.value, config.FEED_LIMIT.value)
    jobs = [FeedJob(request.id, request.car_model, request.license_plate, request.location_address,
                    request.final_price, round(distance_m / 1000, 2), request.is_urgent, request.is_scheduled,
                    request.scheduled_datetime, request.client_name, request.client_rating, request.created_date)
            for request, distance_m in pending_jobs_near(deps.db, lat, lng, configured_settings().radius_m).jobs
            if request.client_id != uid and (tab is not FeedTab.SCHEDULED or request.is_scheduled)]
    return {"jobs": sorted(jobs, key=_ORDER[tab])[:most]}
