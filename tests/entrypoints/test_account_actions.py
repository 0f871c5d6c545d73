"""Account actions (issue 15) through the deployed entry points: `admin_set_account_status` taking effect in
the same commit (dispatch index, offers withdrawn and re-offered, Firebase Auth through the outbox, the
person told, the audit trail), every refusal writing nothing, a console edit applied by its trigger, and a
ban racing a dispatch search already in flight."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from curbside.domain.enums import AccountStatus, RequestStatus
from curbside.services import account_actions, dispatch_queue, outbox
from curbside.store.collections import Collection, doc_path, private_doc_path
from main import admin_set_account_status, set_availability
from tests.factories import make_job_offer, put
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored
from tests.technicians import add_technician, north_of

ADMIN = "admin-1"
TECH = "tech-banned"
NEXT = "tech-next"


def private_of(db, uid: str) -> dict[str, Any]:
    return db.document(private_doc_path(Collection.USERS, uid)).get().to_dict() or {}


def audit_entries(db) -> list[dict[str, Any]]:
    return [snap.to_dict() for snap in db.collection(Collection.AUDIT_LOG).stream()]


def ban(call, uid: str = TECH, status: str = "banned", reason: str = "Fake photos on three jobs.", **claims: Any):
    return call(admin_set_account_status, {"user_id": uid, "account_status": status, "reason": reason},
                uid=claims.pop("caller", ADMIN), **({"admin": True} | claims))


@pytest.fixture
def offered(db, clock):
    """A pending job offered to TECH (online, verified, a fresh position), with NEXT just behind them."""
    fresh = {"fixed_at": clock.now()}
    add_client(db)
    add_technician(db, TECH, at=north_of(NEAR_CBD, 300), **fresh)
    add_technician(db, NEXT, at=north_of(NEAR_CBD, 2_000), **fresh)
    job = add_job(db, RequestStatus.PENDING, created_date=clock.now(), dispatch_started_at=clock.now())
    put(db, make_job_offer(id=f"{job.id}:1", request_id=job.id, dispatcher_id=TECH, offered_at=clock.now(),
                           expires_at=clock.now() + dt.timedelta(seconds=60)))
    return job


def test_a_ban_takes_the_technician_out_of_dispatch_in_its_own_commit(db, call, offered, auth_admin):
    answer = ban(call)

    assert answer.result == {"user_id": TECH, "account_status": "banned", "changed": True, "offers_withdrawn": 1}
    private = db.document(private_doc_path(Collection.USERS, TECH)).get()
    entry = db.document(doc_path(Collection.DISPATCHER_LOCATIONS, TECH)).get()
    offer = db.document(doc_path(Collection.JOB_OFFERS, f"{offered.id}:1")).get()
    assert private.get("account_status") == "banned" and private.get("account_status_applied") == "banned"
    assert (entry.get("account_status"), entry.get("searchable"), entry.get("search_cells")) == ("banned", False, [])
    assert offer.get("offer_status") == "expired" and offer.get("rejection_reason") is None
    assert "location_address" not in offer.get("job_details")
    assert private.update_time == entry.update_time == offer.update_time  # one commit
    # the job went on to the next technician right after
    assert stored(db, Collection.JOB_OFFERS, f"{offered.id}:2")["dispatcher_id"] == NEXT
    # Firebase Auth: sessions revoked, account disabled (through the outbox, done)
    assert auth_admin.calls == [("revoke_sessions", TECH), ("disable", TECH)] and TECH in auth_admin.disabled
    assert stored(db, Collection.OUTBOX, f"{account_actions.SYNC_AUTH}:{TECH}")["status"] == "done"
    [entry_audit] = audit_entries(db)
    assert {key: entry_audit[key] for key in ("actor_id", "source", "action", "target_collection", "target_id",
                                              "before", "after", "reason")} == {
        "actor_id": ADMIN, "source": "admin", "action": "set_account_status", "target_collection": "Users",
        "target_id": TECH, "before": {"account_status": "active"}, "after": {"account_status": "banned"},
        "reason": "Fake photos on three jobs."}
    notices = [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream()
               if snap.get("user_id") == TECH]
    assert [(note["type"], note["title"]) for note in notices] == [("account_security", "Your account is closed")]


def test_a_shadow_ban_withdraws_offers_silently_and_lifting_it_changes_auth_not_at_all(db, call, offered, auth_admin):
    assert ban(call, status="shadow_banned").result["offers_withdrawn"] == 1
    assert stored(db, Collection.DISPATCHER_LOCATIONS, TECH)["searchable"] is False
    assert stored(db, Collection.JOB_OFFERS, f"{offered.id}:2")["dispatcher_id"] == NEXT
    assert ban(call, status="active").result["changed"] is True
    assert stored(db, Collection.DISPATCHER_LOCATIONS, TECH)["searchable"] is True

    # never told, never signed out: nothing they can notice
    assert not [snap for snap in db.collection(Collection.NOTIFICATIONS).stream() if snap.get("user_id") == TECH]
    assert auth_admin.calls == []
    assert [entry["after"] for entry in audit_entries(db)] in (
        [{"account_status": "shadow_banned"}, {"account_status": "active"}],
        [{"account_status": "active"}, {"account_status": "shadow_banned"}])


def test_suspension_then_reinstatement_revokes_then_restores(db, call, offered, auth_admin):
    ban(call, status="suspended")
    assert auth_admin.calls == [("revoke_sessions", TECH), ("enable", TECH)] and TECH not in auth_admin.disabled
    ban(call, status="banned")
    ban(call, status="active")
    assert auth_admin.calls[-1] == ("enable", TECH) and TECH not in auth_admin.disabled
    titles = sorted(snap.get("title") for snap in db.collection(Collection.NOTIFICATIONS).stream()
                    if snap.get("user_id") == TECH)
    assert titles == ["Your account is active again", "Your account is closed", "Your account is suspended"]


def test_setting_the_status_an_account_has_writes_nothing(db, call, offered):
    ban(call)
    before = everything(db)
    assert ban(call).result == {"user_id": TECH, "account_status": "banned", "changed": False,
                                "offers_withdrawn": 0}
    assert everything(db) == before


@pytest.mark.parametrize(("data", "claims", "code"), [
    ({"user_id": TECH, "account_status": "deleted", "reason": "Spam."}, {"admin": True}, "INVALID_ARGUMENT"),
    ({"user_id": TECH, "account_status": "banned"}, {"admin": True}, "INVALID_ARGUMENT"),
    ({"user_id": TECH, "account_status": "banned", "reason": "  "}, {"admin": True}, "INVALID_ARGUMENT"),
    ({"user_id": TECH, "account_status": "banned", "reason": "Fraud ring.", "extra": 1}, {"admin": True},
     "INVALID_ARGUMENT"),
    ({"user_id": TECH, "account_status": "banned", "reason": "Fraud ring."}, {}, "PERMISSION_DENIED"),
    ({"user_id": "nobody-here", "account_status": "banned", "reason": "Fraud ring."}, {"admin": True}, "NOT_FOUND"),
    ({"user_id": ADMIN, "account_status": "banned", "reason": "Fraud ring."}, {"admin": True}, "PERMISSION_DENIED"),
], ids=["unknown_status", "missing_reason", "blank_reason", "unknown_field", "not_an_admin", "no_such_user",
        "own_account"])
def test_bad_requests_are_refused_and_write_nothing(db, call, offered, *, data, claims, code):
    before = everything(db)
    answer = call(admin_set_account_status, data, uid=ADMIN, **claims)
    assert answer.error == code, answer.body
    assert everything(db) == before


def test_a_ban_is_only_lifted_to_active(db, call, offered):
    ban(call)
    before = everything(db)
    answer = ban(call, status="suspended")
    assert answer.error == "FAILED_PRECONDITION" and "banned" in answer.message
    assert everything(db) == before


def test_an_auth_outage_leaves_the_ban_in_force_and_the_sweep_finishes_it(db, call, deps, clock, offered, *,
                                                                          auth_admin):
    auth_admin.down = True
    assert ban(call).result["changed"] is True
    assert stored(db, Collection.DISPATCHER_LOCATIONS, TECH)["searchable"] is False
    assert stored(db, Collection.OUTBOX, f"{account_actions.SYNC_AUTH}:{TECH}")["status"] == "pending"

    auth_admin.down = False
    clock.advance(dt.timedelta(minutes=10))
    outbox.sweep(deps)
    assert TECH in auth_admin.disabled
    assert stored(db, Collection.OUTBOX, f"{account_actions.SYNC_AUTH}:{TECH}")["status"] == "done"


def test_a_ban_lifted_during_an_auth_outage_is_never_applied_late(db, call, deps, clock, offered, *, auth_admin):
    auth_admin.down = True
    ban(call)
    ban(call, status="active")
    auth_admin.down = False
    clock.advance(dt.timedelta(minutes=10))
    outbox.sweep(deps)
    assert TECH not in auth_admin.disabled and ("disable", TECH) not in auth_admin.calls


# --- what a blocked account can do -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "banned"])
def test_every_callable_refuses_a_suspended_or_banned_caller_and_writes_nothing(db, call, offered, status):
    import main

    ban(call, status=status)
    before = everything(db)
    callables = [getattr(main, name) for name in main.__all__
                 if getattr(main, name).__firebase_endpoint__.callableTrigger is not None]
    assert len(callables) > 20
    for fn in callables:
        answer = call(fn, {}, uid=TECH)
        assert (answer.error, answer.message) == (
            "PERMISSION_DENIED", f"Your account is {status}; contact support if you think this is a mistake."), fn
    assert everything(db) == before


def test_a_shadow_banned_technician_is_answered_as_anyone_else(db, call, offered):
    ban(call, status="shadow_banned")
    assert call(set_availability, {"online": True}, uid=TECH).result == {"online": True}


# --- the Firebase console ----------------------------------------------------------------------------------------


def test_an_owner_write_of_banned_in_the_console_takes_the_technician_out_of_dispatch(db, deps, offered, auth_admin):
    # the console writes with the project owner's rights: no callable, no rules
    db.document(private_doc_path(Collection.USERS, TECH)).update(
        {"account_status": "banned", "account_status_reason": "Chargeback fraud."})

    assert account_actions.apply_console_edit(deps, TECH) is AccountStatus.BANNED

    entry = stored(db, Collection.DISPATCHER_LOCATIONS, TECH)
    assert (entry["account_status"], entry["searchable"]) == ("banned", False)
    assert stored(db, Collection.JOB_OFFERS, f"{offered.id}:1")["offer_status"] == "expired"
    assert stored(db, Collection.JOB_OFFERS, f"{offered.id}:2")["dispatcher_id"] == NEXT
    assert TECH in auth_admin.disabled
    [audit] = audit_entries(db)
    assert (audit["source"], audit["actor_id"], audit["reason"]) == ("console", None, "Chargeback fraud.")
    assert private_of(db, TECH)["account_status_applied"] == "banned"

    after = everything(db)  # the trigger fires again for its own write, and a replay: nothing more
    assert account_actions.apply_console_edit(deps, TECH) is None
    assert everything(db) == after


def test_a_console_edit_of_verification_takes_the_technician_out_too(db, deps, offered):
    db.document(doc_path(Collection.DISPATCHER_PROFILES, TECH)).update({"verification_status": "rejected"})

    assert account_actions.apply_verification_edit(deps, TECH) is True
    assert stored(db, Collection.DISPATCHER_LOCATIONS, TECH)["searchable"] is False
    offer = stored(db, Collection.JOB_OFFERS, f"{offered.id}:1")
    assert (offer["offer_status"], offer["rejection_reason"]) == ("expired", "technician_not_verified")
    assert [entry["source"] for entry in audit_entries(db)] == ["console"]
    after = everything(db)
    assert account_actions.apply_verification_edit(deps, TECH) is False
    assert everything(db) == after


def together(actions: tuple[Any, ...]) -> tuple[list[threading.Thread], list[BaseException]]:
    """Start each action in its own thread, all released at once; failures are collected."""
    barrier = threading.Barrier(len(actions))
    failures: list[BaseException] = []

    def run(action: Any) -> None:
        barrier.wait()
        try:
            action()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    return threads, failures


# --- a search in flight --------------------------------------------------------------------------------------------


def test_a_search_that_found_the_technician_before_the_ban_makes_no_offer_after_it(db, call, deps, clock):
    add_client(db)
    add_technician(db, TECH, at=north_of(NEAR_CBD, 300), fixed_at=clock.now())
    add_technician(db, NEXT, at=north_of(NEAR_CBD, 2_000), fixed_at=clock.now())
    job = add_job(db, RequestStatus.PENDING, created_date=clock.now())
    plan = dispatch_queue.plan(deps, job.id, first=True)
    assert plan is not None and plan.best is not None and plan.best.dispatcher_id == TECH

    ban(call)  # lands between the search and the offer's commit
    before = everything(db)
    outcome = dispatch_queue.make_offer(deps, job.id, plan)
    assert (outcome.stale, outcome.offer) == (True, None) and everything(db) == before

    assert dispatch_queue.start_dispatch(deps, job.id) is True  # the step searches again
    assert [snap.get("dispatcher_id") for snap in db.collection(Collection.JOB_OFFERS).stream()] == [NEXT]


def test_bans_racing_dispatch_never_leave_an_offer_to_a_banned_technician(db, call, deps, clock):
    add_client(db)
    add_technician(db, NEXT, at=north_of(NEAR_CBD, 2_000), fixed_at=clock.now())
    for n in range(2):  # each round: a fresh technician nearest the job, banned while its dispatch runs
        add_technician(db, f"{TECH}-{n}", at=north_of(NEAR_CBD, 100), fixed_at=clock.now())
        job = add_job(db, RequestStatus.PENDING, id=f"job-race-{n}", created_date=clock.now())
        actions = (lambda n=n: ban(call, uid=f"{TECH}-{n}").result,
                   lambda job=job: dispatch_queue.start_dispatch(deps, job.id))
        threads, failures = together(actions)
        for thread in threads:
            thread.join(120)
        assert not failures, failures
        pending = [snap.to_dict() for snap in db.collection(Collection.JOB_OFFERS).stream()
                   if snap.get("request_id") == job.id and snap.get("offer_status") == "pending"]
        # an offer made before the ban was withdrawn by it; none is made after it
        assert [offer["dispatcher_id"] for offer in pending] in ([NEXT], []), (n, pending)
