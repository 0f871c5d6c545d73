"""Finishing a job (spec sections 3 and 8): the technician's proof of work, the client's review, and the
hourly auto-approval — each of which decides when the held payment goes to the technician.

`complete_job` moves the job to completed, writes its `JobCompletions/{request_id}` and records the capture
of the card in the outbox, in one transaction; the capture runs right after (`services.charges`). The
client's review, or `PAYMENT_HOLD_HOURS` without one, approves the completion (`payment_status: completed`)
and releases the money in the same commit; an open dispute keeps it (`payment_status: disputed`) until an
admin decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.documents import JobCompletion, Review
from curbside.domain.enums import FraudAlertType, PartyType, PaymentStatus, RequestActor, RequestStatus, ReviewerType
from curbside.domain.errors import NotFound, WrongState
from curbside.domain.geo import haversine_m
from curbside.domain.lifecycle import Actor
from curbside.domain.ratings import apply_date
from curbside.domain.request_lifecycle import transition
from curbside.domain.uploads import Purpose
from curbside.services import charges, fraud, merchant_orders, refunds, reviews, van_stock, vehicles, work
from curbside.services.accounts import require_usable_account
from curbside.services.job_moves import JOB_CHANGED, NOT_YOURS, job_of, record_move, require_current_technician
from curbside.services.payment_records import Loaded, load
from curbside.services.uploads import VIDEO, require_own_uploads
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork


@dataclass(frozen=True)
class Proof:
    """What the technician sends from the Complete Job screen."""

    completion_images: tuple[str, ...]
    completion_video_url: str | None
    lat: float
    lng: float
    parts_used: tuple[tuple[str, int], ...] = ()
    """(sku, quantity) of each part the job took from the technician's van."""
    odometer_km: int | None = None
    """The vehicle's odometer, when the technician read it (recorded on the vehicle's history)."""


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


def _completed(completion: JobCompletion) -> Completed:
    return Completed(completion.id, completion.payment_status, completion.auto_approve_at,
                     completion.location_verified, completion.location_distance_meters or 0.0)


def complete_job(deps: Deps, uid: str, request_id: str, proof: Proof) -> Completed:
    """The assigned technician finishes an in-progress job with at least four photos and their position.
    Farther than the arrival radius from the job is allowed but recorded (`location_verified: false`) for
    fraud review; farther than 500 m raises a `location_mismatch` fraud alert in the same commit. Completing
    twice answers as the first time did (without looking at the files again)."""
    stored = work.reading(deps, lambda uow: uow.completions.get(request_id))
    if stored is not None and stored.dispatcher_id == uid:
        return _completed(stored)
    photos = require_own_uploads(deps.files, uid, proof.completion_images, purpose=Purpose.COMPLETION_PHOTOS,
                                 field_name="completion_images", request_id=request_id)
    hashes = sorted({photo.md5_hash for photo in photos if photo.md5_hash})
    if proof.completion_video_url is not None:
        require_own_uploads(deps.files, uid, (proof.completion_video_url,), purpose=Purpose.COMPLETION_VIDEOS,
                            field_name="completion_video_url", request_id=request_id, described=VIDEO)

    def complete(uow: UnitOfWork) -> Completed:
        request = job_of(uow, request_id)
        if request.dispatcher_id != uid:
            raise NotFound(NOT_YOURS)
        require_usable_account(uow, uid)
        stored = uow.completions.get(request_id)
        if stored is not None:
            return _completed(stored)
        move = transition(request.status, RequestStatus.COMPLETED, RequestActor.DISPATCHER)
        require_current_technician(uow, uid)
        profile = uow.dispatcher_profiles.get(uid)
        distance = round(haversine_m(proof.lat, proof.lng, request.location_lat, request.location_lng), 1)
        mismatch = fraud.watch(uow, uid, PartyType.DISPATCHER, FraudAlertType.LOCATION_MISMATCH) \
            if distance > uow.settings.fraud.location_mismatch_m else None
        vehicle = vehicles.vehicle_of(uow, request)
        parts = van_stock.take_for_job(uow, uid, request_id, proof.parts_used) if proof.parts_used else []
        billing = merchant_orders.billing_of(uow, request)
        completion = uow.completions.create(JobCompletion(
            id=request_id, request_id=request_id, dispatcher_id=uid, client_id=request.client_id,
            completion_images=list(proof.completion_images), completion_video_url=proof.completion_video_url,
            completed_at=uow.now, started_at=request.started_at, completion_image_hashes=hashes,
            completion_location_lat=proof.lat, completion_location_lng=proof.lng,
            location_verified=distance <= uow.settings.arrival_radius_m, location_distance_meters=distance,
            auto_approve_at=uow.now + uow.settings.payments.hold, amount=request.final_price, parts_used=parts,
            created_date=uow.now))
        record_move(uow, request, move)
        if vehicle is not None:
            vehicles.record_service(uow, vehicle, request, completion, proof.odometer_km)
        if profile is not None:
            uow.dispatcher_profiles.save(evolve(profile, total_jobs=profile.total_jobs + 1, updated_date=uow.now))
        if billing is not None:
            merchant_orders.bill(uow, billing)
        else:
            charges.ask_for_capture(uow, request_id)
        if mismatch is not None:
            fraud.record(uow, mismatch, request_id=request_id, details={
                "distance_m": distance, "completion_lat": proof.lat, "completion_lng": proof.lng})
        return _completed(completion)

    return work.transaction(deps, complete, lost_race=JOB_CHANGED)


