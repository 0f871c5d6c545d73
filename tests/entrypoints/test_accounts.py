"""Onboarding callables through their deployed entry points."""

from __future__ import annotations

import pytest

from curbside.store.collections import Collection, doc_path, private_doc_path
from main import register_device, set_user_type
from tests.factories import make_user, put

TOKEN = "fcm-token-0000000000000000-"


@pytest.fixture
def alice(db):
    put(db, make_user(id="alice", email="alice@example.com", fcm_tokens=[]))
    return "alice"


def snapshot_of_everything(db) -> dict[str, dict[str, object]]:
    return {doc.reference.path: doc.to_dict() for coll in db.collections() for doc in coll.stream()}


def test_choosing_client_creates_the_client_profile_only(db, call, alice):
    response = call(set_user_type, {"user_type": "client"}, uid=alice)

    assert response.status == 200 and response.result == {"user_type": "client"}
    profile = db.document(doc_path(Collection.CLIENT_PROFILES, alice)).get().to_dict()
    assert profile["user_id"] == alice and profile["client_rating"] == 5.0 and profile["loyalty_tier"] == "bronze"
    assert not db.document(doc_path(Collection.DISPATCHER_PROFILES, alice)).get().exists
    assert db.document(doc_path(Collection.USERS, alice)).get().get("user_type") == "client"


def test_switching_to_both_adds_the_missing_profile_and_keeps_the_existing_one(db, call, alice):
    call(set_user_type, {"user_type": "client"}, uid=alice)
    db.document(doc_path(Collection.CLIENT_PROFILES, alice)).update({"car_model": "Mazda 3"})

    response = call(set_user_type, {"user_type": "both"}, uid=alice)

    assert response.result == {"user_type": "both"}
    assert db.document(doc_path(Collection.CLIENT_PROFILES, alice)).get().get("car_model") == "Mazda 3"
    dispatcher = db.document(doc_path(Collection.DISPATCHER_PROFILES, alice)).get().to_dict()
    assert dispatcher["verification_status"] == "pending" and dispatcher["rating"] == 5.0


@pytest.mark.parametrize(("data", "fragment"), [
    ({"user_type": "admin"}, "user_type"),
    ({}, "user_type: Field required"),
    ({"user_type": "client", "role": "admin"}, "role: is not an accepted field"),
    ({"user_type": 3}, "user_type"),
])
def test_a_bad_payload_is_invalid_argument_and_writes_nothing(db, call, alice, data, fragment):
    before = snapshot_of_everything(db)

    response = call(set_user_type, data, uid=alice)

    assert response.status == 400 and response.error == "INVALID_ARGUMENT"
    assert fragment in response.message
    assert snapshot_of_everything(db) == before


def test_a_non_object_body_is_invalid_argument(call, alice):
    assert call(set_user_type, ["client"], uid=alice).error == "INVALID_ARGUMENT"


def test_signed_out_callers_are_unauthenticated(db, call):
    response = call(set_user_type, {"user_type": "client"})
    assert response.status == 401 and response.error == "UNAUTHENTICATED"
    assert snapshot_of_everything(db) == {}


def test_a_user_without_a_user_record_is_told_to_finish_sign_up(db, call):
    response = call(set_user_type, {"user_type": "client"}, uid="ghost")
    assert response.error == "NOT_FOUND" and "sign-up" in response.message
    assert snapshot_of_everything(db) == {}


@pytest.mark.parametrize("status", ["suspended", "banned"])
def test_suspended_and_banned_accounts_are_refused(db, call, alice, status):
    db.document(private_doc_path(Collection.USERS, alice)).set({"account_status": status})
    before = snapshot_of_everything(db)

    response = call(set_user_type, {"user_type": "dispatcher"}, uid=alice)

    assert response.error == "PERMISSION_DENIED" and status in response.message
    assert snapshot_of_everything(db) == before


def test_a_shadow_banned_account_notices_nothing(db, call, alice):
    db.document(private_doc_path(Collection.USERS, alice)).set({"account_status": "shadow_banned"})
    assert call(set_user_type, {"user_type": "dispatcher"}, uid=alice).result == {"user_type": "dispatcher"}


def test_a_device_token_is_kept_once_most_recent_last(db, call, alice):
    for token in (TOKEN + "a", TOKEN + "b", TOKEN + "a"):
        assert call(register_device, {"fcm_token": token, "platform": "ios"}, uid=alice).result == {
            "registered": True}
    assert db.document(doc_path(Collection.USERS, alice)).get().get("fcm_tokens") == [TOKEN + "b", TOKEN + "a"]


def test_only_the_newest_ten_device_tokens_are_kept(db, call, alice):
    for n in range(12):
        call(register_device, {"fcm_token": f"{TOKEN}{n:02d}", "platform": "android"}, uid=alice)
    tokens = db.document(doc_path(Collection.USERS, alice)).get().get("fcm_tokens")
    assert tokens == [f"{TOKEN}{n:02d}" for n in range(2, 12)]


@pytest.mark.parametrize("data", [
    {"fcm_token": "short", "platform": "ios"},
    {"fcm_token": TOKEN + "x", "platform": "symbian"},
    {"fcm_token": TOKEN + " <script>", "platform": "web"},
])
def test_bad_device_registrations_are_refused(db, call, alice, data):
    before = snapshot_of_everything(db)
    assert call(register_device, data, uid=alice).error == "INVALID_ARGUMENT"
    assert snapshot_of_everything(db) == before


def test_registering_a_device_brings_the_e_mail_and_its_verification_from_the_id_token(db, call, alice):
    # given Alice confirmed her address (Firebase Auth's mail) since she signed up
    assert db.document(doc_path(Collection.USERS, alice)).get().get("email_verified") is True  # the factory's
    db.document(doc_path(Collection.USERS, alice)).update({"email_verified": False})

    # when her app starts with a token that says so
    call(register_device, {"fcm_token": TOKEN + "a", "platform": "ios"}, uid=alice,
         email="alice@example.com", email_verified=True)

    # then her record says so too; a token without the claim turns it back off
    assert db.document(doc_path(Collection.USERS, alice)).get().get("email_verified") is True
    call(register_device, {"fcm_token": TOKEN + "a", "platform": "ios"}, uid=alice, email="alice@example.com")
    assert db.document(doc_path(Collection.USERS, alice)).get().get("email_verified") is False
