"""A local Cloud Tasks queue for `tasks_fn.on_task_dispatched` functions.

Production code enqueues with `firebase_admin.functions.task_queue(name).enqueue(...)`. With
`CLOUD_TASKS_EMULATOR_HOST` set, firebase-admin posts the Cloud Tasks `Task` to
`http://HOST/projects/{p}/locations/{l}/queues/{q}/tasks` (firebase-admin 7.7; the `/v2/` prefix of the
real API is accepted too) and reads the created task's name back from `{"task": {"name": "/projects/..."}}`.
The functions server answers those requests with this queue, which then:

- holds each task until its `scheduleTime` on the stack's clock (firebase-tools' emulator ignores it and
  dispatches at once; an offer countdown needs it honoured);
- invokes the queue's function with the task's body and headers plus the `X-CloudTasks-*` headers;
- retries non-2xx answers per the function's `retryConfig` (see `devstack.retry`);
- refuses a second task with the same name (409 ALREADY_EXISTS, as Cloud Tasks does for named tasks) and
  deletes pending tasks on request (404 NOT_FOUND once a task ran or never existed).

Not emulated: rate limits (`maxDispatchesPerSecond`/`maxConcurrentDispatches`: a few worker threads serve
all queues) and dispatch deadlines (an in-process handler cannot be interrupted).
"""

from __future__ import annotations

import base64
import datetime as dt
import heapq
import itertools
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from devstack.activity import Activity
from devstack.clock import Clock
from devstack.loader import FunctionDef, Functions, Kind
from devstack.retry import RetryPolicy

log = logging.getLogger("devstack.tasks")

TASK_NAME = re.compile(r"^projects/([^/]+)/locations/([^/]+)/queues/([^/]+)/tasks/([A-Za-z0-9_-]{1,500})$")


