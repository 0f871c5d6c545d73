"""The local stack as one object: Firestore emulator + Storage emulator + the functions of `main.py`.

    with LocalStack(ports=Ports(0, 0, 0), clock=ManualClock()) as stack:
        stack.admin_db().document("Users/alice").set({...})      # runs on_user_created
        CallableClient.for_stack(stack).call("set_user_type", {...}, uid="alice")
        stack.clock.advance(timedelta(minutes=5))                   # fires "every 5 minutes" jobs

Used in-process by tests and by the `python -m devstack` commands. `start()` sets the emulator
environment variables for the loaded code (and for the process: the functions run in it); `stop()` stops
the scheduler and the task queue, the Firestore JVM (its whole process group, after exporting its data
when `keep_data` is set), the Storage emulator and the functions server, then restores the environment, so no
process and no port outlives it. The functions run in the caller's process and share its environment and
imported modules (a module is imported once per process), so stacks are meant to run one after another; a
stack started inside another restores the outer one's environment when it stops.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from devstack.activity import Activity
from devstack.background_check_provider import API_KEY as BACKGROUND_CHECK_API_KEY
from devstack.background_check_provider import WEBHOOK_SECRET as BACKGROUND_CHECK_WEBHOOK_SECRET
from devstack.background_check_provider import LocalBackgroundCheckProvider
from devstack.clock import Clock, SystemClock
from devstack.doubles import (
    LOCAL_MESSENGER_APP_SECRET,
    LOCAL_MESSENGER_VERIFY_TOKEN,
    RecordingAuthAdmin,
    RecordingMessenger,
    RecordingPush,
    RecordingSms,
)
from devstack.emulators import (
    DEFAULT_BUCKET,
    PROJECT_ID,
    QUICK_START_JVM,
    EmulatorUnavailable,
    FirestoreEmulator,
    StorageEmulator,
    free_port,
    port_in_use,
)
from devstack.firestore_rest import FirestoreRest
from devstack.hosting import HostingApp, HostingConfig
from devstack.loader import DEFAULT_REGION, Functions, Kind, load_functions
from devstack.mail import LOCAL_SENDER, MailServer
from devstack.scheduler import Scheduler, schedule_headers
from devstack.server import Gateway, Runtime, ServerThread, control_app
from devstack.storage_events import StorageEvents
from devstack.stripe import SECRET_KEY as STRIPE_SECRET_KEY
from devstack.stripe import WEBHOOK_SECRET as STRIPE_WEBHOOK_SECRET
from devstack.stripe import LocalStripeServer
from devstack.tasks import TaskQueues
from devstack.triggers import TriggerDelivery, register

log = logging.getLogger("devstack.stack")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
"""Addresses only this machine reaches: the stack listens on one of them unless told otherwise."""


def warn_if_exposed(host: str) -> bool:
    """Warn when the stack will listen beyond this machine (`--host 0.0.0.0` to reach it from a phone): its
    emulators accept unsigned ID tokens. Returns whether it warned."""
    if host in LOOPBACK:
        return False
    log.warning("stack.exposed host=%s: the emulators accept unsigned tokens, so anyone who can reach this "
                "address can act as any user; use it only on a network you trust", host)
    return True


ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
RULES = ROOT / "firestore.rules"


@dataclass
class Ports:
    """Where each part listens; 0 picks a free port at start (tests)."""

    firestore: int = 8080
    functions: int = 5001
    storage: int = 9199
    stripe: int = 8420
    background_checks: int = 0
    """The local background-check provider: any free port unless chosen (only the functions talk to it)."""
    smtp: int = 0
    """The local SMTP server (0: a free port; `python -m devstack messages` shows what it received)."""
    hosting: int = 5000
    """`hosting/` and the admin console (only with `hosting=True`), on the Hosting emulator's port."""


