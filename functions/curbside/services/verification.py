"""A technician's verification (spec section 11): submitting a step, and the commit every decision on a step
shares (an admin's review, the background-check provider's verdict, the daily insurance check).

A submission is checked before anything is written: its fields (vehicle year, plate, insurance expiry), the
caller (a technician with a usable account), the step's state (pending, or rejected and being corrected — never
approved or already under review), and every document (a file the caller uploaded to their own
`verification_documents/` — vehicle photos to `vehicle_photos/` — whose bytes are an image or a PDF within the
size limit). Then one transaction moves the step to `under_review` through its lifecycle table and records
the documents (their paths in the private part, which only admins read). Consenting to the background check
also records the provider call in the outbox (`services.verification_checks`).

Every status the profile shows beyond the three steps is derived (`domain.verification.settled`) in the same
commit. When that commit ends a technician's verification, their dispatch-index entry loses its cells in it
(`store.derived`), their pending offers are withdrawn in it and each job is offered to the next technician
right after, and they are told why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.documents import DispatcherProfile, DispatcherProfilePrivate, JobOffer, StepReview
from curbside.domain.enums import (
    IdentityDocumentType,
    NotificationType,
    OfferStatus,
    StepStatus,
    VerificationStatus,
    VerificationStep,
)
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.lifecycle import Actor
from curbside.domain.lifecycles import BACKGROUND_CHECK_STEP, IDENTITY_STEP, VEHICLE_STEP
from curbside.domain.texts import Text, t
from curbside.domain.uploads import Purpose
from curbside.domain.verification import (
    STEP_FIELDS,
    check_insurance_expiry,
    check_vehicle_year,
    local_today,
    normalised_plate,
    settled,
    step_status,
)
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.dispatch_queue import closed_details, offer_next
from curbside.services.notifications import notify
from curbside.services.uploads import PHOTO, require_own_uploads
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

LIFECYCLES = {VerificationStep.IDENTITY: IDENTITY_STEP, VerificationStep.VEHICLE: VEHICLE_STEP,
              VerificationStep.BACKGROUND_CHECK: BACKGROUND_CHECK_STEP}
DOCUMENT = ("document", "a JPEG, PNG, WebP or HEIC image or a PDF of at most 10 MB")
START_BACKGROUND_CHECK = "background_check"
"""The outbox kind of the provider call (`services.verification_checks` handles it)."""
CHANGED = "Your verification was changing at the same moment; try again."
NOT_A_TECHNICIAN = "Only technicians are verified: choose 'dispatcher' (or 'both') as your user type first."
SCREEN = "verification_status"


@dataclass(frozen=True)
class IdentitySubmission:
    document_type: IdentityDocumentType
    front: str
    back: str | None
    drivers_license: str


@dataclass(frozen=True)
class VehicleSubmission:
    make_model: str
    year: int
    color: str
    plate: str
    registration: str
    insurance: str
    insurance_expiry: dt.date
    photos: tuple[str, str, str, str]
    """Front, back, left, right."""


@dataclass(frozen=True)
class BackgroundCheckSubmission:
    consent: bool


Submission = IdentitySubmission | VehicleSubmission | BackgroundCheckSubmission


@dataclass(frozen=True)
class StepSubmitted:
    verification_status: VerificationStatus
    step_status: StepStatus


def step_of(submission: Submission) -> VerificationStep:
    if isinstance(submission, IdentitySubmission):
        return VerificationStep.IDENTITY
    if isinstance(submission, VehicleSubmission):
        return VerificationStep.VEHICLE
    return VerificationStep.BACKGROUND_CHECK


def submit_verification_step(deps: Deps, uid: str, submission: Submission) -> StepSubmitted:
    """Submit (or, after a rejection, resubmit) one step; see the module docstring for what is checked."""
    step = step_of(submission)
    today = local_today(deps.clock.now(), deps.settings.default_time_zone)
    vehicle: dict[str, object] = {}
    if isinstance(submission, VehicleSubmission):
        vehicle = {"vehicle_year": check_vehicle_year(submission.year, today),
                   "vehicle_license_plate": normalised_plate(submission.plate),
                   "vehicle_insurance_expiry": check_insurance_expiry(submission.insurance_expiry, today)}
    work.reading(deps, lambda uow: _submittable(uow, uid, step))  # fail fast, before reading any file
    _check_documents(deps, uid, submission)

    def submit(uow: UnitOfWork) -> StepSubmitted:
        profile, private = _submittable(uow, uid, step)
        LIFECYCLES[step].check(step_status(profile, step), StepStatus.UNDER_REVIEW, Actor.DISPATCHER)
        user = uow.users.get(uid)
        fields = STEP_FIELDS[step]
        changes: dict[str, object] = {fields.status: StepStatus.UNDER_REVIEW, fields.submitted_at: uow.now,
                                      fields.rejection_reason: None, "verification_submitted_date": uow.now,
                                      "updated_date": uow.now}
        if isinstance(submission, IdentitySubmission):
            private = evolve(private, identity_document_type=submission.document_type,
                             passport_image_url=submission.front, identity_document_back_url=submission.back,
                             drivers_license_url=submission.drivers_license)
        elif isinstance(submission, VehicleSubmission):
            changes |= vehicle | {"vehicle_make_model": submission.make_model, "vehicle_color": submission.color,
                                  "vehicle_images": list(submission.photos)}
            private = evolve(private, vehicle_registration_url=submission.registration,
                             vehicle_insurance_url=submission.insurance)
        else:
            changes |= {"background_check_consent": True, "background_check_consent_date": uow.now}
            attempt = private.background_check_attempts + 1
            private = evolve(private, background_check_attempts=attempt, background_check_report_id=None,
                             background_check_report_status=None, background_check_result=None,
                             background_check_event_created=None)
            uow.outbox.add(START_BACKGROUND_CHECK, f"{uid}:{attempt}", uid=uid, attempt=attempt,
                           email=user.email if user else None,
                           full_name=(user.full_name or user.display_name) if user else None)
        stored = _store(uow, evolve(profile, **changes), private)
        return StepSubmitted(stored.verification_status, StepStatus.UNDER_REVIEW)

    return work.transaction(deps, submit, lost_race=CHANGED)


def _submittable(uow: UnitOfWork, uid: str, step: VerificationStep
                 ) -> tuple[DispatcherProfile, DispatcherProfilePrivate]:
    """The caller's profile and private part, if they may submit this step now."""
    require_usable_account(uow, uid)
    profile = uow.dispatcher_profiles.get(uid)
    if profile is None:
        raise NotAllowed(NOT_A_TECHNICIAN)
    title = STEP_FIELDS[step].title.lower()
    current = step_status(profile, step)
    if current is StepStatus.APPROVED:
        raise WrongState(f"Your {title} step is approved and cannot be changed; contact support if something in "
                         "it changed.")
    if current is StepStatus.UNDER_REVIEW:
        raise WrongState(f"Your {title} step is being reviewed; you can submit it again if it is rejected.")
    return profile, uow.dispatcher_private.get_or_default(uid)


