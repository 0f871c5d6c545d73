"""cancel_request and update_job_status through their deployed entry points: every source state for every
kind of caller, with the code the lifecycle table gives, and what each move writes (timestamp, the client's
notification and flag, the arrival distance, the refund, withdrawn offers, the returned reward)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from curbside.domain.enums import NotificationType, OfferStatus, RedemptionStatus, RequestStatus
from curbside.services.notifications import notification_id
from curbside.store.collections import Collection
from main import cancel_request, update_job_status
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_job_offer, put
from tests.request_world import NEAR_CBD, add_client, add_dispatcher, add_job, add_redemption, everything, stored

S = RequestStatus
STRANGER = "uid-stranger"
ADMIN = "uid-admin"
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(db, deps):
    add_client(db)
    add_dispatcher(db)
    add_client(db, uid=STRANGER, name="Stranger")
    add_client(db, uid=ADMIN, name="Admin")


CALLERS: dict[str, dict[str, Any]] = {
    "client": {"uid": CLIENT_ID}, "dispatcher": {"uid": DISPATCHER_ID}, "stranger": {"uid": STRANGER},
    "admin": {"uid": ADMIN, "admin": True},
}


def caller(role: str) -> dict[str, Any]:
    return CALLERS[role]


# --- cancel_request: who may cancel from where -----------------------------------------------------------

OK, DENIED, STATE, MISSING = "ok", "PERMISSION_DENIED", "FAILED_PRECONDITION", "NOT_FOUND"
CANCEL_TABLE = {
    #                client   dispatcher  admin   stranger
    S.SCHEDULED:    (OK,      MISSING,    OK,     MISSING),   # no technician assigned yet
    S.PENDING:      (OK,      MISSING,    OK,     MISSING),
    S.ACCEPTED:     (OK,      OK,         OK,     MISSING),
    S.EN_ROUTE:     (OK,      OK,         OK,     MISSING),
    S.ARRIVED:      (OK,      OK,         OK,     MISSING),
    S.IN_PROGRESS:  (DENIED,  DENIED,     OK,     MISSING),
    S.COMPLETED:    (STATE,   STATE,      STATE,  MISSING),
    S.CANCELLED:    (STATE,   STATE,      STATE,  MISSING),
}
CANCEL_CASES = [(status, role, expected) for status, row in CANCEL_TABLE.items()
                for role, expected in zip(("client", "dispatcher", "admin", "stranger"), row, strict=True)]


@pytest.mark.parametrize("case", CANCEL_CASES, ids=[f"{s.value}-{r}" for s, r, _ in CANCEL_CASES])
def test_who_may_cancel_from_which_state(db, call, people, case):
    status, role, expected = case
    job = add_job(db, status)
    before = everything(db)

    response = call(cancel_request, {"request_id": job.id, "reason": "Changed my mind"}, **caller(role))

    if expected == OK:
        assert response.result["status"] == "cancelled"
        after = stored(db, Collection.SERVICE_REQUESTS, job.id)
        assert after["status"] == "cancelled" and after["cancelled_at"] == NOW
        assert after["cancelled_by"] == caller(role)["uid"] and after["cancelled_by_type"] == role
        assert after["cancellation_reason"] == "Changed my mind"
    else:
        assert response.error == expected
        assert everything(db) == before


@pytest.mark.parametrize("case", [
    (S.SCHEDULED, "client", 0.0), (S.PENDING, "client", 0.0), (S.ACCEPTED, "client", 0.0),
    (S.EN_ROUTE, "client", 10.0), (S.ARRIVED, "client", 10.0),
    (S.EN_ROUTE, "dispatcher", 0.0), (S.ARRIVED, "admin", 0.0), (S.IN_PROGRESS, "admin", 0.0),
], ids=str)
def test_the_refund_is_the_price_less_the_late_fee(db, call, people, case):
    status, role, fee = case
    job = add_job(db, status)

    result = call(cancel_request, {"request_id": job.id}, **caller(role)).result

    assert result == {"status": "cancelled", "refund_amount": 56.0 - fee, "cancellation_fee": fee,
                      "currency": "EUR"}
    after = stored(db, Collection.SERVICE_REQUESTS, job.id)
    assert (after["refund_amount"], after["cancellation_fee"]) == (56.0 - fee, fee)


def test_cancelling_withdraws_open_offers_only(db, call, people):
    job = add_job(db, S.PENDING)
    open_offers = [put(db, make_job_offer(request_id=job.id, dispatcher_id=f"uid-t{n}")) for n in range(2)]
    rejected = put(db, make_job_offer(request_id=job.id, offer_status=OfferStatus.REJECTED))
    other_job = put(db, make_job_offer(request_id="another-job"))

    call(cancel_request, {"request_id": job.id}, uid=CLIENT_ID)

    assert [stored(db, Collection.JOB_OFFERS, offer)["offer_status"] for offer in open_offers] == ["expired"] * 2
    assert stored(db, Collection.JOB_OFFERS, rejected)["offer_status"] == "rejected"
    assert stored(db, Collection.JOB_OFFERS, other_job)["offer_status"] == "pending"


@pytest.mark.parametrize("case", [
    (S.PENDING, "client", True), (S.ARRIVED, "client", True), (S.ACCEPTED, "dispatcher", True),
    (S.IN_PROGRESS, "admin", False),
], ids=str)
def test_the_reward_comes_back_when_the_job_never_started(db, call, people, case):
    status, role, returned = case
    job = add_job(db, status, reward_applied=True, reward_discount=Decimal("10.00"))
    redemption = add_redemption(db, status=RedemptionStatus.USED, used_at=NOW, used_on_request_id=job.id)
    db.document(f"ServiceRequests/{job.id}").update({"reward_redemption_id": redemption})

    call(cancel_request, {"request_id": job.id}, **caller(role))

    after = stored(db, Collection.REWARD_REDEMPTIONS, redemption)
    if returned:
        assert (after["status"], after["used_at"], after["used_on_request_id"]) == ("active", None, None)
    else:
        assert (after["status"], after["used_on_request_id"]) == ("used", job.id)


def test_the_other_side_is_told_and_the_technician_is_freed(db, call, people):
    job = add_job(db, S.EN_ROUTE)

    call(cancel_request, {"request_id": job.id}, uid=CLIENT_ID)

    note = stored(db, Collection.NOTIFICATIONS, notification_id(CANCELLED, job.id, DISPATCHER_ID))
    assert note["user_id"] == DISPATCHER_ID and note["type"] == "job_cancelled" and "client" in note["body"]
    assert not db.document(f"Notifications/{notification_id(CANCELLED, job.id, CLIENT_ID)}").get().exists
    assert stored(db, Collection.DISPATCHER_LOCATIONS, DISPATCHER_ID)["active_jobs"] == 0


def test_a_technician_cancelling_tells_the_client(db, call, people):
    job = add_job(db, S.ACCEPTED)
    call(cancel_request, {"request_id": job.id}, uid=DISPATCHER_ID)
    note = stored(db, Collection.NOTIFICATIONS, notification_id(CANCELLED, job.id, CLIENT_ID))
    assert "your technician" in note["body"] and "€56.00" in note["body"]


def test_repeating_ones_own_cancellation_answers_the_same_and_writes_nothing(db, call, people, clock):
    job = add_job(db, S.ARRIVED)
    first = call(cancel_request, {"request_id": job.id}, uid=CLIENT_ID).result
    before = everything(db)
    clock.advance(dt.timedelta(minutes=1))

    again = call(cancel_request, {"request_id": job.id}, uid=CLIENT_ID)

    assert again.result == first and everything(db) == before
    assert call(cancel_request, {"request_id": job.id}, uid=DISPATCHER_ID).error == "FAILED_PRECONDITION"


@pytest.mark.parametrize(("data", "code"), [
    ({}, "INVALID_ARGUMENT"), ({"request_id": "a/b"}, "INVALID_ARGUMENT"),
    ({"request_id": "x", "reason": "r" * 501}, "INVALID_ARGUMENT"), ({"request_id": "no-such-job"}, "NOT_FOUND"),
])
def test_bad_cancellations(db, call, people, data, code):
    assert call(cancel_request, data, uid=CLIENT_ID).error == code


def test_a_suspended_client_cannot_cancel(db, call, people):
    job = add_job(db, S.PENDING)
    db.document(f"Users/{CLIENT_ID}/private/data").set({"account_status": "suspended"})
    assert call(cancel_request, {"request_id": job.id}, uid=CLIENT_ID).error == "PERMISSION_DENIED"


# --- update_job_status ---------------------------------------------------------------------------------------

FORWARD = {S.ACCEPTED: S.EN_ROUTE, S.EN_ROUTE: S.ARRIVED, S.ARRIVED: S.IN_PROGRESS}
STAMP = {S.EN_ROUTE: "en_route_at", S.ARRIVED: "arrived_at", S.IN_PROGRESS: "started_at"}
FLAG = {S.EN_ROUTE: "client_notified_en_route", S.ARRIVED: "client_notified_arrived",
        S.IN_PROGRESS: "client_notified_started"}
NOTICE = {S.EN_ROUTE: NotificationType.DISPATCHER_EN_ROUTE, S.ARRIVED: NotificationType.DISPATCHER_ARRIVED,
          S.IN_PROGRESS: NotificationType.JOB_STARTED}
CANCELLED = NotificationType.JOB_CANCELLED
MOVE_CASES = [(source, target) for source in RequestStatus for target in STAMP]


@pytest.mark.parametrize(("source", "target"), MOVE_CASES, ids=[f"{s.value}-to-{t.value}" for s, t in MOVE_CASES])
def test_every_technician_move_from_every_state(db, call, people, source, target):
    job = add_job(db, source, dispatcher_id=DISPATCHER_ID, dispatcher_name="Sam", held=True)
    before = everything(db)

    response = call(update_job_status, {"request_id": job.id, "status": target.value,
                                        "lat": NEAR_CBD[0], "lng": NEAR_CBD[1]}, uid=DISPATCHER_ID)

    if source == target:  # a repeated tap answers as before and writes nothing
        assert response.result["status"] == target.value and everything(db) == before
    elif (source, target) in FORWARD.items():
        assert response.result["status"] == target.value
        after = stored(db, Collection.SERVICE_REQUESTS, job.id)
        assert after["status"] == target.value and after[STAMP[target]] == NOW and after[FLAG[target]] is True
        assert (after["dispatcher_current_lat"], after["dispatcher_location_updated_at"]) == (NEAR_CBD[0], NOW)
        note = stored(db, Collection.NOTIFICATIONS, notification_id(NOTICE[target], job.id, CLIENT_ID))
        assert note["user_id"] == CLIENT_ID and note["request_id"] == job.id and "Sam" in note["body"]
    else:
        assert response.error == "FAILED_PRECONDITION"
        assert everything(db) == before


@pytest.mark.parametrize(("role", "code"), [
    ("client", "PERMISSION_DENIED"), ("admin", "PERMISSION_DENIED"), ("stranger", "NOT_FOUND"),
])
def test_only_the_assigned_technician_moves_the_job(db, call, people, role, code):
    job = add_job(db, S.ACCEPTED)
    before = everything(db)
    assert call(update_job_status, {"request_id": job.id, "status": "en_route"}, **caller(role)).error == code
    assert everything(db) == before


def test_arriving_far_from_the_job_warns_and_records_the_distance(db, call, people):
    job = add_job(db, S.EN_ROUTE)
    lat, lng = NEAR_CBD[0] + 0.0027, NEAR_CBD[1]  # about 300 m north

    result = call(update_job_status, {"request_id": job.id, "status": "arrived", "lat": lat, "lng": lng},
                  uid=DISPATCHER_ID).result

    assert result["status"] == "arrived"
    assert result["warning"] == "You're not at the job location. Please navigate to the correct address."
    assert 295 < result["distance_meters"] < 305
    after = stored(db, Collection.SERVICE_REQUESTS, job.id)
    assert after["arrival_distance_meters"] == result["distance_meters"]
    assert after["arrival_location_verified"] is False and after["status"] == "arrived"


def test_arriving_at_the_job_gives_no_warning(db, call, people):
    job = add_job(db, S.EN_ROUTE)
    lat, lng = NEAR_CBD[0] + 0.0005, NEAR_CBD[1]  # about 55 m

    result = call(update_job_status, {"request_id": job.id, "status": "arrived", "lat": lat, "lng": lng},
                  uid=DISPATCHER_ID).result

    assert result["warning"] is None and result["distance_meters"] < 100
    assert stored(db, Collection.SERVICE_REQUESTS, job.id)["arrival_location_verified"] is True


@pytest.mark.parametrize(("data", "fragment"), [
    ({"status": "arrived"}, "send your position"),
    ({"status": "en_route", "lat": 1.0}, "both or neither"),
    ({"status": "accepted"}, "status"),
    ({"status": "completed"}, "status"),
    ({"status": "en_route", "lat": 95.0, "lng": 1.0}, "lat"),
])
def test_bad_status_updates_are_invalid_and_write_nothing(db, call, people, data, fragment):
    job = add_job(db, S.EN_ROUTE)
    before = everything(db)
    response = call(update_job_status, {"request_id": job.id, **data}, uid=DISPATCHER_ID)
    assert response.error == "INVALID_ARGUMENT" and fragment in response.message
    assert everything(db) == before
