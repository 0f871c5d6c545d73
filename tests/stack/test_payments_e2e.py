"""The payment flow over HTTP through the local stack running the real `functions/main.py` and its local Stripe
(localstripe with Connect): the client saves a card, the technician sets up payouts and finishes onboarding
(localstripe's own signed `account.updated` reaches the stack's webhook), the job is accepted (the card is held),
worked and completed with four photos (the capture), and the client's review releases the money to the
technician's connected account, less the platform's 15 %.

The steps are `devstack.payments_flow`'s, the same ones `make demo` plays.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devstack import payments_flow
from devstack.client import CallableClient
from devstack.clock import ManualClock
from devstack.polling import poll
from devstack.stack import LocalStack, Ports
from tests.factories import make_service_request, put
from tests.request_world import NEAR_CBD, add_client
from tests.stack.conftest import running
from tests.technicians import add_technician, north_of

CLIENT = "pay-client"
TECHNICIAN = "pay-technician"
FEE_PERCENT = 15


@pytest.fixture(scope="module")
def paying_stack() -> Iterator[LocalStack]:
    """The real functions with a local Stripe: the functions' env points `STRIPE_API_BASE` at it."""
    yield from running(LocalStack(ports=Ports(0, 0, 0, 0), clock=ManualClock(), stripe=True))


def doc(stack: LocalStack, path: str) -> dict[str, Any]:
    return stack.admin_db().document(path).get().to_dict() or {}


def test_a_reviewed_job_is_captured_and_paid_out_to_the_technician_less_the_fee(paying_stack: LocalStack) -> None:
    stack = paying_stack
    clock = stack.clock
    admin = stack.admin_db()
    callables = CallableClient(stack.functions_url, stack.project)

    def call(name: str, data: dict[str, Any], uid: str) -> Any:
        answer = callables.call(name, data, uid=uid)
        assert answer.ok, f"{name}: {answer.status} {answer.body}"
        return answer.result

    add_client(admin, CLIENT, card=False)
    add_technician(admin, TECHNICIAN, at=north_of(NEAR_CBD, 500), fixed_at=clock.now())

    # the client saves a card: a customer on localstripe, a card attached to it, the signed event recorded
    customer = call("setup_payment_method", {}, CLIENT)["customer_id"]
    card = payments_flow.attach_test_card(stack, customer)
    assert payments_flow.deliver_event(stack, "payment_method.attached", card) == 200
    client_private = payments_flow.private_path("ClientProfiles", CLIENT)
    poll(lambda: doc(stack, client_private).get("payment_method") == card["id"], what="the saved card")

    # the technician sets up payouts; localstripe's own account.updated (signed, to the stack's webhook) enables them
    call("create_payout_account", {"return_url": payments_flow.RETURN_URL,
                                   "refresh_url": payments_flow.REFRESH_URL}, TECHNICIAN)
    tech_private = payments_flow.private_path("DispatcherProfiles", TECHNICIAN)
    account = doc(stack, tech_private)["stripe_account_id"]
    stack.stripe.post(f"/_curbside/accounts/{account}/complete_onboarding", {})
    poll(lambda: doc(stack, tech_private).get("payouts_enabled") is True, what="payouts enabled by account.updated")

    # a job is offered and accepted: the card is held
    job = make_service_request(client_id=CLIENT, status="pending", location_lat=NEAR_CBD[0],
                               location_lng=NEAR_CBD[1], created_date=clock.now(), updated_date=clock.now())
    put(admin, job)
    poll(lambda: doc(stack, f"JobOffers/{job.id}:1").get("dispatcher_id") == TECHNICIAN, what="the offer")
    call("accept_offer", {"offer_id": f"{job.id}:1"}, TECHNICIAN)
    payment = poll(lambda: doc(stack, f"JobPayments/{job.id}").get("payment_intent_id"), what="the card hold")

    # worked and completed with four photos from the job's address: the capture
    for status in ("en_route", "arrived", "in_progress"):
        call("update_job_status", {"request_id": job.id, "status": status, "lat": NEAR_CBD[0],
                                   "lng": NEAR_CBD[1]}, TECHNICIAN)
    photos = payments_flow.upload_completion_photos(stack, TECHNICIAN, job.id)
    call("complete_job", {"request_id": job.id, "completion_images": photos, "lat": NEAR_CBD[0],
                          "lng": NEAR_CBD[1]}, TECHNICIAN)

    # the client's review releases the money
    call("review_dispatcher", {"request_id": job.id, "rating": 5}, CLIENT)
    paid = poll(lambda: (p := doc(stack, f"JobPayments/{job.id}")).get("payout_status") == "paid" and p,
                what="payout_status paid")

    intent = stack.stripe.get(f"/v1/payment_intents/{payment}")
    assert intent["status"] == "succeeded" and intent["amount_received"] == paid["amount_minor"]
    captured = int(paid["captured_minor"])
    assert captured == paid["amount_minor"]
    fee = round(captured * FEE_PERCENT / 100)
    transfers = [t for t in stack.stripe.get("/v1/transfers")["data"] if t.get("transfer_group") == job.id]
    assert [(t["destination"], t["amount"]) for t in transfers] == [(account, captured - fee)]
    assert paid["paid_out_minor"] == captured - fee and paid["fee_minor"] == fee and paid["held_minor"] == 0
    left, right = payments_flow.ledger_balance(stack, job.id)
    assert left == right == captured
    earnings = doc(stack, f"DispatcherEarnings/{TECHNICIAN}")
    assert earnings["paid_minor"] == captured - fee and earnings["pending_minor"] == 0
