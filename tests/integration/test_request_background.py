"""The background half of the workflow against the emulator: the created trigger's service, the scheduled-job
activator, the dispatch hand-over, each delivered twice (or concurrently) to prove a replay changes nothing;
the moves later work makes through `record_move`; and the demand counts behind surge pricing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

from curbside.deps import Deps
from curbside.domain.clock import FixedClock
from curbside.domain.enums import NotificationType, RequestActor, RequestStatus, RuleType
from curbside.domain.pricing_conditions import Job
from curbside.domain.request_lifecycle import transition
from curbside.services import job_moves, pricing, requests, scheduled_jobs, work
from curbside.services.dispatch_queue import start_dispatch
from curbside.services.notifications import notification_id
from curbside.store.collections import Collection, doc_path
from curbside.store.uow import UnitOfWork
from tests.factories import DISPATCHER_ID, make_dispatcher_location, make_pricing_rule, put
from tests.request_world import NEAR_CBD, OUTSIDE_ZONES, add_job, everything, stored

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
S = RequestStatus


def scheduled_job(db, hours_ahead: float, **overrides):
    at = NOW + dt.timedelta(hours=hours_ahead)
    return add_job(db, S.SCHEDULED, is_scheduled=True, scheduled_datetime=at,
                   becomes_available_at=at - dt.timedelta(hours=24), **overrides)


# --- on_request_created ------------------------------------------------------------------------------------


def test_an_immediate_job_is_handed_to_dispatch_once_however_often_the_trigger_fires(db, deps, clock):
    job = add_job(db, S.PENDING)

    first = requests.request_created(deps, job.id)
    after_first = everything(db)
    clock.advance(dt.timedelta(seconds=30))
    second = requests.request_created(deps, job.id)

    assert (first, second) == ("dispatch_started", "dispatch_already_started")
    assert stored(db, Collection.SERVICE_REQUESTS, job.id)["dispatch_started_at"] == NOW
    assert everything(db) == after_first


def test_the_trigger_leaves_a_future_scheduled_job_to_the_activator(db, deps):
    job = scheduled_job(db, hours_ahead=48)
    before = everything(db)
    assert requests.request_created(deps, job.id) == "scheduled" and everything(db) == before


def test_the_trigger_activates_a_scheduled_job_already_within_24_hours(db, deps):
    job = scheduled_job(db, hours_ahead=20)
    assert requests.request_created(deps, job.id) == "activated"
    after = stored(db, Collection.SERVICE_REQUESTS, job.id)
    assert after["status"] == "pending" and after["dispatch_started_at"] == NOW
    assert requests.request_created(deps, job.id) == "dispatch_already_started"


def test_the_trigger_ignores_jobs_that_moved_on_or_vanished(db, deps):
    cancelled = add_job(db, S.CANCELLED)
    before = everything(db)
    assert requests.request_created(deps, cancelled.id) == "ignored"
    assert requests.request_created(deps, "no-such-job") == "missing"
    assert everything(db) == before


def test_dispatch_never_starts_for_a_job_that_is_not_pending(db, deps):
    for status in (S.SCHEDULED, S.ACCEPTED, S.CANCELLED):
        assert start_dispatch(deps, add_job(db, status).id) is False
    assert start_dispatch(deps, "no-such-job") is False


# --- activate_scheduled_jobs -------------------------------------------------------------------------------


def test_due_scheduled_jobs_become_pending_and_go_to_dispatch_exactly_once(db, deps, clock):
    due = [scheduled_job(db, hours_ahead=hours) for hours in (1, 23.5, 24)]
    later = scheduled_job(db, hours_ahead=24.5)
    cancelled = add_job(db, S.CANCELLED, is_scheduled=True, becomes_available_at=NOW - dt.timedelta(hours=1))

    activated = scheduled_jobs.activate_due(deps)
    after_first = everything(db)
    clock.advance(dt.timedelta(minutes=1))  # a duplicate run a minute later finds nothing new
    again = scheduled_jobs.activate_due(deps)

    assert sorted(activated) == sorted(job.id for job in due) and again == []
    assert everything(db) == after_first
    for job in due:
        after = stored(db, Collection.SERVICE_REQUESTS, job.id)
        assert after["status"] == "pending" and after["dispatch_started_at"] == NOW and after["updated_date"] == NOW
    assert stored(db, Collection.SERVICE_REQUESTS, later.id)["status"] == "scheduled"
    assert stored(db, Collection.SERVICE_REQUESTS, cancelled.id)["status"] == "cancelled"

    clock.advance(dt.timedelta(minutes=30))
    assert scheduled_jobs.activate_due(deps) == [later.id]


def test_overlapping_activator_runs_activate_each_job_once(db, deps):
    jobs = {scheduled_job(db, hours_ahead=2).id for _ in range(6)}
    results: list[list[str]] = []
    barrier = threading.Barrier(3)

    def run():
        barrier.wait()
        results.append(scheduled_jobs.activate_due(deps))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    activated = [job_id for result in results for job_id in result]
    assert sorted(activated) == sorted(jobs)  # every job once, none twice
    assert all(stored(db, Collection.SERVICE_REQUESTS, job_id)["status"] == "pending" for job_id in jobs)


def test_the_activator_pages_through_many_due_jobs(db, deps, monkeypatch):
    monkeypatch.setattr(scheduled_jobs, "PAGE", 2)
    jobs = {scheduled_job(db, hours_ahead=1 + n).id for n in range(5)}
    assert set(scheduled_jobs.activate_due(deps)) == jobs


# --- moves other work makes with record_move ------------------------------------------------------------------


def move(deps: Deps, job_id: str, target: RequestStatus, now: dt.datetime) -> None:
    def run(uow: UnitOfWork) -> None:
        current = uow.requests.get(job_id)
        assert current is not None
        job_moves.record_move(uow, current, transition(current.status, target, RequestActor.DISPATCHER))

    work.transaction(dataclasses.replace(deps, clock=FixedClock(now)), run)


def test_accepting_and_completing_set_their_timestamps_flags_and_client_notices(db, deps):
    job = add_job(db, S.PENDING, dispatcher_id=DISPATCHER_ID, dispatcher_name="Sam")
    move(deps, job.id, S.ACCEPTED, NOW)
    db.document(doc_path(Collection.SERVICE_REQUESTS, job.id)).update({"status": "in_progress"})
    move(deps, job.id, S.COMPLETED, NOW + dt.timedelta(hours=1))

    after = stored(db, Collection.SERVICE_REQUESTS, job.id)
    assert (after["accepted_at"], after["completed_at"]) == (NOW, NOW + dt.timedelta(hours=1))
    assert after["client_notified_accepted"] is True and after["client_notified_completed"] is True
    for kind in (NotificationType.JOB_ACCEPTED, NotificationType.JOB_COMPLETED):
        note = stored(db, Collection.NOTIFICATIONS, notification_id(kind, job.id, job.client_id))
        assert note["type"] == kind.value and note["data"] == {"screen": "job_details", "request_id": job.id,
                                                               "type": kind.value}


# --- demand for surge pricing ------------------------------------------------------------------------------


def test_demand_counts_pending_jobs_and_free_online_technicians_near_the_job(db, deps):
    near = NEAR_CBD
    for status in (S.PENDING, S.PENDING, S.PENDING, S.ACCEPTED, S.SCHEDULED):
        add_job(db, status, location_lat=near[0], location_lng=near[1])
    add_job(db, S.PENDING, location_lat=-37.81, location_lng=144.96)  # Melbourne
    for n, (lat, lng, online, active) in enumerate([
        (near[0], near[1], True, 0), (near[0] + 0.01, near[1], True, 1), (near[0], near[1], False, 0),
        (-37.81, 144.96, True, 0),
    ]):
        put(db, make_dispatcher_location(dispatcher_id=f"uid-t{n}", lat=lat, lng=lng, is_online=online,
                                         active_jobs=active, verified=True))

    demand = work.reading(deps, lambda uow: pricing.count_demand(uow, near[0], near[1], 10.0))

    assert (demand.open_requests, demand.available_dispatchers) == (3, 1)


def test_surge_prices_from_the_live_counts(db, deps):
    put(db, make_pricing_rule(id="rule-surge", rule_type=RuleType.DEMAND_SURGE, multiplier=None,
                              time_conditions={}, demand_conditions={
                                  "radius_km": 10.0, "thresholds": [{"min_ratio": 2.0, "multiplier": 1.25}]}))
    for _ in range(2):
        add_job(db, S.PENDING, location_lat=OUTSIDE_ZONES[0], location_lng=OUTSIDE_ZONES[1])
    job = Job(OUTSIDE_ZONES[0], OUTSIDE_ZONES[1], False, False, NOW, ZoneInfo("Australia/Sydney"))
    prices = []
    for technicians in range(3):
        prices.append(work.reading(deps, lambda uow: pricing.price(uow, job)).final_price)
        put(db, make_dispatcher_location(dispatcher_id=f"uid-t{technicians}", lat=OUTSIDE_ZONES[0],
                                         lng=OUTSIDE_ZONES[1], active_jobs=0, verified=True))

    assert prices == [Decimal("41.25"), Decimal("41.25"), Decimal("33.00")]  # 2 waiting per 0, 1, 2 free
