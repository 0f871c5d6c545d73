"""Technician verification (spec section 11): the technician's three steps, the admins' review and read model,
the background-check provider's webhook, and the daily insurance check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Self

from firebase_functions import https_fn, logger, scheduler_fn
from flask import Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from curbside import config, deps
from curbside.domain.enums import IdentityDocumentType, StepStatus, VerificationStep
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId, StoragePath
from curbside.entrypoints.webhooks import over_limit
from curbside.gateways.background_checks import SIGNATURE_HEADER, WebhookRejected
from curbside.services import verification, verification_checks, verification_expiry, verification_review

Text = Annotated[str, Field(min_length=2, max_length=100)]
STEP_FIELDS: dict[str, frozenset[str]] = {
    "identity": frozenset({"identity_document_type", "identity_document_front", "identity_document_back",
                           "drivers_license"}),
    "vehicle": frozenset({"vehicle_make_model", "vehicle_year", "vehicle_color", "vehicle_license_plate",
                          "vehicle_registration", "vehicle_insurance", "vehicle_insurance_expiry",
                          "vehicle_photos"}),
    "background_check": frozenset({"background_check_consent"}),
}
OPTIONAL = frozenset({"identity_document_back"})
"""A passport has no back to photograph; a national ID's back is required (checked below)."""


