"""How a use case runs: one unit of work in a named atomicity style, then the vendor calls it recorded.

    result = work.transaction(deps, decide, lost_race="The job changed at the same moment; try again.")
    result = work.conditional(deps, decide, lost_race="...")   # hot documents: guarded batch, no lock waits
    result = work.reading(deps, look)                           # reads only

`decide(uow)` reads and stages through the repositories (`store.uow`); nothing is written until it returns.
After the commit, the outbox entries it created run at once (`services.outbox`), so an answer to the app
already reflects the card hold or the capture; whatever fails there stays pending for the sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from curbside.deps import Deps
from curbside.store.engine import Style
from curbside.store.uow import Committed, UnitOfWork, run

T = TypeVar("T")

LOST_RACE = "Something changed at the same moment; try again."


def _run(deps: Deps, decide: Callable[[UnitOfWork], T], style: Style, lost_race: str) -> T:
    committed: Committed[T] = run(deps.db, decide, now=deps.clock.now(), settings=deps.settings, style=style,
                                  lost_race=lost_race)
    if committed.effects:
        from curbside.services import outbox

        outbox.run_now(deps, committed.effects)
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
