"""Payments: saving a card, the technician's payout account, the Stripe webhook, and the trigger that
moves a job's money as its status changes."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlparse

from firebase_functions import firestore_fn, https_fn, logger
from firebase_functions.core import Change
from flask import Request, Response
from google.cloud.firestore_v1 import DocumentSnapshot
from pydantic import AfterValidator, Field

from curbside import config, deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.webhooks import over_limit
from curbside.gateways.payments import WebhookRejected
from curbside.services import calendars, card_holds, payments, payouts, stripe_events
from curbside.store.collections import Collection

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})


def _app_url(value: str) -> str:
    """Stripe sends the technician back to these: https, or http only on this machine (the local stack)."""
    parsed = urlparse(value)
    if not parsed.netloc or not (parsed.scheme == "https" or (parsed.scheme == "http"
                                                               and parsed.hostname in LOCAL_HOSTS)):
        raise ValueError("must be an https:// address of the app")
    return value


AppUrl = Annotated[str, Field(max_length=2000), AfterValidator(_app_url)]


class SetupPaymentMethodPayload(Payload):
    """No fields: the caller is the client whose card is being saved."""


@on_call(secrets=config.secrets(config.STRIPE_SECRET_KEY))
def setup_payment_method(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetupPaymentMethodPayload,
                        lambda caller, _: payments.setup_payment_method(deps.get(), caller.uid, caller.email),
                        fresh_sign_in=True)


@https_fn.on_request(secrets=config.secrets(config.STRIPE_SECRET_KEY, config.STRIPE_WEBHOOK_SECRET))
def stripe_webhook(req: Request) -> Response:
    """400 for anything not signed by Stripe (nothing written); 200 once applied, replayed or ignored; 500
    when applying failed, so Stripe delivers the event again; 429 when one address sends too many."""
    if req.method != "POST":
        return Response("method not allowed", status=405)
    current = deps.get()
    if (limited := over_limit(current, "stripe", req)) is not None:
        return limited
    try:
        event = current.payments.verify_webhook(req.get_data(), req.headers.get("Stripe-Signature"))
    except WebhookRejected as exc:
        logger.warn("stripe.webhook_rejected", reason=str(exc))
        return Response("invalid signature", status=400)
    try:
        outcome = stripe_events.process_event(current, event)
    except Exception as exc:  # any failure must become a 5xx so Stripe retries
        logger.error("stripe.event_failed", event_id=event.get("id"), error=type(exc).__name__)
        return Response("processing failed", status=500)
    return Response(outcome, status=200)


class CreatePayoutAccountPayload(Payload):
    return_url: AppUrl
    refresh_url: AppUrl


@on_call(secrets=config.secrets(config.STRIPE_SECRET_KEY))
def create_payout_account(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CreatePayoutAccountPayload, lambda caller, p: payouts.create_payout_account(
        deps.get(), caller.uid, p.return_url, p.refresh_url), fresh_sign_in=True)


@firestore_fn.on_document_updated(document=f"{Collection.SERVICE_REQUESTS}/{{request_id}}",
                                  secrets=config.secrets(config.STRIPE_SECRET_KEY))
def on_request_updated(event: firestore_fn.Event[Change[DocumentSnapshot[Any] | None]]) -> None:
    """A job's status changed: hold the card on acceptance, release it or charge the late fee on
    cancellation; a cancelled scheduled job gives its technician's time back. Other updates (the live
    location every 10 s) cost nothing here."""
    before = event.data.before.to_dict() if event.data.before is not None else None
    after = event.data.after.to_dict() if event.data.after is not None else None
    if (before or {}).get("status") == (after or {}).get("status"):
        return
    request_id = event.params["request_id"]
    released = calendars.release_reservation(deps.get(), request_id)  # the time a cancelled job reserved
    logger.info("calendars.followed_request", request_id=request_id, outcome=released, event_id=event.id)
    outcome = card_holds.follow_request(deps.get(), request_id)
    logger.info("payments.followed_request", request_id=request_id, outcome=outcome, event_id=event.id)
