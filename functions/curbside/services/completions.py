"""Finishing a job (spec sections 3 and 8): the technician's proof of work, the client's review, and the
hourly auto-approval — each of which decides when the held payment goes to the technician.

`complete_job` moves the job to completed and writes its `JobCompletions/{request_id}` in one transaction,
then captures the card outside it (`job_payments.capture`). The client's review, or `PAYMENT_HOLD_HOURS`
without one, approves the completion (`payment_status: completed`) and releases the money; an open dispute
keeps it (`payment_status: disputed`) until an admin decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as google_errors
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.documents import JobCompletion, Review, ServiceRequest
from curbside.domain.enums import PaymentStatus, RequestActor, RequestStatus, ReviewerType
from curbside.domain.errors import NotFound, WrongState
from curbside.domain.geo import haversine_m
from curbside.domain.request_lifecycle import transition
from curbside.domain.scheduling import time_zone
from curbside.domain.uploads import Purpose
from curbside.services import job_payments
from curbside.services.accounts import require_usable_account
from curbside.services.dispatcher_index import begin_index_refresh
from curbside.services.requests import JOB_CHANGED, configured, record_move
from curbside.services.uploads import VIDEO, require_own_uploads
from curbside.store.codec import encode_value, from_snapshot, to_document
from curbside.store.collections import Collection, doc_path
from curbside.store.transactions import run_transaction

NOT_YOURS = "There is no such job among yours."


@dataclass(frozen=True)
class Proof:
    """What the technician sends from the Complete Job screen."""

    completion_images: tuple[str, ...]
    completion_video_url: str | None
    lat: float
    lng: float


@dataclass(frozen=True)
class Completed:
    job_completion_id: str
    payment_status: PaymentStatus
    auto_approve_at: dt.datetime
    location_verified: bool
    location_distance_meters: float


@dataclass(frozen=True)
class Reviewed:
    review_id: str
    apply_date: str


def hold_period() -> dt.timedelta:
    return dt.timedelta(hours=config.PAYMENT_HOLD_HOURS.value)


def _completed(completion: JobCompletion) -> Completed:
    return Completed(completion.id, completion.payment_status, completion.auto_approve_at,
                     completion.location_verified, completion.location_distance_meters or 0.0)


def complete_job(deps: Deps, uid: str, request_id: str, proof: Proof) -> Completed:
    """The assigned technician finishes an in-progress job with at least four photos and their position.
    Farther than the arrival radius from the job is allowed but recorded (`location_verified: false`) for
    fraud review. Completing twice answers as the first time did."""
    require_own_uploads(deps.files, uid, proof.completion_images, purpose=Purpose.COMPLETION_PHOTOS,
                        field_name="completion_images", request_id=request_id)
    if proof.completion_video_url is not None:
        require_own_uploads(deps.files, uid, (proof.completion_video_url,), purpose=Purpose.COMPLETION_VIDEOS,
                            field_name="completion_video_url", request_id=request_id, described=VIDEO)
    db = deps.db
    now = deps.clock.now()
    radius_m = configured().arrival_radius_m
    completion_ref = db.document(doc_path(Collection.JOB_COMPLETIONS, request_id))

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> Completed:
        request_snap = db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).get(transaction=transaction)
        if not request_snap.exists:
            raise NotFound(NOT_YOURS)
        request = from_snapshot(ServiceRequest, request_snap)
        if request.dispatcher_id != uid:
            raise NotFound(NOT_YOURS)
        require_usable_account(db, uid, transaction)
        completion_snap = completion_ref.get(transaction=transaction)
        if completion_snap.exists:
            return _completed(from_snapshot(JobCompletion, completion_snap))
        move = transition(request.status, RequestStatus.COMPLETED, RequestActor.DISPATCHER)
        technician = begin_index_refresh(db, transaction, uid)
        distance = round(haversine_m(proof.lat, proof.lng, request.location_lat, request.location_lng), 1)
        completion = JobCompletion(
            id=request_id, request_id=request_id, dispatcher_id=uid, client_id=request.client_id,
            completion_images=list(proof.completion_images), completion_video_url=proof.completion_video_url,
            completed_at=now, completion_location_lat=proof.lat, completion_location_lng=proof.lng,
            location_verified=distance <= radius_m, location_distance_meters=distance,
            auto_approve_at=now + hold_period(), amount=request.final_price, created_date=now)
        transaction.create(completion_ref, to_document(completion))
        moved = record_move(transaction, db, request, move, now=now)
        transaction.update(db.document(doc_path(Collection.DISPATCHER_PROFILES, uid)),
                           {"total_jobs": firestore.Increment(1), "updated_date": encode_value(now)})
        technician.finish(transaction, request=moved)
        return _completed(completion)

    completed: Completed = run_transaction(db, run, lost_race=JOB_CHANGED)
    job_payments.capture(deps, request_id)
    return completed


def _tomorrow(now: dt.datetime) -> str:
    """Reviews apply the day after they are written (spec section 6), in the platform's time zone."""
    return (now.astimezone(time_zone(config.DEFAULT_TIME_ZONE.value)).date() + dt.timedelta(days=1)).isoformat()


