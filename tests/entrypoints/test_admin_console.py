"""The console's own callables: `admin_dashboard` (the KPI cards, a count() per figure) and the live-agent ticket
queue and conversation, for admins only."""

from __future__ import annotations

import datetime as dt

import pytest

from curbside.services import support
from main import (
    admin_add_ticket_note,
    admin_dashboard,
    admin_get_dispute,
    admin_get_ticket,
    admin_list_disputes,
    admin_list_fraud_alerts,
    admin_list_rewards,
    admin_list_tickets,
    admin_list_users,
)

ADMIN = "admin-1"


def put_all(db, collection: str, docs: dict[str, dict[str, object]]) -> None:
    for doc_id, fields in docs.items():
        db.document(f"{collection}/{doc_id}").set(fields)


def test_the_figures_count_only_what_is_open_active_or_online(db, deps, call):
    put_all(db, "Users", {ADMIN: {"role": "admin"}, "c1": {"user_type": "client", "role": "user"},
                          "c2": {"user_type": "client", "role": "user"}, "t1": {"user_type": "dispatcher"},
                          "t2": {"user_type": "dispatcher"}, "new": {"role": "user"}})
    put_all(db, "ServiceRequests", {"j1": {"status": "pending"}, "j2": {"status": "en_route"},
                                    "j3": {"status": "in_progress"}, "j4": {"status": "completed"},
                                    "j5": {"status": "cancelled"}})
    put_all(db, "DispatcherLocations", {"t1": {"is_online": True, "account_status": "active"},
                                        "t2": {"is_online": True, "account_status": "banned"},
                                        "t3": {"is_online": False, "account_status": "active"}})
    put_all(db, "Disputes", {"d1": {"status": "open"}, "d2": {"status": "escalated"}, "d3": {"status": "closed"},
                             "d4": {"status": "resolved_mutual"}})
    put_all(db, "FraudAlerts", {"f1": {"status": "active"}, "f2": {"status": "investigating"},
                                "f3": {"status": "false_positive"}})
    put_all(db, "SupportTickets", {"s1": {"live_agent_requested": True, "status": "waiting_admin"},
                                   "s2": {"live_agent_requested": True, "status": "closed"},
                                   "s3": {"live_agent_requested": False, "status": "open"}})
    put_all(db, "Leads", {"71": {"status": "matched"}, "72": {"status": "booked"}, "73": {"status": "booked"},
                          "74": {"status": "lost"}})

    figures = call(admin_dashboard, {}, uid=ADMIN, admin=True).result

    assert figures["users"] == {"total": 6, "clients": 2, "technicians": 2, "admins": 1}
    assert figures["jobs"] == {"pending": 1, "active": 2}
    assert (figures["technicians_online"], figures["open_disputes"], figures["open_fraud_alerts"],
            figures["tickets_for_live_agent"], figures["verifications_waiting"]) == (1, 2, 2, 1, 0)
    assert figures["leads"] == {"new": 0, "asked_postcode": 0, "matched": 1, "booked": 2, "lost": 1}


@pytest.mark.parametrize(("data", "claims", "code"), [
    ({}, {}, "PERMISSION_DENIED"),
    ({"range": "7d"}, {"admin": True}, "INVALID_ARGUMENT"),
])
def test_a_non_admin_or_an_unknown_field_is_refused(db, deps, call, *, data, claims, code):
    db.document("Users/c1").set({"user_type": "client"})
    answer = call(admin_dashboard, data, uid="c1", **claims)
    assert answer.error == code and "result" not in answer.body


def test_the_ticket_queue_holds_live_agent_tickets_of_the_chosen_filter_latest_first(db, deps, call, clock):
    base = {"user_id": "c1", "subject": "Help", "category": "other", "created_date": clock.now()}
    put_all(db, "SupportTickets", {
        "old": {**base, "live_agent_requested": True, "status": "waiting_admin",
                "last_message_at": clock.now() - dt.timedelta(hours=2)},
        "new": {**base, "live_agent_requested": True, "status": "open", "last_message_at": clock.now()},
        "mine": {**base, "live_agent_requested": True, "status": "in_progress", "last_message_at": clock.now()},
        "bot": {**base, "live_agent_requested": False, "status": "open", "last_message_at": clock.now()}})
    db.document("SupportMessages/m1").set({"ticket_id": "old", "sender_id": "c1", "sender_type": "user",
                                           "message": "Still waiting", "created_date": clock.now()})

    waiting = call(admin_list_tickets, {}, uid=ADMIN, admin=True).result
    in_hand = call(admin_list_tickets, {"queue": "in_progress"}, uid=ADMIN, admin=True).result
    conversation = call(admin_get_ticket, {"ticket_id": "old"}, uid=ADMIN, admin=True).result

    assert ([t["ticket_id"] for t in waiting["tickets"]], waiting["total"]) == (["new", "old"], 2)
    first = call(admin_list_tickets, {"limit": 1}, uid=ADMIN, admin=True).result
    rest = call(admin_list_tickets, {"limit": 1, "after": first["next"]}, uid=ADMIN, admin=True).result
    assert ([t["ticket_id"] for t in first["tickets"]], [t["ticket_id"] for t in rest["tickets"]]) == (["new"], ["old"])
    assert (first["total"], waiting["next"]) == (2, None)
    assert [t["ticket_id"] for t in in_hand["tickets"]] == ["mine"]
    assert [m["message"] for m in conversation["messages"]] == ["Still waiting"]


