"""What the demo day's steps share: the `Demo` (the stack, one signed-in app per person, the counters), a `Step`,
the people, and waiting for the backend's effect the way an app would (`wait`)."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO, TypeVar

from devstack.activity import Invocation
from devstack.client import CallableClient
from devstack.firestore_rest import FirestoreRest
from devstack.polling import poll
from devstack.stack import LocalStack

T = TypeVar("T")
GEORGE_ST = (-33.8731, 151.2065)
"""A point inside the seeded Sydney CBD zone, where the demo day happens."""


class StepFailed(Exception):
    """A step did not get the answer a working backend gives; the message says what came back."""


@dataclass
class Demo:
    """What the steps share: the stack, one REST client per signed-in person, and the counters."""

    stack: LocalStack
    out: TextIO
    callables: CallableClient = field(init=False)
    apps: dict[str, FirestoreRest] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    baseline: int = 0
    """Invocations before the day began (seeding, earlier use of the stack) are not the day's."""
    seen_activity: int = 0

    def __post_init__(self) -> None:
        self.callables = CallableClient(self.stack.functions_url, self.stack.project)

    def app(self, uid: str) -> FirestoreRest:
        """The app of `uid`: Firestore REST signed in as that user (an e-mail account, `{uid}@example.com`)."""
        if uid not in self.apps:
            self.apps[uid] = self.stack.as_user(uid, email=email_of(uid))
        return self.apps[uid]

    def call(self, uid: str, name: str, data: dict[str, Any], **claims: Any) -> Any:
        """Call `name` as `uid`; `claims` add custom claims to the ID token (`admin=True`)."""
        answer = self.callables.call(name, data, uid=uid, email=email_of(uid), **claims)
        if not answer.ok:
            raise StepFailed(f"{name} answered {answer.status}: {answer.body}")
        return answer.result

    def read(self, uid: str, path: str) -> dict[str, Any]:
        got = self.app(uid).get(path)
        if not got.ok:
            reason = "denied by firestore.rules" if got.denied else f"HTTP {got.status}"
            raise StepFailed(f"{uid} cannot read {path}: {reason}")
        body: dict[str, Any] = got.body
        return body

    def write(self, uid: str, path: str, data: dict[str, Any]) -> None:
        got = self.app(uid).create(path, data)
        if not got.ok:
            reason = "denied by firestore.rules" if got.denied else f"HTTP {got.status} {got.body}"
            raise StepFailed(f"{uid} cannot create {path}: {reason}")

    def await_run(self, name: str, detail: str, timeout: float = 20) -> Invocation:
        """Wait for background function `name` to run on `detail` (e.g. a document path) and succeed."""
        try:
            runs = self.stack.activity.wait_for(lambda run: run.name == name and detail in run.detail, timeout)
        except TimeoutError as exc:
            raise StepFailed(f"{name} did not run for {detail} within {timeout:.0f}s") from exc
        if not runs[-1].ok:
            raise StepFailed(f"{name} failed for {detail} (HTTP {runs[-1].status}); see the log above")
        return runs[-1]

    def advance_to(self, moment: dt.datetime) -> None:
        """Move the stack's clock ahead to `moment` (schedules whose run time it passes run once, as Cloud
        Scheduler does not backfill)."""
        advance = getattr(self.stack.clock, "advance", None)
        if advance is None:
            raise StepFailed("the stack's clock cannot move ahead (start it with a ShiftedClock)")
        advance(moment - self.stack.clock.now())

    def elapsed(self) -> str:
        return f"+{time.monotonic() - self.started:6.2f}s"


@dataclass(frozen=True)
class Step:
    actor: str
    title: str
    act: Callable[[Demo], str]
    """Performs the step and returns what the actor saw, in a few words."""


def email_of(uid: str) -> str:
    """The e-mail Firebase Auth holds for a demo person: what their ID token carries."""
    return f"{uid}@example.com"


@dataclass(frozen=True)
class Person:
    uid: str
    full_name: str
    email: str
    phone: str
    user_type: str
    platform: str


def wait(read: Callable[[], T | None], what: str, timeout: float = 20) -> T:
    try:
        return poll(read, timeout, what)
    except TimeoutError as exc:
        raise StepFailed(str(exc)) from exc


def only_if(value: T, keep: Callable[[T], bool]) -> T | None:
    return value if keep(value) else None
