"""The background-check provider, behind a small Protocol (spec: "Background Check API (Checkr/Onfido)").

The production gateway speaks a Checkr-style REST API over HTTPS: a **candidate** per technician
(`POST /v1/candidates`, our uid as `custom_id`), then a **report** of the configured package for that candidate
(`POST /v1/reports`); the verdict arrives later by webhook (`report.completed` with `result: clear | consider`).
Every create carries an `Idempotency-Key`, so a retried outbox entry gets the provider's first answer back.
HTTP basic auth with the API key, 10-second timeouts; the provider's failures become domain errors here
(`VendorUnavailable` for anything worth retrying, `InvalidInput` for a refused request).

Webhooks are signed over the raw body with a timestamp, as Stripe does: `X-Background-Check-Signature:
t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{body}")}`, refused when older than `WEBHOOK_TOLERANCE_S`
(D36). Locally `devstack/background_check_provider.py` plays the provider.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from curbside import config
from curbside.domain.errors import InvalidInput, VendorUnavailable

SIGNATURE_HEADER = "X-Background-Check-Signature"
WEBHOOK_TOLERANCE_S = 300
"""A signature older (or further ahead) than this is refused, so a captured delivery cannot be replayed later."""
TIMEOUT_S = (5.0, 10.0)
"""Connect and read timeouts of every call."""


class WebhookRejected(Exception):
    """The webhook body is not a genuine, fresh delivery of the provider (bad, stale or missing signature)."""


@dataclass(frozen=True)
class Report:
    """A report as the provider describes it."""

    id: str
    status: str
    """`pending`, `complete`, `suspended`, `dispute`, `canceled`."""
    result: str | None = None
    """`clear` or `consider` once complete."""


class BackgroundChecks(Protocol):
    def create_candidate(self, *, uid: str, email: str | None, first_name: str, last_name: str,
                         idempotency_key: str) -> str:
        """The provider's candidate for a technician, created once per key; returns its id."""

    def create_report(self, *, candidate_id: str, idempotency_key: str) -> Report:
        """Ask for a report of the configured package on the candidate, once per key."""

    def verify_webhook(self, raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
        """The event in `raw_body` once its signature is checked; raises `WebhookRejected` otherwise."""


def signature(body: bytes, secret: str, timestamp: int) -> str:
    """The signature header the provider sends for `body` at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def check_signature(body: bytes, header: str | None, secret: str, *, now: float,
                    tolerance_s: int = WEBHOOK_TOLERANCE_S) -> None:
    """Raise `WebhookRejected` unless `header` signs `body` with `secret` within the tolerance of `now`."""
    if not header or not secret:
        raise WebhookRejected("missing signature or secret")
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        raise WebhookRejected("no timestamp") from None
    if abs(now - timestamp) > tolerance_s:
        raise WebhookRejected("stale timestamp")
    expected = signature(body, secret, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise WebhookRejected("signature mismatch")


class HttpBackgroundChecks:
    """The production gateway. Configuration is read on first use, never at import or construction."""

    def __init__(self, api_key: str | None = None, webhook_secret: str | None = None,
                 api_base: str | None = None, package: str | None = None) -> None:
        self._api_key = api_key
        self._webhook_secret = webhook_secret
        self._api_base = api_base
        self._package = package
        self._session = requests.Session()

    def _base(self) -> str:
        base = self._api_base if self._api_base is not None else config.BACKGROUND_CHECK_API_BASE.value
        if not base:
            raise VendorUnavailable("Background checks are not configured yet; try again later.")
        return base.rstrip("/")

    def _key(self) -> str:
        key = self._api_key if self._api_key is not None else config.BACKGROUND_CHECK_API_KEY.value
        if not key:
            raise VendorUnavailable("Background checks are not configured yet; try again later.")
        return key

    def _post(self, path: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        try:
            response = self._session.post(f"{self._base()}{path}", json=body, auth=(self._key(), ""),
                                          headers={"Idempotency-Key": idempotency_key}, timeout=TIMEOUT_S)
        except requests.RequestException:
            raise VendorUnavailable("The background-check provider is not answering; try again later.") from None
        if response.status_code in (401, 403):
            raise VendorUnavailable("The background-check provider refused our credentials.")
        if response.status_code == 429 or response.status_code >= 500:
            raise VendorUnavailable("The background-check provider is busy; try again later.")
        if response.status_code >= 400:
            raise InvalidInput("The background-check provider refused the request.")
        try:
            answer: dict[str, Any] = response.json()
        except ValueError:
            raise VendorUnavailable("The background-check provider answered something unreadable.") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
            raise VendorUnavailable("The background-check provider answered without an id.")
        return answer

    def create_candidate(self, *, uid: str, email: str | None, first_name: str, last_name: str,
                         idempotency_key: str) -> str:
        body = {"custom_id": uid, "email": email, "first_name": first_name, "last_name": last_name,
                "no_middle_name": True}
        return str(self._post("/v1/candidates", body, idempotency_key)["id"])

    def create_report(self, *, candidate_id: str, idempotency_key: str) -> Report:
        package = self._package if self._package is not None else config.BACKGROUND_CHECK_PACKAGE.value
        answer = self._post("/v1/reports", {"candidate_id": candidate_id, "package": package}, idempotency_key)
        result = answer.get("result")
        return Report(str(answer["id"]), str(answer.get("status") or "pending"),
                      result if isinstance(result, str) else None)

    def verify_webhook(self, raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
        secret = (self._webhook_secret if self._webhook_secret is not None
                  else config.BACKGROUND_CHECK_WEBHOOK_SECRET.value)
        check_signature(raw_body, signature_header, secret, now=time.time())
        try:
            event = json.loads(raw_body)
        except ValueError:
            raise WebhookRejected("not JSON") from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(
                event.get("type"), str):
            raise WebhookRejected("not an event")
        return event
