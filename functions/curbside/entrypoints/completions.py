"""Finishing a job: the technician's completion, the client's review, and the hourly auto-approval that
releases held payments (services/completions.py)."""

from __future__ import annotations

from typing import Annotated, Any

from firebase_functions import https_fn, logger, scheduler_fn
from pydantic import Field, StrictInt, field_validator

from curbside import config, deps
from curbside.domain.van_stock import SKU_PATTERN
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId, Latitude, Longitude, StoragePath
from curbside.services import completions

MIN_COMPLETION_PHOTOS = 4
"""Front, back, left and right (spec: Complete Job screen)."""


class PartUsedPayload(Payload):
    sku: Annotated[str, Field(pattern=SKU_PATTERN)]
    quantity: Annotated[StrictInt, Field(ge=1, le=100)]


class CompleteJobPayload(Payload):
    request_id: DocId
    completion_images: Annotated[list[StoragePath], Field(min_length=MIN_COMPLETION_PHOTOS, max_length=12)]
    completion_video_url: StoragePath | None = None
    lat: Latitude
    lng: Longitude
    parts_used: Annotated[list[PartUsedPayload], Field(default_factory=list, max_length=20)]
    odometer_km: Annotated[StrictInt, Field(ge=0, le=3_000_000)] | None = None

    @field_validator("completion_images")
    @classmethod
    def _distinct(cls, paths: list[str]) -> list[str]:
        if len(set(paths)) != len(paths):
            raise ValueError("the same photo is listed twice; take front, back, left and right")
        return paths

    def proof(self) -> completions.Proof:
        return completions.Proof(tuple(self.completion_images), self.completion_video_url, self.lat, self.lng,
                                 tuple((part.sku, part.quantity) for part in self.parts_used), self.odometer_km)


@on_call(secrets=config.secrets(config.STRIPE_SECRET_KEY))
def complete_job(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CompleteJobPayload, lambda caller, p: completions.complete_job(
        deps.get(), caller.uid, p.request_id, p.proof()), fresh_sign_in=True)


class ReviewDispatcherPayload(Payload):
    request_id: DocId
    rating: Annotated[StrictInt, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=1000)] | None = None


@on_call(secrets=config.secrets(config.STRIPE_SECRET_KEY, config.OPENAI_API_KEY))
def review_dispatcher(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ReviewDispatcherPayload, lambda caller, p: completions.review_dispatcher(
        deps.get(), caller.uid, p.request_id, p.rating, p.comment), fresh_sign_in=True)


@scheduler_fn.on_schedule(schedule="every 1 hours", secrets=config.secrets(config.STRIPE_SECRET_KEY))
def auto_approve_completions(event: scheduler_fn.ScheduledEvent) -> None:
    """Completions 48 hours old without a review or dispute are approved and their payment released."""
    approved = completions.auto_approve_completions(deps.get())
    logger.info("completions.auto_approved", count=len(approved), request_ids=approved[:50])
