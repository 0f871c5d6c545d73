"""The dependencies every service receives (DESIGN.md convention 5): the Firestore client, Storage, the clock,
the settings and the gateways of paid third-party services (Cloud Tasks, Stripe, Firebase Auth's admin API,
Google's Routes API and Geocoding API, Meta's Send API).

Services take a `Deps` argument instead of reaching for globals. It has no defaults: the production
composition root (`curbside.bootstrap`) builds the real one at the first invocation, and the local stack and
tests build theirs (the emulators, a movable clock, localstripe or a double for a paid API), so nothing can
reach a production vendor by omission.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.cloud import firestore

from curbside.domain.clock import Clock
from curbside.gateways.assistant import Assistant
from curbside.gateways.auth_admin import AuthAdmin
from curbside.gateways.background_checks import BackgroundChecks
from curbside.gateways.damage_reader import DamageReader
from curbside.gateways.email import Email
from curbside.gateways.maps import Geocoder, Routing
from curbside.gateways.messenger import Messenger
from curbside.gateways.moderation import Moderation
from curbside.gateways.payments import Payments
from curbside.gateways.push import Push
from curbside.gateways.sms import Sms
from curbside.gateways.tasks import TaskGateway
from curbside.settings import Settings
from curbside.store.files import FileStore


@dataclass(frozen=True)
class Deps:
    db: firestore.Client
    files: FileStore
    clock: Clock
    settings: Settings
    tasks: TaskGateway
    """Cloud Tasks (offer countdowns); the local stack runs a real local queue, tests record the calls."""
    payments: Payments
    """Stripe; tests and the local stack point the production gateway at localstripe."""
    auth: AuthAdmin
    """Firebase Auth's admin API (revoked sessions); a recording double locally (no Auth emulator here)."""
    background_checks: BackgroundChecks
    """The background-check provider; tests and the local stack point the production gateway at the local one."""
    push: Push
    """Firebase Cloud Messaging; a recording double locally and in tests (no FCM emulator)."""
    email: Email
    """SMTP; the local stack and tests run a real SMTP server (aiosmtpd)."""
    sms: Sms
    """Twilio (SMS, Verify); a recording double locally and in tests."""
    routing: Routing
    """Driving times for arrival estimates: Google's Routes API, or the road-speed model without a key."""
    moderation: Moderation
    """OpenAI's moderation endpoint; without a key (locally, in tests) the local word-list checker."""
    assistant: Assistant
    """OpenAI for the support assistant; unconfigured locally and in tests (the local retriever answers), or a
    scripted double."""
    damage_reader: DamageReader
    """OpenAI reading hail damage from a photo quote's photos; unconfigured locally and in tests (the customer's
    own description is priced), or a scripted double."""
    messenger: Messenger
    """Meta's Messenger Platform (webhook signatures, Send API); a recording double of the Send API locally."""
    geocoder: Geocoder
    """Google's Geocoding API; without a key (locally, in tests) the shipped postcode table."""


_current: Deps | None = None


def install(deps: Deps) -> None:
    """Use `deps` from now on (the composition root, the local stack and tests)."""
    global _current
    _current = deps


def is_installed() -> bool:
    return _current is not None


def get() -> Deps:
    """The installed dependencies (built by `bootstrap.initialize` on a deployed instance)."""
    if _current is None:
        raise RuntimeError("No dependencies installed: main.py registers curbside.bootstrap.initialize with "
                           "core.init, tests and the local stack call deps.install.")
    return _current


def reset() -> None:
    """Forget the dependencies (the local stack, when it stops)."""
    global _current
    _current = None
