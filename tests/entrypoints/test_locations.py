"""set_availability and update_location through their deployed entry points: roles and account states,
validation that writes nothing, throttling, and the live map of a job on its way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from curbside.domain.enums import AccountStatus, RequestStatus, UserType, VerificationStatus
from curbside.domain.ring_search import index_tokens
from curbside.store.collections import Collection, doc_path
from main import set_availability, update_location
from tests.factories import make_client_profile, make_service_request, make_user, put
from tests.technicians import SYDNEY, add_technician, entry_of, north_of, stored_entry

SAM = "uid-sam"


def everything(db) -> dict[str, Any]:
    return {doc.reference.path: doc.to_dict() for coll in db.collections() for doc in coll.stream()}


def report(clock, *, after_s: float = 0.0, north_m: float = 0.0, accuracy_m: float | None = 6.0) -> dict[str, Any]:
    lat, lng = north_of(SYDNEY, north_m)
    at = clock.now() + dt.timedelta(seconds=after_s)
    data: dict[str, Any] = {"lat": lat, "lng": lng, "recorded_at": at.isoformat().replace("+00:00", "Z")}
    return data if accuracy_m is None else data | {"accuracy_m": accuracy_m}


def live_map(db, request_id: str) -> tuple[Any, Any, Any]:
    stored = db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).get().to_dict()
    return stored["dispatcher_current_lat"], stored["dispatcher_current_lng"], stored["dispatcher_location_updated_at"]


# --- set_availability --------------------------------------------------------------------------------------

def test_a_verified_technician_goes_online_and_is_searchable_once_located(db, call, clock):
    add_technician(db, SAM, with_entry=False)

    response = call(set_availability, {"online": True}, uid=SAM)

    assert response.status == 200 and response.result == {"online": True}
    entry = entry_of(db, SAM)
    assert entry is not None and entry.is_online and entry.verified and entry.rating == 4.8
    assert not entry.searchable, "no position yet"
    assert call(update_location, report(clock), uid=SAM).result == {"accepted": True}
    entry = entry_of(db, SAM)
    assert entry is not None and entry.search_cells == index_tokens(*SYDNEY, entry.rating, entry.active_jobs)


def test_going_offline_leaves_the_index(db, call, clock):
    add_technician(db, SAM, fixed_at=clock.now())

    response = call(set_availability, {"online": False}, uid=SAM)

    assert response.result == {"online": False}
    entry = entry_of(db, SAM)
    assert entry is not None and not entry.is_online and entry.search_cells == []


def test_a_shadow_banned_technician_goes_online_as_usual_but_is_never_searchable(db, call, clock):
    add_technician(db, SAM, fixed_at=clock.now(), online=False, account_status=AccountStatus.SHADOW_BANNED)

    response = call(set_availability, {"online": True}, uid=SAM)

    assert response.result == {"online": True}
    entry = entry_of(db, SAM)
    assert entry is not None and entry.is_online and not entry.searchable and entry.search_cells == []


@pytest.mark.parametrize("status", [VerificationStatus.PENDING, VerificationStatus.UNDER_REVIEW,
                                    VerificationStatus.REJECTED])
def test_an_unverified_technician_is_told_why_they_cannot_go_online(db, call, status):
    add_technician(db, SAM, verification=status, with_entry=False)
    before = everything(db)

    response = call(set_availability, {"online": True}, uid=SAM)

    assert response.error == "FAILED_PRECONDITION"
    assert "verification is approved" in response.message and status.value.replace("_", " ") in response.message
    assert everything(db) == before
    assert call(set_availability, {"online": False}, uid=SAM).result == {"online": False}


@pytest.mark.parametrize("status", [AccountStatus.SUSPENDED, AccountStatus.BANNED])
def test_suspended_and_banned_technicians_cannot_go_online(db, call, clock, status):
    add_technician(db, SAM, fixed_at=clock.now(), online=False, account_status=status)
    before = everything(db)

    response = call(set_availability, {"online": True}, uid=SAM)

    assert response.error == "PERMISSION_DENIED" and status.value in response.message
    assert everything(db) == before


def test_a_client_cannot_go_online(db, call):
    put(db, make_user(id="alex", user_type=UserType.CLIENT))
    put(db, make_client_profile(user_id="alex"))
    before = everything(db)

    response = call(set_availability, {"online": True}, uid="alex")

    assert response.error == "PERMISSION_DENIED" and "technicians" in response.message
    assert everything(db) == before


@pytest.mark.parametrize(("data", "fragment"), [
    ({}, "online: Field required"),
    ({"online": "yes"}, "online: Input should be a valid boolean"),
    ({"online": 1}, "online: Input should be a valid boolean"),
    ({"online": True, "lat": 1.0}, "lat: is not an accepted field"),
])
def test_a_bad_availability_payload_writes_nothing(db, call, data, fragment):
    add_technician(db, SAM, with_entry=False)
    before = everything(db)

    response = call(set_availability, data, uid=SAM)

    assert response.error == "INVALID_ARGUMENT" and fragment in response.message
    assert everything(db) == before


def test_signed_out_callers_are_unauthenticated(db, call, clock):
    assert call(set_availability, {"online": True}).error == "UNAUTHENTICATED"
    assert call(update_location, report(clock)).error == "UNAUTHENTICATED"
    assert everything(db) == {}


# --- update_location: validation, roles ---------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "fragment"), [
    ({"lat": 90.5}, "lat: Input should be less than or equal to 90"),
    ({"lng": -180.5}, "lng: Input should be greater than or equal to -180"),
    ({"lat": "-33.8"}, "lat: Input should be a valid number"),
    ({"accuracy_m": -1}, "accuracy_m: Input should be greater than or equal to 0"),
    ({"recorded_at": "2026-11-20T09:00:00"}, "recorded_at: Input should have timezone info"),
    ({"recorded_at": 1_790_000_000}, "recorded_at: Value error, must be an ISO-8601 timestamp"),
    ({"recorded_at": "yesterday"}, "recorded_at"),
    ({"recorded_at": None}, "recorded_at"),
    ({"speed": 12}, "speed: is not an accepted field"),
], ids=["lat", "lng", "lat_text", "accuracy", "naive_time", "numeric_time", "bad_time", "no_time", "extra"])
def test_a_bad_report_is_invalid_and_writes_nothing(db, call, clock, changes, fragment):
    add_technician(db, SAM, fixed_at=clock.now() - dt.timedelta(minutes=5))
    before = everything(db)

    response = call(update_location, report(clock, north_m=900) | changes, uid=SAM)

    assert response.error == "INVALID_ARGUMENT" and fragment in response.message
    assert everything(db) == before


@pytest.mark.parametrize(("after_s", "fragment"), [(31, "in the future"), (-601, "older than 600 seconds")])
def test_a_report_from_the_future_or_the_past_is_invalid_and_writes_only_a_fraud_signal(db, call, clock, *, after_s,
                                                                                         fragment):
    add_technician(db, SAM, fixed_at=clock.now() - dt.timedelta(minutes=5))
    before = everything(db)

    response = call(update_location, report(clock, after_s=after_s, north_m=900), uid=SAM)

    assert response.error == "INVALID_ARGUMENT" and fragment in response.message
    after = everything(db)
    alerts = [path for path in after if path.startswith(f"{Collection.FRAUD_ALERTS}/")]
    counted = [path for path in after if path.startswith(f"{Collection.DAILY_STATS}/")]
    # a fix from the future is a fake-GPS signal (recorded as a fraud alert, counted on the dashboard's rollup,
    # nothing else); a late one is not
    assert [path.split(":")[1] for path in alerts] == (["fake_gps"] if fragment == "in the future" else [])
    assert len(counted) == len(alerts)
    assert {path: doc for path, doc in after.items() if path not in alerts + counted} == before


def test_a_client_cannot_report_a_position(db, call, clock):
    put(db, make_user(id="alex", user_type=UserType.CLIENT))
    before = everything(db)

    response = call(update_location, report(clock), uid="alex")

    assert response.error == "PERMISSION_DENIED"
    assert everything(db) == before


@pytest.mark.parametrize("status", [AccountStatus.SUSPENDED, AccountStatus.BANNED])
def test_suspended_and_banned_technicians_cannot_report(db, call, clock, status):
    add_technician(db, SAM, fixed_at=clock.now() - dt.timedelta(minutes=5), account_status=status)
    before = everything(db)

    response = call(update_location, report(clock, north_m=900), uid=SAM)

    assert response.error == "PERMISSION_DENIED" and status.value in response.message
    assert everything(db) == before


# --- update_location: throttling ---------------------------------------------------------------------------------

def test_reports_are_stored_when_they_move_far_enough_or_the_last_one_ages(db, call, clock):
    add_technician(db, SAM, with_entry=False)
    call(set_availability, {"online": True}, uid=SAM)
    entry_ref = db.document(doc_path(Collection.DISPATCHER_LOCATIONS, SAM))

    assert call(update_location, report(clock), uid=SAM).result == {"accepted": True}
    first = entry_ref.get()

    clock.advance(dt.timedelta(seconds=20))
    assert call(update_location, report(clock, north_m=50), uid=SAM).result == {"accepted": False}
    assert entry_ref.get().update_time == first.update_time, "a throttled report writes nothing"

    clock.advance(dt.timedelta(seconds=20))
    assert call(update_location, report(clock, north_m=800), uid=SAM).result == {"accepted": True}
    assert stored_entry(db, SAM).lat == pytest.approx(north_of(SYDNEY, 800)[0])

    clock.advance(dt.timedelta(seconds=240))
    assert call(update_location, report(clock, north_m=820), uid=SAM).result == {"accepted": True}
    assert stored_entry(db, SAM).location_updated_at == clock.now()


def test_a_late_or_imprecise_report_is_not_used(db, call, clock):
    add_technician(db, SAM, fixed_at=clock.now())
    before = everything(db)

    assert call(update_location, report(clock, after_s=-5, north_m=3_000), uid=SAM).result == {"accepted": False}
    assert call(update_location, report(clock, after_s=5, north_m=3_000, accuracy_m=2_000),
                uid=SAM).result == {"accepted": False}
    assert everything(db) == before


def test_an_offline_technician_s_position_is_not_stored(db, call, clock):
    add_technician(db, SAM, fixed_at=clock.now() - dt.timedelta(minutes=9), online=False)
    before = everything(db)

    assert call(update_location, report(clock, north_m=5_000), uid=SAM).result == {"accepted": False}
    assert everything(db) == before


def test_a_technician_who_never_went_online_is_not_stored_either(db, call, clock):
    add_technician(db, SAM, with_entry=False)
    before = everything(db)

    assert call(update_location, report(clock), uid=SAM).result == {"accepted": False}
    assert everything(db) == before


def test_a_shadow_banned_technician_s_reports_are_taken_and_change_nothing_they_could_notice(db, call, clock):
    add_technician(db, SAM, fixed_at=clock.now() - dt.timedelta(minutes=9),
                   account_status=AccountStatus.SHADOW_BANNED)

    assert call(update_location, report(clock, north_m=900), uid=SAM).result == {"accepted": True}
    entry = entry_of(db, SAM)
    assert entry is not None and entry.location_updated_at == clock.now() and entry.search_cells == []


# --- update_location: the live map ------------------------------------------------------------------------------

@pytest.fixture
def on_the_way(db, clock):
    """Sam, online, driving to job-1 (en route)."""
    add_technician(db, SAM, fixed_at=clock.now() - dt.timedelta(seconds=30))
    put(db, make_service_request(id="job-1", dispatcher_id=SAM, status=RequestStatus.EN_ROUTE))
    return "job-1"


def test_the_client_s_live_map_follows_the_technician_every_ten_seconds(db, call, clock, on_the_way):
    assert call(update_location, report(clock, north_m=100), uid=SAM).result == {"accepted": True}
    assert live_map(db, on_the_way) == (*north_of(SYDNEY, 100), clock.now())

    clock.advance(dt.timedelta(seconds=5))
    assert call(update_location, report(clock, north_m=150), uid=SAM).result == {"accepted": False}
    assert live_map(db, on_the_way)[2] == clock.now() - dt.timedelta(seconds=5)

    clock.advance(dt.timedelta(seconds=5))
    assert call(update_location, report(clock, north_m=200), uid=SAM).result == {"accepted": True}
    assert live_map(db, on_the_way) == (*north_of(SYDNEY, 200), clock.now())
    assert stored_entry(db, SAM).location_updated_at == clock.now() - dt.timedelta(seconds=40), \
        "the dispatch position keeps its own, slower pace"


def test_the_live_map_still_moves_once_arrived_and_while_offline(db, call, clock, on_the_way):
    db.document(doc_path(Collection.SERVICE_REQUESTS, on_the_way)).update({"status": RequestStatus.ARRIVED.value})
    call(set_availability, {"online": False}, uid=SAM)

    assert call(update_location, report(clock, north_m=20), uid=SAM).result == {"accepted": True}
    assert live_map(db, on_the_way) == (*north_of(SYDNEY, 20), clock.now())


@pytest.mark.parametrize("status", [RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED])
def test_no_live_map_before_setting_off_or_once_work_starts(db, call, clock, on_the_way, status):
    db.document(doc_path(Collection.SERVICE_REQUESTS, on_the_way)).update({"status": status.value})

    call(update_location, report(clock, north_m=100), uid=SAM)

    assert live_map(db, on_the_way) == (None, None, None)


def test_another_technician_s_job_is_left_alone(db, call, clock, on_the_way):
    add_technician(db, "uid-other", fixed_at=clock.now() - dt.timedelta(seconds=30))

    call(update_location, report(clock, north_m=100), uid="uid-other")

    assert live_map(db, on_the_way) == (None, None, None)