def _approve(completion: JobCompletion, now: dt.datetime, **fields: Any) -> dict[str, Any]:
    """The fields that approve a completion: its money is released unless a dispute holds it."""
    approved = dict(fields)
    if completion.payment_status is PaymentStatus.PENDING_REVIEW:
        approved |= {"payment_status": PaymentStatus.COMPLETED, "payment_release_time": now}
    return {name: encode_value(value) for name, value in approved.items()}


def review_dispatcher(deps: Deps, uid: str, request_id: str, rating: int, comment: str | None) -> Reviewed:
    """The client rates the technician after a completed job; the review is applied tomorrow, and it
    approves the completion, which releases the held payment at once. One review per job."""
    db = deps.db
    now = deps.clock.now()
    review_ref = db.document(doc_path(Collection.REVIEWS, request_id))
    completion_ref = db.document(doc_path(Collection.JOB_COMPLETIONS, request_id))

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> tuple[Reviewed, bool]:
        request_snap = db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).get(transaction=transaction)
        if not request_snap.exists or (request_snap.to_dict() or {}).get("client_id") != uid:
            raise NotFound(NOT_YOURS)
        require_usable_account(db, uid, transaction)
        review_snap = review_ref.get(transaction=transaction)
        if review_snap.exists:
            stored = from_snapshot(Review, review_snap)
            return Reviewed(stored.id, stored.apply_date), False
        completion_snap = completion_ref.get(transaction=transaction)
        if not completion_snap.exists:
            raise WrongState("You can review the technician once the job is completed.")
        completion = from_snapshot(JobCompletion, completion_snap)
        review = Review(id=request_id, request_id=request_id, reviewer_id=uid, reviewee_id=completion.dispatcher_id,
                        reviewer_type=ReviewerType.CLIENT, rating=rating, comment=comment or None,
                        apply_date=_tomorrow(now), created_date=now)
        transaction.create(review_ref, to_document(review))
        transaction.update(completion_ref, _approve(completion, now, client_reviewed=True, client_reviewed_at=now))
        return Reviewed(review.id, review.apply_date), completion.payment_status is PaymentStatus.PENDING_REVIEW

    reviewed: Reviewed
    reviewed, approved = run_transaction(db, run, lost_race="The job changed at the same moment; try again.")
    if approved:
        job_payments.release(deps, request_id, "client_review")
    return reviewed


def auto_approve_completions(deps: Deps, *, limit: int = 500) -> list[str]:
    """The hourly job: completions whose hold period passed without a review or a dispute are approved and
    their money released; then payments left half-done (a refund or transfer interrupted) are finished.
    Returns the approved request ids."""
    db = deps.db
    now = deps.clock.now()
    approved: list[str] = []
    due = (db.collection(Collection.JOB_COMPLETIONS)
           .where(filter=FieldFilter("payment_status", "==", PaymentStatus.PENDING_REVIEW.value))
           .where(filter=FieldFilter("auto_approve_at", "<=", now)).limit(limit).stream())
    for snap in due:
        if _auto_approve(deps, snap.reference, now):
            approved.append(snap.id)
            job_payments.release(deps, snap.id, "auto_approved")
    job_payments.finish_unfinished(deps)
    return approved


def _auto_approve(deps: Deps, ref: firestore.DocumentReference, now: dt.datetime) -> bool:
    @firestore.transactional
    def run(transaction: firestore.Transaction) -> bool:
        completion = from_snapshot(JobCompletion, ref.get(transaction=transaction))
        if completion.payment_status is not PaymentStatus.PENDING_REVIEW or completion.auto_approve_at > now:
            return False
        transaction.update(ref, _approve(completion, now, auto_approved=True))
        return True

    return bool(run_transaction(deps.db, run, lost_race="The completion changed at the same moment."))


def dispute_opened(deps: Deps, request_id: str) -> None:
    """A dispute about a completed job holds its payment indefinitely (spec section 8)."""
    _set_payment_status(deps, request_id, PaymentStatus.DISPUTED)
    job_payments.hold_for_dispute(deps, request_id)


def dispute_resolved(deps: Deps, request_id: str, *, refund_minor: int, release_rest: bool, key: str) -> None:
    """An admin's decision: refund `refund_minor` (once per `key`), then release the rest to the technician,
    or keep holding it (`release_rest` false: the dispute's hold stays until a later decision)."""
    if refund_minor > 0:
        job_payments.refund(deps, request_id, refund_minor, key)
    if release_rest:
        _set_payment_status(deps, request_id, PaymentStatus.COMPLETED)
        job_payments.release_after_dispute(deps, request_id)


def _set_payment_status(deps: Deps, request_id: str, status: PaymentStatus) -> None:
    try:
        deps.db.document(doc_path(Collection.JOB_COMPLETIONS, request_id)).update({"payment_status": status.value})
    except google_errors.NotFound:
        raise NotFound("There is no completed job to dispute.") from None
