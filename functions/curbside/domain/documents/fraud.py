"""FraudAlerts: raised by the fraud checks, worked by admins; and MonitorWatermarks, where the hourly fraud
monitor got to. Both collections are admin-only."""

from typing import Any

from pydantic import Field

from curbside.domain.documents.base import Document, UtcDatetime
from curbside.domain.enums import FraudAlertStatus, FraudAlertType, PartyType, Severity


class FraudAlert(Document):
    """FraudAlerts/{auto id}."""

    user_id: str
    user_type: PartyType
    alert_type: FraudAlertType
    severity: Severity
    alert_details: dict[str, Any] = Field(default_factory=dict)
    status: FraudAlertStatus = FraudAlertStatus.ACTIVE
    reviewed_by: str | None = None
    resolution_notes: str | None = None
    related_jobs: list[str] = Field(default_factory=list)
    created_date: UtcDatetime
    updated_date: UtcDatetime | None = None
    reviewed_at: UtcDatetime | None = None
    occurrences: int = 1
    """How many times the pattern was seen within the alert's window (added)."""


class MonitorWatermark(Document):
    """MonitorWatermarks/{monitor} (added; `fraud` today): the activity up to `until` has been checked, so the
    next run reads only what came after it."""

    until: UtcDatetime
    runs: int = 0
    updated_date: UtcDatetime
