"""The audit-trail screen's callable: the log newest first in pages, by actor, action or target, admins only."""

from __future__ import annotations

import datetime as dt

from main import admin_list_audit_log

ADMIN = "admin-1"


def test_the_log_is_paged_newest_first_and_filtered_by_actor_action_and_target(db, deps, call, clock):
    start = clock.now()
    for n, (actor, action, target) in enumerate([
            ("admin-1", "set_account_status", "u1"), ("admin-2", "set_account_status", "u2"),
            ("admin-1", "upsert_pricing_rule", "rule-a"), ("admin-1", "set_account_status", "u2")]):
        db.document(f"AuditLog/e{n}").set({
            "actor_id": actor, "source": "admin", "action": action, "target_collection": "Users",
            "target_id": target, "before": {}, "after": {"n": n}, "reason": f"reason {n}",
            "created_date": start + dt.timedelta(minutes=n)})

    def ids(**data: object) -> list[str]:
        return [e["entry_id"] for e in call(admin_list_audit_log, data, uid=ADMIN, admin=True).result["entries"]]

    first = call(admin_list_audit_log, {"limit": 3}, uid=ADMIN, admin=True).result
    assert [e["entry_id"] for e in first["entries"]] == ["e3", "e2", "e1"] and first["next"] == "e1"
    assert first["entries"][0]["reason"] == "reason 3" and first["entries"][0]["after"] == {"n": 3}
    assert ids(limit=3, after="e1") == ["e0"]
    assert ids(actor_id="admin-1") == ["e3", "e2", "e0"]
    assert ids(action="set_account_status") == ["e3", "e1", "e0"]
    assert ids(target_id="u2") == ["e3", "e1"]
    assert ids(actor_id="admin-1", action="set_account_status") == ["e3", "e0"]


def test_a_non_admin_an_unindexed_combination_or_a_bad_filter_is_refused(db, deps, call):
    db.document("Users/c1").set({"user_type": "client"})
    assert call(admin_list_audit_log, {}, uid="c1").error == "PERMISSION_DENIED"
    combined = call(admin_list_audit_log, {"action": "set_account_status", "target_id": "u1"}, uid=ADMIN, admin=True)
    assert combined.error == "INVALID_ARGUMENT" and "actor_id and action together" in combined.message
    bad = call(admin_list_audit_log, {"action": "DROP TABLE"}, uid=ADMIN, admin=True)
    assert bad.error == "INVALID_ARGUMENT" and bad.message.startswith("Invalid request: action")
    assert call(admin_list_audit_log, {"after": "gone"}, uid=ADMIN, admin=True).error == "NOT_FOUND"
