"""Payments: the callable that prepares saving a card, and the Stripe webhook that reports the card."""

from __future__ import annotations

from typing import Any

from firebase_functions import https_fn, logger
from flask import Request, Response

from curbside import config, deps
from curbside.entrypoints.protocol import Payload, run_callable
from curbside.gateways.payments import WebhookRejected
from curbside.services import payments, stripe_events


class SetupPaymentMethodPayload(Payload):
    """No fields: the caller is the client whose card is being saved."""


@https_fn.on_call(secrets=[config.STRIPE_SECRET_KEY.name])
def setup_payment_method(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetupPaymentMethodPayload,
                        lambda caller, _: payments.setup_payment_method(deps.get(), caller.uid))


@https_fn.on_request(secrets=[config.STRIPE_SECRET_KEY.name, config.STRIPE_WEBHOOK_SECRET.name])
def stripe_webhook(req: Request) -> Response:
    """400 for anything not signed by Stripe (nothing written); 200 once applied, replayed or ignored; 500
    when applying failed, so Stripe delivers the event again."""
    if req.method != "POST":
        return Response("method not allowed", status=405)
    current = deps.get()
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
