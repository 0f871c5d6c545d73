"""Cloud Tasks, behind a small Protocol: the offer countdown (`expire_offer`) is a task due at a given time.

Tasks are named: Cloud Tasks refuses a second task with the same name, so enqueueing the countdown of one
offer twice (a retried dispatch, a replayed trigger) creates one task. "Already exists" is therefore success.
With `CLOUD_TASKS_EMULATOR_HOST` set, firebase-admin posts to the local stack's queue instead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Protocol

from curbside import config
from curbside.gateways.firebase_app import admin_app

_TASK_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def task_id(name: str) -> str:
    """A Cloud Tasks id from any key (ids allow letters, digits, `_` and `-` only)."""
    return _TASK_ID_UNSAFE.sub("-", name)[:500]


class TaskGateway(Protocol):
    def enqueue(self, function_name: str, payload: dict[str, Any], *, at: dt.datetime, name: str) -> None:
        """Run `function_name` with `payload` at `at`, once per `name`."""


class FirebaseTasks:
    """The production queue: `firebase_admin.functions.task_queue` of the function, in our region."""

    def enqueue(self, function_name: str, payload: dict[str, Any], *, at: dt.datetime, name: str) -> None:
        from firebase_admin import exceptions, functions

        queue = functions.task_queue(f"locations/{config.REGION}/functions/{function_name}", app=admin_app())
        try:
            # The body is posted as-is, and a `tasks_fn` handler reads it with the callable protocol: `{"data": ...}`.
            queue.enqueue({"data": payload}, functions.TaskOptions(schedule_time=at, task_id=task_id(name)))
        except exceptions.AlreadyExistsError:
            return
