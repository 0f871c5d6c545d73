"""Time as a dependency: domain and services never call `datetime.now()` themselves, so schedulers,
countdowns, the demo and tests can move time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@dataclass
class FixedClock:
    """A clock that only moves when told to (tests, simulations)."""

    current: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, delta: dt.timedelta) -> None:
        self.current += delta
