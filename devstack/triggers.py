"""Firestore triggers: register them with Google's emulator and run them on the events it sends.

The Cloud Firestore emulator, started with `--functions_emulator HOST:PORT`, accepts Eventarc-style trigger
registrations and then POSTs one binary-mode CloudEvent per matching write to
`/functions/projects/{project}/triggers/{key}` on that address. Registration mirrors firebase-tools
(`eventFilterPathPatterns.document` -> PATH_PATTERN, `eventFilters.document` -> EXACT). The body is the
protobuf `DocumentEventData`, base64-encoded as text; decoded and wrapped by `cloudevents.from_http`, it is
what the SDK's `firestore_fn` wrapper receives in production, so params, before/after snapshots and the
event id arrive as deployed.

Delivery is at most once, as with `firebase emulators:start`: the emulator does not retry a failed delivery
(checked here: one POST, a logged warning on 500), whatever the function's `retry` option says.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Mapping
from typing import Any

import requests
from cloudevents.http import CloudEvent, from_http

from devstack.activity import Activity
from devstack.loader import FunctionDef, Functions, Kind

log = logging.getLogger("devstack.triggers")


def trigger_key(fn: FunctionDef) -> str:
    """The Eventarc trigger id, spelled as firebase-tools spells it."""
    return f"{fn.region}-{fn.name}-0"


def registration(fn: FunctionDef) -> dict[str, Any]:
    """The emulator's `eventarcTrigger` body for one Firestore-triggered function."""
    trigger = fn.event_trigger
    filters = dict(trigger.get("eventFilters") or {})
    patterns = dict(trigger.get("eventFilterPathPatterns") or {})
    if "document" in patterns:
        document = {"value": patterns["document"], "matchType": "PATH_PATTERN"}
    elif "document" in filters:
        document = {"value": filters["document"], "matchType": "EXACT"}
    else:
        raise ValueError(f"Firestore trigger {fn.name} names no document")
    return {"eventType": trigger["eventType"], "database": filters.get("database", "(default)"),
            "namespace": filters.get("namespace", "(default)"), "document": document}


def register(firestore_url: str, project: str, functions: Functions) -> dict[str, FunctionDef]:
    """Register every Firestore trigger with the emulator; returns them by trigger key."""
    registered = {}
    for fn in functions.of_kind(Kind.FIRESTORE):
        key = trigger_key(fn)
        url = f"{firestore_url}/emulator/v1/projects/{project}/eventarcTrigger"
        # a JVM that has just started can take well over 10 s to answer its first requests on a busy machine
        response = requests.post(url, params={"eventarcTriggerId": key}, json=registration(fn), timeout=60)
        if not response.ok:
            raise RuntimeError(f"The Firestore emulator refused trigger {fn.name}: "
                               f"{response.status_code} {response.text[:300]}")
        registered[key] = fn
    return registered


def to_cloud_event(headers: Mapping[str, str], body: bytes) -> CloudEvent:
    """The emulator's POST as the CloudEvent the SDK expects, data as protobuf bytes."""
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        data = body  # a raw protobuf body, should a later emulator send one
    event: CloudEvent = from_http(dict(headers), data, data_unmarshaller=lambda raw: raw)
    return event


class TriggerDelivery:
    """Runs the registered trigger for each event the emulator delivers."""

    def __init__(self, activity: Activity) -> None:
        self._activity = activity
        self._by_key: dict[str, FunctionDef] = {}

    def use(self, registered: dict[str, FunctionDef]) -> None:
        self._by_key = dict(registered)

    def deliver(self, key: str, headers: Mapping[str, str], body: bytes) -> int:
        """The HTTP status to answer the emulator: 204 done, 404 unknown trigger, 500 the function raised."""
        fn = self._by_key.get(key)
        if fn is None:
            log.warning("trigger.unknown key=%s", key)
            return 404
        started = time.monotonic()
        event = to_cloud_event(headers, body)
        detail = f"{event['type'].rsplit('.', 1)[-1]} {event.get('document', '?')}"
        try:
            fn.handler(event)
            status = 204
        except Exception:
            log.exception("trigger.failed function=%s event_id=%s", fn.name, event["id"])
            status = 500
        self._activity.record(Kind.FIRESTORE, fn.name, status, detail, started)
        return status
