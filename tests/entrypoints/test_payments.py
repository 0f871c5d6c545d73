"""Saving a card and the Stripe webhook, through the deployed entry points, against a real localstripe."""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import flask
import pytest

from curbside.domain.enums import AccountStatus
from curbside.domain.errors import InvalidInput, VendorUnavailable
from curbside.entrypoints.payments import setup_payment_method, stripe_webhook
from curbside.gateways.payments import StripePayments, connected_account_key
from curbside.store.collections import Collection, doc_path, private_doc_path
from devstack.emulators import free_port
from devstack.payments_flow import signature as stripe_signature
from tests.factories import make_client_profile, make_user, make_user_private, put, put_private
from tests.payments_server import TEST_SECRET_KEY, LocalStripe

pytestmark = pytest.mark.usefixtures("stripe_deps")


@pytest.fixture
def alice(db) -> str:
    """A signed-up client with no Stripe customer yet."""
    put(db, make_user(id="alice", email="alice@example.com"))
    put(db, make_client_profile(id="alice", card_last_four=None))
    return "alice"


def everything(db) -> dict[str, Any]:
    """Every document, private parts included."""
    found: dict[str, Any] = {}

    def walk(collections: Any) -> None:
        for collection in collections:
            for ref in collection.list_documents():
                snap = ref.get()
                if snap.exists:
                    found[ref.path] = snap.to_dict()
                walk(ref.collections())

    walk(db.collections())
    return found


def customers(localstripe: LocalStripe) -> list[dict[str, Any]]:
    return list(localstripe.get("/v1/customers")["data"])


def private_of(db, uid: str) -> dict[str, Any]:
    return db.document(private_doc_path(Collection.CLIENT_PROFILES, uid)).get().to_dict() or {}


def profile_of(db, uid: str) -> dict[str, Any]:
    return db.document(doc_path(Collection.CLIENT_PROFILES, uid)).get().to_dict() or {}


# setup_payment_method


def test_the_first_call_creates_the_customer_and_a_setup_intent(db, call, alice, localstripe):
    response = call(setup_payment_method, {}, uid=alice, email="alice@example.com")  # Firebase Auth's e-mail

    assert response.status == 200
    customer_id = response.result["customer_id"]
    assert customer_id.startswith("cus_") and response.result["setup_intent_client_secret"].startswith("seti_")
    assert private_of(db, alice)["stripe_customer_id"] == customer_id
    [customer] = customers(localstripe)
    assert customer["id"] == customer_id and customer["email"] == "alice@example.com"
    assert customer["metadata"] == {"uid": alice}
    intent_id = response.result["setup_intent_client_secret"].split("_secret_")[0]
    assert localstripe.get(f"/v1/setup_intents/{intent_id}")["customer"] == customer_id


def test_a_second_call_reuses_the_customer_and_makes_a_new_setup_intent(db, call, alice, localstripe):
    first = call(setup_payment_method, {}, uid=alice).result

    second = call(setup_payment_method, {}, uid=alice).result

    assert second["customer_id"] == first["customer_id"]
    assert second["setup_intent_client_secret"] != first["setup_intent_client_secret"]
    assert len(customers(localstripe)) == 1
    assert private_of(db, alice)["setup_intents_created"] == 2


def test_a_stored_customer_is_reused_not_recreated(db, call, alice, localstripe):
    created = localstripe.post("/v1/customers", {"email": "alice@example.com"})
    db.document(private_doc_path(Collection.CLIENT_PROFILES, alice)).set({"stripe_customer_id": created["id"]})

    response = call(setup_payment_method, {}, uid=alice)

    assert response.result["customer_id"] == created["id"]
    assert private_of(db, alice)["stripe_customer_id"] == created["id"]
    assert len(customers(localstripe)) == 1


def test_a_user_without_a_client_profile_is_permission_denied(db, call, localstripe):
    put(db, make_user(id="tech"))
    before = everything(db)

    response = call(setup_payment_method, {}, uid="tech")

    assert response.status == 403 and response.error == "PERMISSION_DENIED"
    assert "client" in response.message
    assert everything(db) == before and customers(localstripe) == []


def test_signed_out_is_unauthenticated(db, call, alice, localstripe):
    response = call(setup_payment_method, {})

    assert response.status == 401 and response.error == "UNAUTHENTICATED"
    assert customers(localstripe) == []


def test_a_suspended_client_is_refused(db, call, alice, localstripe):
    put_private(db, alice, make_user_private(account_status=AccountStatus.SUSPENDED))
    before = everything(db)

    response = call(setup_payment_method, {}, uid=alice)

    assert response.error == "PERMISSION_DENIED" and "suspended" in response.message
    assert everything(db) == before and customers(localstripe) == []


