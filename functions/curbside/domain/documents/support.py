"""SupportTickets and SupportMessages: the AI-first support chat with live-agent hand-off (section 13)."""

from typing import Annotated

from pydantic import BaseModel, Field

from curbside.domain.documents.base import Document, PrivateDocument, Stars, UtcDatetime
from curbside.domain.enums import (
    SupportMessageType,
    SupportSenderType,
    TicketCategory,
    TicketPriority,
    TicketStatus,
    UserType,
)


class SupportTicket(Document):
    """SupportTickets/{auto id}: deleted with its messages by the daily cleanup once `expires_at` passes."""

    user_id: str
    user_name: str | None = None
    user_email: str | None = None
    user_type: UserType | None = None
    subject: str
    category: TicketCategory
    priority: TicketPriority = TicketPriority.MEDIUM
    status: TicketStatus = TicketStatus.OPEN
    live_agent_requested: bool = False
    assigned_to: str | None = None
    assigned_to_name: str | None = None
    last_message_at: UtcDatetime | None = None
    resolved_at: UtcDatetime | None = None
    closed_at: UtcDatetime | None = None
    expires_at: UtcDatetime | None = None
    ai_handled: bool = False
    satisfaction_rating: Stars | None = None
    tags: list[str] = Field(default_factory=list)
    created_date: UtcDatetime
    ai_tokens_used: Annotated[int, Field(ge=0)] = 0
    """Beyond the spec: OpenAI tokens this ticket's answers spent (a budget per ticket, docs/decisions.md D58)."""
    live_agent_requested_at: UtcDatetime | None = None
    """Beyond the spec (D97): when the person first asked for a live agent."""
    first_agent_reply_at: UtcDatetime | None = None
    """Beyond the spec (D97): an admin's first reply; the dashboard's support first-response time runs from
    `live_agent_requested_at` (or the ticket's creation) to it."""


class InternalNote(BaseModel):
    """One admin's note on a ticket, for the other admins."""

    admin_id: str
    admin_name: str | None = None
    note: str
    created_date: UtcDatetime


class SupportTicketPrivate(PrivateDocument):
    """SupportTickets/{id}/private/data (added): the admins' internal notes, which the ticket's owner never reads
    (the rules give the owner the ticket document only); deleted with the ticket."""

    internal_notes: list[InternalNote] = Field(default_factory=list)


class SupportMessage(Document):
    """SupportMessages/{auto id}, scoped to a ticket by ticket_id."""

    ticket_id: str
    sender_id: str
    sender_name: str | None = None
    sender_type: SupportSenderType
    message: str | None = None
    message_type: SupportMessageType = SupportMessageType.TEXT
    attachment_url: str | None = None
    read: bool = False
    read_at: UtcDatetime | None = None
    ai_generated: bool = False
    ai_confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    requires_human: bool = False
    created_date: UtcDatetime