class LocalStack:
    def __init__(self, functions_dir: Path = FUNCTIONS_DIR, rules: Path | None = RULES, *,
                 ports: Ports | None = None, host: str = "127.0.0.1", project: str = PROJECT_ID,
                 clock: Clock | None = None, keep_data: Path | None = None, storage: bool = True,
                 auth_emulator: str | None = None, stripe: bool = False, background_checks: bool = False,
                 background_check_result: str = "clear", background_check_delay_s: float = 2.0,
                 hosting: bool = False) -> None:
        self.functions_dir = functions_dir
        self.rules = rules
        self.ports = ports or Ports()
        self.host = host
        self.project = project
        self.clock: Clock = clock or SystemClock()
        self.auth_admin = RecordingAuthAdmin()
        """Firebase Auth's admin API for the functions (no Auth emulator here): `revoke` ends sessions."""
        self.push = RecordingPush(self.clock)
        """FCM for the functions (no emulator): every push the day sent."""
        self.sms = RecordingSms(self.clock)
        """Twilio for the functions (no emulator): every SMS, and the phone verification codes."""
        self.messenger = RecordingMessenger(self.clock)
        """Meta's Send API for the functions (no local Graph API): every Messenger reply."""
        self._mail: MailServer | None = None
        self.keep_data = keep_data
        self.with_storage = storage
        self.auth_emulator = auth_emulator
        self.with_stripe = stripe
        self.with_background_checks = background_checks
        self.background_check_result = background_check_result
        self.background_check_delay_s = background_check_delay_s
        self.with_hosting = hosting
        self.activity = Activity()
        self.functions = Functions({})
        self._firestore: FirestoreEmulator | None = None
        self._storage: StorageEmulator | None = None
        self._server: ServerThread | None = None
        self._hosting: ServerThread | None = None
        self._scheduler: Scheduler | None = None
        self._tasks: TaskQueues | None = None
        self._storage_events: StorageEvents | None = None
        self._stripe: LocalStripeServer | None = None
        self._checks: LocalBackgroundCheckProvider | None = None
        self._saved_env: dict[str, str | None] | None = None
        self._ready = threading.Event()

    # --- addresses -----------------------------------------------------------------------------------

    @property
    def firestore_url(self) -> str:
        return f"http://{self.host}:{self.ports.firestore}"

    @property
    def functions_url(self) -> str:
        return f"http://{self.host}:{self.ports.functions}"

    @property
    def storage_url(self) -> str:
        return f"http://{self.host}:{self.ports.storage}"

    @property
    def hosting_url(self) -> str:
        return f"http://{self.host}:{self.ports.hosting}"

    @property
    def stripe_url(self) -> str:
        return f"http://{self.host}:{self.ports.stripe}"

    @property
    def mail(self) -> MailServer:
        """The local SMTP server the functions send e-mail to."""
        if self._mail is None:
            raise RuntimeError("the stack is not running")
        return self._mail

    @property
    def stripe(self) -> LocalStripeServer:
        """The local Stripe server (only with `stripe=True`)."""
        if self._stripe is None:
            raise RuntimeError("the stack runs no local Stripe (start it with stripe=True)")
        return self._stripe

    @property
    def background_checks_url(self) -> str:
        return f"http://{self.host}:{self.ports.background_checks}"

    @property
    def background_checks(self) -> LocalBackgroundCheckProvider:
        """The local background-check provider (only with `background_checks=True`)."""
        if self._checks is None:
            raise RuntimeError("the stack runs no background-check provider (start it with background_checks=True)")
        return self._checks

    def function_url(self, name: str) -> str:
        fn = self.functions.get(name)
        region = fn.region if fn is not None else DEFAULT_REGION
        return f"{self.functions_url}/{self.project}/{region}/{name}"

    def environ(self) -> dict[str, str]:
        """What the loaded code (and any client of the stack) needs to talk to the emulators."""
        functions_host = f"{self.host}:{self.ports.functions}"
        env = {
            "FIRESTORE_EMULATOR_HOST": f"{self.host}:{self.ports.firestore}",
            "GCLOUD_PROJECT": self.project,
            "GOOGLE_CLOUD_PROJECT": self.project,
            "FIREBASE_CONFIG": json.dumps({"projectId": self.project, "storageBucket": DEFAULT_BUCKET}),
            "CLOUD_TASKS_EMULATOR_HOST": functions_host,
            # Emulator mode for ID tokens: firebase-admin then accepts unsigned tokens (as with the Firebase
            # emulators); production never sets it, so production never does. Without a real Auth emulator
            # it points at the functions server, which answers Auth Admin calls with a clear 501.
            "FIREBASE_AUTH_EMULATOR_HOST": self.auth_emulator or functions_host,
            "FUNCTIONS_EMULATOR": "true",
            "SMTP_HOST": self.host, "SMTP_PORT": str(self.ports.smtp), "SMTP_STARTTLS": "false",
            "EMAIL_FROM": LOCAL_SENDER,
            # The published local Meta app secret and verify token (docs/local-stack.md, "Messenger").
            "MESSENGER_APP_SECRET": LOCAL_MESSENGER_APP_SECRET, "MESSENGER_VERIFY_TOKEN": LOCAL_MESSENGER_VERIFY_TOKEN,
        }
        if self.with_storage:
            env |= {"STORAGE_EMULATOR_HOST": self.storage_url,
                    "FIREBASE_STORAGE_EMULATOR_HOST": f"{self.host}:{self.ports.storage}",
                    "STORAGE_BUCKET": DEFAULT_BUCKET}  # params.STORAGE_BUCKET, as firebase-tools sets it
        if self.with_stripe:  # read by firebase-functions' params (SecretParam values come from the environment)
            env |= {"STRIPE_API_BASE": self.stripe_url, "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
                    "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET}
        if self.with_background_checks:
            env |= {"BACKGROUND_CHECK_API_BASE": self.background_checks_url,
                    "BACKGROUND_CHECK_API_KEY": BACKGROUND_CHECK_API_KEY,
                    "BACKGROUND_CHECK_WEBHOOK_SECRET": BACKGROUND_CHECK_WEBHOOK_SECRET}
        return env

    # --- life cycle ----------------------------------------------------------------------------------

    def start(self) -> LocalStack:
        if self._saved_env is not None:
            raise RuntimeError("this stack is already running")
        warn_if_exposed(self.host)
        self._claim_ports()
        self._patch_environ()
        _forget_admin_task_queues()
        try:
            self._start_parts()
        except BaseException:
            self.stop()
            raise
        return self

    def _claim_ports(self) -> None:
        wanted = {"firestore": self.ports.firestore, "functions": self.ports.functions, "smtp": self.ports.smtp}
        if self.with_storage:
            wanted["storage"] = self.ports.storage
        if self.with_stripe:
            wanted["stripe"] = self.ports.stripe
        if self.with_background_checks:
            wanted["background_checks"] = self.ports.background_checks
        if self.with_hosting:
            wanted["hosting"] = self.ports.hosting
        busy = [f"{part} {port}" for part, port in wanted.items() if port and port_in_use(port, self.host)]
        if busy:
            raise EmulatorUnavailable(f"Port(s) already in use: {', '.join(busy)}. Stop whatever listens there "
                                      "(an earlier `python -m devstack dev`?) or choose other ports.")
        for part, port in wanted.items():
            if not port:
                setattr(self.ports, part, free_port())

    def _start_parts(self) -> None:
        self.functions = load_functions(self.functions_dir)
        runtime = Runtime()
        triggers = TriggerDelivery(self.activity)
        self._tasks = TaskQueues(self.functions, self.clock, runtime.invoke, activity=self.activity,
                                 project=self.project)
        self._scheduler = Scheduler(
            self.functions.of_kind(Kind.SCHEDULE), self.clock,
            lambda fn, at: runtime.invoke(fn, schedule_headers(fn, at), b""), self.activity)
        self._mail = MailServer(self.ports.smtp, self.host).start()
        control = control_app(self.project, self.functions, triggers=triggers, tasks=self._tasks,
                              scheduler=self._scheduler, ready=self._ready, messages=self.messages_sent)
        gateway = Gateway(self.project, self.functions, runtime, control, self.activity)
        self._server = ServerThread(self.host, self.ports.functions, gateway).start()
        if self.with_hosting:
            self._hosting = ServerThread(self.host, self.ports.hosting, HostingApp(
                HostingConfig.load(), self.project, gateway, self._users_role)).start()
        self._firestore = FirestoreEmulator(
            rules_path=self.rules, port=self.ports.firestore, host=self.host, project_id=self.project,
            functions_emulator=f"{self.host}:{self.ports.functions}",
            import_data=self._data_dir("firestore"), export_on_exit=self._data_dir("firestore"),
            java_options=QUICK_START_JVM).start()
        if self.with_storage:
            self._storage = StorageEmulator(port=self.ports.storage, host=self.host,
                                            data_dir=self._data_dir("storage")).start()
            self._storage_events = StorageEvents(self.functions, self.activity)
            self._storage_events.watch(self._storage.store)
        triggers.use(register(self.firestore_url, self.project, self.functions))
        if self.with_stripe:
            self._stripe = LocalStripeServer(self.ports.stripe, self.host).start()
            if self.functions.get("stripe_webhook") is not None:
                self._stripe.register_webhook(self.function_url("stripe_webhook"), STRIPE_WEBHOOK_SECRET)
        if self.with_background_checks:
            self._checks = LocalBackgroundCheckProvider(
                self.ports.background_checks, self.host, result=self.background_check_result,
                delay_s=self.background_check_delay_s).start()
            if self.functions.get("background_check_webhook") is not None:
                self._checks.register_webhook(self.function_url("background_check_webhook"))
        self._share_clock_with_services()
        self._tasks.start()
        self._scheduler.start()
        self._ready.set()

    def _share_clock_with_services(self) -> None:
        """Curbside's services take time from `curbside.deps`, not from the stack: give them the stack's
        emulators and clock, so moving the clock moves what they see (scheduled jobs falling due, offer
        countdowns) as well as when schedules and tasks fire. Other function sources are left alone."""
        composition = sys.modules.get("curbside.bootstrap")
        if composition is not None:
            composition.deps.install(dataclasses.replace(composition.build(), clock=self.clock,
                                                         auth=self.auth_admin, push=self.push, sms=self.sms,
                                                         messenger=self.messenger))

    def _users_role(self, uid: str) -> str | None:
        """`Users/{uid}.role` ("" when unset), None for no such user: the development sign-in's claims."""
        snap = self.admin_db().document(f"Users/{uid}").get()
        return str(snap.get("role") or "") if snap.exists else None

    def _data_dir(self, part: str) -> Path | None:
        return None if self.keep_data is None else (self.keep_data / part).resolve()

    def stop(self) -> None:
        """Stop every part that started, in dependency order; safe to call twice or after a failed start."""
        self._ready.clear()
        parts: list[Any] = [self._scheduler, self._tasks, self._storage_events, self._checks, self._stripe,
                            self._firestore, self._storage, self._hosting, self._server, self._mail]
        self._scheduler = self._tasks = self._storage_events = self._firestore = self._storage = None
        self._mail = None
        self._server = self._hosting = None
        self._stripe = None
        self._checks = None
        for part in parts:
            if part is None:
                continue
            try:
                part.stop()
            except Exception:
                log.exception("stack.stop_failed part=%s", type(part).__name__)
        if (services := sys.modules.get("curbside.deps")) is not None:
            services.reset()
        self._restore_environ()
        _forget_admin_task_queues()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _patch_environ(self) -> None:
        env = self.environ()
        self._saved_env = {key: os.environ.get(key) for key in env}
        os.environ.update(env)

    def _restore_environ(self) -> None:
        saved, self._saved_env = self._saved_env, None
        for key, value in (saved or {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    # --- using it ------------------------------------------------------------------------------------

    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            raise RuntimeError("the stack is not running")
        return self._scheduler

    @property
    def tasks(self) -> TaskQueues:
        if self._tasks is None:
            raise RuntimeError("the stack is not running")
        return self._tasks

    def run_schedule(self, name: str) -> int:
        """Run a scheduled function now; returns its HTTP status (KeyError if there is no such function)."""
        return self.scheduler.run_now(name)

    def clear(self) -> None:
        """Delete every document, stored object and pending task (tests start from empty data)."""
        if self._tasks is not None:
            self._tasks.clear()
        if self._firestore is not None:
            self._firestore.clear()
        if self._storage is not None:
            self._storage.clear()

    def upload(self, path: str, data: bytes, *, content_type: str) -> None:
        """Put a file in the default bucket as an app's upload would (the Storage emulator does not evaluate
        storage.rules; the finalize trigger checks the upload)."""
        from google.cloud import storage  # type: ignore[attr-defined, unused-ignore]

        client = storage.Client(project=self.project, credentials=AnonymousCredentials())
        client.bucket(DEFAULT_BUCKET).blob(path).upload_from_string(data, content_type=content_type)

    def download(self, path: str) -> bytes:
        """A file of the default bucket (what the functions wrote there: invoices, exports)."""
        from google.cloud import storage  # type: ignore[attr-defined, unused-ignore]

        client = storage.Client(project=self.project, credentials=AnonymousCredentials())
        return bytes(client.bucket(DEFAULT_BUCKET).blob(path).download_as_bytes())

    def messages_sent(self) -> dict[str, list[dict[str, Any]]]:
        """Every push, SMS, e-mail and Messenger reply the functions sent since the stack started, oldest first."""
        return {
            "push": [{"at": sent.at.isoformat(), "devices": len(sent.tokens), "title": sent.message.title,
                      "body": sent.message.body, "data": dict(sent.message.data)} for sent in list(self.push.sent)],
            "sms": [{"at": sent.at.isoformat(), "to": sent.to, "body": sent.body} for sent in list(self.sms.sent)],
            "email": [{"at": mail.at.isoformat(), "to": list(mail.to), "subject": mail.subject, "text": mail.text}
                      for mail in (self._mail.received if self._mail is not None else [])],
            "messenger": [{"at": reply.sent_at.isoformat(), "to": reply.recipient_id, "text": reply.text}
                          for reply in list(self.messenger.sent)],
        }

    def admin_db(self) -> firestore.Client:
        """An Admin (rules-bypassing) Firestore client on this stack, like the one functions use."""
        return firestore.Client(project=self.project, credentials=AnonymousCredentials())

    def as_user(self, uid: str | None, **claims: Any) -> FirestoreRest:
        """Firestore REST as a signed-in app user, under the security rules."""
        return FirestoreRest(self.firestore_url, uid=uid, claims=claims, project_id=self.project)


def _forget_admin_task_queues() -> None:
    """firebase-admin reads `CLOUD_TASKS_EMULATOR_HOST` once per app, when its functions service is first used,
    and keeps it: without this, a stack started after another one in the same process would send its tasks to
    the first stack's (stopped) queue. Dropping the cached service makes the next enqueue read the environment
    again; the SDK has no public call for it."""
    import firebase_admin

    for app in list(firebase_admin._apps.values()):
        services = getattr(app, "_services", None)
        if isinstance(services, dict):
            services.pop("_functions", None)
