"""A transaction that loses to another — at commit or already at a read — is a `LostRace`, and leaves no lock."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as google_errors
from google.cloud import firestore

from curbside.domain.errors import LostRace
from curbside.store.transactions import run_transaction

pytestmark = pytest.mark.emulator


def test_a_read_that_timed_out_on_a_lock_is_a_lost_race_and_releases_its_locks(db):
    ref = db.document("Probes/contended")
    ref.set({"count": 0})

    @firestore.transactional
    def read_then_time_out(transaction: firestore.Transaction) -> None:
        ref.get(transaction=transaction)
        # What the emulator (and Firestore under contention) answers a read that waited too long for a lock:
        # the client library raises it as is, without its own retry.
        raise google_errors.Aborted("Transaction lock timeout.")

    with pytest.raises(LostRace, match="try again"):
        run_transaction(db, read_then_time_out, lost_race="The count changed meanwhile; try again.")

    # The lost transaction was rolled back: a write to the document it read does not wait for its lock.
    ref.update({"count": 1})
    assert ref.get().get("count") == 1


def test_a_commit_that_kept_losing_is_a_lost_race(db):
    ref = db.document("Probes/contended")
    ref.set({"count": 0})
    rival = db.transaction()

    @firestore.transactional
    def increment_while_a_rival_holds_the_read(transaction: firestore.Transaction) -> None:
        if rival._id is None:  # the rival reads the document inside this transaction's window, once
            rival._begin()
            ref.get(transaction=rival)
        count = ref.get(transaction=transaction).get("count")
        transaction.update(ref, {"count": count + 1})

    with pytest.raises(LostRace, match="try again"):
        run_transaction(db, increment_while_a_rival_holds_the_read, lost_race="The count changed; try again.")
    rival._rollback()
    assert ref.get().get("count") == 0
