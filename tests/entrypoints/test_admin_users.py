"""The console's user details: search by name through the maintained prefixes, one person's jobs, reviews and
activity, a password reset e-mailed through Firebase Auth's link, and deletion on the privacy path; admins only,
the actions audited."""

from __future__ import annotations

import datetime as dt

from curbside.domain.name_search import name_prefixes
from curbside.services import accounts
from main import admin_delete_user, admin_get_user, admin_list_users, admin_reset_password
from tests.factories import make_client_review, make_service_request, make_user, put
from tests.request_world import everything

ADMIN = "admin-1"


def add_user(db, uid: str, name: str, created: dt.datetime) -> None:
    put(db, make_user(id=uid, full_name=name, display_name=None, user_type="client", created_date=created,
                      email=f"{uid}@example.com"))


def test_names_are_found_by_any_words_start_and_the_prefixes_follow_a_rename(db, deps, call, clock):
    now = clock.now()
    add_user(db, "u1", "Jane Smith", now)
    add_user(db, "u2", "Zoë Smithers", now + dt.timedelta(minutes=1))
    add_user(db, "u3", "Bob Jones", now + dt.timedelta(minutes=2))
    assert all(accounts.refresh_name_search(deps, uid) for uid in ("u1", "u2", "u3"))  # as on_user_written does
    assert accounts.refresh_name_search(deps, "u1") is False  # the trigger's run for its own write: nothing

    def found(name: str) -> list[str]:
        return [u["user_id"] for u in call(admin_list_users, {"name": name}, uid=ADMIN, admin=True).result["users"]]

    assert (found("smi"), found("SMITHERS"), found("jane sm"), found("zoë"), found("ones")) == (
        ["u2", "u1"], ["u2"], ["u1"], ["u2"], [])
    db.document("Users/u3").update({"full_name": "Robert Smith"})  # the app renames through the rules
    assert accounts.refresh_name_search(deps, "u3")
    assert found("smith") == ["u3", "u2", "u1"] and found("bob") == []
    assert name_prefixes("Jo", None) == ["jo"]


def test_the_details_hold_the_persons_jobs_reviews_and_activity(db, deps, call, clock):
    now = clock.now()
    add_user(db, "c1", "Client One", now)
    put(db, make_service_request(id="j1", client_id="c1", status="completed", created_date=now))
    put(db, make_client_review(id="j1", request_id="j1", reviewer_id="t1", reviewee_id="c1", rating=5,
                               comment="On time.", created_date=now))
    db.document("AuditLog/a1").set({"actor_id": ADMIN, "source": "admin", "action": "set_account_status",
                                    "target_collection": "Users", "target_id": "c1", "before": {}, "after": {},
                                    "reason": "Warning", "created_date": now})

    user = call(admin_get_user, {"user_id": "c1"}, uid=ADMIN, admin=True).result

    assert (user["full_name"], user["account_status"]) == ("Client One", "active")
    assert [(j["request_id"], j["status"]) for j in user["jobs"]] == [("j1", "completed")]
    assert [(r["rating"], r["comment"]) for r in user["reviews"]] == [(5, "On time.")]
    assert [(a["action"], a["reason"]) for a in user["activity"]] == [("set_account_status", "Warning")]
    assert call(admin_get_user, {"user_id": "nobody"}, uid=ADMIN, admin=True).error == "NOT_FOUND"


def test_a_password_reset_is_emailed_to_the_person_and_audited(db, deps, call, clock, *, auth_admin, mail_server):
    add_user(db, "c1", "Client One", clock.now())
    answer = call(admin_reset_password, {"user_id": "c1", "reason": "Locked out, asked by phone."}, uid=ADMIN,
                  admin=True).result
    assert answer == {"user_id": "c1", "sent_to": "c1@example.com"}  # the link itself never reaches the admin
    assert auth_admin.calls == [("password_reset_link", "c1@example.com")]
    [mail] = mail_server.received
    assert mail.to == ("c1@example.com",) and "mode=resetPassword" in mail.text
    [entry] = [snap.to_dict() or {} for snap in db.collection("AuditLog").stream()]
    assert (entry["action"], entry["target_id"], entry["reason"]) == ("reset_password", "c1",
                                                                      "Locked out, asked by phone.")


def test_an_admin_deletes_an_account_on_the_privacy_path_refused_while_a_job_binds_it(db, deps, call, clock):
    add_user(db, "c1", "Client One", clock.now())
    add_user(db, "c2", "Client Two", clock.now())
    db.document("Users/c2/private/data").set({"account_status": "banned"})
    put(db, make_service_request(id="j1", client_id="c1", status="en_route", created_date=clock.now()))
    before = everything(db)
    bound = call(admin_delete_user, {"user_id": "c1", "reason": "Asked by e-mail."}, uid=ADMIN, admin=True)
    assert bound.error == "FAILED_PRECONDITION" and "not finished" in bound.message
    assert call(admin_delete_user, {"user_id": "c2", "reason": "Asked."}, uid="c1").error == "PERMISSION_DENIED"
    assert everything(db) == before

    deleted = call(admin_delete_user, {"user_id": "c2", "reason": "Banned, asked to be erased."}, uid=ADMIN,
                   admin=True).result  # a banned account cannot ask itself; an admin may
    assert deleted["user_id"] == "c2"
    stored = db.document("Users/c2").get().to_dict() or {}
    assert stored["full_name"] == "Deleted user" and stored["search_prefixes"] == []
    [entry] = [snap.to_dict() or {} for snap in db.collection("AuditLog").stream()]
    assert (entry["action"], entry["actor_id"], entry["reason"]) == ("delete_account", ADMIN,
                                                                     "Banned, asked to be erased.")