class TaskApiError(Exception):
    """A Cloud Tasks API error: HTTP status, Google status code and message."""

    def __init__(self, http_status: int, status: str, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.status = status
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {"error": {"code": self.http_status, "message": self.message, "status": self.status}}


@dataclass(order=True)
class Task:
    due: dt.datetime
    seq: int
    name: str = field(compare=False)
    fn: FunctionDef = field(compare=False)
    body: bytes = field(compare=False)
    headers: dict[str, str] = field(compare=False)
    schedule_time: dt.datetime = field(compare=False)
    attempts: int = field(default=0, compare=False)
    responses: int = field(default=0, compare=False)
    previous_status: int | None = field(default=None, compare=False)
    first_attempt: dt.datetime | None = field(default=None, compare=False)

    @property
    def task_id(self) -> str:
        return self.name.rsplit("/", 1)[1]

    @property
    def queue(self) -> str:
        return self.name.split("/")[5]

    def dispatch_headers(self) -> dict[str, str]:
        """What Cloud Tasks adds to the task's own headers when it calls the handler."""
        headers = {
            "Content-Type": "application/json",
            **self.headers,
            "X-CloudTasks-QueueName": self.queue,
            "X-CloudTasks-TaskName": self.task_id,
            "X-CloudTasks-TaskRetryCount": str(self.attempts),
            "X-CloudTasks-TaskExecutionCount": str(self.responses),
            "X-CloudTasks-TaskETA": f"{self.schedule_time.timestamp():.6f}",
        }
        if self.previous_status is not None:
            headers["X-CloudTasks-TaskPreviousResponse"] = str(self.previous_status)
        return headers


Invoker = Callable[[FunctionDef, dict[str, str], bytes], int]
"""POSTs a body with headers to a function in-process and returns its HTTP status."""

Fired = Callable[[Task], None]
"""Told of each attempt once its handler answered; `task.first_attempt` is when the first one started."""


class TaskQueues:
    """Every task queue of the stack: the Cloud Tasks API side (enqueue, delete) and the dispatcher."""

    def __init__(self, functions: Functions, clock: Clock, invoker: Invoker, *, activity: Activity,
                 project: str, poll_s: float = 0.05, workers: int = 4) -> None:
        self._functions = functions
        self._clock = clock
        self._invoker = invoker
        self._activity = activity
        self._project = project
        self._poll_s = poll_s
        self._heap: list[Task] = []
        self._names: set[str] = set()
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="devstack-task")
        self._thread: threading.Thread | None = None
        self._rounds = 0
        self._round_done = threading.Condition()
        self._listeners: list[Fired] = []

    # --- the Cloud Tasks API -------------------------------------------------------------------------

    def enqueue(self, project: str, location: str, queue: str, body: dict[str, Any]) -> dict[str, Any]:
        """`tasks.create`: returns the response body firebase-admin expects."""
        fn = self._handler(project, location, queue)
        spec = body.get("task") or {}
        request = spec.get("httpRequest") or {}
        name = spec.get("name") or f"projects/{project}/locations/{location}/queues/{queue}/tasks/" \
                                   f"{uuid.uuid4().int % 10**19}"
        match = TASK_NAME.match(name.lstrip("/"))
        if match is None or match.groups()[:3] != (project, location, queue):
            raise TaskApiError(400, "INVALID_ARGUMENT", f"Task name {name!r} does not belong to queue {queue}.")
        name = name.lstrip("/")
        now = self._clock.now()
        schedule_time = _parse_time(spec.get("scheduleTime")) or now
        task = Task(due=schedule_time, seq=next(self._seq), name=name, fn=fn,
                    body=base64.b64decode(request.get("body") or ""), headers=dict(request.get("headers") or {}),
                    schedule_time=schedule_time)
        with self._lock:
            if name in self._names:
                raise TaskApiError(409, "ALREADY_EXISTS", f"Requested entity already exists: task {name}.")
            self._names.add(name)
            heapq.heappush(self._heap, task)
        log.info("task.enqueued name=%s due=%s", name, schedule_time.isoformat())
        return {"task": {"name": "/" + name, "scheduleTime": _format_time(schedule_time),
                         "createTime": _format_time(now), "httpRequest": request}}

    def delete(self, project: str, location: str, queue: str, task_id: str) -> None:
        """`tasks.delete`: only a task that has not run yet can be deleted."""
        name = f"projects/{project}/locations/{location}/queues/{queue}/tasks/{task_id}"
        with self._lock:
            kept = [task for task in self._heap if task.name != name]
            if len(kept) == len(self._heap):
                raise TaskApiError(404, "NOT_FOUND", f"Requested entity was not found: task {name}.")
            self._heap = kept
            heapq.heapify(self._heap)

    def clear(self) -> None:
        """Drop every pending task and forget task names (tests start from empty queues)."""
        with self._lock:
            self._heap.clear()
            self._names.clear()

    def pending(self) -> list[Task]:
        with self._lock:
            return sorted(self._heap)

    def subscribe(self, listener: Fired) -> None:
        """Call `listener` after every attempt (the benchmark times offer countdowns against `expires_at`)."""
        self._listeners.append(listener)

    def _handler(self, project: str, location: str, queue: str) -> FunctionDef:
        fn = self._functions.task_handler(location, queue) if project == self._project else None
        if fn is None:
            raise TaskApiError(404, "NOT_FOUND", f"Queue projects/{project}/locations/{location}/queues/{queue} "
                               "does not exist: no on_task_dispatched function of that name in that region.")
        return fn

    # --- the dispatcher ------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="devstack-tasks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Stop dispatching; tasks already running finish, pending ones are dropped with the stack."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._pool.shutdown(wait=True, cancel_futures=True)

    def settle(self, timeout: float = 5) -> None:
        """Return once the dispatcher has read the clock after this call, so every task due by then has left
        `pending()` (lets a test assert "not due yet" without sleeping)."""
        with self._round_done:
            target = self._rounds + 2
            if not self._round_done.wait_for(lambda: self._rounds >= target, timeout):
                raise TimeoutError("the task dispatcher is not running")

    def _loop(self) -> None:
        while not self._stop.wait(self._poll_s):
            for task in self._take_due(self._clock.now()):
                self._pool.submit(self._attempt, task)
            with self._round_done:
                self._rounds += 1
                self._round_done.notify_all()

    def _take_due(self, now: dt.datetime) -> list[Task]:
        due = []
        with self._lock:
            while self._heap and self._heap[0].due <= now:
                due.append(heapq.heappop(self._heap))
        return due

    def _attempt(self, task: Task) -> None:
        started = time.monotonic()
        task.first_attempt = task.first_attempt or self._clock.now()
        try:
            status = self._invoker(task.fn, task.dispatch_headers(), task.body)
        except Exception:
            log.exception("task.failed name=%s", task.name)
            status = 500
        task.attempts += 1
        if not 500 <= status < 600:
            task.responses += 1  # Cloud Tasks' execution count leaves 5xx answers out
        task.previous_status = status
        self._activity.record(Kind.TASK, task.fn.name, status, f"{task.task_id} attempt {task.attempts}", started)
        for listener in self._listeners:
            listener(task)
        if 200 <= status < 300:
            return
        policy = RetryPolicy.for_tasks(task.fn.task_trigger.get("retryConfig"))
        now = self._clock.now()
        if policy.gives_up(task.attempts, task.first_attempt, now):
            log.warning("task.gave_up name=%s attempts=%d", task.name, task.attempts)
            return
        task.due = now + policy.backoff(task.attempts)
        with self._lock:
            if not self._stop.is_set():
                heapq.heappush(self._heap, task)


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def _format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
