"""Auto-dispatch (spec section 2): offer a pending job to the best technician, one at a time, 60 s each.

`start_dispatch(deps, request_id)` is the one door from the job workflow (the created trigger, the
scheduled-job activator); `offer_next` is how a job moves on after an offer is rejected or expires, and
`retry_dispatch` is the sweep that re-runs it for pending jobs nobody holds an offer for.

Each step is one decision in one transaction, and safe to repeat:

- the ranked candidate search is a query and runs before the transaction; the transaction re-reads the job
  and its pending offers and writes nothing when the job is no longer pending or someone already holds an
  offer (so two overlapping runs make one offer);
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
from dataclasses import dataclass
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.dispatch_scoring import RankedCandidate, is_high_priority
from curbside.domain.documents import JobOffer, ServiceRequest
from curbside.domain.enums import NotificationType, OfferStatus, RequestStatus, RewardType
from curbside.gateways.tasks import task_id
from curbside.services.candidates import JobSite, find_candidates
from curbside.services.notifications import notification_id, notify
from curbside.store.codec import encode_value, from_snapshot, to_document
from curbside.store.collections import Collection, doc_path
from curbside.store.transactions import run_transaction

EXPIRE_OFFER = "expire_offer"
"""The Cloud Tasks function that ends an offer's countdown."""


def offer_ttl() -> dt.timedelta:
    return dt.timedelta(seconds=config.OFFER_TTL_S.value)


def offer_id(request_id: str, number: int) -> str:
    return f"{request_id}:{number}"


def offers_of(db: firestore.Client, request_id: str, transaction: firestore.Transaction | None = None,
              *, pending_only: bool = False) -> list[firestore.DocumentSnapshot[Any]]:
    """A job's offers (every one, or the pending ones), read inside `transaction` when given."""
    query = db.collection(Collection.JOB_OFFERS).where(filter=FieldFilter("request_id", "==", request_id))
    if pending_only:
        query = query.where(filter=FieldFilter("offer_status", "==", OfferStatus.PENDING.value))
    return list(query.stream(transaction=transaction))


def job_details(request: ServiceRequest) -> dict[str, Any]:
    """What the offer screen shows without reading the job (the technician may not read it before accepting)."""
    return {
        "car_model": request.car_model, "license_plate": request.license_plate,
        "location_address": request.location_address, "location_lat": request.location_lat,
        "location_lng": request.location_lng, "price": float(request.final_price), "is_urgent": request.is_urgent,
        "is_scheduled": request.is_scheduled, "scheduled_datetime": request.scheduled_datetime,
        "client_name": request.client_name, "client_rating": request.client_rating,
    }


def job_site(db: firestore.Client, request: ServiceRequest) -> JobSite:
    """The job as the candidate search sees it (priority: urgent, or booked with a priority_booking reward)."""
    reward_type: RewardType | None = None
    if request.reward_redemption_id:
        redemption = db.document(doc_path(Collection.REWARD_REDEMPTIONS, request.reward_redemption_id)).get()
        reward_id = (redemption.to_dict() or {}).get("reward_id")
        if isinstance(reward_id, str):
            raw = (db.document(doc_path(Collection.REWARDS, reward_id)).get().to_dict() or {}).get("reward_type")
            reward_type = RewardType(raw) if raw in {t.value for t in RewardType} else None
    return JobSite(request.location_lat, request.location_lng,
                   high_priority=is_high_priority(is_urgent=request.is_urgent, reward_type=reward_type),
                   client_id=request.client_id)


@dataclass(frozen=True)
class Outcome:
    """What one dispatch step did: `offer` made (and to be counted down), or why not."""

    started: bool
    """The `dispatch_started_at` marker was set by this step."""
    offer: JobOffer | None = None
    delayed: bool = False
    """Nobody was left to offer the job to."""


def _dispatch(deps: Deps, request_id: str, *, first: bool) -> Outcome:
    """One dispatch step (see the module docstring). `first`: the hand-over, done once per job."""
    db = deps.db
    ref = db.document(doc_path(Collection.SERVICE_REQUESTS, request_id))
    now = deps.clock.now()
    snap = ref.get()
    if not snap.exists:
        return Outcome(started=False)
    request = from_snapshot(ServiceRequest, snap)
    if request.status is not RequestStatus.PENDING or (first and request.dispatch_started_at is not None):
        return Outcome(started=False)
    made = offers_of(db, request_id)
    if any((o.to_dict() or {}).get("offer_status") == OfferStatus.PENDING.value for o in made):
        return Outcome(started=False)
    offered = {str((o.to_dict() or {}).get("dispatcher_id")) for o in made}
    ranked = find_candidates(deps, job_site(db, request), exclude=offered).candidates
    best: RankedCandidate | None = ranked[0] if ranked else None
    next_ref = db.document(doc_path(Collection.JOB_OFFERS, offer_id(request_id, len(made) + 1)))
    delay_note = db.document(doc_path(Collection.NOTIFICATIONS, notification_id(
        NotificationType.DISPATCH_DELAYED, request_id, request.client_id)))

    @firestore.transactional
    def decide(transaction: firestore.Transaction) -> Outcome:
        current_snap = ref.get(transaction=transaction)
        current = from_snapshot(ServiceRequest, current_snap) if current_snap.exists else None
        technician = (db.document(doc_path(Collection.USERS, best.dispatcher_id)).get(transaction=transaction)
                      if best is not None else None)
        taken = next_ref.get(transaction=transaction).exists
        pending = offers_of(db, request_id, transaction, pending_only=True)
        told = delay_note.get(transaction=transaction).exists
        if (current is None or current.status is not RequestStatus.PENDING or taken or pending
                or (first and current.dispatch_started_at is not None)):
            return Outcome(started=False)
        started = current.dispatch_started_at is None
        if started:
            transaction.update(ref, {"dispatch_started_at": encode_value(now), "updated_date": encode_value(now)})
        if best is None or technician is None:
            if not told:
                notify(transaction, db, user_id=current.client_id, kind=NotificationType.DISPATCH_DELAYED,
                       title="Still looking for a technician",
                       body="No technician nearby is free right now; we keep trying and will tell you as soon "
                            "as one accepts.", request_id=request_id, now=now)
            return Outcome(started=started, delayed=True)
        name = (technician.to_dict() or {}).get("full_name")
        offer = JobOffer(
            id=next_ref.id, request_id=request_id, dispatcher_id=best.dispatcher_id,
            dispatcher_name=name if isinstance(name, str) else None, offered_at=now,
            expires_at=now + offer_ttl(), assignment_score=round(best.score, 3),
            distance_km=round(best.distance_km, 3), job_details=job_details(current),
        )
        transaction.create(next_ref, to_document(offer))
        notify(transaction, db, user_id=best.dispatcher_id, kind=NotificationType.NEW_JOB_OFFER,
               title="New job offer", body=f"{current.car_model} at {current.location_address}, "
                                           f"{best.distance_km:.1f} km away: accept within "
                                           f"{int(offer_ttl().total_seconds())} seconds.",
               request_id=request_id, now=now)
        return Outcome(started=started, offer=offer)

    outcome: Outcome = run_transaction(db, decide, lost_race="The job changed while it was being offered.")
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