@pytest.mark.parametrize(("fn", "data", "claims", "code"), [
    (admin_list_tickets, {}, {}, "PERMISSION_DENIED"),
    (admin_list_tickets, {"queue": "everything"}, {"admin": True}, "INVALID_ARGUMENT"),
    (admin_get_ticket, {"ticket_id": "nope"}, {}, "PERMISSION_DENIED"),
    (admin_get_ticket, {"ticket_id": "nope"}, {"admin": True}, "NOT_FOUND"),
])
def test_ticket_reads_are_for_admins_and_name_what_is_wrong(db, deps, call, *, fn, data, claims, code):
    answer = call(fn, data, uid="c1", **claims)
    assert answer.error == code and "result" not in answer.body


def test_the_users_tabs_page_newest_first_and_find_by_email_or_phone(db, deps, call, clock):
    for i, kind in enumerate(["client", "dispatcher", "client", "client"]):
        db.document(f"Users/u{i}").set({"user_type": kind, "role": "user", "email": f"u{i}@example.com",
                                        "phone_number": f"+6140000000{i}",
                                        "created_date": clock.now() - dt.timedelta(days=i)})
    db.document("Users/u3/private/data").set({"account_status": "suspended"})

    def page(**data):
        return call(admin_list_users, data, uid=ADMIN, admin=True).result

    first = page(tab="clients", limit=2)
    second = page(tab="clients", limit=2, after=first["next"])
    by_email, by_phone = page(email=" U1@example.com "), page(phone_number="+61400000003")

    assert [u["user_id"] for u in first["users"]] == ["u0", "u2"] and first["next"] == "u2"
    assert ([u["user_id"] for u in second["users"]], second["next"]) == (["u3"], None)
    assert second["users"][0]["account_status"] == "suspended" and first["users"][0]["account_status"] == "active"
    assert [u["user_id"] for u in by_email["users"]] == ["u1"] and by_email["next"] is None
    assert [u["user_id"] for u in by_phone["users"]] == ["u3"]


@pytest.mark.parametrize(("data", "claims", "code"), [
    ({}, {}, "PERMISSION_DENIED"),
    ({"tab": "banned"}, {"admin": True}, "INVALID_ARGUMENT"),
    ({"phone_number": "0400 000 000"}, {"admin": True}, "INVALID_ARGUMENT"),
    ({"after": "gone"}, {"admin": True}, "NOT_FOUND"),
])
def test_a_users_page_is_for_admins_and_names_what_is_wrong(db, deps, call, *, data, claims, code):
    answer = call(admin_list_users, data, uid="c1", **claims)
    assert answer.error == code and "result" not in answer.body


def test_fraud_alerts_filter_by_status_severity_and_type_newest_first(db, deps, call, clock):
    def alert(severity, alert_type, status, hours_ago):
        return {"user_id": "t1", "user_type": "dispatcher", "severity": severity, "alert_type": alert_type,
                "status": status, "created_date": clock.now() - dt.timedelta(hours=hours_ago)}

    put_all(db, "FraudAlerts", {"old": alert("high", "fake_gps", "active", 5),
                                "new": alert("high", "location_mismatch", "investigating", 1),
                                "low": alert("low", "fake_gps", "active", 2),
                                "done": alert("high", "fake_gps", "resolved", 3)})

    def ids(**data):
        return [a["alert_id"] for a in call(admin_list_fraud_alerts, data, uid=ADMIN, admin=True).result["alerts"]]

    assert ids() == ["new", "low", "old"]
    assert ids(severity="high") == ["new", "old"]
    assert ids(severity="high", alert_type="fake_gps") == ["old"]
    assert ids(status="resolved", alert_type="fake_gps") == ["done"]


@pytest.mark.parametrize(("data", "claims", "code"), [
    ({}, {}, "PERMISSION_DENIED"),
    ({"severity": "extreme"}, {"admin": True}, "INVALID_ARGUMENT"),
    ({"status": "closed"}, {"admin": True}, "INVALID_ARGUMENT"),
])
def test_fraud_alerts_are_for_admins_and_bad_filters_are_named(db, deps, call, *, data, claims, code):
    answer = call(admin_list_fraud_alerts, data, uid="c1", **claims)
    assert answer.error == code and "result" not in answer.body


