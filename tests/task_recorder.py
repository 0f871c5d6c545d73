"""A recording Cloud Tasks gateway for service tests (stack tests use the real local queue instead)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EnqueuedTask:
    function_name: str
    payload: dict[str, Any]
    at: dt.datetime
    name: str


@dataclass
class RecordingTasks:
    """Keeps each named task once, as Cloud Tasks does."""

    tasks: list[EnqueuedTask] = field(default_factory=list)

    def enqueue(self, function_name: str, payload: dict[str, Any], *, at: dt.datetime, name: str) -> None:
        if all(task.name != name for task in self.tasks):
            self.tasks.append(EnqueuedTask(function_name, payload, at, name))
