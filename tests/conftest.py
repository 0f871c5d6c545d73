"""The test harness: Google's Firestore emulator with our rules, started once per session.

Tiers: tests/unit never touch the emulator (their fixtures are not requested); tests/integration,
tests/entrypoints and tests/rules use `db` (admin, bypasses the rules like production's Admin SDK) and
`as_user` (REST with an unsigned emulator ID token, so the rules decide exactly as for the apps).
Data is wiped before each test through the emulator's DELETE endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from hypothesis import settings as hypothesis_settings

from curbside import deps as deps_module
from curbside.deps import Deps
from curbside.domain.clock import FixedClock
from curbside.gateways.assistant import OpenAIAssistant
from curbside.gateways.background_checks import HttpBackgroundChecks
from curbside.gateways.damage_reader import OpenAIDamageReader
from curbside.gateways.maps import PostcodeTable, RoadSpeedModel
from curbside.gateways.moderation import OpenAIModeration
from curbside.gateways.payments import StripePayments
from curbside.settings import Settings
from curbside.store.files import FileStore
from devstack.doubles import RecordingAuthAdmin, RecordingMessenger, RecordingPush, RecordingSms
from devstack.emulators import (
    EmulatorUnavailable,
    FirestoreEmulator,
    StorageEmulator,
    find_firestore_jar,
    find_java,
    free_port,
)
from devstack.firestore_rest import FirestoreRest
from devstack.mail import MailServer, local_smtp
from tests.scheduling import LongModulesApart
from tests.task_recorder import RecordingTasks

hypothesis_settings.register_profile("curbside", deadline=None)
hypothesis_settings.load_profile("curbside")
"""No per-example deadline: a property's example is judged by what it computes, not by how long a loaded
machine took (Hypothesis' 200 ms default failed pure properties on the 2-core machine under load)."""

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "firestore.rules"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One worker more than the cores (`-n auto`; `--maxprocesses` caps it): a third of a worker's time is spent
    waiting — on the emulator's lock waits in the race tests, on a lock expiring, on a stack starting — and a
    spare worker runs other tests meanwhile (on 2 cores, 2 workers kept the CPUs 67 % busy)."""
    return (os.cpu_count() or 1) + 1


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LongModulesApart | None:
    """`--dist loadscope` with the long modules first, one per worker (tests/scheduling.py)."""
    return LongModulesApart(config, log) if config.getvalue("dist") == "loadscope" else None


def pytest_sessionstart(session: pytest.Session) -> None:
    """End the run at once, with the one sentence that says how to get it, when something outside Python that
    the emulators need is missing. (Checked here rather than in a fixture: under pytest-xdist the controller
    exits cleanly, where a worker's exit would crash the run.)"""
    try:
        find_java()
        find_firestore_jar()
    except EmulatorUnavailable as exc:
        pytest.exit(str(exc), returncode=3)


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[FirestoreEmulator]:
    """One emulator for each test process, on a free port, with firestore.rules loaded."""
    emulator = FirestoreEmulator(rules_path=RULES).start()
    os.environ.update(emulator.environ())
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def _admin_client(firestore_emulator: FirestoreEmulator) -> firestore.Client:
    return firestore.Client(project=firestore_emulator.project_id, credentials=AnonymousCredentials())


@pytest.fixture
def db(firestore_emulator: FirestoreEmulator, _admin_client: firestore.Client) -> firestore.Client:
    """Admin Firestore client on an empty database (the emulator gives it the `owner` token)."""
    firestore_emulator.clear()
    return _admin_client


AsUser = Callable[..., FirestoreRest]


@pytest.fixture
def as_user(db: firestore.Client, firestore_emulator: FirestoreEmulator) -> AsUser:
    """`as_user("uid", admin=True)` -> a REST client signed in as that uid with those custom claims;
    `as_user(None)` is an anonymous caller."""

    def make(uid: str | None, **claims: Any) -> FirestoreRest:
        return FirestoreRest(firestore_emulator.base_url, uid=uid, claims=claims,
                             project_id=firestore_emulator.project_id)

    return make


@pytest.fixture(scope="session")
def storage_emulator() -> Iterator[StorageEmulator]:
    """The Cloud Storage emulator with the default bucket, for tests that need uploaded files."""
    emulator = StorageEmulator().start()
    os.environ.update(emulator.environ())
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def bucket(storage_emulator: StorageEmulator) -> Any:
    """The default bucket, emptied before the test."""
    from google.cloud import storage

    storage_emulator.clear()
    client = storage.Client(project="demo-curbside", credentials=AnonymousCredentials())
    return client.bucket(storage_emulator.bucket)


@pytest.fixture
def clock() -> FixedClock:
    """The services' clock, fixed until a test moves it."""
    return FixedClock()


@pytest.fixture
def tasks() -> RecordingTasks:
    """The Cloud Tasks gateway of service tests: records what was enqueued."""
    return RecordingTasks()


@pytest.fixture
def settings() -> Settings:
    """The services' settings: the params' defaults (a test changes one with `dataclasses.replace`)."""
    return Settings()


@pytest.fixture
def auth_admin() -> RecordingAuthAdmin:
    """Firebase Auth's admin API: a recording double (there is no Auth emulator here)."""
    return RecordingAuthAdmin()


@pytest.fixture(scope="session")
def _mail_server() -> Iterator[MailServer]:
    server = MailServer(free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_server(_mail_server: MailServer) -> MailServer:
    """A real SMTP server (aiosmtpd) keeping what it receives, emptied before the test."""
    _mail_server.clear()
    return _mail_server


@pytest.fixture
def push(clock: FixedClock) -> RecordingPush:
    """FCM: a recording double (there is no FCM emulator)."""
    return RecordingPush(clock)


@pytest.fixture
def sms(clock: FixedClock) -> RecordingSms:
    """Twilio: a recording double that plays Verify's codes."""
    return RecordingSms(clock)


@pytest.fixture
def messenger(clock: FixedClock) -> RecordingMessenger:
    """Meta's Send API: a recording double (the webhook checks are the production gateway's, with the
    published local app secret and verify token)."""
    return RecordingMessenger(clock)


@pytest.fixture
def deps(db: firestore.Client, bucket: Any, clock: FixedClock, tasks: RecordingTasks, *, settings: Settings,
         auth_admin: RecordingAuthAdmin, push: RecordingPush, sms: RecordingSms, mail_server: MailServer,
         messenger: RecordingMessenger) -> Deps:
    """The services' dependencies on the emulators (Firestore, Storage) and the local SMTP server, installed
    for entry points too. Payments go to a Stripe gateway with no key (every call is "not configured":
    UNAVAILABLE); tests of money use `stripe_deps` (localstripe) or the Stripe double. Background checks go to a
    provider gateway with no address (UNAVAILABLE, retried by the outbox); tests of the check use the local
    provider. Driving times come from the road-speed model (the Routes API's local fallback;
    `tests/integration/test_routing.py` plays Google's API on a local server). The support assistant has no
    OpenAI key: the local retriever answers (tests of the model path install a scripted double). Messenger
    replies are recorded by a double; places come from the shipped postcode table (the Geocoding API's
    fallback)."""
    installed = Deps(db=db, files=FileStore(bucket), clock=clock, settings=settings, tasks=tasks,
                     payments=StripePayments(api_key="", webhook_secret="", api_base=""), auth=auth_admin,
                     background_checks=HttpBackgroundChecks(api_key="", webhook_secret="", api_base=""),
                     push=push, sms=sms, email=local_smtp(mail_server.port),
                     routing=RoadSpeedModel(), moderation=OpenAIModeration(api_key=""),
                     assistant=OpenAIAssistant(api_key=""), damage_reader=OpenAIDamageReader(api_key=""),
                     messenger=messenger, geocoder=PostcodeTable())
    deps_module.install(installed)
    return installed
