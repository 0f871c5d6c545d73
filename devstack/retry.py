"""Cloud Tasks / Cloud Scheduler retry semantics, shared by the local task queue and the scheduler.

The backoff doubles from `min_backoff` `max_doublings` times, then grows linearly by the last doubled
step, capped at `max_backoff` (the documented Cloud Tasks behaviour, and what firebase-tools' task emulator
computes). A task stops being retried once it has used `max_attempts` and, when `max_retry_seconds` is set,
that much time has also passed since its first attempt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from devstack.loader import resolve


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    """Attempts in all, first one included; -1 means unlimited."""
    min_backoff_s: float
    max_backoff_s: float
    max_doublings: int
    max_retry_s: float | None = None

    @classmethod
    def for_tasks(cls, config: dict[str, Any] | None) -> RetryPolicy:
        """A task queue's policy from its `retryConfig`, with the Firebase task-queue defaults."""
        config = config or {}
        return cls(max_attempts=int(resolve(config.get("maxAttempts"), 3)),
                   min_backoff_s=float(resolve(config.get("minBackoffSeconds"), 0.1)),
                   max_backoff_s=float(resolve(config.get("maxBackoffSeconds"), 3600)),
                   max_doublings=int(resolve(config.get("maxDoublings"), 16)),
                   max_retry_s=_optional_float(resolve(config.get("maxRetrySeconds"))))

    @classmethod
    def for_schedules(cls, config: dict[str, Any] | None) -> RetryPolicy:
        """A scheduled function's policy from its `retryConfig`, with Cloud Scheduler's defaults
        (no retry unless `retryCount` is set)."""
        config = config or {}
        return cls(max_attempts=int(resolve(config.get("retryCount"), 0)) + 1,
                   min_backoff_s=float(resolve(config.get("minBackoffSeconds"), 5)),
                   max_backoff_s=float(resolve(config.get("maxBackoffSeconds"), 3600)),
                   max_doublings=int(resolve(config.get("maxDoublings"), 5)),
                   max_retry_s=_optional_float(resolve(config.get("maxRetrySeconds"))))

    def backoff(self, attempts_made: int) -> dt.timedelta:
        """The wait before the next attempt, after `attempts_made` (>= 1) failed attempts."""
        doublings = min(attempts_made - 1, self.max_doublings)
        linear_steps = max(0, attempts_made - self.max_doublings - 1)
        multiplier = 2 ** doublings + linear_steps * 2 ** self.max_doublings
        return dt.timedelta(seconds=min(self.max_backoff_s, multiplier * self.min_backoff_s))

    def gives_up(self, attempts_made: int, first_attempt: dt.datetime, now: dt.datetime) -> bool:
        attempts_exhausted = 0 <= self.max_attempts <= attempts_made
        if not self.max_retry_s:
            return attempts_exhausted
        return attempts_exhausted and (now - first_attempt).total_seconds() >= self.max_retry_s


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
