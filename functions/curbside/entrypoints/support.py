"""Support (spec section 13): tickets answered first by the assistant, the live-agent hand-off, admins' replies,
ratings, and the daily cleanup of expired tickets (services/support.py, services/support_assistant.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from firebase_functions import https_fn, logger, scheduler_fn
from pydantic import Field

from curbside import config, deps
from curbside.domain.enums import TicketCategory, TicketStatus
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId, StoragePath
from curbside.services import support, ticket_notes

Text = Annotated[str, Field(min_length=1, max_length=4000)]
AI_SECRETS = config.secrets(config.OPENAI_API_KEY)


class CreateTicketPayload(Payload):
    subject: Annotated[str, Field(min_length=3, max_length=200)]
    category: TicketCategory
    message: Text
    attachments: Annotated[list[StoragePath], Field(max_length=5)] = Field(default_factory=list)
    """Paths under users/{your uid}/support_attachments/: photos or PDFs."""


@on_call(secrets=AI_SECRETS)
def create_support_ticket(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CreateTicketPayload, lambda caller, p: support.create_support_ticket(
        deps.get(), caller.uid, caller.email, subject=p.subject, category=p.category, message=p.message,
        attachments=tuple(p.attachments)))


class TicketMessagePayload(Payload):
    ticket_id: DocId
    message: Text


@on_call(secrets=AI_SECRETS)
def send_support_message(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, TicketMessagePayload, lambda caller, p: support.send_support_message(
        deps.get(), caller.uid, p.ticket_id, p.message))


class TicketPayload(Payload):
    ticket_id: DocId


@on_call()
def request_live_agent(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, TicketPayload, lambda caller, p: support.request_live_agent(
        deps.get(), caller.uid, p.ticket_id))


class AdminReplyPayload(Payload):
    ticket_id: DocId
    message: Text
    status: Literal["in_progress", "waiting_user", "resolved", "closed"] | None = None


@on_call()
def admin_reply_ticket(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, AdminReplyPayload, lambda caller, p: support.admin_reply_ticket(
        deps.get(), caller.uid, caller.is_admin, p.ticket_id, message=p.message,
        status=TicketStatus(p.status) if p.status else None))


class TicketNotePayload(Payload):
    ticket_id: DocId
    note: Annotated[str, Field(min_length=1, max_length=2000)]


@on_call()
def admin_add_ticket_note(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, TicketNotePayload, lambda caller, p: ticket_notes.add_note(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, ticket_id=p.ticket_id, note=p.note))


class RateTicketPayload(Payload):
    ticket_id: DocId
    satisfaction_rating: Annotated[int, Field(strict=True, ge=1, le=5)]


@on_call()
def rate_support_ticket(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RateTicketPayload, lambda caller, p: support.rate_support_ticket(
        deps.get(), caller.uid, p.ticket_id, p.satisfaction_rating))


@scheduler_fn.on_schedule(schedule="every day 00:00")
def cleanup_expired_tickets(event: scheduler_fn.ScheduledEvent) -> None:
    """Tickets only the assistant answered and whose owner went quiet for 7 days close as resolved; closed
    tickets 10 days old are deleted with their messages and attachments (safe to run twice)."""
    closed = support.close_idle_tickets(deps.get())
    logger.info("support.idle_tickets_closed", count=len(closed), ticket_ids=closed[:50])
    deleted = support.cleanup_expired_tickets(deps.get())
    logger.info("support.tickets_cleaned", count=len(deleted), ticket_ids=deleted[:50])