def test_the_rewards_catalogue_lists_active_and_inactive_rewards_cheapest_first(db, deps, call):
    put_all(db, "Rewards", {
        "r-gold": {"title": "Gold wash", "points_required": 3000, "reward_type": "special_perk", "is_active": True},
        "r-off": {"title": "Old promo", "points_required": 100, "reward_type": "special_perk", "is_active": False}})

    listed = call(admin_list_rewards, {}, uid=ADMIN, admin=True).result["rewards"]
    refused = call(admin_list_rewards, {}, uid="c1")

    assert [(r["reward_id"], r["is_active"]) for r in listed] == [("r-off", False), ("r-gold", True)]
    assert refused.error == "PERMISSION_DENIED" and "result" not in refused.body


def test_the_dispute_queue_and_one_dispute_with_its_internal_notes(db, deps, call, clock):
    def dispute(status, hours_ago):
        at = clock.now() - dt.timedelta(hours=hours_ago)
        return {"request_id": "j1", "client_id": "c1", "dispatcher_id": "t1", "raised_by_user_id": "c1",
                "raised_by_type": "client", "dispute_reason": "damage_claim", "description": "Scratched door",
                "status": status, "priority": "high", "opened_at": at, "last_activity_at": at}

    put_all(db, "Disputes", {"old": dispute("open", 5), "new": dispute("escalated", 1),
                             "done": dispute("resolved_mutual", 2), "shut": dispute("closed", 3)})
    put_all(db, "DisputeComments", {
        "k1": {"dispute_id": "old", "user_id": "c1", "user_type": "client", "comment": "See the photo",
               "created_date": clock.now() - dt.timedelta(hours=4)},
        "k2": {"dispute_id": "old", "user_id": ADMIN, "user_type": "admin", "comment": "Check arrival photos",
               "is_internal": True, "created_date": clock.now() - dt.timedelta(hours=3)}})

    def ids(**data):
        return [d["dispute_id"] for d in call(admin_list_disputes, data, uid=ADMIN, admin=True).result["disputes"]]

    one = call(admin_get_dispute, {"dispute_id": "old"}, uid=ADMIN, admin=True).result

    assert (ids(), ids(status="resolved"), ids(status="closed")) == (["new", "old"], ["done"], ["shut"])
    assert [(c["comment"], c["is_internal"]) for c in one["comments"]] == [
        ("See the photo", False), ("Check arrival photos", True)]


@pytest.mark.parametrize(("fn", "data", "claims", "code"), [
    (admin_list_disputes, {}, {}, "PERMISSION_DENIED"),
    (admin_list_disputes, {"status": "lost"}, {"admin": True}, "INVALID_ARGUMENT"),
    (admin_get_dispute, {"dispute_id": "nope"}, {}, "PERMISSION_DENIED"),
    (admin_get_dispute, {"dispute_id": "nope"}, {"admin": True}, "NOT_FOUND"),
])
def test_dispute_reads_are_for_admins_and_name_what_is_wrong(db, deps, call, *, fn, data, claims, code):
    answer = call(fn, data, uid="c1", **claims)
    assert answer.error == code and "result" not in answer.body


def test_an_internal_note_is_kept_from_the_ticket_owner_audited_and_deleted_with_the_ticket(db, deps, call, clock,
                                                                                            as_user):
    db.document("Users/c1").set({"user_type": "client"})
    db.document("Users/admin-1").set({"role": "admin", "full_name": "Ada Admin"})
    db.document("SupportTickets/t1").set({"user_id": "c1", "subject": "Help", "category": "other", "status": "closed",
                                          "created_date": clock.now(), "expires_at": clock.now()})
    added = call(admin_add_ticket_note, {"ticket_id": "t1", "note": "Refund promised by phone."}, uid=ADMIN,
                 admin=True).result
    refused = call(admin_add_ticket_note, {"ticket_id": "t1", "note": "Mine."}, uid="c1")

    shown = call(admin_get_ticket, {"ticket_id": "t1"}, uid=ADMIN, admin=True).result
    assert added == {"ticket_id": "t1", "notes": 1} and refused.error == "PERMISSION_DENIED"
    assert [(n["admin_name"], n["note"]) for n in shown["internal_notes"]] == [
        ("Ada Admin", "Refund promised by phone.")]
    assert as_user("c1").get("SupportTickets/t1/private/data").denied and as_user("c1").get("SupportTickets/t1").ok
    [entry] = [snap.to_dict() or {} for snap in db.collection("AuditLog").stream()]
    assert (entry["action"], entry["target_id"]) == ("add_ticket_note", "t1")
    clock.current += dt.timedelta(seconds=1)
    assert support.cleanup_expired_tickets(deps) == ["t1"]
    assert not db.document("SupportTickets/t1/private/data").get().exists
