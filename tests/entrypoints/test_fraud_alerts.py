"""Fraud alerts (issue 15): a completion far from its job raises `location_mismatch` in the commit of the
completion (and 450 m does not), an impossible, mocked or replayed position report raises `fake_gps` (a fast
drive, or a coarse fix repeated, does not), one
alert per person, type and window, admins told; an admin works the alert with `admin_update_fraud_alert`, and a
false positive quiets the pattern for that person for 30 days."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import pytest

from curbside.domain.enums import FraudAlertType, PartyType, UserRole
from curbside.services import card_holds, fraud, work
from curbside.store.collections import Collection
from main import admin_update_fraud_alert, complete_job, update_location
from tests.entrypoints.test_completions import JOB, completion_payload
from tests.factories import DISPATCHER_ID, make_user, put
from tests.payment_world import (
    add_job_in_progress,
    client_with_saved_card,
    technician_with_account,
    upload_completion_photos,
)
from tests.request_world import JPEG, NEAR_CBD, everything, stored
from tests.technicians import add_technician, north_of

ADMIN = "uid-admin-1"


def alerts(db) -> list[dict[str, Any]]:
    return [snap.to_dict() for snap in db.collection(Collection.FRAUD_ALERTS).stream()]


def raise_mismatch(deps, request_id: str, distance_m: float) -> None:
    """One occurrence, as `complete_job` records it."""

    def decide(uow):
        seen = fraud.watch(uow, DISPATCHER_ID, PartyType.DISPATCHER, FraudAlertType.LOCATION_MISMATCH)
        if seen is not None:
            fraud.record(uow, seen, request_id=request_id, details={"distance_m": distance_m})

    work.transaction(deps, decide)


@pytest.fixture
def working(db, call, stripe_deps, localstripe) -> str:
    """The technician's job in progress, its price held on the client's card."""
    client_with_saved_card(db, call, localstripe)
    technician_with_account(db, call, localstripe)
    add_job_in_progress(db, JOB)
    assert card_holds.follow_request(stripe_deps, JOB) == "authorization_authorized"
    return JOB


@pytest.fixture
def admin(db) -> str:
    put(db, make_user(id=ADMIN, uid=ADMIN, role=UserRole.ADMIN))
    return ADMIN


def test_a_completion_600_m_from_the_job_raises_a_location_mismatch_in_its_commit(db, call, *, bucket, working, admin):
    photos = upload_completion_photos(bucket, JOB)
    answer = call(complete_job, completion_payload(photos, at=north_of(NEAR_CBD, 600)), uid=DISPATCHER_ID)

    assert answer.status == 200 and answer.result["location_verified"] is False
    [alert] = alerts(db)
    assert (alert["user_id"], alert["user_type"], alert["alert_type"], alert["severity"], alert["status"],
            alert["related_jobs"]) == (DISPATCHER_ID, "dispatcher", "location_mismatch", "high", "active", [JOB])
    assert alert["alert_details"]["occurrences"][0]["distance_m"] == pytest.approx(600, abs=1)
    completion = db.document(f"{Collection.JOB_COMPLETIONS}/{JOB}").get()
    assert db.document(f"{Collection.FRAUD_ALERTS}/{alert['id']}").get().update_time == completion.update_time
    told = [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream() if snap.get("user_id") == ADMIN]
    assert [(note["type"], note["data"]["alert_id"]) for note in told] == [("fraud_alert", alert["id"])]


def test_a_completion_450_m_away_raises_nothing(db, call, *, bucket, working, admin):
    photos = upload_completion_photos(bucket, JOB)
    answer = call(complete_job, completion_payload(photos, at=north_of(NEAR_CBD, 450)), uid=DISPATCHER_ID)
    assert answer.status == 200 and answer.result["location_verified"] is False
    assert alerts(db) == []


def test_a_completion_keeps_its_photos_content_hashes_and_the_jobs_start_for_the_monitor(db, call, *, bucket,
                                                                                           working):
    started = dt.datetime(2026, 1, 5, 9, 15, tzinfo=dt.UTC)
    db.document(f"{Collection.SERVICE_REQUESTS}/{JOB}").update({"started_at": started})
    photos = upload_completion_photos(bucket, JOB)
    assert call(complete_job, completion_payload(photos, at=NEAR_CBD), uid=DISPATCHER_ID).status == 200

    completion = stored(db, Collection.JOB_COMPLETIONS, JOB)
    storage_md5 = {bucket.get_blob(path).md5_hash for path in photos}
    assert storage_md5 == {base64.b64encode(hashlib.md5(JPEG).digest()).decode()}  # the same bytes on each side
    assert completion["completion_image_hashes"] == sorted(storage_md5)
    assert completion["started_at"] == started


def test_repeats_in_the_window_join_one_alert_and_the_same_job_counts_once(db, deps, admin):
    raise_mismatch(deps, "job-1", 800.0)
    raise_mismatch(deps, "job-2", 1200.0)
    raise_mismatch(deps, "job-2", 1200.0)

    [alert] = alerts(db)
    assert (alert["related_jobs"], alert["occurrences"]) == (["job-1", "job-2"], 2)
    assert len([snap for snap in db.collection(Collection.NOTIFICATIONS).stream()]) == 1  # told once


def test_a_new_window_opens_a_new_alert(db, deps, clock, admin):
    raise_mismatch(deps, "job-1", 800.0)
    clock.advance(dt.timedelta(days=7))
    raise_mismatch(deps, "job-2", 800.0)
    assert sorted(alert["related_jobs"][0] for alert in alerts(db)) == ["job-1", "job-2"]


def update(call, alert_id: str, status: str, **extra: Any):
    return call(admin_update_fraud_alert, {"alert_id": alert_id, "status": status, **extra}, uid=ADMIN, admin=True)


def test_an_admin_investigates_then_resolves_and_a_repeat_reopens_it(db, deps, admin, call):
    raise_mismatch(deps, "job-1", 800.0)
    [alert] = alerts(db)
    assert update(call, alert["id"], "investigating").result == {"alert_id": alert["id"], "status": "investigating"}
    assert update(call, alert["id"], "resolved", resolution_notes="GPS drift in a car park.").status == 200
    stored_alert = stored(db, Collection.FRAUD_ALERTS, alert["id"])
    assert (stored_alert["status"], stored_alert["reviewed_by"], stored_alert["resolution_notes"]) == (
        "resolved", ADMIN, "GPS drift in a car park.")
    audit = [snap.to_dict() for snap in db.collection(Collection.AUDIT_LOG).stream()]
    assert sorted(entry["after"]["status"] for entry in audit) == ["investigating", "resolved"]

    raise_mismatch(deps, "job-2", 900.0)
    assert stored(db, Collection.FRAUD_ALERTS, alert["id"])["status"] == "active"


def test_a_false_positive_quiets_the_pattern_for_that_person_for_30_days(db, deps, clock, admin, call):
    raise_mismatch(deps, "job-1", 800.0)
    [alert] = alerts(db)
    update(call, alert["id"], "false_positive", resolution_notes="Gated community: the pin is at the gate.")

    clock.advance(dt.timedelta(days=8))  # a new window, still quiet
    before = everything(db)
    raise_mismatch(deps, "job-2", 800.0)
    assert everything(db) == before

    clock.advance(dt.timedelta(days=23))
    raise_mismatch(deps, "job-3", 800.0)
    assert len(alerts(db)) == 2


@pytest.mark.parametrize(("data", "claims", "code"), [
    ({"status": "resolved"}, {}, "PERMISSION_DENIED"),
    ({"status": "closed"}, {"admin": True}, "INVALID_ARGUMENT"),
    ({"status": "active"}, {"admin": True}, "INVALID_ARGUMENT"),
    ({"status": "resolved", "alert_id": "no-such-alert"}, {"admin": True}, "NOT_FOUND"),
], ids=["not_an_admin", "unknown_status", "active_is_not_an_admins_move", "no_such_alert"])
def test_bad_updates_are_refused_and_write_nothing(db, deps, admin, call, *, data, claims, code):
    raise_mismatch(deps, "job-1", 800.0)
    [alert] = alerts(db)
    before = everything(db)
    answer = call(admin_update_fraud_alert, {"alert_id": alert["id"], **data}, uid=ADMIN, **claims)
    assert answer.error == code, answer.body
    assert everything(db) == before


# --- fake GPS, checked when the fix arrives ------------------------------------------------------------------------


@pytest.fixture
def online(db, clock) -> str:
    add_technician(db, DISPATCHER_ID, at=NEAR_CBD, fixed_at=clock.now())
    return DISPATCHER_ID


def report(call, clock, at: tuple[float, float], seconds_later: float, *, ahead_s: float = 0.0, **extra: Any):
    clock.advance(dt.timedelta(seconds=seconds_later))
    recorded = clock.now() + dt.timedelta(seconds=ahead_s)
    return call(update_location, {"lat": at[0], "lng": at[1], "accuracy_m": 5.0,
                                  "recorded_at": recorded.isoformat().replace("+00:00", "Z"), **extra},
                uid=DISPATCHER_ID)


def test_an_impossible_jump_is_refused_and_raises_fake_gps(db, call, clock, online, admin):
    refused = report(call, clock, (-31.9523, 115.8613), 20)  # Perth, 3,300 km away, 20 s later

    assert refused.error == "INVALID_ARGUMENT" and "not a drive" in refused.message
    [alert] = alerts(db)
    assert (alert["alert_type"], alert["severity"], alert["related_jobs"]) == ("fake_gps", "critical", [])
    assert "not a drive" in alert["alert_details"]["occurrences"][0]["why"]


def test_a_fix_from_the_future_raises_fake_gps(db, call, clock, online, admin):
    assert report(call, clock, NEAR_CBD, 5, ahead_s=3600).error == "INVALID_ARGUMENT"
    assert [alert["alert_type"] for alert in alerts(db)] == ["fake_gps"]


def test_a_fix_the_phone_calls_mocked_is_refused_and_raises_fake_gps(db, call, clock, online, admin):
    before = stored(db, Collection.DISPATCHER_LOCATIONS, DISPATCHER_ID)
    refused = report(call, clock, north_of(NEAR_CBD, 800), 300, is_mock=True)

    assert refused.error == "INVALID_ARGUMENT" and "mock-location" in refused.message
    assert stored(db, Collection.DISPATCHER_LOCATIONS, DISPATCHER_ID) == before
    [alert] = alerts(db)
    assert alert["alert_type"] == "fake_gps" and "mock-location" in alert["alert_details"]["occurrences"][0]["why"]


def test_the_same_position_to_the_last_of_seven_decimals_raises_fake_gps_and_four_decimals_do_not(db, call, clock,
                                                                                                  admin):
    replayed = (-33.8712345, 151.2067891)
    add_technician(db, DISPATCHER_ID, at=replayed, fixed_at=clock.now())
    assert report(call, clock, replayed, 300).error == "INVALID_ARGUMENT"
    assert [alert["alert_type"] for alert in alerts(db)] == ["fake_gps"]

    add_technician(db, "uid-parked", at=(-33.8712, 151.2068), fixed_at=clock.now())
    clock.advance(dt.timedelta(seconds=300))
    answer = call(update_location, {"lat": -33.8712, "lng": 151.2068, "accuracy_m": 5.0,
                                    "recorded_at": clock.now().isoformat()}, uid="uid-parked")
    assert answer.status == 200 and len(alerts(db)) == 1


def test_a_fast_but_possible_drive_raises_nothing(db, call, clock, online, admin):
    assert report(call, clock, north_of(NEAR_CBD, 4_000), 60).status == 200  # 240 km/h: a motorway, not a jump
    assert alerts(db) == []