def _approve(uow: UnitOfWork, completion: JobCompletion, loaded: Loaded, reason: str, actor: Actor,
             **fields: object) -> None:
    """Approve a completion: its money is released in the same commit unless a dispute holds it."""
    if completion.payment_status is PaymentStatus.PENDING_REVIEW:
        uow.completions.move(completion, PaymentStatus.COMPLETED, actor, payment_release_time=uow.now, **fields)
        charges.request_release(uow, loaded, reason)
    else:
        uow.completions.save(evolve(completion, **fields))


def review_dispatcher(deps: Deps, uid: str, request_id: str, rating: int, comment: str | None) -> Reviewed:
    """The client rates the technician after a completed job; the review is applied tomorrow, and it
    approves the completion, which releases the held payment at once. One review per job."""
    verdict = reviews.moderate(deps, comment)

    def review(uow: UnitOfWork) -> Reviewed:
        request = uow.requests.get(request_id)
        if request is None or request.client_id != uid:
            raise NotFound(NOT_YOURS)
        require_usable_account(uow, uid)
        stored = uow.reviews.get(request_id)
        if stored is not None:
            return Reviewed(stored.id, stored.apply_date)
        completion = uow.completions.get(request_id)
        if completion is None:
            raise WrongState("You can review the technician once the job is completed.")
        loaded = load(uow, request_id)
        written = uow.reviews.create(reviews.public_comment(uow, Review(
            id=request_id, request_id=request_id, reviewer_id=uid, reviewee_id=completion.dispatcher_id,
            reviewer_type=ReviewerType.CLIENT, rating=rating, comment=comment or None,
            apply_date=apply_date(uow.now, uow.settings.default_time_zone),
            created_date=uow.now), comment or None, verdict))
        _approve(uow, completion, loaded, "client_review", Actor.CLIENT, client_reviewed=True,
                 client_reviewed_at=uow.now)
        return Reviewed(written.id, written.apply_date)

    return work.transaction(deps, review, lost_race=JOB_CHANGED)


def auto_approve_completions(deps: Deps, *, limit: int = 500) -> list[str]:
    """The hourly job: completions whose hold period passed without a review or a dispute are approved and
    their money released. Returns the approved request ids."""
    due = work.reading(deps, lambda uow: uow.completions.find(
        queries.COMPLETIONS_DUE_FOR_APPROVAL, payment_status=PaymentStatus.PENDING_REVIEW, due_by=uow.now,
        limit=limit))
    return [completion.id for completion in due if _auto_approve(deps, completion.id)]


def _auto_approve(deps: Deps, request_id: str) -> bool:
    def approve(uow: UnitOfWork) -> bool:
        completion = uow.completions.get(request_id)
        if completion is None or completion.payment_status is not PaymentStatus.PENDING_REVIEW \
                or completion.auto_approve_at > uow.now:
            return False
        _approve(uow, completion, load(uow, request_id), "auto_approved", Actor.SYSTEM, auto_approved=True)
        return True

    return work.transaction(deps, approve, lost_race="The completion changed at the same moment.")


def hold_for_dispute(uow: UnitOfWork, loaded: Loaded, completion: JobCompletion | None, actor: Actor) -> None:
    """In the dispute's commit: the completed job's payment is held indefinitely (spec section 8) — the
    review window's auto-approval and any release stop until an admin decides."""
    if completion is not None and completion.payment_status is not PaymentStatus.DISPUTED:
        uow.completions.move(completion, PaymentStatus.DISPUTED, actor)
    charges.hold_for_dispute(uow, loaded)


def settle_dispute(uow: UnitOfWork, loaded: Loaded, completion: JobCompletion | None, *, refund_minor: int,
                   key: str) -> None:
    """In the resolution's commit: refund `refund_minor` (once per `key`), and release the rest to the technician
    — both run after the commit through the outbox, the transfer once the refund is recorded."""
    if refund_minor > 0:
        refunds.reserve(uow, loaded, refund_minor, key)
    if completion is not None and completion.payment_status is PaymentStatus.DISPUTED:
        uow.completions.move(completion, PaymentStatus.COMPLETED, Actor.ADMIN, payment_release_time=uow.now)
    charges.release_after_dispute(uow, loaded)
