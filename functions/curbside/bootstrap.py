"""The production composition root: builds the real `Deps` once per instance, at the first invocation.

`main.py` registers `initialize` with `core.init`, so nothing connects or reads a parameter at import (the
Firebase CLI imports `main.py` at deploy time). This is the only module that names the production gateways.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from curbside import config, deps
from curbside.domain.clock import SystemClock
from curbside.gateways.assistant import OpenAIAssistant
from curbside.gateways.auth_admin import FirebaseAuthAdmin
from curbside.gateways.background_checks import HttpBackgroundChecks
from curbside.gateways.damage_reader import OpenAIDamageReader
from curbside.gateways.email import SmtpEmail
from curbside.gateways.firebase_app import admin_app
from curbside.gateways.maps import GoogleGeocoder, GoogleRoutes
from curbside.gateways.messenger import GraphMessenger
from curbside.gateways.moderation import OpenAIModeration
from curbside.gateways.payments import StripePayments
from curbside.gateways.push import FirebasePush
from curbside.gateways.sms import TwilioSms
from curbside.gateways.tasks import FirebaseTasks
from curbside.settings import Settings
from curbside.store.files import FileStore


def default_files(project: str) -> FileStore:
    """The default bucket (`STORAGE_BUCKET`, else `{project}.appspot.com`); anonymous on the emulator."""
    from google.cloud import storage  # type: ignore[attr-defined, unused-ignore]

    emulated = bool(os.environ.get("STORAGE_EMULATOR_HOST"))
    client = storage.Client(project=project, credentials=AnonymousCredentials() if emulated else None)
    return FileStore(client.bucket(os.environ.get("STORAGE_BUCKET") or f"{project}.appspot.com"))


EMULATOR_VARIABLES = ("FIREBASE_AUTH_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST",
                      "CLOUD_TASKS_EMULATOR_HOST")
"""Each points a client at an emulator: the Auth one makes the SDK accept unsigned ID tokens."""


def refuse_emulators_outside_demo(project: str, environ: Mapping[str, str]) -> None:
    """Production never starts with an emulator variable set: one left in a deployed environment would make
    the functions accept forged tokens or write to nowhere. Emulators run demo projects (`demo-*`), or run
    under the Functions emulator (which sets `FUNCTIONS_EMULATOR`)."""
    emulated = [name for name in EMULATOR_VARIABLES if environ.get(name)]
    if emulated and not project.startswith("demo-") and environ.get("FUNCTIONS_EMULATOR") != "true":
        raise RuntimeError(f"Refusing to start project {project!r} with {', '.join(emulated)} set: those belong to "
                           "the local emulators. Remove them from the deployed environment.")


def build() -> deps.Deps:
    project = admin_app().project_id
    refuse_emulators_outside_demo(project, os.environ)
    return deps.Deps(db=firestore.Client(project=project), files=default_files(project), clock=SystemClock(),
                     settings=Settings.from_params(), tasks=FirebaseTasks(), payments=StripePayments(),
                     auth=FirebaseAuthAdmin(), background_checks=HttpBackgroundChecks(), push=FirebasePush(),
                     email=smtp_from_params(), sms=twilio_from_params(), routing=GoogleRoutes(),
                     moderation=OpenAIModeration(api_key=config.OPENAI_API_KEY.value or ""),
                     assistant=OpenAIAssistant(), damage_reader=OpenAIDamageReader(), messenger=GraphMessenger(),
                     geocoder=GoogleGeocoder())


def smtp_from_params() -> SmtpEmail:
    return SmtpEmail(host=config.SMTP_HOST.value, port=config.SMTP_PORT.value, sender=config.EMAIL_FROM.value,
                     username=config.SMTP_USERNAME.value, password=config.SMTP_PASSWORD.value or "",
                     starttls=config.SMTP_STARTTLS.value)


def twilio_from_params() -> TwilioSms:
    return TwilioSms(account_sid=config.TWILIO_ACCOUNT_SID.value, auth_token=config.TWILIO_AUTH_TOKEN.value or "",
                     sender=config.TWILIO_FROM.value, verify_service_sid=config.TWILIO_VERIFY_SERVICE_SID.value)


def initialize() -> None:
    """The `core.init` callback: build the dependencies unless some are installed already."""
    if not deps.is_installed():
        deps.install(build())
