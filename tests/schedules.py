"""Run a deployed scheduled function as Cloud Scheduler does: a POST with its job name and schedule time."""

from __future__ import annotations

from typing import Any

import flask

from curbside.domain.clock import Clock


def run_as_scheduled(function: Any, name: str, clock: Clock) -> Any:
    """The decorated function served a Flask request, as deployed; returns its response."""
    with flask.Flask("scheduler").test_request_context("/", method="POST", headers={
            "X-CloudScheduler-JobName": f"firebase-schedule-{name}-us-central1",
            "X-CloudScheduler-ScheduleTime": clock.now().isoformat()}):
        return function(flask.request)