def test_extra_fields_are_invalid_and_write_nothing(db, call, alice, localstripe):
    before = everything(db)

    response = call(setup_payment_method, {"card_number": "4242424242424242"}, uid=alice)

    assert response.status == 400 and response.error == "INVALID_ARGUMENT"
    assert "card_number: is not an accepted field" in response.message
    assert everything(db) == before and customers(localstripe) == []


# stripe_webhook

APP = flask.Flask("webhook-tests")


def deliver(body: bytes, signature: str | None) -> tuple[int, str]:
    """POST a raw body to the deployed webhook, as Stripe does."""
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    with APP.test_request_context("/", method="POST", data=body, headers=headers):
        response = stripe_webhook(flask.request)
    return response.status_code, response.get_data(as_text=True)


def attached_card(localstripe: LocalStripe, customer_id: str, number: str = "4242424242424242") -> dict[str, Any]:
    """A card saved on localstripe and attached to the customer, as Stripe reports it in the event."""
    method = localstripe.post("/v1/payment_methods", {
        "type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2040",
        "card[cvc]": "123"})
    localstripe.post(f"/v1/payment_methods/{method['id']}/attach", {"customer": customer_id})
    return localstripe.get(f"/v1/payment_methods/{method['id']}")


def event_body(event_id: str, event_type: str, obj: dict[str, Any], created: int | None = None) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": event_type, "api_version": "2026-10-28.endive",
                       "created": int(time.time()) if created is None else created,
                       "livemode": False, "data": {"object": obj}}).encode()


@pytest.fixture
def alice_customer(call, alice) -> str:
    return str(call(setup_payment_method, {}, uid=alice).result["customer_id"])


def test_a_signed_card_event_saves_brand_and_last_four(db, alice, alice_customer, localstripe):
    card = attached_card(localstripe, alice_customer)
    body = event_body("evt_card_1", "payment_method.attached", card)

    status, text = deliver(body, stripe_signature(body))

    assert (status, text) == (200, "applied")
    profile = profile_of(db, alice)
    assert profile["card_last_four"] == "4242" and profile["card_brand"] == card["card"]["brand"]
    assert private_of(db, alice)["payment_method"] == card["id"]
    record = db.document(doc_path(Collection.STRIPE_EVENTS, "evt_card_1")).get().to_dict()
    assert record["outcome"] == "applied" and record["object_id"] == card["id"]


@pytest.mark.parametrize("signature", [
    pytest.param(lambda body: stripe_signature(body, "whsec_someone_else"), id="wrong-secret"),
    pytest.param(lambda body: stripe_signature(body, timestamp=int(time.time()) - 3600), id="stale"),
    pytest.param(lambda body: stripe_signature(body + b" "), id="other-body"),
    pytest.param(lambda body: None, id="missing"),
])
def test_a_bad_or_stale_signature_is_400_and_writes_nothing(db, alice, alice_customer, localstripe, signature):
    body = event_body("evt_forged", "payment_method.attached", attached_card(localstripe, alice_customer))
    before = everything(db)

    status, _ = deliver(body, signature(body))

    assert status == 400
    assert everything(db) == before


def test_a_replayed_event_changes_nothing(db, alice, alice_customer, localstripe):
    body = event_body("evt_card_2", "payment_method.attached", attached_card(localstripe, alice_customer))
    assert deliver(body, stripe_signature(body))[0] == 200
    db.document(doc_path(Collection.CLIENT_PROFILES, alice)).update({"card_last_four": "1111"})
    before = everything(db)

    status, text = deliver(body, stripe_signature(body))

    assert (status, text) == (200, "duplicate")
    assert everything(db) == before


def test_an_older_event_after_a_newer_one_changes_nothing(db, alice, alice_customer, localstripe):
    now = int(time.time())
    newer = event_body("evt_new", "payment_method.attached", attached_card(localstripe, alice_customer), now)
    older_card = attached_card(localstripe, alice_customer, "5555555555554444")
    older = event_body("evt_old", "payment_method.attached", older_card, now - 60)
    deliver(newer, stripe_signature(newer))
    newer_method = private_of(db, alice)["payment_method"]

    status, text = deliver(older, stripe_signature(older))

    assert (status, text) == (200, "older_than_stored")
    assert profile_of(db, alice)["card_last_four"] == "4242"
    assert private_of(db, alice)["payment_method"] == newer_method != older_card["id"]
    assert db.document(doc_path(Collection.STRIPE_EVENTS, "evt_old")).get().get("outcome") == "older_than_stored"


