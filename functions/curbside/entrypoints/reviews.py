"""Reviews (services/reviews.py): the technician's review of the client, and the daily job that applies the
due reviews of both sides at midnight in the platform's time zone."""

from __future__ import annotations

from typing import Annotated, Any

from firebase_functions import https_fn, logger, scheduler_fn
from pydantic import Field, StrictInt

from curbside import config, deps
from curbside.domain.enums import ReviewCategory
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId
from curbside.services import reviews


class ReviewClientPayload(Payload):
    request_id: DocId
    rating: Annotated[StrictInt, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=1000)] | None = None
    service_categories: Annotated[tuple[ReviewCategory, ...], Field(max_length=len(ReviewCategory))] = ()


@on_call(secrets=config.secrets(config.OPENAI_API_KEY))
def review_client(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ReviewClientPayload, lambda caller, p: reviews.review_client(
        deps.get(), caller.uid, p.request_id, p.rating, p.comment, categories=p.service_categories))


@scheduler_fn.on_schedule(schedule="every day 00:00", timezone=config.DEFAULT_TIME_ZONE, timeout_sec=1800)
def apply_pending_reviews(event: scheduler_fn.ScheduledEvent) -> None:
    """Reviews whose apply date has come count on the reviewee's profile (those of a disputed job wait)."""
    run = reviews.apply_pending_reviews(deps.get())
    logger.info("reviews.applied", applied=run.applied, waiting=run.waiting)
