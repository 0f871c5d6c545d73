"""The admins' side of verification (spec screen "Dispatcher Verification Review"): the queue of technicians
waiting for a decision, one technician's file with their documents as short-lived signed links, and the
decision on one step.

Only admins (the `admin: true` custom claim) get here; the entry points pass the verified claim in. A decision
is one transaction through `services.verification.decide_step`: the step moves through its lifecycle table
as the admin, the rejection reason goes on the profile (the technician reads it), the notes into the private
part (admins only), and everything derived follows in the same commit — verified technicians become
searchable, a revoked one leaves dispatch and loses their pending offers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from curbside.deps import Deps
from curbside.domain.enums import StepStatus, VerificationStatus, VerificationStep
from curbside.domain.errors import NotAllowed, NotFound, WrongState
from curbside.domain.lifecycle import Actor
from curbside.domain.verification import STEP_FIELDS, insurance_lapsed, local_today, step_status
from curbside.services import work
from curbside.services.verification import CHANGED, decide_step, hand_on, open_file
from curbside.store import queries
from curbside.store.collections import Collection
from curbside.store.uow import UnitOfWork

ONLY_ADMINS = "Only admins review verifications."
REVIEW_VERIFICATION = "review_verification"
"""The audit trail's name for the action."""
NO_TECHNICIAN = "There is no technician with that id."
LINK_LIFETIME = dt.timedelta(minutes=15)
"""How long a document link works: long enough to look at a file, short enough that a copied link dies."""
QUEUE_SIZE = 50
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def require_admin(is_admin: bool) -> None:
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)


@dataclass(frozen=True)
class Reviewed:
    verification_status: VerificationStatus
    step_status: StepStatus


def review_step(deps: Deps, *, admin_uid: str, is_admin: bool, dispatcher_id: str, step: VerificationStep,
                decision: StepStatus, notes: str | None = None, rejection_reason: str | None = None) -> Reviewed:
    """An admin approves or rejects one step (rejecting an approved one withdraws it). Approving a vehicle
    needs insurance that still covers today; approving a background check needs the provider's finished
    report (a `consider` verdict is the admin's to weigh; a pending one is not yet anything)."""
    require_admin(is_admin)
    today = local_today(deps.clock.now(), deps.settings.default_time_zone)

    def decide(uow: UnitOfWork) -> tuple[Reviewed, tuple[str, ...]]:
        file = open_file(uow, dispatcher_id)
        if file is None:
            raise NotFound(NO_TECHNICIAN)
        current = step_status(file.profile, step)
        if current is decision:
            raise WrongState(f"The {step.value} step is already {decision.value}.")
        if decision is StepStatus.APPROVED:
            if step is VerificationStep.VEHICLE and insurance_lapsed(file.profile.vehicle_insurance_expiry, today):
                raise WrongState("The vehicle's insurance has expired; reject the step so the technician uploads "
                                 "current insurance.")
            if step is VerificationStep.BACKGROUND_CHECK and file.private.background_check_report_status != "complete":
                raise WrongState("The background-check provider has not finished its report yet "
                                 f"(status: {file.private.background_check_report_status or 'not started'}).")
        decided = decide_step(uow, file, step, decision, Actor.ADMIN, reviewed_by=admin_uid, notes=notes,
                              rejection_reason=rejection_reason if decision is StepStatus.REJECTED else None)
        uow.audit.record(actor_id=admin_uid, action=REVIEW_VERIFICATION, target=Collection.DISPATCHER_PROFILES,
                         target_id=dispatcher_id, before={step.value: current.value},
                         after={step.value: decision.value}, reason=rejection_reason or notes)
        return Reviewed(decided.verification_status, decision), decided.withdrawn

    reviewed, withdrawn = work.transaction(deps, decide, lost_race=CHANGED)
    hand_on(deps, withdrawn)
    return reviewed


# --- the read model -----------------------------------------------------------------------------------------------


def _steps(profile: Any) -> dict[str, str]:
    return {step.value: step_status(profile, step).value for step in VerificationStep}


def review_queue(deps: Deps, *, is_admin: bool, limit: int = QUEUE_SIZE) -> dict[str, Any]:
    """Technicians with a step waiting for an admin, oldest submission first, and how many wait in all."""
    require_admin(is_admin)

    def look(uow: UnitOfWork) -> dict[str, Any]:
        waiting = uow.dispatcher_profiles.find(queries.TECHNICIANS_AWAITING_REVIEW, since=EPOCH, limit=limit)
        total = uow.dispatcher_profiles.count(queries.TECHNICIANS_AWAITING_REVIEW, since=EPOCH)
        users = {profile.user_id: uow.users.get(profile.user_id) for profile in waiting}
        return {"technicians": [{
            "dispatcher_id": profile.user_id,
            "full_name": (user.full_name or user.display_name) if (user := users[profile.user_id]) else None,
            "awaiting_review_since": profile.awaiting_review_since,
            "verification_status": profile.verification_status,
            "steps": _steps(profile),
        } for profile in waiting], "waiting": total}

    return work.reading(deps, look)


def verification_file(deps: Deps, *, is_admin: bool, dispatcher_id: str) -> dict[str, Any]:
    """One technician's verification for review: the steps, what they entered, the provider's report, the
    last decisions and notes, and every document as a link that works for `LINK_LIFETIME`."""
    require_admin(is_admin)

    def look(uow: UnitOfWork) -> tuple[Any, Any, Any]:
        profile = uow.dispatcher_profiles.get(dispatcher_id)
        if profile is None:
            raise NotFound(NO_TECHNICIAN)
        return profile, uow.dispatcher_private.get_or_default(dispatcher_id), uow.users.get(dispatcher_id)

    profile, private, user = work.reading(deps, look)
    documents = {
        "identity_document_front": private.passport_image_url,
        "identity_document_back": private.identity_document_back_url,
        "drivers_license": private.drivers_license_url,
        "vehicle_registration": private.vehicle_registration_url,
        "vehicle_insurance": private.vehicle_insurance_url,
        **{f"vehicle_photo_{side}": path for side, path in zip(("front", "back", "left", "right"),
                                                                profile.vehicle_images, strict=False)},
    }
    expires_at = deps.clock.now() + LINK_LIFETIME
    return {
        "dispatcher_id": dispatcher_id,
        "full_name": (user.full_name or user.display_name) if user else None,
        "email": user.email if user else None,
        "verification_status": profile.verification_status,
        "steps": {step.value: {
            "status": step_status(profile, step),
            "submitted_at": getattr(profile, STEP_FIELDS[step].submitted_at),
            "rejection_reason": getattr(profile, STEP_FIELDS[step].rejection_reason),
            "last_review": review.model_dump() if (review := private.step_reviews.get(step.value)) else None,
        } for step in VerificationStep},
        "identity_document_type": private.identity_document_type,
        "vehicle": {"make_model": profile.vehicle_make_model, "year": profile.vehicle_year,
                    "color": profile.vehicle_color, "license_plate": profile.vehicle_license_plate,
                    "insurance_expiry": profile.vehicle_insurance_expiry},
        "background_check": {"consent": profile.background_check_consent,
                             "consent_date": profile.background_check_consent_date,
                             "report_id": private.background_check_report_id,
                             "report_status": private.background_check_report_status,
                             "result": private.background_check_result},
        "verification_notes": private.verification_notes,
        "documents": [{"name": name, "path": path, "url": deps.files.signed_url(path, LINK_LIFETIME),
                       "expires_at": expires_at} for name, path in documents.items() if path],
    }
