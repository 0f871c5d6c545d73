"""Referral codes through the deployed callables on the Firestore emulator: a client's own code (unique by
the database), applying someone else's once within 30 days and before the first job, and the referrer's 500
points booked once when the referred client's first-job bonus is."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from curbside.deps import Deps
from curbside.domain.enums import PointsReason
from curbside.services import loyalty, work
from curbside.store.collections import Collection
from main import apply_referral_code, get_referral_code
from tests.request_world import add_client, everything, stored

REFERRER = "uid-referrer"
NEWCOMER = "uid-newcomer"
CODE = re.compile(r"^REF-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")


@pytest.fixture
def code(db, call, clock) -> str:
    for uid in (REFERRER, NEWCOMER):
        add_client(db, uid)
        db.document(f"ClientProfiles/{uid}").update({"created_date": clock.now() - dt.timedelta(days=3)})
    return str(call(get_referral_code, {}, uid=REFERRER).result["referral_code"])


def test_a_client_gets_one_code_of_their_own(db, call, code):
    assert CODE.match(code)
    assert call(get_referral_code, {}, uid=REFERRER).result == {"referral_code": code}
    assert stored(db, Collection.REFERRAL_CODES, code)["client_id"] == REFERRER
    assert stored(db, Collection.CLIENT_PROFILES, REFERRER)["referral_code"] == code


def first_job_bonus(deps: Deps, uid: str) -> None:
    """What a completed job's capture asks for (services.loyalty.earn_for_capture): the first-job bonus."""
    work.transaction(deps, lambda uow: loyalty.ask_for_points(uow, uid, PointsReason.FIRST_JOB, uid, 200))


def test_the_referrer_earns_500_points_once_when_the_newcomers_first_job_completes(db, call, deps: Deps, code):
    response = call(apply_referral_code, {"code": code.lower()}, uid=NEWCOMER)

    assert response.result == {"referral_code": code, "referred_by": REFERRER}
    assert stored(db, Collection.CLIENT_PROFILES, NEWCOMER)["referred_by"] == REFERRER
    assert stored(db, Collection.CLIENT_PROFILES, REFERRER)["loyalty_points"] == 0  # not before the first job

    first_job_bonus(deps, NEWCOMER)
    first_job_bonus(deps, NEWCOMER)  # a replay, or a second job

    assert stored(db, Collection.POINTS_LEDGER, f"referral:{NEWCOMER}") | {"created_date": None} == {
        "id": f"referral:{NEWCOMER}", "client_id": REFERRER, "points": 500, "reason": "referral",
        "request_id": None, "created_date": None}
    referrer = stored(db, Collection.CLIENT_PROFILES, REFERRER)
    assert (referrer["loyalty_points"], referrer["total_points_earned"]) == (500, 500)
    assert stored(db, Collection.CLIENT_PROFILES, NEWCOMER)["loyalty_points"] == 200


def test_ones_own_code_is_refused(db, call, code):
    before = everything(db)

    response = call(apply_referral_code, {"code": code}, uid=REFERRER)

    assert response.error == "INVALID_ARGUMENT" and "own" in response.message
    assert everything(db) == before


def test_a_code_is_applied_once(db, call, code):
    add_client(db, "uid-third")
    other = call(get_referral_code, {}, uid="uid-third").result["referral_code"]
    assert call(apply_referral_code, {"code": code}, uid=NEWCOMER).status == 200
    before = everything(db)

    for again in (code, other):
        response = call(apply_referral_code, {"code": again}, uid=NEWCOMER)
        assert response.error == "FAILED_PRECONDITION" and "already" in response.message
    assert everything(db) == before


def test_after_30_days_or_after_the_first_job_it_is_too_late(db, call, deps: Deps, clock, code):
    clock.advance(dt.timedelta(days=28))  # signed up 31 days ago
    before = everything(db)
    late = call(apply_referral_code, {"code": code}, uid=NEWCOMER)
    assert late.error == "FAILED_PRECONDITION" and "30 days" in late.message
    assert everything(db) == before

    clock.advance(dt.timedelta(days=-28))
    first_job_bonus(deps, NEWCOMER)
    before = everything(db)
    after_job = call(apply_referral_code, {"code": code}, uid=NEWCOMER)
    assert after_job.error == "FAILED_PRECONDITION" and "first completed job" in after_job.message
    assert everything(db) == before


@pytest.mark.parametrize(("payload", "error"), [
    ({"code": "REF-ZZZZ-ZZZZ"}, "NOT_FOUND"), ({"code": "x"}, "INVALID_ARGUMENT"),
    ({"code": "REF ZZZZ; drop"}, "INVALID_ARGUMENT"), ({}, "INVALID_ARGUMENT"), ({"code": 42}, "INVALID_ARGUMENT"),
])
def test_an_unknown_or_malformed_code_is_refused(db, call, code, payload, error):
    before = everything(db)

    assert call(apply_referral_code, payload, uid=NEWCOMER).error == error
    assert everything(db) == before
