"""Replaying a whole job's money twice changes nothing (issue 7): after a full lifecycle against localstripe —
card held on acceptance, captured on completion, released by the review, transferred, partly refunded after
payout (a reversal) — every webhook Stripe would have sent and every trigger, schedule and call of the
lifecycle is delivered again, twice, some out of order. Every balance stays as it was: ours (JobPayments,
the ledger, DispatcherEarnings) and Stripe's (captured, refunded, transferred, reversed)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import flask

from curbside.deps import Deps
from curbside.entrypoints.payments import stripe_webhook
from curbside.gateways.payments import connected_account_key, customer_key
from curbside.services import card_holds, charges, completions, refunds, requests
from curbside.store.collections import Collection, doc_path
from devstack.payments_flow import signature as stripe_signature
from tests.factories import CLIENT_ID, DISPATCHER_ID
from tests.payment_world import (
    add_job_in_progress,
    add_paid_technician,
    add_paying_client,
    complete,
    ledger_of,
    payment_of,
    upload_completion_photos,
)
from tests.payments_server import LocalStripe

APP = flask.Flask("replay-tests")
REQUEST_ID = "job-replayed"


def deliver(event: dict[str, Any]) -> int:
    body = json.dumps(event).encode()
    with APP.test_request_context("/", method="POST", data=body, headers={
            "Content-Type": "application/json", "Stripe-Signature": stripe_signature(body)}):
        return int(stripe_webhook(flask.request).status_code)


def event(event_id: str, event_type: str, obj: dict[str, Any], created: int) -> dict[str, Any]:
    return {"id": event_id, "object": "event", "type": event_type, "created": created, "livemode": False,
            "data": {"object": obj}}


def books(deps: Deps, localstripe: LocalStripe, intent_id: str) -> dict[str, Any]:
    """Every balance of the job, ours and Stripe's (timestamps left out: a replay may not move them either,
    but they are not money)."""
    db = deps.db
    payment = payment_of(db, REQUEST_ID)
    payment.pop("updated_date", None)
    earnings = db.document(doc_path(Collection.DISPATCHER_EARNINGS, DISPATCHER_ID)).get().to_dict() or {}
    earnings.pop("updated_date", None)
    intent = localstripe.get(f"/v1/payment_intents/{intent_id}")
    transfers = [t for t in localstripe.get("/v1/transfers")["data"] if t.get("transfer_group") == REQUEST_ID]
    return {
        "payment": payment,
        "ledger": sorted((e["id"], e["amount_minor"]) for e in ledger_of(db, REQUEST_ID)),
        "earnings": earnings,
        "stripe_captured": intent["amount_received"],
        "stripe_refunds": sorted(r["amount"] for r in localstripe.get(
            f"/v1/refunds?payment_intent={intent_id}")["data"]),
        "stripe_transfers": sorted((t["id"], t["amount"], t.get("amount_reversed", 0)) for t in transfers),
        "completion": db.document(doc_path(Collection.JOB_COMPLETIONS, REQUEST_ID)).get().to_dict(),
    }


def test_replaying_every_webhook_and_trigger_twice_leaves_every_balance_unchanged(stripe_deps, db, bucket, clock,
                                                                                   localstripe):
    deps = stripe_deps
    customer = deps.payments.ensure_customer(CLIENT_ID, None, customer_key(CLIENT_ID))
    card = localstripe.post("/v1/payment_methods", {
        "type": "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2040",
        "card[cvc]": "123"})
    localstripe.post(f"/v1/payment_methods/{card['id']}/attach", {"customer": customer})
    account = deps.payments.create_connected_account(DISPATCHER_ID, None, connected_account_key(DISPATCHER_ID))
    localstripe.complete_onboarding(account)
    add_paying_client(db, customer_id=customer, payment_method=card["id"])
    add_paid_technician(db, account_id=account, payouts_enabled=True)
    add_job_in_progress(db, REQUEST_ID)

    # The lifecycle, once.
    card_holds.follow_request(deps, REQUEST_ID)
    complete(deps, bucket, REQUEST_ID)
    completions.review_dispatcher(deps, CLIENT_ID, REQUEST_ID, 5, "spotless")
    refunds.refund(deps, REQUEST_ID, 1200, "goodwill")
    payment = payment_of(db, REQUEST_ID)
    assert payment["payout_status"] == "paid" and payment["refunded_minor"] == 1200
    intent_id = payment["payment_intent_id"]
    before = books(deps, localstripe, intent_id)
    assert before["stripe_captured"] == 5600 and before["stripe_refunds"] == [1200]
    [(_, transferred, reversed_)] = before["stripe_transfers"]
    assert (transferred, reversed_) == (4760, 1020)  # 85 % paid out; 85 % of the refund taken back

    # What Stripe would have sent about it, delivered twice and in the wrong order (newest first).
    intent = localstripe.get(f"/v1/payment_intents/{intent_id}")
    held = {**intent, "status": "requires_capture", "amount_received": 0}
    charge_id = intent["latest_charge"]["id"] if isinstance(intent["latest_charge"], dict) else intent["latest_charge"]
    charge = localstripe.get(f"/v1/charges/{charge_id}")
    charge["refunds"] = localstripe.get(f"/v1/refunds?payment_intent={intent_id}")
    now = int(time.time())
    events = [
        event("evt_refunded", "charge.refunded", charge, now),
        event("evt_succeeded", "payment_intent.succeeded", intent, now - 10),
        event("evt_capturable", "payment_intent.amount_capturable_updated", held, now - 20),
        event("evt_account", "account.updated", localstripe.get(f"/v1/accounts/{account}"), now - 30),
        event("evt_card", "payment_method.attached", localstripe.get(f"/v1/payment_methods/{card['id']}"),
              now - 40),
    ]
    for _ in range(2):
        for stripe_event in events:
            assert deliver(stripe_event) == 200
        # Every trigger, schedule and call of the lifecycle, again.
        requests.request_created(deps, REQUEST_ID)
        card_holds.follow_request(deps, REQUEST_ID)
        upload_completion_photos(bucket, REQUEST_ID)
        complete(deps, bucket, REQUEST_ID)
        completions.review_dispatcher(deps, CLIENT_ID, REQUEST_ID, 5, "spotless")
        charges.release(deps, REQUEST_ID, "client_review")
        charges.pay_out(deps, REQUEST_ID)
        refunds.refund(deps, REQUEST_ID, 1200, "goodwill")
        clock.advance(dt.timedelta(hours=49))
        completions.auto_approve_completions(deps)

    assert books(deps, localstripe, intent_id) == before
    outcomes = {e["id"]: db.document(doc_path(Collection.STRIPE_EVENTS, e["id"])).get().get("outcome") for e in events}
    assert outcomes == {"evt_refunded": "already_recorded", "evt_succeeded": "already_recorded",
                        "evt_capturable": "already_recorded", "evt_account": "applied", "evt_card": "applied"}
