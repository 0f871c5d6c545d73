"""Running one decision as one Firestore transaction, with the outcome of contention made explicit.

The client retries a transaction whose commit collides with another (Firestore aborts one of two
overlapping read-write transactions); when the collisions outlast its retries it raises a bare `ValueError`
whose cause is `Aborted`. A read inside the transaction that waits too long for another's lock ("Transaction
lock timeout", under contention) raises `Aborted` itself, which the client does not retry. Both are the
"lost race" of DESIGN.md convention 2, so they become `LostRace` (ABORTED, "try again") instead of an
INTERNAL error.

Background work that nobody will resend — a Firestore trigger, which this SDK always deploys with retries
off — uses `retry_lost_races` to try again itself after a short, jittered pause.
"""

from __future__ import annotations

import random
import time
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
    except google_errors.Aborted:
        raise LostRace(lost_race) from None
    except ValueError as exc:
        if isinstance(exc.__cause__, google_errors.Aborted):
            raise LostRace(lost_race) from None
        raise


def retry_lost_races(action: Callable[[], T], *, attempts: int = 4, first_pause_s: float = 0.05) -> T:
    """Run `action`, running it again after a `LostRace` up to `attempts` times in all, pausing a random
    0.5-1.5 x `first_pause_s`, doubled each time, so the contenders spread out. `action` must be safe to
    repeat. The last `LostRace` propagates."""
    for attempt in range(1, attempts):
        try:
            return action()
        except LostRace:
            time.sleep(first_pause_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
    return action()
