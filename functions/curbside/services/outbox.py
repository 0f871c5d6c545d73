"""Running the outbox: each vendor call a commit recorded, right after that commit and again by the sweep
until it is done (DESIGN.md convention 4, D25).

An entry is created leased to the request that committed it (`next_attempt_at` is a lease's length away), so
the sweep leaves it to that request; the sweep takes a short lease itself before an attempt (a conditional
write: of two overlapping sweeps one runs it). The entry's handler calls the vendor with the idempotency key
derived from the entry and records the answer in its own unit of work, so running it again after a crash, an
outage or a lost answer finds the vendor's first answer and records nothing twice. Then the entry is marked
done. A handler that raises leaves the entry pending with a growing pause (`BACKOFF`), and after
`MAX_ATTEMPTS` it is marked failed and logged for an admin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from functools import cache

from firebase_functions import logger

from curbside.deps import Deps
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import EffectStatus
from curbside.domain.errors import LostRace
from curbside.domain.lifecycle import Actor
from curbside.services import work
from curbside.store import queries
from curbside.store.repositories import OUTBOX_LEASE
from curbside.store.uow import UnitOfWork

Handler = Callable[[Deps, OutboxEntry], None]

LEASE = OUTBOX_LEASE
"""How long an attempt may take before another runner may try the entry again (vendor timeouts are 10 s)."""
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1),
           dt.timedelta(hours=3), dt.timedelta(hours=6), dt.timedelta(hours=12))
"""The pause after the n-th failed attempt (the last repeats)."""
MAX_ATTEMPTS = 12
"""About three days of attempts; then the entry is `failed` and needs an admin."""
SWEEP_PAGE = 200


@cache
def handlers() -> Mapping[str, Handler]:
    """Every kind of vendor call, by the `kind` its entries carry (imported on first use: the handlers'
    modules use the unit of work, which runs this module)."""
    from curbside.services import (
        account_actions,
        admin_users,
        arrival_estimates,
        card_holds,
        charges,
        invoices,
        leads,
        loyalty,
        merchant_orders,
        privacy,
        refunds,
        uploads,
        verification_checks,
    )

    return {**card_holds.HANDLERS, **charges.HANDLERS, **loyalty.HANDLERS, **refunds.HANDLERS, **uploads.HANDLERS,
            **verification_checks.HANDLERS, **arrival_estimates.HANDLERS, **account_actions.HANDLERS,
            **privacy.HANDLERS, **invoices.HANDLERS, **admin_users.HANDLERS, **leads.HANDLERS,
            **merchant_orders.HANDLERS}


def run_now(deps: Deps, entries: Iterable[OutboxEntry]) -> None:
    """Run the entries a commit just created, under the lease they were created with (failures stay pending
    for the sweep)."""
    for entry in entries:
        _run(deps, entry.model_copy(update={"attempts": entry.attempts + 1}))


def _lease(deps: Deps, effect_id: str) -> OutboxEntry | None:
    """Take the entry for one attempt: pending, due, and not leased by another runner."""

    def decide(uow: UnitOfWork) -> OutboxEntry | None:
        entry = uow.outbox.get(effect_id)
        if entry is None or entry.status is not EffectStatus.PENDING or entry.next_attempt_at > uow.now:
            return None
        return uow.outbox.save(entry.model_copy(update={
            "attempts": entry.attempts + 1, "next_attempt_at": uow.now + LEASE, "updated_date": uow.now}))

    try:
        return work.conditional(deps, decide)
    except LostRace:
        return None  # another runner took it


def attempt(deps: Deps, effect_id: str) -> EffectStatus | None:
    """One attempt at a pending entry; returns its status afterwards (None: not taken — not due, done, gone,
    or another runner has it)."""
    entry = _lease(deps, effect_id)
    return None if entry is None else _run(deps, entry)


def _run(deps: Deps, entry: OutboxEntry) -> EffectStatus | None:
    """Call the entry's handler (the caller holds its lease) and record how it went."""
    handler = handlers().get(entry.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for {entry.kind}")
        handler(deps, entry)
    except Exception as exc:  # every failure is retried later; the log says which
        return _failed(deps, entry, exc)
    return _finish(deps, entry.id, EffectStatus.DONE, None, attempts=entry.attempts)


def _failed(deps: Deps, entry: OutboxEntry, exc: Exception) -> EffectStatus | None:
    give_up = entry.attempts >= MAX_ATTEMPTS
    log = logger.error if give_up else logger.warn
    log("outbox.attempt_failed", effect_id=entry.id, attempts=entry.attempts, error=type(exc).__name__,
        gave_up=give_up)
    return _finish(deps, entry.id, EffectStatus.FAILED if give_up else EffectStatus.PENDING,
                   f"{type(exc).__name__}: {exc}"[:500], attempts=entry.attempts, retry_in=pause_after(entry.attempts))


def pause_after(attempts: int) -> dt.timedelta:
    """How long to wait before the next attempt after `attempts` failed ones (`BACKOFF`, its last repeating)."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _finish(deps: Deps, effect_id: str, status: EffectStatus, error: str | None, *, attempts: int,
            retry_in: dt.timedelta | None = None) -> EffectStatus | None:
    def decide(uow: UnitOfWork) -> EffectStatus | None:
        entry = uow.outbox.get(effect_id)
        if entry is None or entry.status is not EffectStatus.PENDING:
            return entry.status if entry is not None else None
        changes = {"updated_date": uow.now, "last_error": error, "attempts": max(entry.attempts, attempts)}
        if status is EffectStatus.PENDING:
            uow.outbox.save(entry.model_copy(update={**changes, "next_attempt_at": uow.now + (retry_in or LEASE)}))
        else:
            uow.outbox.move(entry, status, Actor.SYSTEM, **changes,
                            done_at=uow.now if status is EffectStatus.DONE else None)
        return status

    try:
        return work.conditional(deps, decide)
    except LostRace:
        return None  # another runner recorded it meanwhile


def sweep(deps: Deps, *, limit: int = SWEEP_PAGE) -> dict[str, int]:
    """Run every pending entry that is due (the hourly schedule; oldest first). Returns counts by outcome."""
    due = work.reading(deps, lambda uow: uow.outbox.find(queries.DUE_EFFECTS, status=EffectStatus.PENDING,
                                                         due_by=uow.now, limit=limit))
    outcomes: dict[str, int] = {}
    for entry in due:
        status = attempt(deps, entry.id)
        name = status.value if status is not None else "skipped"
        outcomes[name] = outcomes.get(name, 0) + 1
    return outcomes
