"""The daily insurance check, and the races of verification: admins deciding one step at once, a technician's
consent sent several times at once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from curbside.domain.enums import RequestStatus
from curbside.domain.verification import local_today
from curbside.services.verification_expiry import revoke_lapsed_insurance
from curbside.store.collections import Collection, doc_path
from main import (
    admin_review_verification,
    check_insurance_expiry,
    list_available_jobs,
    set_availability,
    submit_verification_step,
    update_location,
)
from tests.entrypoints.test_verification import profile_of, verify_everything
from tests.factories import make_job_offer, put
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored
from tests.schedules import run_as_scheduled
from tests.technicians import add_technician, north_of
from tests.verification_world import ADMIN, APPLICANT, CONSENT, add_applicant, identity_payload


@pytest.fixture
def verified(db, call, bucket, deps, clock) -> str:
    """A technician verified today, online near the CBD with a fresh position."""
    add_applicant(db)
    verify_everything(call, db, bucket, local_today(clock.now(), deps.settings.default_time_zone))
    assert call(set_availability, {"online": True}, uid=APPLICANT).result == {"online": True}
    assert call(update_location, {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "accuracy_m": 10.0,
                                  "recorded_at": clock.now().isoformat().replace("+00:00", "Z")},
                uid=APPLICANT).result == {"accepted": True}
    return APPLICANT


def insured_until(db, day: dt.date) -> None:
    db.document(doc_path(Collection.DISPATCHER_PROFILES, APPLICANT)).update(
        {"vehicle_insurance_expiry": day.isoformat()})


def test_insurance_that_ended_yesterday_revokes_the_vehicle_and_takes_the_technician_out(db, deps, clock, verified):
    today = local_today(clock.now(), deps.settings.default_time_zone)
    insured_until(db, today - dt.timedelta(days=1))
    add_client(db)
    job = add_job(db, RequestStatus.PENDING)
    put(db, make_job_offer(id=f"{job.id}:1", request_id=job.id, dispatcher_id=APPLICANT, offered_at=clock.now(),
                           expires_at=clock.now() + dt.timedelta(seconds=60)))
    add_technician(db, "uid-next", at=north_of(NEAR_CBD, 900), fixed_at=clock.now())

    assert revoke_lapsed_insurance(deps) == [APPLICANT]

    profile = profile_of(db)
    expired_on = (today - dt.timedelta(days=1)).isoformat()
    assert (profile["vehicle_verification_status"], profile["verification_status"]) == ("rejected", "rejected")
    assert profile["vehicle_rejection_reason"] == f"Your vehicle insurance expired on {expired_on}: upload your " \
                                                 "current insurance."
    entry = stored(db, Collection.DISPATCHER_LOCATIONS, APPLICANT)
    assert (entry["verified"], entry["searchable"]) == (False, False)
    assert stored(db, Collection.JOB_OFFERS, f"{job.id}:1")["offer_status"] == "expired"
    assert stored(db, Collection.JOB_OFFERS, f"{job.id}:2")["dispatcher_id"] == "uid-next"
    notes = [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream()
             if snap.id.endswith(f":insurance_expired:{APPLICANT}")]
    assert [note["title"] for note in notes] == ["Vehicle needs attention"]


def test_running_the_check_twice_changes_nothing_the_second_time(db, deps, clock, verified):
    insured_until(db, local_today(clock.now(), deps.settings.default_time_zone) - dt.timedelta(days=3))
    assert revoke_lapsed_insurance(deps) == [APPLICANT]
    after_first = everything(db)

    assert revoke_lapsed_insurance(deps) == []
    assert everything(db) == after_first


def test_insurance_covering_today_is_left_alone(db, deps, clock, verified):
    insured_until(db, local_today(clock.now(), deps.settings.default_time_zone))
    before = everything(db)

    assert revoke_lapsed_insurance(deps) == []
    assert everything(db) == before


def test_the_deployed_schedule_runs_the_check(db, deps, clock, verified):
    insured_until(db, local_today(clock.now(), deps.settings.default_time_zone) - dt.timedelta(days=1))

    answer = run_as_scheduled(check_insurance_expiry, "check_insurance_expiry", clock)

    assert answer.status_code == 200
    assert profile_of(db)["vehicle_verification_status"] == "rejected"


# Each admin makes the same decision: of opposite ones, a rejection landing after a committed approval is a
# legitimate later revocation (an admin may withdraw an approval), not a lost race.
@pytest.mark.parametrize("decision", ["approved", "rejected"])
def test_admins_deciding_one_step_at_once_make_one_decision(db, call, bucket, decision):
    add_applicant(db)
    call(submit_verification_step, identity_payload(bucket), uid=APPLICANT)
    barrier = threading.Barrier(6)
    answers: list[Any] = []

    def decide(n: int) -> None:
        data = {"dispatcher_id": APPLICANT, "step": "identity", "decision": decision,
                **({"rejection_reason": "The photo is of a cat."} if decision == "rejected" else {})}
        barrier.wait()
        answers.append(call(admin_review_verification, data, uid=f"{ADMIN}-{n}", admin=True))

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    winners = [answer for answer in answers if answer.status == 200]
    assert len(winners) == 1
    assert {answer.error for answer in answers if answer.status != 200} <= {"FAILED_PRECONDITION", "ABORTED"}
    assert profile_of(db)["identity_verification_status"] == winners[0].result["step_status"] == decision


def test_consent_sent_several_times_at_once_starts_one_check(db, call):
    add_applicant(db)
    barrier = threading.Barrier(5)
    answers: list[Any] = []

    def consent() -> None:
        barrier.wait()
        answers.append(call(submit_verification_step, CONSENT, uid=APPLICANT))

    threads = [threading.Thread(target=consent) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert [answer.status for answer in answers].count(200) == 1
    assert {answer.error for answer in answers if answer.status != 200} <= {"FAILED_PRECONDITION", "ABORTED"}
    assert [snap.id for snap in db.collection(Collection.OUTBOX).stream()] == [f"background_check:{APPLICANT}:1"]
    assert db.document(f"DispatcherProfiles/{APPLICANT}/private/data").get().to_dict()[
        "background_check_attempts"] == 1


def test_a_revoked_technician_browses_no_feed(db, call, deps, clock, verified):
    add_client(db)
    add_job(db, RequestStatus.PENDING)
    assert call(list_available_jobs, {}, uid=APPLICANT).result["jobs"] != []
    insured_until(db, local_today(clock.now(), deps.settings.default_time_zone) - dt.timedelta(days=1))

    revoke_lapsed_insurance(deps)

    assert call(list_available_jobs, {}, uid=APPLICANT).result == {"jobs": []}
