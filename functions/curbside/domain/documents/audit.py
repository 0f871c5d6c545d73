"""AuditLog: one entry per admin action, of every capability (issue 15). Admin-only and append-only: the rules
let admins read it and nobody write it (the functions write it with the Admin SDK; a console edit of an
entry is itself not audited, but the console's own access logs record it)."""

from typing import Any

from pydantic import Field

from curbside.domain.documents.base import Document, UtcDatetime
from curbside.domain.enums import AuditSource


class AuditEntry(Document):
    """AuditLog/{id}: who did what, to what, from what to what, why and when."""

    actor_id: str | None
    """The admin's uid; None for an edit made in the Firebase console (its author is in Cloud Audit Logs)."""
    source: AuditSource
    action: str
    """What was done: `set_account_status`, `review_verification`, ..."""
    target_collection: str
    target_id: str
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    reason: str | None = None
    created_date: UtcDatetime
