"""The harness itself: the emulator enforces firestore.rules for app callers, never for the admin client."""

from __future__ import annotations

from google.cloud import firestore


def test_a_user_is_refused_another_users_document_but_the_admin_client_is_not(db: firestore.Client, as_user):
    # given two users' documents
    db.document("Users/alice").set({"email": "alice@example.com"})
    db.document("Users/bob").set({"email": "bob@example.com"})

    # when alice reads her own and bob's document through the rules
    own = as_user("alice").get("Users/alice")
    foreign = as_user("alice").get("Users/bob")

    # then only her own is served, and the admin client reads both
    assert own.ok and own.body["email"] == "alice@example.com"
    assert foreign.denied
    assert as_user(None).get("Users/alice").denied
    assert db.document("Users/bob").get().to_dict() == {"email": "bob@example.com"}


def test_data_is_wiped_between_tests_first(db: firestore.Client):
    db.document("Users/leftover").set({"email": "x@example.com"})
    assert db.document("Users/leftover").get().exists


def test_data_is_wiped_between_tests_second(db: firestore.Client):
    assert not db.document("Users/leftover").get().exists


def test_admin_claim_opens_every_document_through_rest(db: firestore.Client, as_user):
    db.document("Users/bob").set({"email": "bob@example.com"})
    assert as_user("root", admin=True).get("Users/bob").ok


def test_server_timestamps_and_writes_go_through_rest(db: firestore.Client, as_user):
    from devstack.firestore_rest import SERVER_TIMESTAMP

    admin = as_user("root", admin=True)
    assert admin.create("Users/carol", {"email": "c@example.com", "created_date": SERVER_TIMESTAMP}).ok
    assert admin.create("Users/carol", {"email": "again"}).status == 409
    stored = db.document("Users/carol").get().to_dict()
    assert stored is not None and stored["created_date"].year >= 2024


def test_a_transaction_left_open_does_not_break_the_next_tests_wipe(db: firestore.Client, firestore_emulator):
    # given a transaction that read a document and was never committed nor rolled back (a test that died
    # mid-transaction): the emulator keeps its lock until it expires it, and answers a wipe 409 meanwhile
    db.document("Users/locked").set({"email": "x@example.com"})
    abandoned = db.transaction()
    abandoned._begin()
    db.document("Users/locked").get(transaction=abandoned)

    # when the next test's fixture wipes the database
    firestore_emulator.clear()

    # then the wipe waited the lock out and went through
    assert not db.document("Users/locked").get().exists
