"""The history-based fraud checks of `monitor_fraud` (spec section 9; issue 15), pure: each takes one person's
recent activity, as the monitor read it, and says whether the pattern is there and which jobs show it.

Every check looks only at patterns that end in activity newer than `since` (what the run reads as new), so a
run never raises an alert for a pattern an earlier run already saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from curbside.domain.enums import FraudAlertType, PartyType
from curbside.domain.fraud import FraudThresholds

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Event:
    """One thing a person did (a completion, a cancellation, a dispute on their job), at `at`, about a job."""

    request_id: str
    at: dt.datetime


@dataclass(frozen=True)
class Finding:
    """A pattern seen: `trigger` is the newest job in it (an occurrence's key: seen again, it adds nothing)."""

    user_id: str
    user_type: PartyType
    alert_type: FraudAlertType
    trigger: str
    related: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)


def burst(events: Iterable[Event], *, more_than: int, within: dt.timedelta,
          since: dt.datetime) -> tuple[Event, ...] | None:
    """The latest run of more than `more_than` events spanning less than `within` that ends in an event after
    `since`, or None."""
    ordered = sorted(events, key=lambda event: (event.at, event.request_id))
    start = 0
    found: tuple[Event, ...] | None = None
    for end, last in enumerate(ordered):
        while last.at - ordered[start].at >= within:
            start += 1
        if end - start + 1 > more_than and last.at > since:
            found = tuple(ordered[start:end + 1])
    return found


def earnings_jump(completions: Sequence[tuple[Event, Decimal]], *, until: dt.datetime, since: dt.datetime,
                  limits: FraudThresholds) -> tuple[Decimal, Decimal, Event] | None:
    """(last 7 days, the 7 before, the newest completion) when the last 7 days to `until` earned more than
    `earnings_increase_percent` above the week before (itself at least `earnings_min_base`), and a completion
    after `since` is part of it; else None."""
    this_week = [(event, amount) for event, amount in completions if until - WEEK < event.at <= until]
    week_before = sum((amount for event, amount in completions if until - 2 * WEEK < event.at <= until - WEEK),
                      Decimal(0))
    earned = sum((amount for _, amount in this_week), Decimal(0))
    newest = max((event for event, _ in this_week), key=lambda event: event.at, default=None)
    if newest is None or newest.at <= since or week_before < limits.earnings_min_base:
        return None
    if (earned - week_before) * 100 <= week_before * limits.earnings_increase_percent:
        return None
    return earned, week_before, newest


def same_durations(jobs: Sequence[tuple[Event, dt.timedelta]], *, since: dt.datetime,
                   limits: FraudThresholds) -> tuple[tuple[Event, ...], dt.timedelta] | None:
    """(the jobs, their duration) when a technician's last `same_duration_jobs` jobs, the newest after `since`,
    all lasted the same within the tolerance; else None."""
    latest = sorted(jobs, key=lambda job: (job[0].at, job[0].request_id))[-limits.same_duration_jobs:]
    if len(latest) < limits.same_duration_jobs or latest[-1][0].at <= since:
        return None
    durations = [duration for _, duration in latest]
    if max(durations) - min(durations) > limits.same_duration_tolerance:
        return None
    return tuple(event for event, _ in latest), min(durations)


def photo_reuse(own_hashes: Sequence[str], others: Iterable[tuple[str, Sequence[str]]]) -> dict[str, list[str]]:
    """Other jobs whose completion photos have the same bytes as one of ours: job id -> the shared hashes."""
    mine = set(own_hashes)
    shared = {job: sorted(mine.intersection(hashes)) for job, hashes in others}
    return {job: hashes for job, hashes in shared.items() if hashes}
