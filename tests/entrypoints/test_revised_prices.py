"""A revised price on site, through the deployed callables against localstripe: the technician proposes it on
arrival, no work starts while it waits, the client accepts it (a higher price is held on the card again before
the work, a lower one captures less) or declines it; everyone else is refused and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from curbside.domain.enums import RequestStatus
from curbside.services import card_holds
from curbside.store.collections import Collection, private_doc_path
from main import accept_revised_price, decline_revised_price, propose_revised_price, update_job_status
from tests.entrypoints.test_payments import attached_card
from tests.factories import CLIENT_ID, DISPATCHER_ID
from tests.payment_world import client_with_saved_card, payment_of
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored
from tests.technicians import add_technician

pytestmark = pytest.mark.usefixtures("stripe_deps")

DECLINED = "4000000000000341"
"""Attaches, then declines every charge (Stripe's and localstripe's test card)."""
BOOKED_MINOR = 5600
"""`add_job`'s job: a price of 66.00, 10.00 off with a reward: 56.00."""


@pytest.fixture
def arrived(db, call, localstripe, stripe_deps, clock) -> str:
    """A job whose technician has arrived, its 56.00 held on the client's card at localstripe."""
    client_with_saved_card(db, call, localstripe)
    add_technician(db, DISPATCHER_ID, at=NEAR_CBD, fixed_at=clock.now())
    job = add_job(db, RequestStatus.ARRIVED, reward_discount=10)
    assert card_holds.follow_request(stripe_deps, job.id) == "authorization_authorized"
    return job.id


def propose(call, request_id: str, price: float, uid: str = DISPATCHER_ID) -> Any:
    return call(propose_revised_price, {"request_id": request_id, "price": price,
                                        "reason": "Twelve more dents under the roof rails."}, uid=uid)


def start(call, request_id: str) -> Any:
    return call(update_job_status, {"request_id": request_id, "status": "in_progress"}, uid=DISPATCHER_ID)


def test_a_higher_price_accepted_is_held_on_the_card_before_the_work_starts(db, call, localstripe, arrived):
    first_intent = payment_of(db, arrived)["payment_intent_id"]

    assert propose(call, arrived, 96.0).result == {"status": "proposed", "proposed_price": 96.0, "currency": "EUR"}
    notice = [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream()
              if (snap.to_dict() or {}).get("user_id") == CLIENT_ID]
    assert len(notice) == 1 and "Twelve more dents" in notice[0]["body"]
    waiting = start(call, arrived)
    assert waiting.error == "FAILED_PRECONDITION" and "waiting for the client's answer" in waiting.message

    accepted = call(accept_revised_price, {"request_id": arrived}, uid=CLIENT_ID).result

    assert accepted == {"final_price": 86.0, "currency": "EUR", "card_hold": "authorized"}  # the reward stays
    job = stored(db, Collection.SERVICE_REQUESTS, arrived)
    assert (job["price"], job["final_price"], job["proposed_price"]) == (96.0, 86.0, None)
    assert job["price_breakdown"]["lines"][-1] == {
        "code": "revised_on_site", "label": "Revised on site: Twelve more dents under the roof rails.", "amount": 30.0}
    payment = payment_of(db, arrived)
    assert (payment["amount_minor"], payment["superseded_intents"]) == (8600, [first_intent])
    assert localstripe.get(f"/v1/payment_intents/{payment['payment_intent_id']}")["amount"] == 8600
    assert localstripe.get(f"/v1/payment_intents/{first_intent}")["status"] == "canceled"
    assert start(call, arrived).result["status"] == "in_progress"


def test_a_card_that_cannot_hold_the_higher_price_keeps_the_work_from_starting(db, call, localstripe, arrived):
    private = db.document(private_doc_path(Collection.CLIENT_PROFILES, CLIENT_ID))
    customer = (private.get().to_dict() or {})["stripe_customer_id"]
    private.update({"payment_method": attached_card(localstripe, customer, number=DECLINED)["id"]})
    propose(call, arrived, 96.0)

    accepted = call(accept_revised_price, {"request_id": arrived}, uid=CLIENT_ID).result

    assert accepted == {"final_price": 86.0, "currency": "EUR", "card_hold": "failed"}
    refused = start(call, arrived)
    assert refused.error == "FAILED_PRECONDITION" and "could not hold the revised price" in refused.message
    assert stored(db, Collection.SERVICE_REQUESTS, arrived)["status"] == "arrived"
    told = stored(db, Collection.NOTIFICATIONS, f"payment_action_required:{arrived}:{CLIENT_ID}")
    assert told["title"] == "Payment needs your attention"


def test_a_lower_price_accepted_keeps_the_hold_and_will_capture_less(db, call, arrived):
    propose(call, arrived, 50.0)

    accepted = call(accept_revised_price, {"request_id": arrived}, uid=CLIENT_ID).result

    assert accepted == {"final_price": 40.0, "currency": "EUR", "card_hold": "covered"}
    payment = payment_of(db, arrived)
    assert (payment["amount_minor"], payment["superseded_intents"]) == (4000, [])
    assert start(call, arrived).result["status"] == "in_progress"


def test_a_declined_price_leaves_the_booked_one_and_the_work_can_start(db, call, arrived):
    propose(call, arrived, 120.0)

    declined = call(decline_revised_price, {"request_id": arrived}, uid=CLIENT_ID).result

    assert declined == {"status": "declined", "final_price": 56.0, "currency": "EUR"}
    job = stored(db, Collection.SERVICE_REQUESTS, arrived)
    assert (job["final_price"], job["proposed_price"], job["price_revised_at"]) == (56.0, None, None)
    assert payment_of(db, arrived)["amount_minor"] == BOOKED_MINOR
    assert start(call, arrived).result["status"] == "in_progress"


def test_only_the_jobs_technician_on_site_proposes_and_only_its_client_answers(db, call, arrived):
    add_client(db, "other-client")
    before = everything(db)

    assert propose(call, arrived, 80.0, uid=CLIENT_ID).error == "PERMISSION_DENIED"
    assert propose(call, arrived, 80.0, uid="other-client").error == "NOT_FOUND"
    assert propose(call, arrived, 66.0).error == "INVALID_ARGUMENT"  # the price it has
    assert propose(call, arrived, -5).error == "INVALID_ARGUMENT"
    assert call(accept_revised_price, {"request_id": arrived}, uid=CLIENT_ID).error == "FAILED_PRECONDITION"
    assert everything(db) == before

    en_route = add_job(db, RequestStatus.EN_ROUTE, id="en-route-job")
    before = everything(db)
    assert propose(call, en_route.id, 80.0).error == "FAILED_PRECONDITION"
    assert everything(db) == before
    propose(call, arrived, 80.0)
    assert call(accept_revised_price, {"request_id": arrived}, uid=DISPATCHER_ID).error == "PERMISSION_DENIED"
    assert call(decline_revised_price, {"request_id": arrived}, uid="other-client").error == "NOT_FOUND"
    assert stored(db, Collection.SERVICE_REQUESTS, arrived)["proposed_price"] == 80.0
