"""The dependencies every service receives, built once per instance (Convention 1: in `core.init`).

Services take a `Deps` argument instead of reaching for globals, so tests and the local stack can hand
them the emulator client, a movable clock and gateway doubles for paid third-party APIs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import firebase_admin
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from curbside.domain.clock import Clock, SystemClock
from curbside.gateways.payments import Payments, StripePayments
from curbside.gateways.tasks import FirebaseTasks, TaskGateway
from curbside.store.files import FileStore


@dataclass(frozen=True)
class Deps:
    db: firestore.Client
    files: FileStore
    clock: Clock = field(default_factory=SystemClock)
    tasks: TaskGateway = field(default_factory=FirebaseTasks)
    """Cloud Tasks (offer countdowns); tests record the calls, the local stack runs a real local queue."""
    payments: Payments = field(default_factory=StripePayments)
    """Stripe; reads its secrets on first use. Tests and the local stack point it at localstripe."""


_current: Deps | None = None


def admin_app() -> firebase_admin.App:
    """The Admin SDK app (token verification, task queues), initialised once."""
    if not firebase_admin._apps:
        options: dict[str, Any] = {}
        if project := os.environ.get("GCLOUD_PROJECT") or os.environ.get("GOOGLE_CLOUD_PROJECT"):
            options["projectId"] = project
        firebase_admin.initialize_app(options=options)
    return firebase_admin.get_app()


def default_files(project: str) -> FileStore:
    """The default bucket (`STORAGE_BUCKET`, else `{project}.appspot.com`); anonymous on the emulator."""
    from google.cloud import storage  # type: ignore[attr-defined, unused-ignore]

    emulated = bool(os.environ.get("STORAGE_EMULATOR_HOST"))
    client = storage.Client(project=project, credentials=AnonymousCredentials() if emulated else None)
    return FileStore(client.bucket(os.environ.get("STORAGE_BUCKET") or f"{project}.appspot.com"))


def build() -> Deps:
    project = admin_app().project_id
    return Deps(db=firestore.Client(project=project), files=default_files(project))


def initialize() -> None:
    """The `core.init` callback: build the dependencies on the first invocation, not at import."""
    global _current
    if _current is None:
        _current = build()


def get() -> Deps:
    initialize()
    assert _current is not None
    return _current


def install(deps: Deps) -> None:
    """Replace the dependencies (the local stack and tests inject a clock or gateway doubles)."""
    global _current
    _current = deps


def reset() -> None:
    """Forget the dependencies; the next invocation builds them again from the environment."""
    global _current
    _current = None