def test_an_unhandled_type_is_acknowledged_and_ignored(db, alice):
    body = event_body("evt_other", "customer.updated", {"id": "cus_x", "object": "customer"})
    before = everything(db)

    status, text = deliver(body, stripe_signature(body))

    assert (status, text) == (200, "ignored")
    assert everything(db) == before


def test_a_failing_handler_is_500_so_stripe_retries_and_nothing_is_recorded(db, alice):
    body = event_body("evt_broken", "payment_method.attached", {"object": "payment_method"})
    before = everything(db)

    status, _ = deliver(body, stripe_signature(body))

    assert status == 500
    assert everything(db) == before


def test_concurrent_first_calls_agree_on_one_stored_customer(db, call, alice):
    # localstripe ignores idempotency keys, so both calls may create a customer there; real Stripe returns the
    # same one for `customer:{uid}`. Either way exactly one id is stored and every caller gets that one.
    start = threading.Barrier(4)

    def open_card_sheet(_: int):
        start.wait()
        for attempt in range(10):  # as the app does: a call that lost a race (ABORTED) is sent again, later
            result = call(setup_payment_method, {}, uid=alice)
            if result.status != 409 or result.error != "ABORTED":
                return result
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("setup_payment_method never got through")

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(open_card_sheet, range(4)))

    assert all(result.status == 200 for result in results)
    stored = private_of(db, alice)["stripe_customer_id"]
    assert {result.result["customer_id"] for result in results} == {stored}
    # every call got a SetupIntent of its own, each numbered by a committed decision
    assert len({result.result["setup_intent_client_secret"] for result in results}) == 4
    assert private_of(db, alice)["setup_intents_created"] >= 4


# the gateway itself


def test_the_gateway_translates_a_refusal_into_invalid_input(localstripe):
    gateway = StripePayments(api_key=TEST_SECRET_KEY, api_base=localstripe.url)

    with pytest.raises(InvalidInput):
        gateway.create_setup_intent("not-a-customer", "setup:nobody:1")


def test_the_gateway_translates_an_unreachable_stripe_into_vendor_unavailable():
    gateway = StripePayments(api_key=TEST_SECRET_KEY, api_base=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(VendorUnavailable):
        gateway.ensure_customer("alice", None, "customer:alice")


def test_an_unconfigured_gateway_is_unavailable_not_a_crash(monkeypatch):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)

    with pytest.raises(VendorUnavailable, match="not configured"):
        StripePayments(api_base="http://127.0.0.1:9").ensure_customer("alice", None, "customer:alice")


# Connect (payouts), served by the localstripe extension in tests/localstripe_connect.py


def test_a_connected_account_is_created_once_per_key_and_gets_an_onboarding_link(localstripe):
    gateway = StripePayments(api_key=TEST_SECRET_KEY, api_base=localstripe.url)

    account = gateway.create_connected_account("tech", "tech@example.com", connected_account_key("tech"))
    again = gateway.create_connected_account("tech", "tech@example.com", connected_account_key("tech"))
    link = gateway.create_onboarding_link(account, "https://app.example/done", "https://app.example/retry")

    assert account.startswith("acct_") and again == account
    assert localstripe.get(f"/v1/accounts/{account}")["metadata"] == {"uid": "tech"}
    assert link.endswith(f"/connect/onboarding/{account}")


def test_a_transfer_is_made_once_per_idempotency_key_in_minor_units(localstripe):
    gateway = StripePayments(api_key=TEST_SECRET_KEY, api_base=localstripe.url)
    account = gateway.create_connected_account("tech2", None, connected_account_key("tech2"))
    localstripe.complete_onboarding(account)

    first = gateway.transfer(2805, "EUR", account, "payout:request-1", metadata={"request_id": "request-1"})
    retried = gateway.transfer(2805, "EUR", account, "payout:request-1", metadata={"request_id": "request-1"})

    assert first == retried
    transfer = localstripe.get(f"/v1/transfers/{first}")
    assert (transfer["amount"], transfer["currency"], transfer["destination"]) == (2805, "eur", account)
    assert [t["id"] for t in localstripe.get("/v1/transfers")["data"] if t["destination"] == account] == [first]


def test_a_transfer_to_an_unknown_account_is_invalid_input(localstripe):
    gateway = StripePayments(api_key=TEST_SECRET_KEY, api_base=localstripe.url)

    with pytest.raises(InvalidInput):
        gateway.transfer(100, "EUR", "acct_missing", "payout:request-2", metadata={})