def _check_documents(deps: Deps, uid: str, submission: Submission) -> None:
    documents: dict[str, tuple[str, ...]] = {}
    if isinstance(submission, IdentitySubmission):
        documents = {"identity_document_front": (submission.front,),
                     "identity_document_back": (submission.back,) if submission.back else (),
                     "drivers_license": (submission.drivers_license,)}
    elif isinstance(submission, VehicleSubmission):
        documents = {"vehicle_registration": (submission.registration,),
                     "vehicle_insurance": (submission.insurance,)}
        require_own_uploads(deps.files, uid, submission.photos, purpose=Purpose.VEHICLE_PHOTOS,
                            field_name="vehicle_photos", described=PHOTO)
    for name, paths in documents.items():
        require_own_uploads(deps.files, uid, paths, purpose=Purpose.VERIFICATION_DOCUMENTS, field_name=name,
                            described=DOCUMENT)


# --- the commit every decision on a step shares ------------------------------------------------------------------


@dataclass(frozen=True)
class TechnicianFile:
    """What a decision on a technician's verification reads first."""

    uid: str
    profile: DispatcherProfile
    private: DispatcherProfilePrivate
    pending_offers: list[JobOffer]


def open_file(uow: UnitOfWork, uid: str) -> TechnicianFile | None:
    """The technician's profile, private part and pending offers (None: not a technician)."""
    profile = uow.dispatcher_profiles.get(uid)
    if profile is None:
        return None
    return TechnicianFile(uid, profile, uow.dispatcher_private.get_or_default(uid), uow.offers.find(
        queries.OFFERS_OF_TECHNICIAN_IN_STATE, dispatcher_id=uid, offer_status=OfferStatus.PENDING))


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    subject: str


@dataclass(frozen=True)
class Decided:
    verification_status: VerificationStatus
    withdrawn: tuple[str, ...] = ()
    """Jobs whose offer to this technician was withdrawn (to offer to the next one once committed)."""


