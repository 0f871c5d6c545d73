"""The server-owned defaults of a new user, and that a duplicate delivery changes nothing."""

from __future__ import annotations

import datetime as dt

from curbside.services import accounts
from curbside.store.collections import Collection, doc_path, private_doc_path


def test_defaults_are_filled_once_and_a_replay_changes_nothing(db, deps, clock):
    db.document("Users/alice").set({"email": "alice@example.com", "full_name": "Alice Ng"})

    assert accounts.fill_user_defaults(deps, "alice") is True
    first = {path: db.document(path).get().to_dict() for path in (
        doc_path(Collection.USERS, "alice"), private_doc_path(Collection.USERS, "alice"),
        doc_path(Collection.NOTIFICATION_PREFERENCES, "alice"))}

    clock.advance(dt.timedelta(minutes=5))
    assert accounts.fill_user_defaults(deps, "alice") is False
    again = {path: db.document(path).get().to_dict() for path in first}

    assert again == first
    user = first["Users/alice"]
    assert user["email"] == "alice@example.com" and user["id"] == "alice" and user["fcm_tokens"] == []
    assert user["phone_verified"] is False and user["onboarding_completed"] is False
    assert first["Users/alice/private/data"]["account_status"] == "active"
    prefs = first["NotificationPreferences/alice"]
    assert prefs["job_accepted"] is True and prefs["email_notifications"] is False


def test_an_already_deleted_user_gets_nothing(db, deps):
    assert accounts.fill_user_defaults(deps, "gone") is False
    assert not db.document(doc_path(Collection.NOTIFICATION_PREFERENCES, "gone")).get().exists
