"""Stripe, behind a small Protocol: the only module that imports `stripe` (DESIGN.md convention 9).

Card data never reaches our code: the app collects the card with Stripe's SDK against the SetupIntent's
client secret, and Stripe tells us the brand and last four through the signed webhook. Every call carries a
deterministic idempotency key, so a retried function (or two racing calls) makes one customer, not two.
The pinned API version fixes the shape of what Stripe returns and sends; `STRIPE_API_BASE` points the same
code at localstripe locally.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import stripe

from curbside import config
from curbside.domain.errors import InvalidInput, VendorUnavailable
from curbside.domain.money import chargeable

API_VERSION = "2026-10-28.endive"
"""The Stripe API version every request and webhook payload is read with (the SDK's own pin)."""

TIMEOUT_S = 10.0
MAX_NETWORK_RETRIES = 2
"""Stripe retries safely because every call is idempotent; more than this and the caller would time out."""

WEBHOOK_TOLERANCE_S = 300
"""A signature older than this is refused (Stripe's default), so a captured delivery cannot be replayed."""


class WebhookRejected(Exception):
    """The webhook body is not a genuine, fresh Stripe delivery (bad, stale or missing signature)."""


class CardDeclined(Exception):
    """The card refused the charge (declined, expired, authentication needed off-session)."""


class AccountCannotReceive(Exception):
    """A transfer or reversal was refused because of the connected account: it cannot receive transfers
    yet, or (for a reversal) its balance no longer holds the money."""


@dataclass(frozen=True)
class Authorization:
    payment_intent_id: str
    status: str
    """Stripe's PaymentIntent status: `requires_capture` once the card is held."""


class Payments(Protocol):
    def ensure_customer(self, uid: str, email: str | None, idempotency_key: str) -> str:
        """The Stripe customer of `uid`, created once per idempotency key; returns its id."""

    def delete_customer(self, customer_id: str) -> None:
        """Erase the customer at Stripe (their e-mail and saved cards; their payments stay on record); one
        already deleted counts as done, so the erasure can run again."""

    def create_setup_intent(self, customer_id: str, idempotency_key: str) -> str:
        """A SetupIntent to save a card for later off-session charges; returns its client secret."""

    def verify_webhook(self, raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
        """The event in `raw_body` once its signature is checked; raises `WebhookRejected` otherwise."""

    def create_connected_account(self, uid: str, email: str | None, idempotency_key: str) -> str:
        """A Stripe Connect Express account for a technician's payouts; returns its id."""

    def create_onboarding_link(self, account_id: str, return_url: str, refresh_url: str) -> str:
        """A short-lived Stripe-hosted onboarding URL for the connected account."""

    def authorize(self, *, customer_id: str, payment_method_id: str, amount_minor: int, currency: str,
                  request_id: str, idempotency_key: str) -> Authorization:
        """Hold `amount_minor` on the client's saved card (manual capture, off-session); raises CardDeclined."""

    def capture(self, payment_intent_id: str, amount_minor: int, idempotency_key: str) -> int:
        """Capture `amount_minor` of a held card payment (the rest is released); returns the amount captured."""

    def cancel_authorization(self, payment_intent_id: str, idempotency_key: str) -> None:
        """Release the hold on the card without charging it."""

    def refund(self, payment_intent_id: str, amount_minor: int, idempotency_key: str,
               metadata: dict[str, str]) -> str:
        """Give `amount_minor` of a captured payment back to the card; returns the refund id."""

    def transfer(self, amount_minor: int, currency: str, destination: str, idempotency_key: str, *,
                 metadata: dict[str, str], transfer_group: str | None = None) -> str:
        """Move `amount_minor` (minor units) to a connected account once per key; returns the transfer id.
        Raises AccountCannotReceive when the account cannot receive transfers."""

    def reverse_transfer(self, transfer_id: str, amount_minor: int, idempotency_key: str) -> str:
        """Take `amount_minor` of a transfer back; returns the reversal id. Raises AccountCannotReceive when
        the connected account's balance no longer holds it."""


def connected_account_key(uid: str) -> str:
    return f"account:{uid}"


def customer_key(uid: str) -> str:
    return f"customer:{uid}"


def setup_intent_key(uid: str, attempt: int) -> str:
    return f"setup:{uid}:{attempt}"


class StripePayments:
    """The production gateway. Configuration is read on first use, never at import or construction, so
    `Deps` can be built (and the CLI can import `main.py`) without secrets present."""

    def __init__(self, api_key: str | None = None, webhook_secret: str | None = None,
                 api_base: str | None = None) -> None:
        self._api_key = api_key
        self._webhook_secret = webhook_secret
        self._api_base = api_base
        self._client: stripe.StripeClient | None = None

    def _stripe(self) -> stripe.StripeClient:
        if self._client is None:
            api_key = self._api_key if self._api_key is not None else config.STRIPE_SECRET_KEY.value
            if not api_key:
                raise VendorUnavailable("Payments are not configured yet; try again later.")
            api_base = self._api_base if self._api_base is not None else config.STRIPE_API_BASE.value
            self._client = stripe.StripeClient(
                api_key, stripe_version=API_VERSION,
                base_addresses={"api": api_base} if api_base else None,
                max_network_retries=MAX_NETWORK_RETRIES,
                http_client=stripe.new_default_http_client(timeout=TIMEOUT_S),
            )
        return self._client

    def ensure_customer(self, uid: str, email: str | None, idempotency_key: str) -> str:
        params: dict[str, Any] = {"metadata": {"uid": uid}}
        if email:
            params["email"] = email
        with _translated():
            customer = self._stripe().v1.customers.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key})
        return str(customer.id)

    def delete_customer(self, customer_id: str) -> None:
        with _translated():
            try:
                self._stripe().v1.customers.delete(customer_id)
            except stripe.InvalidRequestError as exc:
                if exc.http_status != 404:  # already deleted: done
                    raise

    def create_setup_intent(self, customer_id: str, idempotency_key: str) -> str:
        with _translated():
            intent = self._stripe().v1.setup_intents.create(
                {"customer": customer_id, "usage": "off_session",
                 "payment_method_types": ["card"]},  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key})
        if not intent.client_secret:
            raise VendorUnavailable("The payment provider returned no setup secret; try again.")
        return str(intent.client_secret)

    def create_connected_account(self, uid: str, email: str | None, idempotency_key: str) -> str:
        params: dict[str, Any] = {"type": "express", "metadata": {"uid": uid},
                                  "capabilities": {"transfers": {"requested": True}}}
        if email:
            params["email"] = email
        with _translated():
            account = self._stripe().v1.accounts.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key})
        return str(account.id)

    def create_onboarding_link(self, account_id: str, return_url: str, refresh_url: str) -> str:
        with _translated():
            link = self._stripe().v1.account_links.create(
                {"account": account_id, "return_url": return_url, "refresh_url": refresh_url,
                 "type": "account_onboarding"})
        return str(link.url)

    def authorize(self, *, customer_id: str, payment_method_id: str, amount_minor: int, currency: str,
                  request_id: str, idempotency_key: str) -> Authorization:
        with _translated():
            intent = self._stripe().v1.payment_intents.create(
                {"amount": chargeable(amount_minor, currency), "currency": currency.lower(), "customer": customer_id,
                 "payment_method": payment_method_id, "capture_method": "manual", "confirm": True,
                 "off_session": True, "transfer_group": request_id,
                 "metadata": {"request_id": request_id}},
                {"idempotency_key": idempotency_key})
        if intent.status not in ("requires_capture", "succeeded"):
            raise CardDeclined(intent.status)
        return Authorization(str(intent.id), str(intent.status))

    def capture(self, payment_intent_id: str, amount_minor: int, idempotency_key: str) -> int:
        with _translated():
            intent = self._stripe().v1.payment_intents.capture(
                payment_intent_id, {"amount_to_capture": amount_minor}, {"idempotency_key": idempotency_key})
        return int(intent.amount_received or amount_minor)

    def cancel_authorization(self, payment_intent_id: str, idempotency_key: str) -> None:
        with _translated():
            self._stripe().v1.payment_intents.cancel(payment_intent_id, {}, {"idempotency_key": idempotency_key})

    def refund(self, payment_intent_id: str, amount_minor: int, idempotency_key: str,
               metadata: dict[str, str]) -> str:
        with _translated():
            refund = self._stripe().v1.refunds.create(
                {"payment_intent": payment_intent_id, "amount": amount_minor, "metadata": metadata},
                {"idempotency_key": idempotency_key})
        return str(refund.id)

    def transfer(self, amount_minor: int, currency: str, destination: str, idempotency_key: str, *,
                 metadata: dict[str, str], transfer_group: str | None = None) -> str:
        params: dict[str, Any] = {"amount": chargeable(amount_minor, currency), "currency": currency.lower(),
                                  "destination": destination, "metadata": metadata}
        if transfer_group:
            params["transfer_group"] = transfer_group
        with _translated():
            transfer = self._stripe().v1.transfers.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": idempotency_key})
        return str(transfer.id)

    def reverse_transfer(self, transfer_id: str, amount_minor: int, idempotency_key: str) -> str:
        with _translated():
            reversal = self._stripe().v1.transfers.reversals.create(
                transfer_id, {"amount": amount_minor}, {"idempotency_key": idempotency_key})
        return str(reversal.id)

    def verify_webhook(self, raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
        secret = self._webhook_secret if self._webhook_secret is not None else config.STRIPE_WEBHOOK_SECRET.value
        if not secret or not signature_header:
            raise WebhookRejected("missing signature or secret")
        try:
            stripe.WebhookSignature.verify_header(raw_body.decode("utf-8"), signature_header, secret,
                                                  WEBHOOK_TOLERANCE_S)
            event = json.loads(raw_body)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise WebhookRejected(type(exc).__name__) from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise WebhookRejected("not an event")
        return event


_ACCOUNT_CODES = frozenset({"balance_insufficient", "insufficient_funds", "insufficient_capabilities_for_transfer",
                            "account_invalid"})
"""Stripe's refusals that are about the connected account, not about our request."""


@contextmanager
def _translated() -> Iterator[None]:
    """Vendor exceptions become domain errors here, so services and entry points never see `stripe`."""
    try:
        yield
    except stripe.IdempotencyError:
        raise VendorUnavailable("The payment provider is busy with this request; try again in a moment.") from None
    except stripe.CardError as exc:
        raise CardDeclined(exc.code or "card_declined") from None
    except stripe.InvalidRequestError as exc:
        if exc.code in _ACCOUNT_CODES:
            raise AccountCannotReceive(exc.code) from None
        raise InvalidInput("The payment provider refused the request; check your details.") from None
    except stripe.StripeError:
        raise VendorUnavailable("The payment provider is not answering; try again in a moment.") from None