def decide_step(uow: UnitOfWork, file: TechnicianFile, step: VerificationStep, decision: StepStatus, actor: Actor,
                *, reviewed_by: str, private: DispatcherProfilePrivate | None = None, notes: str | None = None,
                rejection_reason: str | None = None, why: str | None = None) -> Decided:
    """Approve or reject one step as `actor` (checked against its lifecycle table), record the review (an
    admin's `notes` also become `verification_notes`), and tell the technician; `private`: the private part
    with other changes already made (the provider's report)."""
    fields = STEP_FIELDS[step]
    LIFECYCLES[step].check(step_status(file.profile, step), decision, actor)
    base = private or file.private
    review = StepReview(decision=decision, reviewed_by=reviewed_by, reviewed_at=uow.now, notes=notes,
                        rejection_reason=rejection_reason)
    admin_notes = notes if notes is not None and actor is Actor.ADMIN else base.verification_notes
    private_now = evolve(base, step_reviews={**base.step_reviews, step.value: review}, verification_notes=admin_notes)
    profile = evolve(file.profile, **{fields.status: decision, fields.rejection_reason: rejection_reason,
                                      "updated_date": uow.now})
    submitted = getattr(file.profile, fields.submitted_at) or uow.now
    subject = f"{step.value}:{int(submitted.timestamp() * 1000)}:{why or decision.value}"
    return record(uow, file, profile, private_now, actor=actor, step=step, subject=subject)


def record(uow: UnitOfWork, file: TechnicianFile, profile: DispatcherProfile, private: DispatcherProfilePrivate, *,
           actor: Actor, step: VerificationStep, subject: str) -> Decided:
    """Stage the changed profile (derived fields settled) and private part; when verification ends, withdraw
    the pending offers; tell the technician what changed."""
    stored = _store(uow, profile, private)
    lost = (file.profile.verification_status is VerificationStatus.VERIFIED
            and stored.verification_status is not VerificationStatus.VERIFIED)
    withdrawn = withdraw_offers(uow, file.pending_offers, actor, reason="technician_not_verified") if lost else ()
    notice = _notice(file.profile, stored, step, lost=lost)
    if notice is not None:
        notify(uow, user_id=file.uid, kind=NotificationType.VERIFICATION_UPDATE, title=notice[0], body=notice[1],
               request_id=None, key=subject, data={"screen": SCREEN, "subject": subject})
    return Decided(stored.verification_status, withdrawn)


def _store(uow: UnitOfWork, profile: DispatcherProfile, private: DispatcherProfilePrivate) -> DispatcherProfile:
    stored = uow.dispatcher_profiles.save(settled(profile, private, uow.now))
    uow.dispatcher_private.save(profile.user_id, private)
    return stored


def withdraw_offers(uow: UnitOfWork, offers: Sequence[JobOffer], actor: Actor, *, reason: str | None
                    ) -> tuple[str, ...]:
    """Close a technician's pending offers (`expired`, the exact place removed) in this commit; returns their
    jobs, for `hand_on` once it landed. `reason`: the offer's `rejection_reason` (None reads as a job taken or
    cancelled, which is what a shadow-banned technician must see)."""
    for offer in offers:
        uow.offers.move(offer, OfferStatus.EXPIRED, actor, job_details=closed_details(offer.job_details),
                        rejection_reason=reason)
    return tuple(offer.request_id for offer in offers)


def _notice(before: DispatcherProfile, after: DispatcherProfile, step: VerificationStep, *,
            lost: bool) -> tuple[Text, Text] | None:
    fields = STEP_FIELDS[step]
    status = step_status(after, step)
    name = STEP_NAMES[step]
    if after.verification_status is VerificationStatus.VERIFIED and before.verification_status is not \
            VerificationStatus.VERIFIED:
        return t("You are verified"), t("All three steps are approved: go online to receive job offers.")
    if status is StepStatus.APPROVED:
        return t("{step} approved", step=name), t("Your {step} step is approved.", step=name)
    if status is StepStatus.REJECTED:
        reason = getattr(after, fields.rejection_reason)
        body = t("{reason} Correct it and submit the step again. You receive no job offers until it is approved "
                 "again.", reason=reason) if lost else t("{reason} Correct it and submit the step again.",
                                                         reason=reason)
        return t("{step} needs attention", step=name), body
    return None


STEP_NAMES = {VerificationStep.IDENTITY: t("Identity"), VerificationStep.VEHICLE: t("Vehicle"),
              VerificationStep.BACKGROUND_CHECK: t("Background check")}
"""The steps as a person reads them."""


def hand_on(deps: Deps, withdrawn: Iterable[str]) -> None:
    """Offer each job whose offer was withdrawn to the next technician (after the commit that withdrew it)."""
    for request_id in withdrawn:
        offer_next(deps, request_id)
