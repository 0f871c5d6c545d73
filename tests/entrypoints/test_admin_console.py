"""`admin_dashboard`: the KPI cards counted by the database (count() per figure), for admins only."""

from __future__ import annotations

import pytest

from main import admin_dashboard

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

    figures = call(admin_dashboard, {}, uid=ADMIN, admin=True).result

    assert figures["users"] == {"total": 6, "clients": 2, "technicians": 2, "admins": 1}
    assert figures["jobs"] == {"pending": 1, "active": 2}
    assert (figures["technicians_online"], figures["open_disputes"], figures["open_fraud_alerts"],
            figures["tickets_for_live_agent"], figures["verifications_waiting"]) == (1, 2, 2, 1, 0)


@pytest.mark.parametrize(("data", "claims", "code"), [
    ({}, {}, "PERMISSION_DENIED"),
    ({"range": "7d"}, {"admin": True}, "INVALID_ARGUMENT"),
])
def test_a_non_admin_or_an_unknown_field_is_refused(db, deps, call, *, data, claims, code):
    db.document("Users/c1").set({"user_type": "client"})
    answer = call(admin_dashboard, data, uid="c1", **claims)
    assert answer.error == code and "result" not in answer.body