class VehiclePhotos(BaseModel):
    """The four sides, each a path under the caller's `vehicle_photos/`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    front: StoragePath
    back: StoragePath
    left: StoragePath
    right: StoragePath


class SubmitVerificationStepPayload(Payload):
    """One step's fields (and only that step's): see docs/api.md."""

    step: Literal["identity", "vehicle", "background_check"]
    identity_document_type: Literal["passport", "national_id"] | None = None
    identity_document_front: StoragePath | None = None
    identity_document_back: StoragePath | None = None
    drivers_license: StoragePath | None = None
    vehicle_make_model: Text | None = None
    vehicle_year: StrictInt | None = None
    vehicle_color: Annotated[str, Field(min_length=2, max_length=40)] | None = None
    vehicle_license_plate: Annotated[str, Field(min_length=2, max_length=20)] | None = None
    vehicle_registration: StoragePath | None = None
    vehicle_insurance: StoragePath | None = None
    vehicle_insurance_expiry: dt.date | None = None
    vehicle_photos: VehiclePhotos | None = None
    background_check_consent: StrictBool | None = None

    @model_validator(mode="after")
    def _fields_of_the_step(self) -> Self:
        given = {name for name in self.model_fields_set if name != "step" and getattr(self, name) is not None}
        foreign = sorted(given - STEP_FIELDS[self.step])
        if foreign:
            raise ValueError(f"{', '.join(foreign)} belong to another step than {self.step}")
        missing = sorted(STEP_FIELDS[self.step] - OPTIONAL - given)
        if missing:
            raise ValueError(f"the {self.step} step needs {', '.join(missing)}")
        if self.identity_document_type == "national_id" and self.identity_document_back is None:
            raise ValueError("a national ID needs identity_document_back (a photo of its back)")
        if self.step == "background_check" and self.background_check_consent is not True:
            raise ValueError("background_check_consent: the background check runs only with your consent (true)")
        return self

    def submission(self) -> verification.Submission:
        if self.step == "identity":
            assert self.identity_document_type and self.identity_document_front and self.drivers_license
            return verification.IdentitySubmission(IdentityDocumentType(self.identity_document_type),
                                                   self.identity_document_front, self.identity_document_back,
                                                   self.drivers_license)
        if self.step == "vehicle":
            assert (self.vehicle_make_model and self.vehicle_year is not None and self.vehicle_color
                    and self.vehicle_license_plate and self.vehicle_registration and self.vehicle_insurance
                    and self.vehicle_insurance_expiry and self.vehicle_photos)
            photos = self.vehicle_photos
            return verification.VehicleSubmission(
                self.vehicle_make_model, self.vehicle_year, self.vehicle_color, self.vehicle_license_plate,
                self.vehicle_registration, self.vehicle_insurance, self.vehicle_insurance_expiry,
                (photos.front, photos.back, photos.left, photos.right))
        return verification.BackgroundCheckSubmission(consent=True)


@on_call(secrets=config.secrets(config.BACKGROUND_CHECK_API_KEY))
def submit_verification_step(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SubmitVerificationStepPayload, lambda caller, p: verification.submit_verification_step(
        deps.get(), caller.uid, p.submission()))


class ReviewVerificationPayload(Payload):
    dispatcher_id: DocId
    step: Literal["identity", "vehicle", "background_check"]
    decision: Literal["approved", "rejected"]
    rejection_reason: Annotated[str, Field(min_length=5, max_length=500)] | None = None
    """Shown to the technician; required to reject."""
    notes: Annotated[str, Field(max_length=2000)] | None = None
    """Admins only (`verification_notes`)."""

    @model_validator(mode="after")
    def _reason_to_reject(self) -> Self:
        if self.decision == "rejected" and self.rejection_reason is None:
            raise ValueError("rejection_reason: tell the technician what to correct")
        if self.decision == "approved" and self.rejection_reason is not None:
            raise ValueError("rejection_reason is only for a rejection")
        return self


@on_call()
def admin_review_verification(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ReviewVerificationPayload, lambda caller, p: verification_review.review_step(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, dispatcher_id=p.dispatcher_id,
        step=VerificationStep(p.step), decision=StepStatus(p.decision), notes=p.notes,
        rejection_reason=p.rejection_reason), fresh_sign_in=True)


class VerificationQueuePayload(Payload):
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] = verification_review.QUEUE_SIZE


@on_call()
def admin_list_verification_queue(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, VerificationQueuePayload, lambda caller, p: verification_review.review_queue(
        deps.get(), is_admin=caller.is_admin, limit=p.limit))


class VerificationFilePayload(Payload):
    dispatcher_id: DocId


@on_call()
def admin_get_verification(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, VerificationFilePayload, lambda caller, p: verification_review.verification_file(
        deps.get(), is_admin=caller.is_admin, dispatcher_id=p.dispatcher_id))


@https_fn.on_request(secrets=config.secrets(config.BACKGROUND_CHECK_WEBHOOK_SECRET, config.BACKGROUND_CHECK_API_KEY))
def background_check_webhook(req: Request) -> Response:
    """400 for anything not signed by the provider, or malformed (nothing written); 200 once applied, replayed
    or ignored; 429 when one address sends too many;
    503 for an event that came before its report was recorded, and 500 when applying failed — the provider
    delivers both again later."""
    if req.method != "POST":
        return Response("method not allowed", status=405)
    current = deps.get()
    if (limited := over_limit(current, "background_check", req)) is not None:
        return limited
    try:
        event = current.background_checks.verify_webhook(req.get_data(), req.headers.get(SIGNATURE_HEADER))
    except WebhookRejected as exc:
        logger.warn("background_check.webhook_rejected", reason=str(exc))
        return Response("invalid signature", status=400)
    try:
        outcome = verification_checks.process_event(current, event)
    except verification_checks.NotRecordedYet:
        return Response("report not recorded yet; deliver again later", status=503, headers={"Retry-After": "5"})
    except (KeyError, TypeError, ValueError) as exc:  # signed but not an event we can read: do not resend
        logger.warn("background_check.event_malformed", event_id=event.get("id"), error=type(exc).__name__)
        return Response("malformed event", status=400)
    except Exception as exc:  # any failure must become a 5xx so the provider delivers again
        logger.error("background_check.event_failed", event_id=event.get("id"), error=type(exc).__name__)
        return Response("processing failed", status=500)
    return Response(outcome, status=200)


@scheduler_fn.on_schedule(schedule="every day 00:15")
def check_insurance_expiry(event: scheduler_fn.ScheduledEvent) -> None:
    """Approved vehicles whose insurance ended before today lose their approval (safe to run twice)."""
    revoked = verification_expiry.revoke_lapsed_insurance(deps.get())
    logger.info("verification.insurance_checked", revoked=len(revoked), dispatcher_ids=revoked[:50])
