"""The payment flow against the stack's local Stripe, as the apps and Stripe drive it: used by the demo's
steps and by the end-to-end test, so both exercise the same calls.

Everything goes through public interfaces: callables over HTTP, localstripe's REST API, and the stack's
`stripe_webhook` URL. localstripe does not emit `payment_method.attached`, so after attaching a card the
event Stripe would send is signed here with the stack's webhook secret and posted to the webhook.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from devstack.stack import LocalStack
from devstack.stripe import WEBHOOK_SECRET

TEST_CARD = "4242424242424242"
RETURN_URL = "http://127.0.0.1/payouts/done"
REFRESH_URL = "http://127.0.0.1/payouts/retry"
SIDES = ("front", "back", "left", "right")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(256)


def private_path(collection: str, uid: str) -> str:
    return f"{collection}/{uid}/private/data"


def signature(body: bytes, secret: str = WEBHOOK_SECRET, *, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends: `t=...,v1=HMAC-SHA256(secret, "{t}.{body}")`."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def attach_test_card(stack: LocalStack, customer_id: str, number: str = TEST_CARD) -> dict[str, Any]:
    """Save a test card on localstripe and attach it to the customer (what Stripe.js and the SetupIntent do)."""
    stripe = stack.stripe
    method = stripe.post("/v1/payment_methods", {
        "type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2040",
        "card[cvc]": "123"})
    stripe.post(f"/v1/payment_methods/{method['id']}/attach", {"customer": customer_id})
    return stripe.get(f"/v1/payment_methods/{method['id']}")


def deliver_event(stack: LocalStack, event_type: str, obj: dict[str, Any]) -> int:
    """POST a signed Stripe event to the stack's `stripe_webhook`; returns the HTTP status."""
    body = json.dumps({"id": f"evt_local_{obj['id']}_{int(time.time() * 1000)}", "object": "event",
                       "type": event_type, "created": int(time.time()), "livemode": False,
                       "data": {"object": obj}}).encode()
    request = urllib.request.Request(stack.function_url("stripe_webhook"), data=body, method="POST", headers={
        "Content-Type": "application/json", "Stripe-Signature": signature(body)})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def upload_completion_photos(stack: LocalStack, uid: str, request_id: str) -> list[str]:
    paths = [f"users/{uid}/completion_photos/{request_id}/{side}.jpg" for side in SIDES]
    for path in paths:
        stack.upload(path, JPEG, content_type="image/jpeg")
    return paths


def ledger_sums(stack: LocalStack, request_id: str) -> dict[str, int]:
    sums: dict[str, int] = {}
    entries = stack.admin_db().collection("PaymentLedger").where(filter=FieldFilter("request_id", "==", request_id))
    for snap in entries.stream():
        entry = snap.to_dict() or {}
        sums[entry["kind"]] = sums.get(entry["kind"], 0) + int(entry["amount_minor"])
    return sums


def ledger_balance(stack: LocalStack, request_id: str) -> tuple[int, int]:
    """(captured - refunded, transferred - reversed + fee - platform loss + held): equal when balanced."""
    sums = ledger_sums(stack, request_id)
    held = int((stack.admin_db().document(f"JobPayments/{request_id}").get().to_dict() or {}).get("held_minor", 0))
    left = sums.get("capture", 0) - sums.get("refund", 0)
    right = (sums.get("transfer", 0) - sums.get("reversal", 0) + sums.get("fee", 0) - sums.get("platform_loss", 0)
             + held)
    return left, right
