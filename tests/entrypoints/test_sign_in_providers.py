"""Accounts made with Apple (a private-relay e-mail) or Facebook (no e-mail at all) onboard, save a card, book
and get their receipt like e-mail accounts (issue 20 item 7, D93): sign-up under the rules, set_user_type,
register_device, setup_payment_method (a Stripe customer on localstripe, with the relay address or none),
create_request, the card charged at completion, and the receipt — in the app and by push always, by e-mail
(aiosmtpd) only to an account that has an address."""

from __future__ import annotations

from typing import Any

import pytest

from curbside.domain.enums import RequestStatus
from curbside.services import card_holds
from curbside.store.collections import Collection, doc_path, private_doc_path
from main import complete_job, create_request, register_device, set_user_type, setup_payment_method
from tests.entrypoints.test_completions import completion_payload, intent_of
from tests.entrypoints.test_payments import attached_card
from tests.entrypoints.test_requests_create import create_data
from tests.payment_world import technician_with_account, upload_completion_photos
from tests.request_world import OUTSIDE_ZONES, stored, upload_photo

pytestmark = pytest.mark.usefixtures("stripe_deps")

RELAY = "x7k2m9qpzt@privaterelay.appleid.com"
APPLE = {"email": RELAY, "email_verified": True,
         "firebase": {"sign_in_provider": "apple.com", "identities": {"apple.com": ["001234.abcd"],
                                                                     "email": [RELAY]}}}
FACEBOOK = {"name": "Jo Facebook",
            "firebase": {"sign_in_provider": "facebook.com", "identities": {"facebook.com": ["10160000000000"]}}}
"""A Facebook account whose person shared no e-mail: the token has no `email` claim at all."""


def onboard_and_book(db, call, *, as_user, bucket, localstripe, stripe_deps, uid: str, token: dict[str, Any],
                     app_email: str) -> tuple[str, str]:
    """What the client app does, as that account: sign up, choose client, register the phone, save a card,
    book; then a technician does the job. Returns the Stripe customer id and the job id."""
    signup = as_user(uid, **token).create(doc_path(Collection.USERS, uid), {"email": app_email, "uid": uid})
    assert signup.status == 200, signup.body
    assert call(set_user_type, {"user_type": "client"}, uid=uid, **token).status == 200
    device = {"fcm_token": f"fcm-token-of-{uid}", "platform": "ios"}
    assert call(register_device, device, uid=uid, **token).status == 200
    setup = call(setup_payment_method, {}, uid=uid, **token)
    assert setup.status == 200, setup.body
    customer_id = str(setup.result["customer_id"])
    card = attached_card(localstripe, customer_id)
    db.document(private_doc_path(Collection.CLIENT_PROFILES, uid)).update({"payment_method": card["id"]})
    photo = upload_photo(bucket, uid, name="front.jpg")
    booked = call(create_request, create_data([photo]), uid=uid, **token)
    assert booked.status == 200, booked.body
    job = str(booked.result["request_id"])

    technician_with_account(db, call, localstripe)
    db.document(doc_path(Collection.SERVICE_REQUESTS, job)).update(  # accepted and started (tested elsewhere)
        {"status": RequestStatus.IN_PROGRESS.value, "dispatcher_id": "uid-dispatcher", "dispatcher_name": "Sam"})
    assert card_holds.follow_request(stripe_deps, job) == "authorization_authorized"
    done = call(complete_job, completion_payload(upload_completion_photos(bucket, job), OUTSIDE_ZONES, job),
                uid="uid-dispatcher")
    assert done.status == 200, done.body
    return customer_id, job


def receipt_of(db, uid: str, job: str) -> dict[str, Any]:
    return stored(db, Collection.NOTIFICATIONS, f"payment_processed:receipt:{job}:{uid}")


def test_an_apple_account_with_a_private_relay_address_books_and_gets_its_receipt_by_email(
        db, call, *, as_user, bucket, localstripe, stripe_deps, push, mail_server):
    customer_id, job = onboard_and_book(db, call, as_user=as_user, bucket=bucket, localstripe=localstripe,
                                        stripe_deps=stripe_deps, uid="uid-apple", token=APPLE, app_email=RELAY)

    assert localstripe.get(f"/v1/customers/{customer_id}")["email"] == RELAY
    assert stored(db, Collection.USERS, "uid-apple")["email"] == RELAY
    assert intent_of(localstripe, db, job)["amount_received"] == round(stored(
        db, Collection.SERVICE_REQUESTS, job)["final_price"] * 100)
    receipt = receipt_of(db, "uid-apple", job)
    assert receipt["title"] == "Receipt" and "charged to your card" in receipt["body"]
    assert sorted(receipt["delivered_via"]) == ["email", "push"]
    assert [mail.to for mail in mail_server.received if mail.subject == "Receipt"] == [(RELAY,)]
    assert [sent.tokens for sent in push.sent if sent.message.title == "Receipt"] == [("fcm-token-of-uid-apple",)]


def test_a_facebook_account_without_an_email_books_and_gets_its_receipt_in_the_app_and_by_push(
        db, call, *, as_user, bucket, localstripe, stripe_deps, push, mail_server):
    customer_id, job = onboard_and_book(db, call, as_user=as_user, bucket=bucket, localstripe=localstripe,
                                        stripe_deps=stripe_deps, uid="uid-facebook", token=FACEBOOK,
                                        app_email="")  # FlutterFlow writes "" for an account without e-mail

    assert localstripe.get(f"/v1/customers/{customer_id}").get("email") in (None, "")
    assert stored(db, Collection.USERS, "uid-facebook")["email"] == ""
    assert intent_of(localstripe, db, job)["status"] == "succeeded"
    receipt = receipt_of(db, "uid-facebook", job)
    assert receipt["title"] == "Receipt" and receipt["delivered_via"] == ["push"]
    assert [sent.tokens for sent in push.sent if sent.message.title == "Receipt"] == [("fcm-token-of-uid-facebook",)]
    assert [mail for mail in mail_server.received if mail.subject == "Receipt"] == []
