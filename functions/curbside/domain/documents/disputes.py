"""Disputes, their private admin notes, and DisputeComments (the dispute thread)."""

from pydantic import Field

from curbside.domain.documents.base import Document, Money, PrivateDocument, UtcDatetime
from curbside.domain.enums import (
    CommentUserType,
    DisputePriority,
    DisputeReason,
    DisputeStatus,
    PartyType,
    ResolutionAction,
)


class Dispute(Document):
    """Disputes/{auto id}: read by both parties and admins; written by server functions. `admin_notes`
    lives in Disputes/{id}/private/data so the parties cannot read it."""

    request_id: str
    job_completion_id: str | None = None
    client_id: str
    dispatcher_id: str
    raised_by_user_id: str
    raised_by_name: str | None = None
    raised_by_type: PartyType
    dispute_reason: DisputeReason
    description: str
    evidence_urls: list[str] = Field(default_factory=list)
    status: DisputeStatus = DisputeStatus.OPEN
    priority: DisputePriority = DisputePriority.MEDIUM
    opened_at: UtcDatetime
    resolved_at: UtcDatetime | None = None
    resolved_by_user_id: str | None = None
    resolved_by_name: str | None = None
    resolution_details: str | None = None
    resolution_action: ResolutionAction | None = None
    refund_amount: Money | None = None
    last_activity_at: UtcDatetime
    last_admin_activity_at: UtcDatetime | None = None
    """Beyond the spec: when an admin last commented, asked or decided (the opening, before that); the hourly
    escalation looks at it (docs/decisions.md D57)."""
    escalated_at: UtcDatetime | None = None
    """Beyond the spec: set once, when the dispute was escalated (a dispute escalates at most once)."""


class DisputePrivate(PrivateDocument):
    """Disputes/{id}/private/data."""

    admin_notes: str | None = None


class DisputeComment(Document):
    """DisputeComments/{auto id}. Internal (admin-only) comments are whole documents with `is_internal`
    true, which rules can hide from the parties."""

    dispute_id: str
    user_id: str
    user_name: str | None = None
    user_type: CommentUserType
    comment: str
    attachments: list[str] = Field(default_factory=list)
    is_internal: bool = False
    created_date: UtcDatetime
