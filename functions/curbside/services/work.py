"""How a use case runs: one unit of work in a named atomicity style, then the vendor calls it recorded.

    result = work.transaction(deps, decide, lost_race="The job changed at the same moment; try again.")
    result = work.conditional(deps, decide, lost_race="...")   # hot documents: guarded batch, no lock waits
    result = work.reading(deps, look)                           # reads only

`decide(uow)` reads and stages through the repositories (`store.uow`); nothing is written until it returns.
After the commit, the notices it wrote go out (`services.notice_delivery`: push first, so a job offer reaches
the phone at once) and the outbox entries it created run (`services.outbox`), so an answer to the app
already reflects the card hold or the capture; whatever fails there stays pending for the sweep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from curbside.deps import Deps
from curbside.domain.errors import LostRace
from curbside.store.engine import Style
from curbside.store.uow import Committed, UnitOfWork, run

T = TypeVar("T")

LOST_RACE = "Something changed at the same moment; try again."


@dataclass
class Meter:
    """The Firestore bill of the units of work run while it is active (`metering`), and when each committed."""

    reads: int = 0
    writes: int = 0
    commits: list[float] = field(default_factory=list)
    """`time.monotonic()` right after each commit."""
    units: list[tuple[int, int]] = field(default_factory=list)
    """Each unit of work's (reads, writes), in the order they committed (a notice's commit, then its fan-out)."""
    lost_races: int = 0
    """Attempts that lost a race with another commit: a transaction attempt Firestore aborted and ran again,
    or a unit of work that gave up with `LostRace` (counted once, however many attempts it made)."""


_meter: ContextVar[Meter | None] = ContextVar("work_meter", default=None)
_meter_lock = threading.Lock()


@contextmanager
def metering() -> Iterator[Meter]:
    """Count the reads and writes of every unit of work run in this context (benchmarks, cost tests)."""
    meter = Meter()
    token = _meter.set(meter)
    try:
        yield meter
    finally:
        _meter.reset(token)


def _run(deps: Deps, decide: Callable[[UnitOfWork], T], style: Style, lost_race: str) -> T:
    meter = _meter.get()
    try:
        committed: Committed[T] = run(deps.db, decide, now=deps.clock.now(), settings=deps.settings, style=style,
                                      lost_race=lost_race)
    except LostRace:
        if meter is not None:
            with _meter_lock:
                meter.lost_races += 1
        raise
    if meter is not None:
        with _meter_lock:  # units of work of one metered context may run on several threads
            meter.reads, meter.writes = meter.reads + committed.after.reads, meter.writes + committed.after.writes
            meter.commits.append(time.monotonic())
            meter.units.append((committed.after.reads, committed.after.writes))
            meter.lost_races += committed.after.lost_attempts
    if committed.after.notices:
        from curbside.services import notice_delivery

        notice_delivery.deliver_now(deps, committed.after.notices)
    if committed.after.effects:
        from curbside.services import outbox

        outbox.run_now(deps, committed.after.effects)
    return committed.value


def transaction(deps: Deps, decide: Callable[[UnitOfWork], T], *, lost_race: str = LOST_RACE) -> T:
    """Read-check-write in a Firestore transaction (run again when another commit collides with it)."""
    return _run(deps, decide, Style.TRANSACTION, lost_race)


def conditional(deps: Deps, decide: Callable[[UnitOfWork], T], *, lost_race: str = LOST_RACE) -> T:
    """Plain reads and one batch guarded by what was read: raises `Conflict` (a `LostRace`) when anything
    written changed since, with nothing written."""
    return _run(deps, decide, Style.CONDITIONAL, lost_race)


def reading(deps: Deps, look: Callable[[UnitOfWork], T]) -> T:
    """Reads only (a query, a feed): `look` must not stage any write."""

    def decide(uow: UnitOfWork) -> T:
        result = look(uow)
        if uow.writes:
            raise RuntimeError("a reading unit of work staged writes")
        return result

    return _run(deps, decide, Style.CONDITIONAL, LOST_RACE)
