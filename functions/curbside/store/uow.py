"""The unit of work: the one way services read and change Firestore.

A use case is a function `decide(uow) -> result`. It reads through typed repositories (`uow.requests.get`,
`uow.offers.find(queries.OFFERS_OF_JOB, ...)`: models out), decides, and stages its changes (`save`, `move`,
`create`, `put`: models in). Nothing reaches Firestore until `decide` returns; then the unit of work commits
everything at once, having first

- refused any status change its lifecycle table does not allow (`store.repositories`);
- rebuilt the derived documents the change affects — the technician's dispatch-index entry, their earnings —
  from what was read and what is about to be written (`store.derived`), so no use case can forget them;
- created the outbox entries of the vendor calls it asked for (`uow.outbox.add`), to run after the commit.

The atomicity style is named by the caller (`services.work`):

- **transaction** — a Firestore read-write transaction; reads are consistent and the whole `decide` runs
  again when the commit collides with another. For read-check-write on ordinary documents.
- **conditional** — plain reads, then one batch whose every update carries the `update_time` it was read at
  (and every create, "must not exist"). Of many concurrent commits on a hot document exactly one applies and
  the others fail at once with `Conflict`, without a transaction's lock waits (D10, D19). The derived
  documents are written under the same guard, so two commits that both change a technician's workload cannot
  both land.

Reads come before writes (a Firestore transaction requires it, and a read after a staged write would show
the old state): a read once something is staged is a programming error (`ReadAfterWrite`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Generic, TypeVar

from google.api_core import exceptions as google_errors
from google.cloud import firestore

from curbside.domain.documents import Notification
from curbside.domain.documents.outbox import OutboxEntry
from curbside.store.engine import Conflict, Engine, Style
from curbside.store.repositories import Repositories
from curbside.store.transactions import run_transaction

if TYPE_CHECKING:
    from curbside.settings import Settings

T = TypeVar("T")


class UnitOfWork(Engine, Repositories):
    """One commit's reads and writes, with a repository per collection (`uow.requests`, `uow.payments`...)."""

    def __init__(self, db: firestore.Client, *, now: dt.datetime, settings: Settings, style: Style,
                 transaction: firestore.Transaction | None = None) -> None:
        Engine.__init__(self, db, now=now, settings=settings, style=style, transaction=transaction)
        Repositories.__init__(self, self)

    def flush(self) -> AfterCommit:
        """Stage the derived documents and the new outbox entries, then commit (see `Engine.commit`).
        Returns what is to run now that the commit landed."""
        from curbside.store.derived import DERIVATIONS

        self.begin_commit()
        for derive in DERIVATIONS:
            derive(self)
        effects = self.outbox.new_entries()
        writes = len(self.writes)
        self.commit()
        return AfterCommit(effects, self.notifications.new_notices(), reads=self.reads, writes=writes)


@dataclass(frozen=True)
class AfterCommit:
    """What a commit asked to run once it landed: its vendor calls, and the fan-out of the notices it wrote."""

    effects: tuple[OutboxEntry, ...] = ()
    notices: tuple[Notification, ...] = ()
    reads: int = 0
    """What the unit of work cost: document reads billed, and documents written."""
    writes: int = 0
    lost_attempts: int = 0
    """Attempts of the transaction that Firestore aborted before this one committed (each lost a race with
    another commit, and its reads were billed too)."""


@dataclass(frozen=True)
class Committed(Generic[T]):
    """What a unit of work decided, and what it asked to run after its commit."""

    value: T
    after: AfterCommit


def run(db: firestore.Client, decide: Callable[[UnitOfWork], T], *, now: dt.datetime, settings: Settings,
        style: Style, lost_race: str) -> Committed[T]:
    """Run `decide` in the named style and commit what it staged. `lost_race`: the message a caller reads
    when other changes to the same documents kept winning (or, conditionally, changed since the read)."""
    if style is Style.CONDITIONAL:
        uow = UnitOfWork(db, now=now, settings=settings, style=style)
        value = decide(uow)
        try:
            return Committed(value, uow.flush())
        except Conflict:
            raise Conflict(lost_race) from None

    attempts = 0

    @firestore.transactional
    def attempt(transaction: firestore.Transaction) -> Committed[T]:
        nonlocal attempts
        attempts += 1
        uow = UnitOfWork(db, now=now, settings=settings, style=style, transaction=transaction)
        value = decide(uow)
        return Committed(value, uow.flush())

    try:
        committed: Committed[T] = run_transaction(db, attempt, lost_race=lost_race)
    except google_errors.AlreadyExists:  # a create whose document appeared meanwhile
        raise Conflict(lost_race) from None
    return Committed(committed.value, replace(committed.after, lost_attempts=attempts - 1))
