"""Auto-dispatch for technicians: answering offers, the available-jobs feed, taking a job from it, and the
background work that keeps offers moving (the countdown task, the retry sweep)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from firebase_functions import https_fn, logger, scheduler_fn, tasks_fn
from firebase_functions.options import RateLimits, RetryConfig
from pydantic import Field, ValidationError, model_validator

from curbside import config, deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId, Latitude, Longitude
from curbside.services import jobs_feed, offers, surge_windows


class OfferPayload(Payload):
    offer_id: DocId


class RejectOfferPayload(OfferPayload):
    reason: Annotated[str, Field(max_length=300)] | None = None


class AcceptJobPayload(Payload):
    request_id: DocId


class ListAvailableJobsPayload(Payload):
    lat: Latitude | None = None
    """Optional: a point to narrow the list to (jobs are always near the caller's own reported position)."""
    lng: Longitude | None = None
    tab: Literal["priority", "scheduled", "highest_pay", "most_recent"] = "priority"
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.lat is None) != (self.lng is None):
            raise ValueError("lat and lng: send both or neither")
        return self

    def near(self) -> tuple[float, float] | None:
        return (self.lat, self.lng) if self.lat is not None and self.lng is not None else None


@on_call(secrets=config.secrets(config.ROUTES_API_KEY))  # the arrival estimate (D43)
def accept_offer(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, OfferPayload, lambda caller, p: offers.accept_offer(deps.get(), caller.uid, p.offer_id))


@on_call()
def reject_offer(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RejectOfferPayload, lambda caller, p: offers.reject_offer(
        deps.get(), caller.uid, p.offer_id, p.reason))


@on_call(secrets=config.secrets(config.ROUTES_API_KEY))
def accept_job(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, AcceptJobPayload, lambda caller, p: offers.accept_job(deps.get(), caller.uid,
                                                                                   p.request_id))


@on_call()
def list_available_jobs(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ListAvailableJobsPayload, lambda caller, p: jobs_feed.list_available_jobs(
        deps.get(), caller.uid, tab=jobs_feed.FeedTab(p.tab), limit=p.limit, near=p.near()))


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


class SurgeWindowPayload(Payload):
    region: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[0-9b-hjkmnp-z]+(:[01]+)?$")]
    """The region's search-cell token (`dispatch_policy.region_of`)."""
    window: Annotated[int, Field(strict=True, ge=0)]


@tasks_fn.on_task_dispatched(retry_config=RetryConfig(max_attempts=5, min_backoff_seconds=5),
                             rate_limits=RateLimits(max_concurrent_dispatches=50))
def match_surge_window(req: https_fn.CallableRequest[Any]) -> None:
    """A region's surge window closed: its waiting jobs are matched and offered together. A malformed task is
    dropped; a transient failure raises, so Cloud Tasks retries — a second run offers nothing twice."""
    try:
        payload = SurgeWindowPayload.model_validate(req.data)
    except ValidationError:
        logger.warn("surge.window_dropped", reason="malformed payload")
        return
    outcome = surge_windows.match_window(deps.get(), payload.region)
    logger.info("surge.window_matched", region=payload.region, window=payload.window, jobs=outcome.jobs,
                offered=len(outcome.offered), reads=outcome.reads)


@scheduler_fn.on_schedule(schedule="every 2 minutes")
def retry_dispatch(event: scheduler_fn.ScheduledEvent) -> None:
    """Pending jobs nobody holds an offer for (everyone declined, a countdown task was lost) are offered again."""
    offered = offers.retry_dispatch(deps.get())
    logger.info("dispatch.retried", count=len(offered), request_ids=offered[:50])
