"""The local Stripe (localstripe + tests/localstripe_connect.py) behaves as Stripe does for what our payments rely
on: idempotent POSTs, PaymentIntents with a transfer group and manual capture, Connect transfers, reversals and
balances, onboarding. Driven through the official `stripe` SDK, exactly as the production gateway drives it."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import stripe

from tests.payments_server import TEST_SECRET_KEY, TEST_WEBHOOK_SECRET, LocalStripe, running_localstripe


@pytest.fixture(scope="module")
def _server() -> Iterator[LocalStripe]:
    with running_localstripe() as server:
        yield server


@pytest.fixture
def server(_server: LocalStripe) -> LocalStripe:
    """The local Stripe, with nothing left from earlier tests."""
    _server.flush()
    return _server


@pytest.fixture
def client(server: LocalStripe) -> stripe.StripeClient:
    return stripe.StripeClient(TEST_SECRET_KEY, base_addresses={"api": server.url})


def connected_account(client: stripe.StripeClient, server: LocalStripe, *, onboarded: bool = True) -> str:
    account = client.v1.accounts.create({"type": "express", "capabilities": {"transfers": {"requested": True}}})
    if onboarded:
        server.complete_onboarding(account.id)
    return account.id


def transfer(client: stripe.StripeClient, destination: str, amount: int, key: str | None = None) -> stripe.Transfer:
    options: stripe.RequestOptions = {"idempotency_key": key} if key else {}
    return client.v1.transfers.create({"amount": amount, "currency": "eur", "destination": destination,
                                       "metadata": {"request_id": "request-1"}}, options)


def error_of(exc: stripe.StripeError) -> dict[str, Any]:
    """The `error` object of the JSON body Stripe answered with."""
    body = exc.json_body
    assert isinstance(body, dict)
    error: dict[str, Any] = body["error"]
    return error


# idempotency and the request log


def test_the_same_idempotency_key_twice_makes_one_transfer_and_replays_the_first_response(client, server):
    account = connected_account(client, server)

    first = transfer(client, account, 2805, "payout:request-1")
    again = transfer(client, account, 2805, "payout:request-1")

    assert again.id == first.id
    assert [t.id for t in client.v1.transfers.list().data] == [first.id]
    assert server.available(account) == 2805
    assert [entry for entry in server.requests_log() if entry["path"] == "/v1/transfers"] == [
        {"method": "POST", "path": "/v1/transfers", "idempotency_key": "payout:request-1", "status": 200},
        {"method": "POST", "path": "/v1/transfers", "idempotency_key": "payout:request-1", "status": 200}]


def test_a_key_reused_on_another_endpoint_is_an_idempotency_error(client, server):
    account = connected_account(client, server)
    transfer(client, account, 100, "shared-key")

    with pytest.raises(stripe.IdempotencyError) as raised:
        client.v1.customers.create({"email": "x@example.com"}, {"idempotency_key": "shared-key"})

    assert raised.value.http_status == 400
    assert error_of(raised.value)["type"] == "idempotency_error"
    assert client.v1.customers.list().data == []


def test_a_key_reused_with_other_parameters_is_an_idempotency_error(client, server):
    account = connected_account(client, server)
    transfer(client, account, 100, "payout:request-2")

    with pytest.raises(stripe.IdempotencyError):
        transfer(client, account, 999, "payout:request-2")

    assert [t.amount for t in client.v1.transfers.list().data] == [100]


def test_a_failed_request_is_replayed_as_the_same_failure(client, server):
    account = connected_account(client, server, onboarded=False)
    with pytest.raises(stripe.InvalidRequestError):
        transfer(client, account, 100, "payout:request-3")
    server.complete_onboarding(account)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        transfer(client, account, 100, "payout:request-3")

    assert raised.value.code == "insufficient_capabilities_for_transfer"
    assert transfer(client, account, 100, "payout:request-4").amount == 100


def test_the_request_log_lists_every_post_with_its_key_and_a_flush_forgets_everything(client, server):
    customer = client.v1.customers.create({"email": "a@example.com"}, {"idempotency_key": "customer:alice"})
    server.post("/v1/customers", {"email": "b@example.com"})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.transfers.create({"amount": 100, "currency": "eur", "destination": "acct_missing"},
                                   {"idempotency_key": "payout:nowhere"})

    log = server.requests_log()

    assert log == [
        {"method": "POST", "path": "/v1/customers", "idempotency_key": "customer:alice", "status": 200},
        {"method": "POST", "path": "/v1/customers", "idempotency_key": None, "status": 200},
        {"method": "POST", "path": "/v1/transfers", "idempotency_key": "payout:nowhere", "status": 400}]

    server.flush()

    assert server.requests_log() == []
    again = client.v1.customers.create({"email": "a@example.com"}, {"idempotency_key": "customer:alice"})
    assert again.id != customer.id
    assert client.v1.transfers.list().data == []


# PaymentIntents


def test_a_payment_intent_keeps_its_transfer_group_and_captures_part_of_the_amount(client, server):
    customer = client.v1.customers.create({"email": "client@example.com"})
    method = client.v1.payment_methods.create({"type": "card", "card": {
        "number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}})
    client.v1.payment_methods.attach(method.id, {"customer": customer.id})

    intent = client.v1.payment_intents.create({
        "amount": 1000, "currency": "eur", "customer": customer.id, "payment_method": method.id,
        "capture_method": "manual", "transfer_group": "request-1", "description": "Flat tyre, rue de Rivoli",
        "statement_descriptor_suffix": "CURBSIDE"})
    confirmed = client.v1.payment_intents.confirm(intent.id)
    captured = client.v1.payment_intents.capture(intent.id, {"amount_to_capture": 600})

    assert (intent.status, intent.transfer_group, intent.description, intent.statement_descriptor_suffix) == (
        "requires_confirmation", "request-1", "Flat tyre, rue de Rivoli", "CURBSIDE")
    assert (confirmed.status, confirmed.amount_capturable) == ("requires_capture", 1000)
    assert (captured.status, captured.amount_received, captured.amount_capturable) == ("succeeded", 600, 0)
    charge = client.v1.charges.list({"customer": customer.id}).data[0]
    assert (charge.transfer_group, charge.amount_captured, charge.amount_refunded) == ("request-1", 600, 400)
    assert client.v1.payment_intents.retrieve(intent.id).transfer_group == "request-1"


def test_an_unknown_payment_intent_parameter_is_still_refused(client, server):
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.create({"amount": 1000, "currency": "eur",
                                          "not_a_parameter": "x"})


# Transfers, reversals, balances


def test_a_transfer_is_reversed_in_parts_but_never_beyond_what_remains(client, server):
    account = connected_account(client, server)
    made = transfer(client, account, 1000)

    part = client.v1.transfers.reversals.create(made.id, {"amount": 300, "metadata": {"reason": "refund"}})
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.transfers.reversals.create(made.id, {"amount": 800})
    after_part = client.v1.transfers.retrieve(made.id)
    rest = client.v1.transfers.reversals.create(made.id)
    after_all = client.v1.transfers.retrieve(made.id)

    assert (part.object, part.amount, part.transfer, part.metadata.to_dict()) == (
        "transfer_reversal", 300, made.id, {"reason": "refund"})
    assert part.id.startswith("trr_") and part.created > 0
    assert too_much.value.http_status == 400 and too_much.value.code is None
    assert (after_part.amount_reversed, after_part.reversed, len(after_part.reversals.data)) == (300, False, 1)
    assert rest.amount == 700
    assert (after_all.amount_reversed, after_all.reversed) == (1000, True)
    assert [r.id for r in after_all.reversals.data] == [part.id, rest.id]
    assert server.available(account) == 0


def test_a_reversal_beyond_the_accounts_balance_is_balance_insufficient(client, server):
    account = connected_account(client, server)
    made = transfer(client, account, 1000)
    server.payout(account, 800)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.transfers.reversals.create(made.id, {"amount": 500})

    assert raised.value.http_status == 400
    assert error_of(raised.value)["type"] == "invalid_request_error"
    assert raised.value.code == "balance_insufficient"
    assert client.v1.transfers.retrieve(made.id).amount_reversed == 0
    assert client.v1.transfers.reversals.create(made.id, {"amount": 200}).amount == 200
    assert server.available(account) == 0


def test_the_connected_balance_is_transfers_minus_reversals_minus_payouts(client, server):
    account = connected_account(client, server)
    other = connected_account(client, server)
    first = transfer(client, account, 1000)
    transfer(client, account, 500)
    transfer(client, other, 77)
    client.v1.transfers.reversals.create(first.id, {"amount": 250})
    server.payout(account, 150)

    balance = client.v1.balance.retrieve(options={"stripe_account": account})

    assert balance.object == "balance"
    assert [(entry.amount, entry.currency) for entry in balance.available] == [(1100, "eur")]
    assert balance.pending == []
    assert server.balance(other)["available"] == [{"amount": 77, "currency": "eur"}]


def test_a_payout_beyond_the_balance_is_refused(client, server):
    account = connected_account(client, server)
    transfer(client, account, 100)

    with pytest.raises(urllib.error.HTTPError) as raised:
        server.payout(account, 101)

    assert raised.value.code == 400
    assert json.loads(raised.value.read())["error"]["code"] == "balance_insufficient"
    assert server.available(account) == 100


# Accounts and onboarding


def test_a_transfer_to_an_account_that_has_not_finished_onboarding_is_refused(client, server):
    account = connected_account(client, server, onboarded=False)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        transfer(client, account, 100)

    assert raised.value.http_status == 400
    assert raised.value.code == "insufficient_capabilities_for_transfer"
    assert client.v1.transfers.list().data == []


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[bytes, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers.get("Stripe-Signature", "")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook_inbox(server: LocalStripe) -> Iterator[list[tuple[bytes, str]]]:
    """Webhook deliveries of `account.updated`, registered with localstripe as a Stripe webhook endpoint."""
    listener = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.received = []
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    form = urllib.parse.urlencode([("url", f"http://127.0.0.1:{listener.server_address[1]}/webhook"),
                                   ("secret", TEST_WEBHOOK_SECRET), ("events[]", "account.updated")]).encode()
    urllib.request.urlopen(urllib.request.Request(f"{server.url}/_config/webhooks/onboarding", data=form),
                           timeout=5)
    try:
        yield _Recorder.received
    finally:
        listener.shutdown()
        listener.server_close()


def delivered_event_for(account: str, inbox: list[tuple[bytes, str]]) -> stripe.Event:
    """The signed event about `account` among the deliveries (earlier tests' events may arrive too: localstripe
    delivers a second after the change, to the endpoints registered by then)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for body, signature in list(inbox):
            event: stripe.Event = stripe.Webhook.construct_event(body.decode(), signature, TEST_WEBHOOK_SECRET)
            if event.account == account:
                return event
        time.sleep(0.1)
    raise AssertionError(f"no event about {account} was delivered")


def test_completing_onboarding_enables_payouts_and_sends_a_signed_account_updated(client, server, webhook_inbox):
    account = connected_account(client, server, onboarded=False)
    before = client.v1.accounts.retrieve(account)

    server.complete_onboarding(account)
    after = client.v1.accounts.retrieve(account)

    assert (before.payouts_enabled, before.charges_enabled, before.details_submitted) == (False, False, False)
    assert before.capabilities is not None and before.capabilities.transfers == "inactive"
    assert (after.payouts_enabled, after.charges_enabled, after.details_submitted) == (True, True, True)
    assert after.capabilities is not None and after.capabilities.transfers == "active"
    event = delivered_event_for(account, webhook_inbox)
    assert (event.type, event.account, event.data.object["id"]) == ("account.updated", account, account)
    assert event.data.object["payouts_enabled"] is True
    assert event.data.previous_attributes is not None
    assert event.data.previous_attributes["payouts_enabled"] is False
    assert transfer(client, account, 100).destination == account
