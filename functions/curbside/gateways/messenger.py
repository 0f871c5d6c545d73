"""Meta's Messenger Platform, behind a small Protocol (DESIGN.md: `gateways/messenger.py`).

Webhooks: Meta signs every POST with `X-Hub-Signature-256: sha256={hex HMAC-SHA256(app secret, raw body)}`
and subscribes an endpoint with a GET carrying `hub.mode=subscribe`, `hub.verify_token` (a secret we chose)
and `hub.challenge` (echoed back). Both checks are here, compared in constant time; the keys are read on first
use, never at import.

Replies: text through the Send API (`POST https://graph.facebook.com/{version}/me/messages`, the page access
token as a bearer) with `messaging_type: RESPONSE`, which Meta allows only within 24 hours of the person's last message
(the caller checks that window: `services.leads`). Meta takes no idempotency key: a reply whose answer was lost
may be sent twice by the outbox's retry, which is rare and harmless next to a lost one. Failures become domain
errors here (`VendorUnavailable` to retry, `InvalidInput` for a refused message, not retried).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Protocol

import requests

from curbside import config
from curbside.domain.errors import InvalidInput, VendorUnavailable

SIGNATURE_HEADER = "X-Hub-Signature-256"
GRAPH_API = "https://graph.facebook.com/v21.0"
"""The pinned Graph API version."""
TIMEOUT_S = (5.0, 10.0)


class WebhookRejected(Exception):
    """Not a delivery signed by Meta with our app secret."""


class Messenger(Protocol):
    def verify_webhook(self, raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
        """The JSON body once its signature is checked; raises `WebhookRejected` otherwise."""

    def subscription_answer(self, mode: str | None, verify_token: str | None, challenge: str | None) -> str | None:
        """The challenge to echo when Meta subscribes the endpoint with our verify token, else None."""

    def send(self, recipient_id: str, text: str) -> str:
        """Send a text reply to a page-scoped id; returns Meta's message id."""


def sign(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` header Meta sends for `body` (the local stack and tests sign with it too)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(body: bytes, header: str | None, app_secret: str) -> None:
    if not header or not app_secret:
        raise WebhookRejected("missing signature or app secret")
    if not hmac.compare_digest(sign(body, app_secret).encode(), header.strip().encode()):
        raise WebhookRejected("signature mismatch")


class GraphMessenger:
    """The production gateway (the local stack's double subclasses it and replaces only `send`)."""

    def __init__(self, *, app_secret: str | None = None, verify_token: str | None = None,
                 page_token: str | None = None, api_base: str = GRAPH_API) -> None:
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._page_token = page_token
        self._api_base = api_base
        self._session = requests.Session()

    def verify_webhook(self, raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
        secret = self._app_secret if self._app_secret is not None else config.MESSENGER_APP_SECRET.value
        check_signature(raw_body, signature_header, secret or "")
        try:
            body = json.loads(raw_body)
        except ValueError:
            raise WebhookRejected("not JSON") from None
        if not isinstance(body, dict):
            raise WebhookRejected("not an object")
        return body

    def subscription_answer(self, mode: str | None, verify_token: str | None, challenge: str | None) -> str | None:
        expected = self._verify_token if self._verify_token is not None else config.MESSENGER_VERIFY_TOKEN.value
        if mode != "subscribe" or not expected or not verify_token or not challenge:
            return None
        return challenge if hmac.compare_digest(expected.encode(), verify_token.encode()) else None

    def send(self, recipient_id: str, text: str) -> str:
        token = self._page_token if self._page_token is not None else config.MESSENGER_PAGE_TOKEN.value
        if not token:
            raise VendorUnavailable("Messenger replies are not configured yet (no page access token).")
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": {"text": text}}
        try:
            response = self._session.post(f"{self._api_base}/me/messages", json=body, timeout=TIMEOUT_S,
                                          headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException:
            raise VendorUnavailable("Messenger is not answering; try again later.") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise VendorUnavailable("Messenger is busy; try again later.")
        if response.status_code >= 400:
            raise InvalidInput("Messenger refused the reply (outside the messaging window, or blocked).")
        try:
            return str(response.json()["message_id"])
        except (ValueError, KeyError, TypeError):
            raise VendorUnavailable("Messenger answered without a message id.") from None
