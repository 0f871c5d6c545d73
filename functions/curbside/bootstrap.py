"""The production composition root: builds the real `Deps` once per instance, at the first invocation.

`main.py` registers `initialize` with `core.init`, so nothing connects or reads a parameter at import (the
Firebase CLI imports `main.py` at deploy time). This is the only module that names the production gateways.
"""

from __future__ import annotations

import os

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from curbside import deps
from curbside.domain.clock import SystemClock
from curbside.gateways.firebase_app import admin_app
from curbside.gateways.payments import StripePayments
from curbside.gateways.tasks import FirebaseTasks
from curbside.settings import Settings
from curbside.store.files import FileStore


def default_files(project: str) -> FileStore:
    """The default bucket (`STORAGE_BUCKET`, else `{project}.appspot.com`); anonymous on the emulator."""
    from google.cloud import storage  # type: ignore[attr-defined, unused-ignore]

    emulated = bool(os.environ.get("STORAGE_EMULATOR_HOST"))
    client = storage.Client(project=project, credentials=AnonymousCredentials() if emulated else None)
    return FileStore(client.bucket(os.environ.get("STORAGE_BUCKET") or f"{project}.appspot.com"))


def build() -> deps.Deps:
    project = admin_app().project_id
    return deps.Deps(db=firestore.Client(project=project), files=default_files(project), clock=SystemClock(),
                     settings=Settings.from_params(), tasks=FirebaseTasks(), payments=StripePayments())


def initialize() -> None:
    """The `core.init` callback: build the dependencies unless some are installed already."""
    if not deps.is_installed():
        deps.install(build())
