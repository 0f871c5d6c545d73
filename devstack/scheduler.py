"""Scheduled functions: run each `scheduler_fn.on_schedule` function on its schedule, and on demand.

In production Cloud Scheduler POSTs to the function with `X-CloudScheduler-JobName` and
`X-CloudScheduler-ScheduleTime`; the SDK wrapper turns those into the `ScheduledEvent`. Here the scheduler
thread does the same in-process whenever the (injectable) clock passes a job's next run time.

Schedules are the two syntaxes Cloud Scheduler accepts and the spec uses:
- App Engine cron: `every 5 minutes`, `every 1 hours`, `every day 00:00`, `every monday 09:00`,
  `every mon,thu 18:30`. Intervals are synchronized: `every 5 minutes` fires at :00, :05, :10... of the
  job's time zone.
- Standard 5-field cron: `*/5 * * * *`, `0 0 * * *`, `30 9 1,15 * mon-fri` (ranges, steps, lists, names;
  when both day-of-month and day-of-week are restricted either may match, as in Vixie cron).
If the clock jumps past several run times, the job runs once (Cloud Scheduler does not backfill).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

from devstack.activity import Activity
from devstack.clock import Clock
from devstack.loader import FunctionDef, Kind, resolve
from devstack.retry import RetryPolicy

log = logging.getLogger("devstack.scheduler")

UNITS = {"min": 60, "mins": 60, "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "hr": 3600,
         "hrs": 3600}
WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


class Schedule(Protocol):
    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first run time strictly after `moment` (aware UTC in, aware UTC out)."""
        ...


@dataclass(frozen=True)
class Every:
    """`every N minutes|hours`: the day (in `tz`) cut into N-long slots from midnight."""

    step: dt.timedelta
    tz: dt.tzinfo

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        local = moment.astimezone(self.tz).replace(tzinfo=None)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        slots = (local - midnight) // self.step + 1
        candidate = min(midnight + slots * self.step, midnight + dt.timedelta(days=1))
        return candidate.replace(tzinfo=self.tz).astimezone(dt.UTC)


@dataclass(frozen=True)
class Cron:
    """A standard cron expression, evaluated in `tz`."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    """0 = Sunday, as in cron."""
    days_restricted: bool
    weekdays_restricted: bool
    tz: dt.tzinfo

    def _day_matches(self, day: dt.datetime) -> bool:
        in_month = day.day in self.days
        in_week = (day.weekday() + 1) % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week
        return in_month and in_week

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        t = moment.astimezone(self.tz).replace(tzinfo=None, second=0, microsecond=0) + dt.timedelta(minutes=1)
        for _ in range(200_000):
            if t.month not in self.months:
                t = (t.replace(day=1) + dt.timedelta(days=32)).replace(day=1, hour=0, minute=0)
            elif not self._day_matches(t):
                t = t.replace(hour=0, minute=0) + dt.timedelta(days=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0) + dt.timedelta(hours=1)
            elif t.minute not in self.minutes:
                t += dt.timedelta(minutes=1)
            else:
                return t.replace(tzinfo=self.tz).astimezone(dt.UTC)
        raise ValueError("this cron expression never matches a real date")


def parse_schedule(text: str, tz_name: str | None = None) -> Schedule:
    """Cloud Scheduler's App Engine cron syntax or a 5-field cron expression, in `tz_name` (default UTC)."""
    tz: dt.tzinfo = ZoneInfo(tz_name) if tz_name else dt.UTC
    words = text.strip().lower().split()
    if words and words[0] == "every":
        return _parse_app_engine(words[1:], tz, text)
    if len(words) == 5:
        return _parse_cron(words, tz)
    raise ValueError(f"Unsupported schedule {text!r}: use `every N minutes|hours`, `every day HH:MM`, "
                     "`every <weekday> HH:MM` or a 5-field cron expression.")


def _parse_app_engine(words: list[str], tz: dt.tzinfo, text: str) -> Schedule:
    if words[-1:] == ["synchronized"]:
        words = words[:-1]
    if len(words) == 2 and words[0].isdigit() and words[1] in UNITS:
        return Every(dt.timedelta(seconds=int(words[0]) * UNITS[words[1]]), tz)
    if len(words) == 2 and re.fullmatch(r"\d{1,2}:\d{2}", words[1]):
        hour, minute = (int(part) for part in words[1].split(":"))
        weekdays = "*" if words[0] == "day" else ",".join(str(_weekday_number(day)) for day in words[0].split(","))
        return _parse_cron([str(minute), str(hour), "*", "*", weekdays], tz)
    raise ValueError(f"Unsupported App Engine schedule {text!r}: the local stack understands "
                     "`every N minutes|hours`, `every day HH:MM` and `every <weekday>[,<weekday>] HH:MM`.")


