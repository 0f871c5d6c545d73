"""Scheduled functions: schedules as Cloud Scheduler reads them, fired by the injected clock or on demand."""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud import firestore

from devstack.__main__ import main
from devstack.clock import ManualClock
from devstack.polling import poll
from devstack.scheduler import parse_schedule
from devstack.stack import LocalStack
from tests.stack.helpers import docs

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("schedule", "now", "expected"), [
    ("every 5 minutes", "2026-03-02 10:02:30", "2026-03-02 10:05:00"),
    ("every 5 minutes", "2026-03-02 10:05:00", "2026-03-02 10:10:00"),
    ("every 1 hours", "2026-03-02 10:59:59", "2026-03-02 11:00:00"),
    ("every 2 minutes", "2026-03-02 23:59:00", "2026-03-03 00:00:00"),
    ("every day 00:00", "2026-03-02 10:00:00", "2026-03-03 00:00:00"),
    ("every monday 09:00", "2026-03-02 09:00:00", "2026-03-09 09:00:00"),  # 2 March 2026 is a Monday
    ("every mon,thu 18:30", "2026-03-02 19:00:00", "2026-03-05 18:30:00"),
    ("*/15 * * * *", "2026-03-02 10:16:00", "2026-03-02 10:30:00"),
    ("0 0 * * *", "2026-03-02 00:00:00", "2026-03-03 00:00:00"),
    ("30 9 1,15 * mon-fri", "2026-03-02 10:00:00", "2026-03-03 09:30:00"),  # either day field may match
    ("0 12 29 2 *", "2026-03-01 00:00:00", "2028-02-29 12:00:00"),
    ("0 3 * jan sun", "2026-03-02 00:00:00", "2027-01-03 03:00:00"),
])
def test_next_run_of_app_engine_and_cron_schedules(schedule: str, now: str, expected: str):
    assert parse_schedule(schedule).next_after(at(now)) == at(expected)


def test_schedules_run_in_their_time_zone():
    # 00:00 in Sydney (UTC+11 in March) is 13:00 UTC the day before
    assert parse_schedule("every day 00:00", "Australia/Sydney").next_after(at("2026-03-02 10:00:00")) == \
        at("2026-03-02 13:00:00")


@pytest.mark.parametrize("schedule", ["every 5 parsecs", "every day at noon", "61 * * * *", "* * *"])
def test_unsupported_schedules_are_refused_with_a_reason(schedule: str):
    with pytest.raises(ValueError, match=r"\S"):
        parse_schedule(schedule)


def test_moving_the_clock_past_the_next_run_fires_the_scheduled_function(
        stack: LocalStack, clock: ManualClock, admin: firestore.Client):
    # given tick runs every 5 minutes
    due = stack.scheduler.jobs["tick"].next_run
    runs_before = len(stack.activity.wait_for(lambda run: run.name == "tick", timeout=0, count=0))

    # when five minutes pass on the stack's clock
    clock.advance(dt.timedelta(minutes=5))

    # then the function ran once, with Cloud Scheduler's job name and the schedule time it was due at
    ticks = poll(lambda: docs(admin, "Ticks"), what="a tick")
    assert ticks == [{"job_name": "firebase-schedule-tick-us-central1", "schedule_time": due}]
    assert stack.scheduler.jobs["tick"].next_run == due + dt.timedelta(minutes=5)
    assert len(stack.activity.wait_for(lambda run: run.name == "tick", count=runs_before + 1)) == runs_before + 1


def test_a_schedule_runs_on_demand_in_process_and_from_the_cli(stack: LocalStack, admin: firestore.Client,
                                                               capsys: pytest.CaptureFixture[str]):
    assert stack.run_schedule("tick") == 200

    exit_code = main(["run-schedule", "tick", "--functions-port", str(stack.ports.functions)])

    assert exit_code == 0 and "tick: HTTP 200" in capsys.readouterr().out
    poll(lambda: len(docs(admin, "Ticks")) == 2, what="two ticks")


def test_the_cli_names_the_scheduled_functions_when_asked_for_an_unknown_one(
        stack: LocalStack, capsys: pytest.CaptureFixture[str]):
    exit_code = main(["run-schedule", "nightly", "--functions-port", str(stack.ports.functions)])

    assert exit_code == 1 and "scheduled functions: tick" in capsys.readouterr().err
