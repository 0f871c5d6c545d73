"""Fraud alerts (spec section 9, issue 15): thresholds, the alert lifecycle and how alerts are keyed.

One alert per person, type and window: its id is `{user_id}:{alert_type}:{window}` (the window's number since
the epoch), so a repeat within the window finds the alert and adds to its `related_jobs` and `alert_details`
instead of raising a second. An admin's `false_positive` quiets the same pattern for that person for
`quiet_after_false_positive` (30 days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from curbside.domain.enums import FraudAlertStatus, FraudAlertType, Severity
from curbside.domain.lifecycle import Actor, Lifecycle, moves

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FraudThresholds:
    """The fraud checks' tunables (`Settings.fraud`, from the FRAUD_* params), with the spec's values."""

    location_mismatch_m: float = 500.0
    """A completion farther than this from the job is a `location_mismatch` (the spec's 500 m)."""
    short_jobs: int = 10
    short_jobs_within: dt.timedelta = dt.timedelta(hours=2)
    """More than `short_jobs` completions by one technician within this span: `high_volume_short_jobs`."""
    earnings_increase_percent: Decimal = Decimal("200")
    """A technician's last 7 days earning more than this much above the 7 days before them:
    `rapid_earnings_increase`..."""
    earnings_min_base: Decimal = Decimal("100")
    """...when the earlier week earned at least this (in CURRENCY), so a first busy week does not trip it."""
    disputes: int = 3
    disputes_within: dt.timedelta = dt.timedelta(days=30)
    """More than `disputes` disputes on one person's jobs (either side) within this span: `multiple_disputes`."""
    cancellations: int = 5
    cancellations_within: dt.timedelta = dt.timedelta(hours=24)
    """More than `cancellations` jobs cancelled by one person (either side) within this span."""
    same_duration_jobs: int = 5
    same_duration_tolerance: dt.timedelta = dt.timedelta(seconds=60)
    """A technician's last `same_duration_jobs` jobs all lasting the same (within the tolerance), start to
    completion: a `suspicious_completion_pattern`, as is one completion photo's bytes on another job."""
    settle: dt.timedelta = dt.timedelta(minutes=5)
    """`monitor_fraud` reads activity up to this long before it runs, so a commit that began before the run
    and lands just after it is read by the next run rather than never."""
    first_run_lookback: dt.timedelta = dt.timedelta(hours=1)
    """How far back the very first run reads (later runs start at the watermark)."""
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
