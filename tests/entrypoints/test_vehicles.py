"""Vehicles and their service history through the deployed callables (issue 21): saving with a checked VIN,
a request naming a vehicle, the completion recorded on its history, who may read it, and the reminder when
the next service is due — sent once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from curbside.domain.enums import NotificationType, RequestStatus
from curbside.services import vehicles
from curbside.store.collections import Collection
from main import complete_job, create_request, get_vehicle_history, save_vehicle
from tests.factories import CLIENT_ID, DISPATCHER_ID
from tests.payment_world import add_job_in_progress, upload_completion_photos
from tests.request_world import NEAR_CBD, add_client, add_dispatcher, everything, stored

CAR = {"license_plate": "ABC-123", "make": "Mazda", "model": "3", "year": 2019, "vin": "1HGCM82633A004352"}
STRANGER_TECH = "uid-other-tech"


@pytest.fixture
def car(db, call) -> str:
    add_client(db)
    add_dispatcher(db)
    saved = call(save_vehicle, CAR, uid=CLIENT_ID)
    assert saved.status == 200 and saved.result["created"] is True, saved.body
    return str(saved.result["vehicle_id"])


def completed_on(db, call, bucket, car: str, job: str = "job-1", *, booked: dict[str, Any] | None = None,
                 **extra: Any) -> Any:
    """The job done on the car; `booked`: fields of the job as booked (its catalogue service)."""
    add_job_in_progress(db, job, vehicle_id=car, **(booked or {}))
    photos = upload_completion_photos(bucket, job)
    return call(complete_job, {"request_id": job, "completion_images": list(photos), "lat": NEAR_CBD[0],
                               "lng": NEAR_CBD[1], **extra}, uid=DISPATCHER_ID)


def test_saving_the_same_plate_again_updates_the_vehicle(db, call, car):
    again = call(save_vehicle, {**CAR, "license_plate": "abc 123", "year": 2020}, uid=CLIENT_ID)

    assert again.result == {"vehicle_id": car, "created": False}
    assert stored(db, Collection.VEHICLES, car)["year"] == 2020
    assert len(list(db.collection(Collection.VEHICLES).stream())) == 1


@pytest.mark.parametrize(("change", "words"), [
    ({"vin": "1HGCM82643A004352"}, "vin: the VIN's check digit"),
    ({"year": 1900}, "year"),
    ({"license_plate": "--"}, "license_plate"),
])
def test_a_bad_vehicle_is_refused_and_writes_nothing(db, call, car, *, change, words):
    before = everything(db)

    response = call(save_vehicle, {**CAR, **change}, uid=CLIENT_ID)

    assert response.error == "INVALID_ARGUMENT" and words in response.message, response.body
    assert everything(db) == before


def test_a_completed_job_goes_on_the_vehicles_history_and_moves_the_next_service(db, call, bucket, clock, car):
    done = completed_on(db, call, bucket, car, odometer_km=84_210)

    assert done.status == 200, done.body
    entry = stored(db, Collection.VEHICLE_SERVICES, "job-1")
    assert (entry["vehicle_id"], entry["odometer_km"], entry["invoice_id"], len(entry["photos"])) == (
        car, 84_210, "job-1", 4)
    vehicle = stored(db, Collection.VEHICLES, car)
    assert clock.now().date() == dt.date(2026, 11, 20)
    assert vehicle["next_service_due"] == "2027-05-20"  # SERVICE_REMINDER_MONTHS (6) later


def test_a_service_with_its_own_reminder_interval_dates_the_next_service_by_it(db, call, bucket, car):
    done = completed_on(db, call, bucket, car, booked={"service_name": "Full detail", "service_reminder_months": 12})

    assert done.status == 200, done.body
    assert stored(db, Collection.VEHICLE_SERVICES, "job-1")["service"] == "Full detail"
    assert stored(db, Collection.VEHICLES, car)["next_service_due"] == "2027-11-20"  # 12 months, not 6


def test_the_client_and_the_jobs_technician_read_the_history_and_nobody_else(db, call, bucket, car):
    completed_on(db, call, bucket, car)
    add_dispatcher(db, STRANGER_TECH)

    by_client = call(get_vehicle_history, {"vehicle_id": car}, uid=CLIENT_ID)
    by_technician = call(get_vehicle_history, {"request_id": "job-1"}, uid=DISPATCHER_ID)
    by_stranger = call(get_vehicle_history, {"request_id": "job-1"}, uid=STRANGER_TECH)
    not_their_car = call(get_vehicle_history, {"vehicle_id": car}, uid=DISPATCHER_ID)
    both = call(get_vehicle_history, {"vehicle_id": car, "request_id": "job-1"}, uid=CLIENT_ID)

    assert [s["request_id"] for s in by_client.result["services"]] == ["job-1"]
    assert by_technician.result == by_client.result
    assert by_stranger.error == "NOT_FOUND" and not_their_car.error == "INVALID_ARGUMENT"
    assert both.error == "INVALID_ARGUMENT" and "not both" in both.message


def test_a_request_cannot_name_someone_elses_vehicle(db, call, car):
    add_client(db, "uid-other-client")
    before = everything(db)

    response = call(create_request, {"car_model": "Mazda 3", "license_plate": "ABC-123",
                                     "location_address": "1 George St, Sydney", "location_lat": NEAR_CBD[0],
                                     "location_lng": NEAR_CBD[1], "car_location_images": ["users/x/car_photos/a.jpg"],
                                     "vehicle_id": car}, uid="uid-other-client")

    assert response.status == 400, response.body
    assert everything(db) == before


def test_the_service_reminder_goes_once_when_the_next_service_is_due(db, call, bucket, clock, *, deps, car):
    completed_on(db, call, bucket, car)

    assert vehicles.send_service_reminders(deps) == 0  # not due yet
    clock.advance(dt.timedelta(days=200))
    assert vehicles.send_service_reminders(deps) == 1
    assert vehicles.send_service_reminders(deps) == 0  # the daily job again: nothing twice

    notices = [n for snap in db.collection(Collection.NOTIFICATIONS).stream()
               if (n := snap.to_dict() or {})["type"] == NotificationType.SERVICE_DUE]
    assert len(notices) == 1 and notices[0]["user_id"] == CLIENT_ID and "Mazda 3" in notices[0]["title"]
    assert stored(db, Collection.SERVICE_REQUESTS, "job-1")["status"] == RequestStatus.COMPLETED
