"""Push notifications through Firebase Cloud Messaging, behind a small Protocol: the only module that imports
`firebase_admin.messaging`. There is no FCM emulator: the local stack and tests use a recording double
(`devstack/doubles.py`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from curbside.domain.errors import VendorUnavailable
from curbside.gateways.firebase_app import admin_app

MAX_TOKENS = 500
"""FCM's limit of tokens per multicast; a person keeps at most MAX_DEVICE_TOKENS (10)."""


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str
    data: Mapping[str, str]
    """What the app opens (`screen`, `request_id`, ...): strings only, as FCM requires."""
    collapse_key: str
    """A newer push with the same key replaces an older one still waiting on the device (one per job)."""
    badge: int
    """The app icon's count: the person's unread notices."""
    sound: bool = True
    urgent: bool = False
    """High priority: delivered at once, waking the device (a 60-second job offer)."""
    time_to_live: dt.timedelta | None = None
    """Not delivered after this (an offer's remaining seconds), so a late push never shows a stale offer."""


@dataclass(frozen=True)
class PushResult:
    delivered: int
    """Devices FCM accepted the message for."""
    dead_tokens: tuple[str, ...] = field(default=())
    """Tokens FCM says are gone (app uninstalled, token rotated): to remove from the person's tokens."""


class Push(Protocol):
    def send(self, tokens: tuple[str, ...], message: PushMessage) -> PushResult:
        """Hand `message` to FCM for every device; raises VendorUnavailable when FCM could take none of them
        for a reason other than the tokens themselves."""


class FirebasePush:
    """`firebase_admin.messaging.send_each_for_multicast`, with Android and APNs options set per message."""

    def send(self, tokens: tuple[str, ...], message: PushMessage) -> PushResult:
        from firebase_admin import exceptions, messaging

        ttl_s = None if message.time_to_live is None else max(0, int(message.time_to_live.total_seconds()))
        apns_headers = {"apns-priority": "10" if message.urgent else "5", "apns-collapse-id": message.collapse_key[:64]}
        if ttl_s is not None:
            expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ttl_s)
            apns_headers["apns-expiration"] = str(int(expires.timestamp()))
        multicast = messaging.MulticastMessage(
            tokens=list(tokens[:MAX_TOKENS]),
            notification=messaging.Notification(title=message.title, body=message.body),
            data=dict(message.data),
            android=messaging.AndroidConfig(
                priority="high" if message.urgent else "normal", ttl=ttl_s, collapse_key=message.collapse_key,
                notification=messaging.AndroidNotification(tag=message.collapse_key,
                                                           default_sound=message.sound or None,
                                                           notification_count=message.badge)),
            apns=messaging.APNSConfig(headers=apns_headers, payload=messaging.APNSPayload(aps=messaging.Aps(
                badge=message.badge, sound="default" if message.sound else None,
                thread_id=message.collapse_key))),
        )
        try:
            answer = messaging.send_each_for_multicast(multicast, app=admin_app())
        except exceptions.FirebaseError as exc:
            raise VendorUnavailable(f"FCM did not take the push: {type(exc).__name__}") from None
        gone = (messaging.UnregisteredError, messaging.SenderIdMismatchError, exceptions.InvalidArgumentError)
        dead = tuple(token for token, response in zip(multicast.tokens, answer.responses, strict=True)
                     if not response.success and isinstance(response.exception, gone))
        if answer.success_count == 0 and len(dead) < len(multicast.tokens):
            raise VendorUnavailable("FCM refused the push for every device; it is retried later.")
        return PushResult(delivered=answer.success_count, dead_tokens=dead)