def _weekday_number(name: str) -> int:
    short = name[:3]
    if short not in WEEKDAYS:
        raise ValueError(f"Unknown weekday {name!r}")
    return WEEKDAYS.index(short)


def _parse_cron(fields: list[str], tz: dt.tzinfo) -> Cron:
    minutes, hours, days, months, weekdays = fields
    weekday_values = {value % 7 for value in _parse_field(weekdays, 0, 7, WEEKDAYS)}
    return Cron(minutes=_parse_field(minutes, 0, 59), hours=_parse_field(hours, 0, 23),
                days=_parse_field(days, 1, 31), months=_parse_field(months, 1, 12, MONTHS, offset=1),
                weekdays=frozenset(weekday_values), days_restricted=days != "*",
                weekdays_restricted=weekdays != "*", tz=tz)


def _parse_field(text: str, low: int, high: int, names: list[str] | None = None, offset: int = 0
                 ) -> frozenset[int]:
    def number(token: str) -> int:
        if names and token[:3] in names:
            return names.index(token[:3]) + offset
        value = int(token)
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}-{high} in cron field {text!r}")
        return value

    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = number(first), number(last)
        else:
            start = number(base)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


def job_name(fn: FunctionDef) -> str:
    """The Cloud Scheduler job the Firebase CLI creates for a scheduled function."""
    return f"firebase-schedule-{fn.name}-{fn.region}"


def schedule_headers(fn: FunctionDef, scheduled_for: dt.datetime) -> dict[str, str]:
    stamp = scheduled_for.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"X-CloudScheduler-JobName": job_name(fn), "X-CloudScheduler-ScheduleTime": stamp,
            "User-Agent": "Google-Cloud-Scheduler"}


Runner = Callable[[FunctionDef, dt.datetime], int]
"""Invokes a scheduled function for a schedule time and returns its HTTP status."""


@dataclass
class Job:
    fn: FunctionDef
    schedule: Schedule
    policy: RetryPolicy
    next_run: dt.datetime
    retry: tuple[dt.datetime, dt.datetime, int] | None = field(default=None)
    """(run at, schedule time being retried, attempts made) while a failed run awaits its retry."""


class Scheduler:
    """One thread that runs due jobs in order; `run_now` runs one job immediately on the caller's thread."""

    def __init__(self, functions: list[FunctionDef], clock: Clock, runner: Runner, activity: Activity,
                 poll_s: float = 0.05) -> None:
        self._clock = clock
        self._runner = runner
        self._activity = activity
        self._poll_s = poll_s
        now = clock.now()
        self.jobs = {fn.name: self._job(fn, now) for fn in functions}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def _job(fn: FunctionDef, now: dt.datetime) -> Job:
        trigger = fn.schedule_trigger
        schedule = parse_schedule(str(resolve(trigger.get("schedule"))), resolve(trigger.get("timeZone")))
        return Job(fn, schedule, RetryPolicy.for_schedules(trigger.get("retryConfig")),
                   next_run=schedule.next_after(now))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="devstack-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run_now(self, name: str) -> int:
        """Run job `name` now, as `gcloud scheduler jobs run` would; returns the function's HTTP status."""
        job = self.jobs.get(name)
        if job is None:
            raise KeyError(name)
        return self._run(job, self._clock.now(), "on demand")

    def _loop(self) -> None:
        while not self._stop.wait(self._poll_s):
            now = self._clock.now()
            for job in list(self.jobs.values()):
                if self._stop.is_set():
                    return
                self._tick(job, now)

    def _tick(self, job: Job, now: dt.datetime) -> None:
        if job.retry is not None and job.retry[0] <= now:
            _, scheduled_for, attempts = job.retry
            job.retry = None
            self._attempt(job, scheduled_for, attempts + 1, now)
        if job.next_run <= now:
            scheduled_for, job.next_run = job.next_run, job.schedule.next_after(now)
            self._attempt(job, scheduled_for, 1, now)

    def _attempt(self, job: Job, scheduled_for: dt.datetime, attempt: int, now: dt.datetime) -> None:
        status = self._run(job, scheduled_for, f"for {scheduled_for:%Y-%m-%d %H:%M}Z attempt {attempt}")
        if 200 <= status < 300 or job.policy.gives_up(attempt, scheduled_for, now):
            return
        job.retry = (now + job.policy.backoff(attempt), scheduled_for, attempt)

    def _run(self, job: Job, scheduled_for: dt.datetime, detail: str) -> int:
        started = time.monotonic()
        try:
            status = self._runner(job.fn, scheduled_for)
        except Exception:
            log.exception("schedule.failed function=%s", job.fn.name)
            status = 500
        self._activity.record(Kind.SCHEDULE, job.fn.name, status, detail, started)
        return status
