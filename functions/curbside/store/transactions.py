"""Running one decision as one Firestore transaction, with the outcome of contention made explicit.

The client retries a transaction that collides with another (Firestore aborts one of two overlapping
read-write transactions); when the collisions outlast its retries it raises a bare `ValueError` whose cause
is `Aborted`. That is the "lost race" of DESIGN.md convention 2, so it becomes `LostRace` (ABORTED, "try
again") instead of an INTERNAL error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from google.api_core import exceptions as google_errors
from google.cloud import firestore

from curbside.domain.errors import LostRace

T = TypeVar("T")


def run_transaction(db: firestore.Client, decide: Callable[[firestore.Transaction], T], *, lost_race: str) -> T:
    """Run a `@firestore.transactional` function in a new transaction; `lost_race` is the message a caller
    reads when other changes to the same documents kept winning."""
    try:
        return decide(db.transaction())
    except ValueError as exc:
        if isinstance(exc.__cause__, google_errors.Aborted):
            raise LostRace(lost_race) from None
        raise
