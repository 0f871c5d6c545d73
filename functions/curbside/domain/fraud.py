"""Fraud alerts (spec section 9, issue 15): thresholds, the alert lifecycle and how alerts are keyed.

One alert per person, type and window: its id is `{user_id}:{alert_type}:{window}` (the window's number since
the epoch), so a repeat within the window finds the alert and adds to its `related_jobs` and `alert_details`
instead of raising a second. An admin's `false_positive` quiets the same pattern for that person for
`quiet_after_false_positive` (30 days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from curbside.domain.enums import FraudAlertStatus, FraudAlertType, Severity
from curbside.domain.lifecycle import Actor, Lifecycle, moves

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FraudThresholds:
    location_mismatch_m: float = 500.0
    """A completion farther than this from the job is a `location_mismatch` (the spec's 500 m)."""
    window: dt.timedelta = dt.timedelta(days=7)
    """Repeats of one pattern by one person within a window add to one alert."""
    quiet_after_false_positive: dt.timedelta = dt.timedelta(days=30)
    max_details: int = 50
    """Occurrences kept on one alert (the oldest go first)."""


SEVERITY: dict[FraudAlertType, Severity] = {
    FraudAlertType.HIGH_VOLUME_SHORT_JOBS: Severity.HIGH,
    FraudAlertType.RAPID_EARNINGS_INCREASE: Severity.MEDIUM,
    FraudAlertType.LOCATION_MISMATCH: Severity.HIGH,
    FraudAlertType.MULTIPLE_DISPUTES: Severity.MEDIUM,
    FraudAlertType.SUSPICIOUS_COMPLETION_PATTERN: Severity.HIGH,
    FraudAlertType.RAPID_CANCELLATIONS: Severity.MEDIUM,
    FraudAlertType.FAKE_GPS: Severity.CRITICAL,
}

F = FraudAlertStatus
FRAUD_ALERT = Lifecycle("fraud alert", "status", FraudAlertStatus, moves(
    (F.ACTIVE, (F.INVESTIGATING, F.RESOLVED, F.FALSE_POSITIVE), (Actor.ADMIN,)),
    (F.INVESTIGATING, (F.RESOLVED, F.FALSE_POSITIVE, F.ACTIVE), (Actor.ADMIN,)),
    # It happened again within the window after an admin resolved it: the alert is open again.
    (F.RESOLVED, (F.ACTIVE,), (Actor.ADMIN, Actor.SYSTEM)),
    (F.FALSE_POSITIVE, (F.ACTIVE,), (Actor.ADMIN,)),
))
"""FraudAlerts.status."""

OPEN = frozenset({F.ACTIVE, F.INVESTIGATING})


def alert_id(user_id: str, alert_type: FraudAlertType, at: dt.datetime, window: dt.timedelta) -> str:
    return f"{user_id}:{alert_type.value}:{int((at - EPOCH) // window)}"
