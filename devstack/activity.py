"""A record of every function invocation the stack made, in order.

Triggers, schedules and tasks run in background threads, answering nobody; this log is how a test waits for
"the trigger for Users/alice ran" without sleeping, how `dev` prints one line per invocation, and how the
demo builds its timeline.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from devstack.loader import Kind


@dataclass(frozen=True)
class Invocation:
    """One call of one function: what ran, on what (document, task, schedule time), and its HTTP status."""

    kind: Kind
    name: str
    status: int
    detail: str
    at: dt.datetime
    duration_s: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def line(self) -> str:
        verdict = "ok" if self.ok else f"FAILED {self.status}"
        return f"{self.at:%H:%M:%S} {self.kind.value:<9} {self.name} {self.detail} -> {verdict} " \
               f"({self.duration_s * 1000:.0f} ms)"


Listener = Callable[[Invocation], None]


class Activity:
    """Thread-safe, append-only list of invocations with a blocking `wait_for`."""

    def __init__(self) -> None:
        self._items: list[Invocation] = []
        self._changed = threading.Condition()
        self._last = time.monotonic()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` for each new invocation (the `dev` command prints them)."""
        self._listeners.append(listener)

    def record(self, kind: Kind, name: str, status: int, detail: str, started: float) -> Invocation:
        """Log a finished invocation; `started` is the `time.monotonic()` taken before it ran."""
        item = Invocation(kind=kind, name=name, status=status, detail=detail, at=dt.datetime.now(dt.UTC),
                          duration_s=time.monotonic() - started)
        with self._changed:
            self._items.append(item)
            self._last = time.monotonic()
            self._changed.notify_all()
        for listener in self._listeners:
            listener(item)
        return item

    def items(self) -> list[Invocation]:
        with self._changed:
            return list(self._items)

    def wait_for(self, matches: Callable[[Invocation], bool], timeout: float = 10.0,
                 count: int = 1) -> list[Invocation]:
        """Block until `count` invocations match (including earlier ones); TimeoutError names what was seen."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [item for item in self._items if matches(item)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = "; ".join(item.line() for item in self._items[-10:]) or "nothing"
                    raise TimeoutError(f"{len(found)}/{count} matching invocations after {timeout}s; "
                                       f"last seen: {seen}")
                self._changed.wait(remaining)

    def wait_quiet(self, quiet_s: float = 0.5, timeout: float = 60.0) -> None:
        """Block until nothing ran for `quiet_s` (e.g. the trigger cascade of a bulk seed has died down);
        gives up silently after `timeout`, since background work may legitimately never stop."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while (idle := time.monotonic() - self._last) < quiet_s and time.monotonic() < deadline:
                self._changed.wait(min(quiet_s - idle, max(0.0, deadline - time.monotonic())))
