"""Auto-dispatch for technicians: answering offers, the available-jobs feed, taking a job from it, and the
background work that keeps offers moving (the countdown task, the retry sweep)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from firebase_functions import https_fn, logger, scheduler_fn, tasks_fn
from firebase_functions.options import RateLimits, RetryConfig
from pydantic import Field, ValidationError

from curbside import deps
from curbside.entrypoints.protocol import Payload, run_callable
from curbside.entrypoints.requests import DocId, Latitude, Longitude
from curbside.services import jobs_feed, offers


class OfferPayload(Payload):
    offer_id: DocId


class RejectOfferPayload(OfferPayload):
    reason: Annotated[str, Field(max_length=300)] | None = None


class AcceptJobPayload(Payload):
    request_id: DocId


class ListAvailableJobsPayload(Payload):
    lat: Latitude
    lng: Longitude
    tab: Literal["priority", "scheduled", "highest_pay", "most_recent"] = "priority"
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] | None = None


@https_fn.on_call()
def accept_offer(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, OfferPayload, lambda caller, p: offers.accept_offer(deps.get(), caller.uid, p.offer_id))


@https_fn.on_call()
def reject_offer(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RejectOfferPayload, lambda caller, p: offers.reject_offer(
        deps.get(), caller.uid, p.offer_id, p.reason))


@https_fn.on_call()
def accept_job(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, AcceptJobPayload, lambda caller, p: offers.accept_job(deps.get(), caller.uid,
                                                                                   p.request_id))


@https_fn.on_call()
def list_available_jobs(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ListAvailableJobsPayload, lambda caller, p: jobs_feed.list_available_jobs(
        deps.get(), caller.uid, lat=p.lat, lng=p.lng, tab=jobs_feed.FeedTab(p.tab), limit=p.limit))


@tasks_fn.on_task_dispatched(retry_config=RetryConfig(max_attempts=5, min_backoff_seconds=5),
                             rate_limits=RateLimits(max_concurrent_dispatches=50))
def expire_offer(req: https_fn.CallableRequest[Any]) -> None:
    """An offer's countdown ran out. A malformed task is dropped (retrying cannot fix it); a transient failure
    raises, so Cloud Tasks retries — expiring twice changes nothing."""
    try:
        payload = OfferPayload.model_validate(req.data)
    except ValidationError:
        logger.warn("offer.expire_dropped", reason="malformed payload")
        return
    outcome = offers.expire_offer(deps.get(), payload.offer_id)
    logger.info("offer.expire_handled", offer_id=payload.offer_id, outcome=outcome)


@scheduler_fn.on_schedule(schedule="every 2 minutes")
def retry_dispatch(event: scheduler_fn.ScheduledEvent) -> None:
    """Pending jobs nobody holds an offer for (everyone declined, a countdown task was lost) are offered again."""
    offered = offers.retry_dispatch(deps.get())
    logger.info("dispatch.retried", count=len(offered), request_ids=offered[:50])
