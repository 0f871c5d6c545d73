"""Surge windows against the emulator: in a surge a job waits for its region's window (one named task per
region and window) instead of being offered at once; the window offers its jobs as the optimal assignment;
and a window whose task runs twice — one run after the other, or both at once — offers each job once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.domain.dispatch_policy import SurgeSettings, region_of, window_for
from curbside.domain.enums import NotificationType, RequestStatus
from curbside.domain.geo import offset
from curbside.gateways.tasks import task_id
from curbside.services.dispatch_queue import EXPIRE_OFFER, MATCH_SURGE_WINDOW, offer_next, start_dispatch
from curbside.services.notifications import notification_id
from curbside.services.surge_windows import match_window
from curbside.settings import Settings
from curbside.store.collections import Collection
from tests.factories import CLIENT_ID
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored
from tests.technicians import add_technician, north_of

pytestmark = pytest.mark.emulator

S = RequestStatus
THRESHOLD = 3
REGION = region_of(*NEAR_CBD)


@pytest.fixture
def settings() -> Settings:
    """A surge from three pending jobs in a region (the default is 20), so a small world makes one."""
    defaults = Settings()
    return dataclasses.replace(defaults, dispatch=dataclasses.replace(
        defaults.dispatch, surge=SurgeSettings(pending_jobs=THRESHOLD, window=dt.timedelta(seconds=20))))


def job_at(db, clock, north_m: float, *, minutes_ago: int = 0, started: bool = True):
    return add_job(db, S.PENDING, location_lat=north_of(NEAR_CBD, north_m)[0],
                   created_date=clock.now() - dt.timedelta(minutes=minutes_ago),
                   dispatch_started_at=clock.now() if started else None)


def offers_of(db, request_id: str) -> list[dict[str, Any]]:
    query = db.collection(Collection.JOB_OFFERS).where(filter=FieldFilter("request_id", "==", request_id))
    return [snap.to_dict() for snap in query.stream()]


@pytest.fixture
def crowded(db, clock):
    """Three jobs waiting in one region and two technicians: `near` is 0.5 km from job A and 1 km from job B,
    `far` 3 km from A and 4.5 km from B; job C is out of everyone's reach. Greedy (A first) gives A `near` and
    B the 4.5 km drive (scores 49.5 + 45.5); the window gives A `far` and B `near` (47 + 49)."""
    fresh = {"fixed_at": clock.now()}
    add_client(db)
    add_technician(db, "near", at=north_of(NEAR_CBD, 500), rating=4.5, **fresh)
    add_technician(db, "far", at=north_of(NEAR_CBD, -3_000), rating=4.5, **fresh)
    a = job_at(db, clock, 0, minutes_ago=3)
    b = job_at(db, clock, 1_500, minutes_ago=2)
    lat, lng = offset(*NEAR_CBD, -58_000, -60_000)  # same region, beyond everyone's 50 miles
    c = add_job(db, S.PENDING, location_lat=lat, location_lng=lng, created_date=clock.now(),
                dispatch_started_at=clock.now())
    assert region_of(lat, lng) == REGION
    return a, b, c


def test_in_a_surge_the_job_waits_for_its_regions_window_and_outside_one_it_is_offered_at_once(db, deps, clock,
                                                                                                   tasks):
    add_client(db)
    add_technician(db, "best", at=north_of(NEAR_CBD, 500), fixed_at=clock.now())
    calm = [job_at(db, clock, 0, started=False), job_at(db, clock, 100, started=False)]

    assert start_dispatch(deps, calm[0].id) is True
    assert [task.function_name for task in tasks.tasks] == [EXPIRE_OFFER], "two pending jobs: no surge"

    third = job_at(db, clock, 200, started=False)
    assert start_dispatch(deps, third.id) is True
    assert start_dispatch(deps, calm[1].id) is True
    window = window_for(REGION, clock.now(), deps.settings.dispatch.surge)
    queued = [task for task in tasks.tasks if task.function_name == MATCH_SURGE_WINDOW]
    assert [(task.payload, task.at, task.name) for task in queued] == [
        ({"region": REGION, "window": window.index}, window.closes_at, task_id(window.key))]
    assert offers_of(db, third.id) == [] and offers_of(db, calm[1].id) == []
    assert stored(db, Collection.SERVICE_REQUESTS, third.id)["dispatch_started_at"] == clock.now()
    assert start_dispatch(deps, third.id) is False, "the hand-over happens once"

    clock.advance(dt.timedelta(seconds=25))
    assert offer_next(deps, third.id).window == window_for(REGION, clock.now(), deps.settings.dispatch.surge)
    assert len([task for task in tasks.tasks if task.function_name == MATCH_SURGE_WINDOW]) == 2


def test_the_window_offers_the_optimal_assignment_and_a_second_run_changes_nothing(db, deps, tasks, crowded):
    a, b, c = crowded

    outcome = match_window(deps, REGION)

    assert sorted(outcome.offered) == sorted([a.id, b.id]) and outcome.jobs == 3
    assert [(o["dispatcher_id"], o["offer_status"]) for o in offers_of(db, a.id)] == [("far", "pending")]
    assert [o["dispatcher_id"] for o in offers_of(db, b.id)] == ["near"]
    assert offers_of(db, c.id) == []
    assert sorted(task.payload["offer_id"] for task in tasks.tasks if task.function_name == EXPIRE_OFFER) == \
        sorted([f"{a.id}:1", f"{b.id}:1"])
    after_first = everything(db)

    again = match_window(deps, REGION)

    assert again.offered == [] and everything(db) == after_first


def test_a_window_whose_task_runs_twice_at_once_offers_each_job_once(db, deps, crowded):
    a, b, c = crowded
    barrier = threading.Barrier(2)
    outcomes, failures = [], []

    def run() -> None:
        barrier.wait()
        try:
            outcomes.append(match_window(deps, REGION))
        except Exception as exc:  # a lost race is allowed (Cloud Tasks retries it), a second offer is not
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(type(exc).__name__ in {"LostRace", "Conflict"} for exc in failures), failures
    assert [len(offers_of(db, job.id)) for job in (a, b, c)] == [1, 1, 0]
    offered = [job for outcome in outcomes for job in outcome.offered]
    assert len(offered) == len(set(offered)), offered  # no run reports a job the other one offered
    # a run that lost a race after committing one job's offer reports nothing: the stored offers are the truth
    assert set(offered) == {a.id, b.id} if not failures else set(offered) <= {a.id, b.id}


def test_a_job_nobody_can_serve_is_told_of_the_delay_once(db, deps, clock):
    add_client(db)
    jobs = [job_at(db, clock, 1_000 * n) for n in range(THRESHOLD)]

    assert match_window(deps, REGION).offered == []
    told = stored(db, Collection.NOTIFICATIONS, notification_id(NotificationType.DISPATCH_DELAYED, jobs[0].id,
                                                                CLIENT_ID))
    assert told["type"] == "dispatch_delayed"
    quiet = everything(db)
    match_window(deps, REGION)
    assert everything(db) == quiet
