"""Disputes (spec section 10): raising one (the job's money held at once), the thread, an admin asking one
side for more, the admin's decision, and the hourly escalation (services/disputes.py,
services/dispute_resolution.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from firebase_functions import https_fn, logger, scheduler_fn
from pydantic import Field

from curbside import config, deps
from curbside.domain.enums import DisputeReason, PartyType, ResolutionAction
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId, RetryKey, StoragePath
from curbside.services import dispute_resolution, disputes

Evidence = Annotated[list[StoragePath], Field(max_length=10)]


class RaiseDisputePayload(Payload):
    request_id: DocId
    dispute_reason: DisputeReason
    description: Annotated[str, Field(min_length=10, max_length=4000)]
    evidence_urls: Evidence = Field(default_factory=list)
    """Paths under users/{your uid}/dispute_evidence/{request_id}/: photos or videos."""
    dispute_key: RetryKey | None = None
    """Made once per "Submit dispute" tap and sent again with every retry: the dispute is raised once."""


@on_call(secrets=config.secrets(config.STRIPE_SECRET_KEY))
def raise_dispute(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RaiseDisputePayload, lambda caller, p: disputes.raise_dispute(
        deps.get(), caller.uid, p.request_id, reason=p.dispute_reason, description=p.description,
        evidence_urls=tuple(p.evidence_urls), dispute_key=p.dispute_key), fresh_sign_in=True)


class DisputeCommentPayload(Payload):
    dispute_id: DocId
    comment: Annotated[str, Field(min_length=1, max_length=4000)]
    attachments: Evidence = Field(default_factory=list)
    is_internal: bool = False
    """Admins only: a note the parties never see."""


@on_call()
def add_dispute_comment(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DisputeCommentPayload, lambda caller, p: disputes.add_dispute_comment(
        deps.get(), caller.uid, is_admin=caller.is_admin, dispute_id=p.dispute_id, comment=p.comment,
        attachments=tuple(p.attachments), is_internal=p.is_internal))


class RequestDisputeInfoPayload(Payload):
    dispute_id: DocId
    from_: Literal["client", "dispatcher"] = Field(alias="from")
    message: Annotated[str, Field(min_length=5, max_length=4000)]


@on_call()
def admin_request_dispute_info(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RequestDisputeInfoPayload, lambda caller, p: disputes.admin_request_dispute_info(
        deps.get(), caller.uid, is_admin=caller.is_admin, dispute_id=p.dispute_id, party=PartyType(p.from_),
        message=p.message))


class ResolveDisputePayload(Payload):
    dispute_id: DocId
    resolution_action: ResolutionAction
    refund_amount: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] | None = None
    resolution_details: Annotated[str, Field(min_length=5, max_length=4000)]
    account_user_id: DocId | None = None
    """For account_warning / account_suspended: the dispute's client or technician."""


@on_call(secrets=config.secrets(config.STRIPE_SECRET_KEY))
def admin_resolve_dispute(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ResolveDisputePayload, lambda caller, p: dispute_resolution.admin_resolve_dispute(
        deps.get(), caller.uid, caller.is_admin, p.dispute_id, dispute_resolution.Decision(
            p.resolution_action, p.resolution_details, p.refund_amount, p.account_user_id)), fresh_sign_in=True)


class DisputePayload(Payload):
    dispute_id: DocId


@on_call()
def admin_close_dispute(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DisputePayload, lambda caller, p: dispute_resolution.admin_close_dispute(
        deps.get(), caller.uid, caller.is_admin, p.dispute_id))


@scheduler_fn.on_schedule(schedule="every 1 hours")
def escalate_disputes(event: scheduler_fn.ScheduledEvent) -> None:
    """Disputes without admin activity for 72 hours are escalated to every admin, once (safe to run twice)."""
    escalated = disputes.escalate_disputes(deps.get())
    logger.info("disputes.escalated", count=len(escalated), dispute_ids=escalated[:50])
