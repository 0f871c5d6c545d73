"""Per-person (or per-source) rate limits as fixed windows of numbered slots (issue 15; D47).

A limit of `count` calls per `window` gives each window `count` slots, `RateLimitSlots/{name}:{who}:{w}:{k}`
with `k` in 0..count-1. A call claims the next free slot by creating it (a create that must not exist): of
calls racing for one slot one lands and the others take the next, so no window ever holds more than `count`
— however many calls arrive at once — and no counter document is rewritten by every call (each slot is written
once). A refused call writes nothing. Fixed windows allow up to twice `count` across a window's boundary.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Limit:
    name: str
    """The action limited (`create_request`, `webhook:stripe`...): part of every slot's id."""
    count: int
    window: dt.timedelta
    what: str
    """What the person read when refused: "new jobs", "webhook deliveries"..."""

    def window_index(self, now: dt.datetime) -> int:
        return int((now - EPOCH) // self.window)

    def window_end(self, now: dt.datetime) -> dt.datetime:
        return EPOCH + self.window * (self.window_index(now) + 1)

    def retry_after_s(self, now: dt.datetime) -> int:
        """Whole seconds until the window ends (at least 1)."""
        return max(1, math.ceil((self.window_end(now) - now).total_seconds()))

    def bucket(self, who: str, now: dt.datetime) -> str:
        """The window's key for one person or source: what its slots share."""
        return f"{self.name}:{safe_id(who)}:{self.window_index(now)}"

    def refusal(self, now: dt.datetime) -> str:
        return (f"Too many {self.what}: at most {self.count} every {_duration(self.window)}. "
                f"Try again in {_wait(self.retry_after_s(now))}.")


def safe_id(who: str) -> str:
    """A caller's uid or address as part of a document id (no '/', never Firestore's reserved `__x__`)."""
    return who.replace("/", "_").replace("__", "_")[:200] or "_"


def _wait(seconds: int) -> str:
    """Seconds up to ten minutes, then minutes, then hours and minutes (a daily window's wait in seconds is
    arithmetic the person should not have to do)."""
    if seconds <= 600:
        return _plural(seconds, "second")
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return _plural(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    return _plural(hours, "hour") + (f" {_plural(minutes, 'minute')}" if minutes else "")


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'s' if n != 1 else ''}"


def _duration(window: dt.timedelta) -> str:
    seconds = int(window.total_seconds())
    if seconds % 3600 == 0:
        return _plural(seconds // 3600, "hour")
    if seconds % 60 == 0:
        return _plural(seconds // 60, "minute")
    return _plural(seconds, "second")
