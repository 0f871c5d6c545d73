"""Task queues: production code enqueues through firebase-admin; the local queue delivers on time, with
retries as configured, and deduplicates named tasks like Cloud Tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import requests
from google.cloud import firestore

from devstack.activity import Invocation
from devstack.client import CallableClient
from devstack.clock import ManualClock
from devstack.polling import poll
from devstack.stack import LocalStack
from tests.stack.helpers import docs


def pings(admin: firestore.Client, note: str) -> list[dict[str, object]]:
    return sorted((p for p in docs(admin, "Pings") if p["note"] == note), key=lambda p: str(p["retry_count"]))


def ran(task_id: str, attempt: int) -> Callable[[Invocation], bool]:
    return lambda run: run.name == "ping" and f"{task_id} attempt {attempt}" in run.detail


def test_a_task_is_delivered_at_its_schedule_time_on_the_stack_clock_not_before(
        stack: LocalStack, clock: ManualClock, callables: CallableClient, admin: firestore.Client):
    # given a callable enqueued a task due in 60 s on the stack's clock
    due = clock.now() + dt.timedelta(seconds=60)
    queued = callables.call("enqueue_ping", {"note": "on-time", "at": due.isoformat(), "task_id": "on-time"},
                            uid="alice")
    assert queued.result == {"task_id": "on-time"}

    # when 59 s pass, it is still waiting
    clock.advance(dt.timedelta(seconds=59))
    stack.tasks.settle()
    assert [task.task_id for task in stack.tasks.pending()] == ["on-time"]

    # and when the 60th second passes, the handler runs with the task's data
    clock.advance(dt.timedelta(seconds=1))
    assert poll(lambda: pings(admin, "on-time")) == [{"note": "on-time", "retry_count": 0}]
    assert stack.tasks.pending() == []


def test_a_delay_in_seconds_from_firebase_admin_is_honoured_too(
        stack: LocalStack, clock: ManualClock, callables: CallableClient, admin: firestore.Client):
    # given firebase-admin turned a one-hour delay into a schedule time (from the real time of the enqueue)
    before = dt.datetime.now(dt.UTC)
    callables.call("enqueue_ping", {"note": "delayed", "delay_s": 3600, "task_id": "delayed"}, uid="alice")
    after = dt.datetime.now(dt.UTC)
    [task] = stack.tasks.pending()
    assert before + dt.timedelta(hours=1) <= task.due <= after + dt.timedelta(hours=1)

    # when the stack's clock reaches that time, the task runs
    clock.advance(task.due - clock.now())
    assert poll(lambda: pings(admin, "delayed"))[0]["retry_count"] == 0


def test_a_failing_task_is_retried_with_backoff_until_it_succeeds(
        stack: LocalStack, clock: ManualClock, callables: CallableClient, admin: firestore.Client):
    # given ping fails on its first two attempts (retry_config: 3 attempts, backoff from 10 s)
    callables.call("enqueue_ping", {"note": "flaky", "fail_times": 2, "task_id": "flaky"}, uid="alice")
    stack.activity.wait_for(ran("flaky", 1))

    # when the backoff passes twice (10 s, then doubled to 20 s)
    clock.advance(dt.timedelta(seconds=10))
    stack.activity.wait_for(ran("flaky", 2))
    clock.advance(dt.timedelta(seconds=19))
    stack.tasks.settle()
    assert [task.task_id for task in stack.tasks.pending()] == ["flaky"]
    clock.advance(dt.timedelta(seconds=1))

    # then the third attempt succeeds, and each attempt saw Cloud Tasks' retry count
    third = stack.activity.wait_for(ran("flaky", 3))
    statuses = [run.status for run in stack.activity.items() if run.name == "ping" and "flaky" in run.detail]
    assert statuses == [500, 500, 200] and third[0].ok
    poll(lambda: len(pings(admin, "flaky")) == 3, what="three pings")
    assert [ping["retry_count"] for ping in pings(admin, "flaky")] == [0, 1, 2]


def test_a_task_that_keeps_failing_is_dropped_after_max_attempts(
        stack: LocalStack, clock: ManualClock, callables: CallableClient):
    callables.call("enqueue_ping", {"note": "doomed", "fail_times": 99, "task_id": "doomed"}, uid="alice")
    for attempt, backoff_s in ((1, 10), (2, 20), (3, 0)):
        stack.activity.wait_for(ran("doomed", attempt))
        clock.advance(dt.timedelta(seconds=backoff_s))

    stack.tasks.settle()
    assert "doomed" not in [task.task_id for task in stack.tasks.pending()]


def test_a_named_task_is_accepted_once(stack: LocalStack, clock: ManualClock, callables: CallableClient):
    # due an hour ahead on the stack's clock (which other tests of the package may have moved past real time)
    later = {"note": "once", "task_id": "once", "at": (clock.now() + dt.timedelta(hours=1)).isoformat()}
    first = callables.call("enqueue_ping", later, uid="alice")
    second = callables.call("enqueue_ping", later, uid="alice")

    assert first.ok and second.error_status == "ALREADY_EXISTS"
    stack.tasks.delete(stack.project, "us-central1", "ping", "once")


def test_the_cloud_tasks_api_deletes_pending_tasks_and_knows_its_queues(stack: LocalStack,
                                                                         callables: CallableClient):
    # firebase-admin turns a delay into a time on the real clock; the package's stack clock may already be
    # days ahead (earlier modules move it), so the delay must reach past the stack's "now" to stay pending
    ahead_s = max(0, int((stack.clock.now() - dt.datetime.now(dt.UTC)).total_seconds()))
    enqueued = callables.call("enqueue_ping", {"note": "cancel", "task_id": "cancel-me", "delay_s": ahead_s + 3600},
                              uid="alice")
    assert enqueued.ok, enqueued
    queue = f"{stack.functions_url}/projects/{stack.project}/locations/us-central1/queues"

    deleted = requests.delete(f"{queue}/ping/tasks/cancel-me", timeout=10)
    again = requests.delete(f"{queue}/ping/tasks/cancel-me", timeout=10)
    no_queue = requests.post(f"{queue}/nope/tasks", json={"task": {}}, timeout=10)

    assert deleted.status_code == 200 and stack.tasks.pending() == []
    assert (again.status_code, again.json()["error"]["status"]) == (404, "NOT_FOUND")
    assert (no_queue.status_code, no_queue.json()["error"]["status"]) == (404, "NOT_FOUND")
