"""accept_offer, reject_offer, accept_job and list_available_jobs through their deployed entry points: the
wire shapes of the contract and the error codes (taken -> FAILED_PRECONDITION, not yours -> NOT_FOUND, bad
payload -> INVALID_ARGUMENT with nothing written)."""

from __future__ import annotations

import pytest

from curbside.domain.enums import AccountStatus, RequestStatus
from curbside.services.dispatch_queue import start_dispatch
from main import accept_job, accept_offer, list_available_jobs, reject_offer
from tests.request_world import NEAR_CBD, add_client, add_job, everything
from tests.technicians import add_technician, north_of

HERE = north_of(NEAR_CBD, 500)


@pytest.fixture
def job(db, deps, clock):
    add_client(db)
    add_technician(db, "best", at=HERE, fixed_at=clock.now())
    add_technician(db, "other", at=north_of(NEAR_CBD, 3_000), fixed_at=clock.now())
    add_technician(db, "shadow", at=HERE, fixed_at=clock.now(), account_status=AccountStatus.SHADOW_BANNED)
    pending = add_job(db, RequestStatus.PENDING)
    start_dispatch(deps, pending.id)
    return pending


def test_accepting_an_offer_answers_the_contract_and_a_second_technician_finds_it_taken(call, job):
    assert call(accept_offer, {"offer_id": f"{job.id}:1"}, uid="best").result == {
        "request_id": job.id, "status": "accepted"}
    taken = call(accept_job, {"request_id": job.id}, uid="other")
    assert taken.error == "FAILED_PRECONDITION" and "taken" in taken.message


def test_someone_elses_offer_is_not_found_and_a_bad_payload_writes_nothing(db, call, job):
    before = everything(db)
    assert call(accept_offer, {"offer_id": f"{job.id}:1"}, uid="other").error == "NOT_FOUND"
    assert call(reject_offer, {"offer_id": ""}, uid="best").error == "INVALID_ARGUMENT"
    assert call(accept_job, {"request_id": job.id}, uid=None).error == "UNAUTHENTICATED"
    assert everything(db) == before


def test_rejecting_moves_the_offer_on(call, job):
    assert call(reject_offer, {"offer_id": f"{job.id}:1", "reason": "busy"}, uid="best").result == {
        "offer_status": "rejected"}
    assert call(accept_offer, {"offer_id": f"{job.id}:2"}, uid="other").result["status"] == "accepted"


def test_the_feed_shows_jobs_to_eligible_technicians_and_nothing_to_a_shadow_banned_one(call, job):
    where = {"lat": HERE[0], "lng": HERE[1], "tab": "highest_pay"}
    jobs = call(list_available_jobs, where, uid="best").result["jobs"]
    assert [(j["request_id"], j["price"], j["distance_km"]) for j in jobs] == [(job.id, 56.0, 0.5)]
    assert call(list_available_jobs, where, uid="shadow").result == {"jobs": []}
    assert call(list_available_jobs, {**where, "tab": "nearest"}, uid="best").error == "INVALID_ARGUMENT"
