"""The stack's sense of time, injectable so tests and the demo can fire schedules and delayed tasks at once.

The scheduler and the task queue never call `datetime.now()`: they ask a clock. `SystemClock` is the wall
clock; `ManualClock` stands still until told to move, so "run the every-5-minutes job" or "let the
60-second offer countdown expire" is `clock.advance(...)` instead of a real wait; `ShiftedClock` runs with the
wall clock and can also jump ahead (the demo's night). The interface matches
`curbside.domain.clock.Clock` (a `now()` returning aware UTC), so one clock can drive both.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def _forward(delta: dt.timedelta) -> dt.timedelta:
    if delta < dt.timedelta(0):
        raise ValueError("time only moves forward")
    return delta


class ShiftedClock:
    """The wall clock, moved ahead on demand: the demo plays its day in real time (60-second offers, the
    provider's delays), then jumps to the night so the daily schedules run without waiting for them."""

    def __init__(self) -> None:
        self._offset = dt.timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return dt.datetime.now(dt.UTC) + self._offset

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Jump forward by `delta`; the scheduler and the task queue notice within one poll interval."""
        with self._lock:
            self._offset += _forward(delta)
            return dt.datetime.now(dt.UTC) + self._offset


class ManualClock:
    """A clock that moves only when told to; it starts at the real time so tasks enqueued with a real
    `schedule_delay_seconds` fall due after the same advance as those scheduled on this clock."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime.now(dt.UTC)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move forward by `delta`; the scheduler and the task queue notice within one poll interval."""
        with self._lock:
            self._now += _forward(delta)
            return self._now
