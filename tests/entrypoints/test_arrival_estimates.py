"""`estimated_arrival_time` (D43): set when a technician accepts, refreshed when a location report is stored
(throttled like the position writes), after the jobs the technician holds ahead of it, from the routing
gateway — the road-speed model locally, Google's Routes API (played by a local server) in production."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from curbside import deps as deps_module
from curbside.domain.arrival import road_leg
from curbside.domain.enums import EffectStatus, RequestStatus
from curbside.gateways.maps import GoogleRoutes
from curbside.services.dispatch_queue import start_dispatch
from curbside.store.collections import Collection
from devstack.doubles import RoutesApiDouble
from main import accept_offer, update_job_status, update_location
from tests.factories import DISPATCHER_ID
from tests.request_world import NEAR_CBD, add_client, add_job, stored
from tests.technicians import add_technician, north_of

HERE = north_of(NEAR_CBD, 2_000)


def arrival(db, request_id: str) -> Any:
    return stored(db, Collection.SERVICE_REQUESTS, request_id).get("estimated_arrival_time")


def report(at: tuple[float, float], when: dt.datetime) -> dict[str, Any]:
    return {"lat": at[0], "lng": at[1], "accuracy_m": 6.0, "recorded_at": when.isoformat().replace("+00:00", "Z")}


@pytest.fixture
def offered(db, deps, clock):
    add_client(db)
    add_technician(db, DISPATCHER_ID, at=HERE, fixed_at=clock.now())
    job = add_job(db, RequestStatus.PENDING)
    start_dispatch(deps, job.id)
    return job


def test_accepting_sets_the_arrival_from_the_technicians_position(db, call, clock, offered):
    assert call(accept_offer, {"offer_id": f"{offered.id}:1"}, uid=DISPATCHER_ID).result["status"] == "accepted"

    assert arrival(db, offered.id) == clock.now() + road_leg(HERE, NEAR_CBD).duration
    assert stored(db, Collection.OUTBOX, f"arrival_estimate:{offered.id}")["status"] == EffectStatus.DONE


def test_a_stored_position_refreshes_the_arrival_and_a_throttled_one_writes_nothing(db, call, clock, offered):
    call(accept_offer, {"offer_id": f"{offered.id}:1"}, uid=DISPATCHER_ID)
    nearer = north_of(NEAR_CBD, 800)
    clock.advance(dt.timedelta(minutes=3))

    assert call(update_location, report(nearer, clock.now()), uid=DISPATCHER_ID).result == {"accepted": True}
    refreshed = clock.now() + road_leg(nearer, NEAR_CBD).duration
    assert arrival(db, offered.id) == refreshed

    clock.advance(dt.timedelta(seconds=30))
    assert call(update_location, report(north_of(NEAR_CBD, 700), clock.now()), uid=DISPATCHER_ID).result == {
        "accepted": False}, "100 m and 30 s later: below the throttle"
    assert arrival(db, offered.id) == refreshed


def test_a_job_taken_behind_another_is_reached_after_the_first_ones_work(db, call, clock, offered):
    first_site = north_of(NEAR_CBD, 5_000)
    started = clock.now() - dt.timedelta(minutes=10)
    add_job(db, RequestStatus.IN_PROGRESS, id="req-first", location_lat=first_site[0], location_lng=first_site[1],
            accepted_at=started - dt.timedelta(minutes=30), started_at=started, estimated_duration_minutes=45)

    call(accept_offer, {"offer_id": f"{offered.id}:1"}, uid=DISPATCHER_ID)

    assert arrival(db, offered.id) == started + dt.timedelta(minutes=45) + road_leg(first_site, NEAR_CBD).duration


def test_setting_off_replaces_the_estimate_after_the_jobs_ahead_with_the_direct_drive(db, call, clock):
    add_client(db)
    add_technician(db, DISPATCHER_ID, at=HERE, fixed_at=clock.now(), active_jobs=1)
    job = add_job(db, RequestStatus.ACCEPTED, held=True, estimated_arrival_time=clock.now() + dt.timedelta(hours=2))

    assert call(update_job_status, {"request_id": job.id, "status": "en_route", "lat": HERE[0], "lng": HERE[1]},
                uid=DISPATCHER_ID).result["status"] == "en_route"

    assert arrival(db, job.id) == clock.now() + road_leg(HERE, NEAR_CBD).duration


def test_a_job_the_technician_reached_keeps_its_estimate(db, call, clock):
    add_client(db)
    add_technician(db, DISPATCHER_ID, at=HERE, fixed_at=clock.now() - dt.timedelta(minutes=5))
    promised = clock.now() - dt.timedelta(minutes=2)
    job = add_job(db, RequestStatus.ARRIVED, estimated_arrival_time=promised)

    assert call(update_location, report(NEAR_CBD, clock.now()), uid=DISPATCHER_ID).result == {"accepted": True}

    assert arrival(db, job.id) == promised
    assert stored(db, Collection.OUTBOX, f"arrival_estimate:{job.id}") == {}


@pytest.fixture
def google(deps) -> Iterator[RoutesApiDouble]:
    double = RoutesApiDouble(duration_s=1_200).start()
    deps_module.install(dataclasses.replace(deps, routing=GoogleRoutes(api_key="key-1", api_base=double.url)))
    yield double
    double.stop()


def test_in_production_the_drive_comes_from_the_routes_api(db, call, clock, offered, google):
    call(accept_offer, {"offer_id": f"{offered.id}:1"}, uid=DISPATCHER_ID)

    assert arrival(db, offered.id) == clock.now() + dt.timedelta(seconds=1_200)
    assert len(google.requests) == 1


def test_when_google_fails_the_estimate_still_comes_from_the_road_model(db, call, clock, offered, google):
    google.status = 503

    call(accept_offer, {"offer_id": f"{offered.id}:1"}, uid=DISPATCHER_ID)

    assert arrival(db, offered.id) == clock.now() + road_leg(HERE, NEAR_CBD).duration
