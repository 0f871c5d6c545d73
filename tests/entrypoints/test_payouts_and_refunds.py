"""Technician payouts (create_payout_account, waiting for onboarding, account.updated through the signed
webhook), cancellations' money (cancel_request + what on_request_updated runs), a client without a card, and
refunds with transfer reversals — through the deployed functions and the services, with the production Stripe
gateway against a real localstripe, on the Firestore and Storage emulators.

Every scenario ends with the ledger identity: captured - refunded = paid out + fee - loss + held."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from curbside.deps import Deps
from curbside.domain.clock import FixedClock
from curbside.domain.enums import NotificationType, RequestStatus
from curbside.domain.errors import InvalidInput, WrongState
from curbside.services import card_holds, completions, refunds
from curbside.services.notifications import notification_id
from curbside.store.collections import Collection, private_doc_path
from devstack.payments_flow import signature as stripe_signature
from main import cancel_request, create_payout_account, review_dispatcher
from tests.entrypoints.test_payments import deliver, event_body
from tests.factories import CLIENT_ID, DISPATCHER_ID
from tests.payment_world import (
    APP_REFRESH_URL,
    APP_RETURN_URL,
    add_job_in_progress,
    assert_ledger_balanced,
    client_with_saved_card,
    complete,
    earnings_of,
    ledger_of,
    ledger_sums,
    payment_of,
    technician_with_account,
)
from tests.payments_server import LocalStripe
from tests.request_world import add_client, add_dispatcher, add_job, everything, stored

pytestmark = pytest.mark.usefixtures("stripe_deps")

JOB = "job-1"
PRICE_MINOR = 5600
FEE_MINOR = 840
SHARE_MINOR = PRICE_MINOR - FEE_MINOR
LATE_FEE_MINOR = 1000


def private_of_technician(db, uid: str = DISPATCHER_ID) -> dict[str, Any]:
    return db.document(private_doc_path(Collection.DISPATCHER_PROFILES, uid)).get().to_dict() or {}


def intent_of(localstripe: LocalStripe, db, request_id: str = JOB) -> dict[str, Any]:
    return localstripe.get(f"/v1/payment_intents/{payment_of(db, request_id)['payment_intent_id']}")


def transfers_to(localstripe: LocalStripe, account_id: str) -> list[dict[str, Any]]:
    return [t for t in localstripe.get("/v1/transfers")["data"] if t["destination"] == account_id]


def refunds_of(localstripe: LocalStripe, db, request_id: str = JOB) -> list[dict[str, Any]]:
    intent_id = payment_of(db, request_id)["payment_intent_id"]
    return [r for r in localstripe.get("/v1/refunds")["data"] if r["payment_intent"] == intent_id]


def posts_to(localstripe: LocalStripe, path_start: str) -> list[dict[str, Any]]:
    return [entry for entry in localstripe.requests_log() if entry["path"].startswith(path_start)]


def deliver_event(event_id: str, event_type: str, obj: dict[str, Any], created: int | None = None
                  ) -> tuple[int, str]:
    body = event_body(event_id, event_type, obj, created)
    return deliver(body, stripe_signature(body))


# --- create_payout_account -------------------------------------------------------------------------------


URLS = {"return_url": APP_RETURN_URL, "refresh_url": APP_REFRESH_URL}


def test_a_technician_gets_an_onboarding_link_and_their_account_is_stored(db, call, localstripe):
    add_dispatcher(db)

    response = call(create_payout_account, URLS, uid=DISPATCHER_ID)

    assert response.status == 200
    account_id = private_of_technician(db)["stripe_account_id"]
    assert account_id.startswith("acct_")
    assert response.result == {"onboarding_url": f"{localstripe.url}/connect/onboarding/{account_id}"}
    account = localstripe.get(f"/v1/accounts/{account_id}")
    assert account["metadata"] == {"uid": DISPATCHER_ID} and account["type"] == "express"
    assert account["payouts_enabled"] is False
    assert private_of_technician(db).get("payouts_enabled") in (None, False)  # only account.updated says so


def test_a_second_call_reuses_the_account_with_a_fresh_link(db, call, localstripe):
    add_dispatcher(db)
    first = call(create_payout_account, URLS, uid=DISPATCHER_ID).result
    account_id = private_of_technician(db)["stripe_account_id"]

    second = call(create_payout_account, {"return_url": "http://localhost:8080/done",
                                          "refresh_url": "http://127.0.0.1:8080/retry"}, uid=DISPATCHER_ID)

    assert second.status == 200 and second.result == first
    assert private_of_technician(db)["stripe_account_id"] == account_id
    assert [entry["path"] for entry in posts_to(localstripe, "/v1/accounts")] == ["/v1/accounts"]
    assert len(posts_to(localstripe, "/v1/account_links")) == 2


def test_a_client_cannot_have_a_payout_account(db, call, localstripe):
    add_client(db)
    before = everything(db)

    response = call(create_payout_account, URLS, uid=CLIENT_ID)

    assert response.status == 403 and response.error == "PERMISSION_DENIED"
    assert everything(db) == before
    assert posts_to(localstripe, "/v1/accounts") == []


@pytest.mark.parametrize("urls", [
    pytest.param({"return_url": "http://app.example/done", "refresh_url": APP_REFRESH_URL}, id="http-not-local"),
    pytest.param({"return_url": APP_RETURN_URL, "refresh_url": "not a url"}, id="not-a-url"),
    pytest.param({"return_url": "ftp://app.example/done", "refresh_url": APP_REFRESH_URL}, id="ftp"),
    pytest.param({"return_url": "https://", "refresh_url": APP_REFRESH_URL}, id="no-host"),
    pytest.param({"return_url": APP_RETURN_URL}, id="missing"),
    pytest.param({**URLS, "payouts_enabled": True}, id="extra-field"),
])
def test_bad_urls_are_invalid_and_write_nothing(db, call, localstripe, urls):
    add_dispatcher(db)
    before = everything(db)

    response = call(create_payout_account, urls, uid=DISPATCHER_ID)

    assert response.status == 400 and response.error == "INVALID_ARGUMENT"
    assert everything(db) == before
    assert posts_to(localstripe, "/v1/accounts") == []


def test_signed_out_cannot_create_a_payout_account(db, call, localstripe):
    add_dispatcher(db)

    response = call(create_payout_account, URLS)

    assert response.status == 401 and response.error == "UNAUTHENTICATED"
    assert posts_to(localstripe, "/v1/accounts") == []


# --- money waiting for the technician's payout account ------------------------------------------------------


@pytest.fixture
def card(db, call, localstripe) -> str:
    return client_with_saved_card(db, call, localstripe)


def completed_job(deps: Deps, db, bucket, request_id: str = JOB) -> str:
    """An in-progress job, its card held (on_request_updated), then completed from its address."""
    add_job_in_progress(db, request_id)
    assert card_holds.follow_request(deps, request_id) == "authorization_authorized"
    complete(deps, bucket, request_id)
    return request_id


def test_released_money_waits_for_onboarding_and_account_updated_sends_it(db, call, *, bucket, stripe_deps, card,
        localstripe):
    account_id = technician_with_account(db, call, localstripe, onboarded=False)
    completed_job(stripe_deps, db, bucket)

    assert call(review_dispatcher, {"request_id": JOB, "rating": 5}, uid=CLIENT_ID).status == 200

    payment = payment_of(db, JOB)
    assert payment["payout_status"] == "awaiting_payout_account"
    assert (payment["held_minor"], payment["paid_out_minor"]) == (PRICE_MINOR, 0)
    earnings = earnings_of(db)
    assert (earnings["pending_minor"], earnings["awaiting_minor"], earnings["paid_minor"]) == (0, SHARE_MINOR, 0)
    assert earnings["awaiting_payout_account"] == 47.60
    assert transfers_to(localstripe, account_id) == []
    assert_ledger_balanced(db, JOB)

    account = localstripe.complete_onboarding(account_id)
    status, text = deliver_event("evt_acct_ready", "account.updated", account)

    assert (status, text) == (200, "applied")
    assert private_of_technician(db)["payouts_enabled"] is True
    [transfer] = transfers_to(localstripe, account_id)
    assert transfer["amount"] == SHARE_MINOR and transfer["metadata"] == {"request_id": JOB}
    payment = payment_of(db, JOB)
    assert payment["payout_status"] == "paid" and payment["transfer_id"] == transfer["id"]
    earnings = earnings_of(db)
    assert (earnings["pending_minor"], earnings["awaiting_minor"], earnings["paid_minor"]) == (0, 0, SHARE_MINOR)
    assert earnings["awaiting_payout_account"] == 0.0 and earnings["completed_payments"] == 47.60
    sent = notification_id(NotificationType.PAYMENT_PROCESSED, JOB, DISPATCHER_ID)
    assert stored(db, Collection.NOTIFICATIONS, sent)["title"] == "Payment sent"
    assert_ledger_balanced(db, JOB)

    before = everything(db)
    assert deliver_event("evt_acct_ready", "account.updated", account) == (200, "duplicate")
    assert everything(db) == before
    assert len(transfers_to(localstripe, account_id)) == 1


def test_an_older_account_updated_after_a_newer_one_does_not_disable_payouts(db, call, localstripe):
    account_id = technician_with_account(db, call, localstripe, onboarded=False)
    not_ready = localstripe.get(f"/v1/accounts/{account_id}")
    ready = localstripe.complete_onboarding(account_id)
    now = int(time.time())
    assert deliver_event("evt_new", "account.updated", ready, now) == (200, "applied")
    before = everything(db)

    status, text = deliver_event("evt_old", "account.updated", not_ready, now - 60)

    assert (status, text) == (200, "older_than_stored")
    assert private_of_technician(db)["payouts_enabled"] is True
    after = everything(db)
    assert after.pop(f"{Collection.STRIPE_EVENTS}/evt_old")["outcome"] == "older_than_stored"
    assert after == before


def test_an_account_stripe_refuses_transfers_to_leaves_the_money_waiting(db, call, *, bucket, stripe_deps, card,
        localstripe):
    account_id = technician_with_account(db, call, localstripe, onboarded=False)
    db.document(private_doc_path(Collection.DISPATCHER_PROFILES, DISPATCHER_ID)).update({"payouts_enabled": True})
    completed_job(stripe_deps, db, bucket)

    call(review_dispatcher, {"request_id": JOB, "rating": 5}, uid=CLIENT_ID)

    payment = payment_of(db, JOB)
    assert payment["payout_status"] == "awaiting_payout_account" and payment["transfer_planned_minor"] is None
    assert earnings_of(db)["awaiting_minor"] == SHARE_MINOR
    assert transfers_to(localstripe, account_id) == []
    assert_ledger_balanced(db, JOB)

    # Stripe replays a refused request for the same idempotency key: once onboarding is done, the transfer must
    # go out under a new key, not replay the refusal forever.
    account = localstripe.complete_onboarding(account_id)
    assert deliver_event("evt_acct_now_ready", "account.updated", account) == (200, "applied")

    [transfer] = transfers_to(localstripe, account_id)
    assert transfer["amount"] == SHARE_MINOR
    payment = payment_of(db, JOB)
    assert payment["payout_status"] == "paid" and payment["transfer_id"] == transfer["id"]
    assert (earnings_of(db)["awaiting_minor"], earnings_of(db)["paid_minor"]) == (0, SHARE_MINOR)
    assert_ledger_balanced(db, JOB)


# --- cancellations ---------------------------------------------------------------------------------------


@pytest.fixture
def technician(db, call, localstripe) -> str:
    return technician_with_account(db, call, localstripe)


def held_job(deps: Deps, db, status: RequestStatus) -> str:
    add_job(db, status, id=JOB)
    assert card_holds.follow_request(deps, JOB) == "authorization_authorized"
    return JOB


def test_cancelling_before_en_route_releases_the_card_hold(db, call, *, stripe_deps, card, technician, localstripe):
    held_job(stripe_deps, db, RequestStatus.ACCEPTED)

    response = call(cancel_request, {"request_id": JOB}, uid=CLIENT_ID)
    outcome = card_holds.follow_request(stripe_deps, JOB)

    assert response.status == 200 and outcome == "authorization_cancelled"
    intent = intent_of(localstripe, db)
    assert intent["status"] == "canceled" and intent["amount_received"] == 0
    payment = payment_of(db, JOB)
    assert payment["authorization_status"] == "cancelled" and payment["captured_minor"] == 0
    assert ledger_sums(db, JOB) == {"authorization": PRICE_MINOR, "authorization_cancelled": PRICE_MINOR}
    assert transfers_to(localstripe, technician) == []
    assert card_holds.follow_request(stripe_deps, JOB) == "authorization_cancelled"  # a repeat: nothing more
    assert len(posts_to(localstripe, f"/v1/payment_intents/{intent['id']}/cancel")) == 1
    assert_ledger_balanced(db, JOB)


def test_a_client_cancelling_after_en_route_pays_the_late_fee_to_the_technician(db, call, *, stripe_deps, card,
        technician, localstripe):
    held_job(stripe_deps, db, RequestStatus.EN_ROUTE)

    response = call(cancel_request, {"request_id": JOB}, uid=CLIENT_ID)
    outcome = card_holds.follow_request(stripe_deps, JOB)

    assert response.status == 200 and response.result["cancellation_fee"] == 10.0
    assert outcome == "fee_paid"
    intent = intent_of(localstripe, db)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", LATE_FEE_MINOR)
    assert intent.get("amount_capturable", 0) == 0  # the rest of the hold is released
    [transfer] = transfers_to(localstripe, technician)
    assert transfer["amount"] == LATE_FEE_MINOR - 150
    payment = payment_of(db, JOB)
    assert payment["release_requested"] == "late_cancellation_fee" and payment["payout_status"] == "paid"
    assert (payment["captured_minor"], payment["held_minor"], payment["fee_minor"], payment["paid_out_minor"]) == (
        LATE_FEE_MINOR, 0, 150, LATE_FEE_MINOR - 150)
    assert earnings_of(db)["paid_minor"] == LATE_FEE_MINOR - 150
    assert card_holds.follow_request(stripe_deps, JOB).startswith("authorization_")
    assert len(transfers_to(localstripe, technician)) == 1
    assert_ledger_balanced(db, JOB)


def test_a_technician_cancelling_after_en_route_costs_the_client_nothing(db, call, *, stripe_deps, card, technician,
        localstripe):
    held_job(stripe_deps, db, RequestStatus.EN_ROUTE)

    call(cancel_request, {"request_id": JOB}, uid=DISPATCHER_ID)

    assert card_holds.follow_request(stripe_deps, JOB) == "authorization_cancelled"
    assert intent_of(localstripe, db)["status"] == "canceled"
    assert transfers_to(localstripe, technician) == []
    assert_ledger_balanced(db, JOB)


# --- a client without a saved card ---------------------------------------------------------------------------


def test_without_a_saved_card_the_payment_fails_and_the_client_is_told_once(db, stripe_deps, clock: FixedClock,
                                                                            localstripe):
    add_client(db, card=False)
    add_dispatcher(db)
    add_job(db, RequestStatus.ACCEPTED, id=JOB)

    assert card_holds.follow_request(stripe_deps, JOB) == "authorization_failed"

    payment = payment_of(db, JOB)
    assert payment["authorization_status"] == "failed" and payment["authorization_failure"] == "no_payment_method"
    notes = [snap.to_dict() or {} for snap in db.collection(Collection.NOTIFICATIONS).stream()]
    assert sorted((n["user_id"], n["type"], n["request_id"]) for n in notes) == [
        (CLIENT_ID, NotificationType.PAYMENT_ACTION_REQUIRED.value, JOB),
        (DISPATCHER_ID, NotificationType.JOB_CANCELLED.value, JOB)]  # the job went back to the pool (D28)
    clock.advance(dt.timedelta(minutes=10))
    db.document(doc_path_of_request()).update({"status": RequestStatus.EN_ROUTE.value})

    assert card_holds.follow_request(stripe_deps, JOB) == "authorization_failed"

    assert [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream()] == notes
    assert posts_to(localstripe, "/v1/payment_intents") == []
    assert ledger_of(db, JOB) == []
    assert_ledger_balanced(db, JOB)


def doc_path_of_request() -> str:
    return f"{Collection.SERVICE_REQUESTS}/{JOB}"


# --- refunds ---------------------------------------------------------------------------------------------


@pytest.fixture
def captured(db, bucket, stripe_deps, card, technician: str) -> str:
    completed_job(stripe_deps, db, bucket)
    return technician


def paid(deps: Deps, clock: FixedClock) -> None:
    """48 hours pass without a review: the money goes to the technician."""
    clock.advance(dt.timedelta(hours=48))
    assert completions.auto_approve_completions(deps) == [JOB]


def test_a_partial_refund_before_release_comes_out_of_the_held_money(db, stripe_deps, clock, captured,
                                                                     localstripe):
    refunded = refunds.refund(stripe_deps, JOB, 1000, "goodwill")

    assert (refunded.refund_key, refunded.amount_minor, refunded.refunded_minor) == ("goodwill", 1000, 1000)
    [refund] = refunds_of(localstripe, db)
    assert refund["amount"] == 1000 and refund["metadata"] == {"request_id": JOB, "refund_key": "goodwill"}
    payment = payment_of(db, JOB)
    assert (payment["held_minor"], payment["refunded_minor"], payment["paid_out_minor"]) == (4600, 1000, 0)
    assert payment["payout_status"] == "held" and payment["refunds"] == {"goodwill": 1000}
    assert earnings_of(db)["pending_minor"] == 4600 - 690
    assert ledger_sums(db, JOB).get("reversal") is None
    assert_ledger_balanced(db, JOB)

    paid(stripe_deps, clock)

    [transfer] = transfers_to(localstripe, captured)
    assert transfer["amount"] == 4600 - 690
    assert payment_of(db, JOB)["held_minor"] == 0
    assert_ledger_balanced(db, JOB)


def test_a_refund_after_payout_reverses_the_technicians_share_and_gives_back_the_fee_share(
        db, stripe_deps, clock, captured, localstripe):
    paid(stripe_deps, clock)

    refunds.refund(stripe_deps, JOB, 2800, "half")

    from_technician, from_fee = 2380, 420  # 2800 split as 4760 : 840
    [transfer] = transfers_to(localstripe, captured)
    assert transfer["amount_reversed"] == from_technician
    [reversal] = localstripe.get(f"/v1/transfers/{transfer['id']}/reversals")["data"]
    assert reversal["amount"] == from_technician
    assert localstripe.available(captured) == SHARE_MINOR - from_technician
    assert [r["amount"] for r in refunds_of(localstripe, db)] == [2800]
    payment = payment_of(db, JOB)
    assert (payment["refunded_minor"], payment["paid_out_minor"], payment["fee_minor"], payment["held_minor"]) == (
        2800, SHARE_MINOR - from_technician, FEE_MINOR - from_fee, 0)
    sums = ledger_sums(db, JOB)
    assert (sums["refund"], sums["reversal"], sums["fee"]) == (2800, from_technician, FEE_MINOR - from_fee)
    assert [e["stripe_object_id"] for e in ledger_of(db, JOB) if e["kind"] == "reversal"] == [reversal["id"]]
    assert earnings_of(db)["paid_minor"] == SHARE_MINOR - from_technician
    assert_ledger_balanced(db, JOB)


def test_a_refund_after_the_technician_withdrew_is_the_platforms_loss(db, stripe_deps, clock, captured,
                                                                      localstripe):
    paid(stripe_deps, clock)
    localstripe.payout(captured, SHARE_MINOR)

    refunds.refund(stripe_deps, JOB, 2800, "half")

    [transfer] = transfers_to(localstripe, captured)
    assert transfer["amount_reversed"] == 0
    assert [r["amount"] for r in refunds_of(localstripe, db)] == [2800]
    sums = ledger_sums(db, JOB)
    assert sums["platform_loss"] == 2380 and "reversal" not in sums
    [loss] = [e for e in ledger_of(db, JOB) if e["kind"] == "platform_loss"]
    assert loss["dispatcher_id"] == DISPATCHER_ID and loss["note"]
    payment = payment_of(db, JOB)
    assert (payment["refunded_minor"], payment["paid_out_minor"], payment["fee_minor"]) == (
        2800, SHARE_MINOR, FEE_MINOR - 420 - 2380)
    assert earnings_of(db)["paid_minor"] == SHARE_MINOR  # the technician keeps what they were paid
    assert_ledger_balanced(db, JOB)


def test_refunding_more_than_was_captured_is_invalid_and_changes_nothing(db, stripe_deps, captured,
                                                                         localstripe):
    refunds.refund(stripe_deps, JOB, 5000, "most")
    before = everything(db)

    with pytest.raises(InvalidInput):
        refunds.refund(stripe_deps, JOB, 601, "too-much")
    with pytest.raises(InvalidInput):
        refunds.refund(stripe_deps, JOB, 0, "nothing")

    assert everything(db) == before
    assert [r["amount"] for r in refunds_of(localstripe, db)] == [5000]
    assert_ledger_balanced(db, JOB)


def test_the_same_refund_key_twice_refunds_once(db, stripe_deps, captured, localstripe):
    first = refunds.refund(stripe_deps, JOB, 1000, "dispute-7")
    after_first = everything(db)

    again = refunds.refund(stripe_deps, JOB, 1000, "dispute-7")

    assert again == first
    assert everything(db) == after_first
    assert [r["amount"] for r in refunds_of(localstripe, db)] == [1000]
    assert payment_of(db, JOB)["refunded_minor"] == 1000
    assert_ledger_balanced(db, JOB)


def test_a_full_refund_before_release_leaves_nothing_to_pay_out(db, stripe_deps, clock, captured, localstripe):
    refunds.refund(stripe_deps, JOB, PRICE_MINOR, "all")

    assert payment_of(db, JOB)["payout_status"] == "refunded"
    paid(stripe_deps, clock)

    assert transfers_to(localstripe, captured) == []
    payment = payment_of(db, JOB)
    assert (payment["payout_status"], payment["held_minor"], payment["refunded_minor"]) == ("refunded", 0,
                                                                                            PRICE_MINOR)
    earnings = earnings_of(db)
    assert (earnings["pending_minor"], earnings["awaiting_minor"], earnings["paid_minor"]) == (0, 0, 0)
    assert_ledger_balanced(db, JOB)


def test_nothing_can_be_refunded_before_the_capture(db, stripe_deps, card, technician, localstripe):
    add_job_in_progress(db, JOB)
    card_holds.follow_request(stripe_deps, JOB)
    before = everything(db)

    with pytest.raises(WrongState):
        refunds.refund(stripe_deps, JOB, 100, "early")

    assert everything(db) == before
    assert_ledger_balanced(db, JOB)


# --- Stripe's own reports of what we did, and of what someone did on the dashboard ------------------------


def test_stripes_report_of_our_capture_changes_nothing(db, stripe_deps, captured, localstripe):
    intent = intent_of(localstripe, db)
    before = everything(db)

    status, text = deliver_event("evt_pi_succeeded", "payment_intent.succeeded", intent)

    assert (status, text) == (200, "already_recorded")
    after = everything(db)
    assert after.pop(f"{Collection.STRIPE_EVENTS}/evt_pi_succeeded")["outcome"] == "already_recorded"
    assert after == before
    assert_ledger_balanced(db, JOB)


def test_a_dashboard_refund_after_payout_is_recorded_once_as_the_platforms_loss(db, stripe_deps, clock, captured,
                                                                                localstripe):
    paid(stripe_deps, clock)
    intent = intent_of(localstripe, db)
    refund = localstripe.post("/v1/refunds", {"payment_intent": intent["id"], "amount": "1400"})
    latest = intent["latest_charge"]
    charge = localstripe.get(f"/v1/charges/{latest['id'] if isinstance(latest, dict) else latest}")
    charge["refunds"] = {"object": "list", "data": [refund]}  # as Stripe includes them in charge.refunded

    assert deliver_event("evt_dashboard_refund", "charge.refunded", charge) == (200, "applied")
    assert deliver_event("evt_dashboard_refund", "charge.refunded", charge) == (200, "duplicate")

    payment = payment_of(db, JOB)
    assert payment["refunded_minor"] == 1400 and payment["stripe_refund_ids"] == [refund["id"]]
    sums = ledger_sums(db, JOB)
    assert (sums["refund"], sums["platform_loss"]) == (1400, 1190)  # 1400 split 4760 : 840 -> 1190 + 210
    assert transfers_to(localstripe, captured)[0]["amount_reversed"] == 0
    assert_ledger_balanced(db, JOB)
