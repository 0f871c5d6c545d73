"""The threats of docs/security.md ("Threats we defend against"), attacked through the public entry points —
the deployed callables over the SDK's protocol, the Stripe webhook, the finalize trigger — with the production
Stripe gateway against localstripe. Each test fails on the code before its fix."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

import pytest

from curbside import deps as deps_module
from curbside.domain.enums import AccountStatus, AuthorizationStatus, RequestStatus, VerificationStatus
from curbside.domain.uploads import Problem
from curbside.gateways.payments import StripePayments
from curbside.services import card_holds, uploads
from curbside.services.dispatch_queue import start_dispatch
from curbside.store.collections import Collection, doc_path, private_doc_path
from main import (
    accept_job,
    complete_job,
    create_request,
    list_available_jobs,
    quote_price,
    setup_payment_method,
    update_job_status,
    update_location,
)
from tests.entrypoints.test_payments import attached_card, deliver, event_body
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_job_payment, put
from tests.payment_world import client_with_saved_card, payment_of, upload_completion_photos
from tests.payments_server import TEST_SECRET_KEY, TEST_WEBHOOK_SECRET
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored, upload_photo
from tests.technicians import MELBOURNE, add_technician, north_of, stored_entry

pytestmark = pytest.mark.usefixtures("stripe_deps")

HERE = north_of(NEAR_CBD, 500)
DECLINED = "4000000000000341"
"""Attaches, then declines every charge (Stripe's and localstripe's test card)."""
PRICE_MINOR = 5600


def create_data(photos: list[str], **overrides: Any) -> dict[str, Any]:
    return {"car_model": "Mazda 3", "license_plate": "ABC-123", "location_address": "1 George St, Sydney NSW 2000",
            "location_lat": NEAR_CBD[0], "location_lng": NEAR_CBD[1], "car_location_images": photos,
            **overrides}


def job_of(db, request_id: str) -> dict[str, Any]:
    return stored(db, Collection.SERVICE_REQUESTS, request_id)


@pytest.fixture
def technician(db, clock) -> str:
    return add_technician(db, DISPATCHER_ID, at=HERE, fixed_at=clock.now())


# --- 1. no technician drives out before the job's price is held on the client's card -------------------------


def test_a_client_without_a_saved_card_cannot_book(db, call, bucket):
    add_client(db, card=False)
    photos = [upload_photo(bucket)]
    before = everything(db)

    refused = call(create_request, create_data(photos), uid=CLIENT_ID)

    assert refused.error == "FAILED_PRECONDITION" and "Add a card" in refused.message
    assert everything(db) == before


def test_a_job_accepted_before_its_hold_gets_the_hold_when_the_technician_sets_off(db, call, localstripe,
                                                                                   stripe_deps, technician):
    client_with_saved_card(db, call, localstripe)
    job = add_job(db, RequestStatus.ACCEPTED)  # the status trigger has not placed the hold (yet)

    moved = call(update_job_status, {"request_id": job.id, "status": "en_route", "lat": HERE[0], "lng": HERE[1]},
                 uid=DISPATCHER_ID)

    assert moved.result == {"status": "en_route", "warning": None, "distance_meters": None}
    assert payment_of(db, job.id)["authorization_status"] == "authorized"


def test_a_card_declined_at_acceptance_releases_the_job_and_no_one_drives_out(db, call, localstripe, stripe_deps,
                                                                              technician):
    customer = call(setup_payment_method, {}, uid=add_client(db, card=False)).result["customer_id"]
    declined = attached_card(localstripe, customer, number=DECLINED)["id"]
    db.document(private_doc_path(Collection.CLIENT_PROFILES, CLIENT_ID)).update({"payment_method": declined})
    job = add_job(db, RequestStatus.ACCEPTED)

    assert card_holds.follow_request(stripe_deps, job.id) == "authorization_failed"  # the status trigger

    released = job_of(db, job.id)
    assert (released["status"], released["dispatcher_id"], released["awaiting_payment_method"]) == (
        "pending", None, True)
    assert stored(db, Collection.NOTIFICATIONS, f"job_cancelled:{job.id}:{DISPATCHER_ID}")["title"] == "Job released"
    assert not db.document(doc_path(Collection.JOB_CONTACTS, job.id)).get().exists
    gone = call(update_job_status, {"request_id": job.id, "status": "en_route", "lat": HERE[0], "lng": HERE[1]},
                uid=DISPATCHER_ID)
    assert gone.error == "NOT_FOUND"
    assert not start_dispatch(stripe_deps, job.id), "not offered again while no card can hold the price"
    taken = call(accept_job, {"request_id": job.id}, uid="another")
    assert taken.error in ("FAILED_PRECONDITION", "PERMISSION_DENIED")


def test_a_card_that_works_puts_the_released_job_back_in_dispatch(db, call, *, localstripe, stripe_deps, technician,
                                                                  clock):
    customer = call(setup_payment_method, {}, uid=add_client(db, card=False)).result["customer_id"]
    declined = attached_card(localstripe, customer, number=DECLINED)["id"]
    db.document(private_doc_path(Collection.CLIENT_PROFILES, CLIENT_ID)).update({"payment_method": declined})
    job = add_job(db, RequestStatus.ACCEPTED)
    card_holds.follow_request(stripe_deps, job.id)
    add_technician(db, "fresh", at=north_of(NEAR_CBD, 800), fixed_at=clock.now())

    good = attached_card(localstripe, customer)
    body = event_body("evt_new_card", "payment_method.attached", good)
    assert deliver(body, _signed(body)) == (200, "applied")

    assert job_of(db, job.id)["awaiting_payment_method"] is False
    offers = [snap.to_dict() or {} for snap in db.collection(Collection.JOB_OFFERS).stream()]
    assert [(offer["request_id"], offer["offer_status"]) for offer in offers] == [(job.id, "pending")]


def _signed(body: bytes) -> str:
    from devstack.payments_flow import signature

    return signature(body)


def test_a_hold_too_old_to_last_through_the_job_is_placed_again_before_setting_off(db, call, *, localstripe,
                                                                                  stripe_deps, technician, clock):
    client_with_saved_card(db, call, localstripe)
    job = add_job(db, RequestStatus.ACCEPTED, is_scheduled=True, scheduled_date="2026-11-21",
                  scheduled_time="09:00", scheduled_datetime=clock.now() + dt.timedelta(hours=20))
    assert card_holds.follow_request(stripe_deps, job.id) == "authorization_authorized"
    first_intent = payment_of(db, job.id)["payment_intent_id"]
    clock.advance(dt.timedelta(days=6, hours=1))  # the scheduled day: Stripe drops the hold after 7 days

    moved = call(update_job_status, {"request_id": job.id, "status": "en_route", "lat": HERE[0], "lng": HERE[1]},
                 uid=DISPATCHER_ID)

    assert moved.result["status"] == "en_route"
    payment = payment_of(db, job.id)
    assert payment["authorization_status"] == "authorized" and payment["payment_intent_id"] != first_intent
    assert first_intent in payment["superseded_intents"]
    assert localstripe.get(f"/v1/payment_intents/{first_intent}")["status"] == "canceled"
    assert localstripe.get(f"/v1/payment_intents/{payment['payment_intent_id']}")["amount"] == PRICE_MINOR


def test_with_stripe_unreachable_the_technician_is_told_to_wait(db, call, stripe_deps, technician):
    add_client(db)  # a card on file
    job = add_job(db, RequestStatus.ACCEPTED)
    deps_module.install(dataclasses.replace(stripe_deps, payments=StripePayments(
        api_key=TEST_SECRET_KEY, webhook_secret=TEST_WEBHOOK_SECRET, api_base="http://127.0.0.1:9")))

    waiting = call(update_job_status, {"request_id": job.id, "status": "en_route", "lat": HERE[0], "lng": HERE[1]},
                   uid=DISPATCHER_ID)

    assert waiting.error == "UNAVAILABLE" and "not confirmed" in waiting.message
    assert job_of(db, job.id)["status"] == "accepted"


def test_a_hold_short_of_the_price_is_placed_again_for_the_price(db, call, localstripe, technician, clock):
    client_with_saved_card(db, call, localstripe)
    job = add_job(db, RequestStatus.ACCEPTED)
    put(db, make_job_payment(id=job.id, request_id=job.id, client_id=CLIENT_ID, dispatcher_id=DISPATCHER_ID,
                             amount_minor=100, payment_intent_id="pi_short",
                             authorization_status=AuthorizationStatus.AUTHORIZED, payout_status="none",
                             captured_minor=0, refunded_minor=0, held_minor=0, refunds={}, stripe_refund_ids=[],
                             authorized_at=clock.now()))

    moved = call(update_job_status, {"request_id": job.id, "status": "en_route", "lat": HERE[0], "lng": HERE[1]},
                 uid=DISPATCHER_ID)

    assert moved.result["status"] == "en_route"
    payment = payment_of(db, job.id)
    assert (payment["amount_minor"], payment["superseded_intents"]) == (PRICE_MINOR, ["pi_short"])
    assert localstripe.get(f"/v1/payment_intents/{payment['payment_intent_id']}")["amount"] == PRICE_MINOR


# --- 2. the feed and acceptance follow where the technician really is -----------------------------------------


@pytest.fixture
def sydney_job(db, deps, technician):
    add_client(db)
    return add_job(db, RequestStatus.PENDING, client_name="Alex Client", license_plate="SECRET1",
                   location_address="12 George St, Sydney NSW 2000")


def test_the_feed_searches_around_the_technicians_own_position_not_the_payloads(call, sydney_job):
    in_melbourne = {"lat": MELBOURNE[0], "lng": MELBOURNE[1], "tab": "most_recent"}
    assert call(list_available_jobs, in_melbourne, uid=DISPATCHER_ID).result == {"jobs": []}, \
        "the payload may only narrow the list around the technician"
    [listed] = call(list_available_jobs, {"tab": "most_recent"}, uid=DISPATCHER_ID).result["jobs"]
    assert listed["request_id"] == sydney_job.id


def test_the_feed_shows_the_area_and_distance_not_the_client(call, sydney_job):
    [listed] = call(list_available_jobs, {"tab": "most_recent"}, uid=DISPATCHER_ID).result["jobs"]

    assert listed["location_area"] == "Sydney NSW 2000" and listed["distance_km"] == 0.5
    assert not {"client_name", "license_plate", "location_address"} & set(listed)
    assert "SECRET1" not in json.dumps(listed) and "12 George" not in json.dumps(listed)


def test_a_job_far_from_the_technicians_position_cannot_be_taken_from_the_feed(db, call, clock, sydney_job):
    add_technician(db, "far-away", at=MELBOURNE, fixed_at=clock.now())
    before = everything(db)

    refused = call(accept_job, {"request_id": sydney_job.id}, uid="far-away")

    assert refused.error == "FAILED_PRECONDITION" and "too far" in refused.message
    assert everything(db) == before


def test_a_technician_with_a_stale_position_cannot_take_a_job_or_set_off_without_one(db, call, clock, sydney_job):
    add_technician(db, "stale", at=HERE, fixed_at=clock.now() - dt.timedelta(hours=2))
    assert call(accept_job, {"request_id": sydney_job.id}, uid="stale").error == "FAILED_PRECONDITION"

    job = add_job(db, RequestStatus.ACCEPTED, dispatcher_id="stale")
    nowhere = call(update_job_status, {"request_id": job.id, "status": "en_route"}, uid="stale")
    assert nowhere.error == "FAILED_PRECONDITION" and "location" in nowhere.message


def test_an_offer_shows_the_exact_place_only_while_it_is_open(db, call, deps, clock, sydney_job):
    start_dispatch(deps, sydney_job.id)
    offer_path = doc_path(Collection.JOB_OFFERS, f"{sydney_job.id}:1")
    details = stored(db, Collection.JOB_OFFERS, f"{sydney_job.id}:1")["job_details"]
    assert details["location_address"] == "12 George St, Sydney NSW 2000"
    assert "client_name" not in details and "license_plate" not in details

    clock.advance(dt.timedelta(seconds=61))
    from curbside.services import offers

    offers.expire_offer(deps, f"{sydney_job.id}:1")

    closed = db.document(offer_path).get().to_dict() or {}
    assert closed["offer_status"] == "expired"
    assert not {"location_address", "location_lat", "location_lng", "photo_urls"} & set(closed["job_details"])
    assert closed["job_details"]["location_area"] == "Sydney NSW 2000"


# --- 3. a technician whose verification lapses stops working on the job ---------------------------------------


def test_a_technician_whose_verification_was_withdrawn_cannot_move_or_complete_a_job(db, call, bucket, technician):
    add_client(db)
    job = add_job(db, RequestStatus.IN_PROGRESS)
    db.document(doc_path(Collection.DISPATCHER_PROFILES, DISPATCHER_ID)).update(
        {"verification_status": VerificationStatus.REJECTED.value})
    photos = list(upload_completion_photos(bucket, job.id))
    before = everything(db)

    completing = call(complete_job, {"request_id": job.id, "completion_images": photos, "lat": NEAR_CBD[0],
                                     "lng": NEAR_CBD[1]}, uid=DISPATCHER_ID)
    moving = call(update_job_status, {"request_id": add_job(db, RequestStatus.ACCEPTED).id, "status": "en_route",
                                      "lat": HERE[0], "lng": HERE[1]}, uid=DISPATCHER_ID)

    assert completing.error == moving.error == "PERMISSION_DENIED"
    assert "verification" in completing.message
    assert job_of(db, job.id) == before[doc_path(Collection.SERVICE_REQUESTS, job.id)]


# --- 4. a shadow ban cannot be told from the refusals ---------------------------------------------------------


@pytest.mark.parametrize("verification", [VerificationStatus.PENDING, VerificationStatus.VERIFIED])
def test_a_shadow_banned_technician_is_refused_exactly_as_an_active_one(db, call, clock, sydney_job,
                                                                       verification):
    add_technician(db, "active", at=HERE, fixed_at=clock.now(), verification=verification)
    add_technician(db, "shadow", at=HERE, fixed_at=clock.now(), verification=verification,
                   account_status=AccountStatus.SHADOW_BANNED)
    add_technician(db, "far-shadow", at=MELBOURNE, fixed_at=clock.now(), verification=verification,
                   account_status=AccountStatus.SHADOW_BANNED)
    add_technician(db, "far-active", at=MELBOURNE, fixed_at=clock.now(), verification=verification)

    far = (call(accept_job, {"request_id": sydney_job.id}, uid="far-active"),
           call(accept_job, {"request_id": sydney_job.id}, uid="far-shadow"))
    assert (far[0].error, far[0].message) == (far[1].error, far[1].message)
    shadow = call(accept_job, {"request_id": sydney_job.id}, uid="shadow")
    if verification is VerificationStatus.PENDING:
        active = call(accept_job, {"request_id": sydney_job.id}, uid="active")
        assert (shadow.error, shadow.message) == (active.error, active.message) == (
            "PERMISSION_DENIED", "Finish your verification before accepting jobs.")
    else:
        assert shadow.error == "FAILED_PRECONDITION" and "taken" in shadow.message


# --- 5. identity comes from the token -------------------------------------------------------------------------


def test_stripe_gets_the_email_of_the_id_token_not_of_the_users_document(db, call, localstripe):
    add_client(db, card=False)
    db.document(doc_path(Collection.USERS, CLIENT_ID)).update({"email": "victim@example.com"})

    customer_id = call(setup_payment_method, {}, uid=CLIENT_ID, email="alex@example.com").result["customer_id"]

    assert localstripe.get(f"/v1/customers/{customer_id}")["email"] == "alex@example.com"


# --- 6. Storage ----------------------------------------------------------------------------------------------


def test_a_jobs_photos_are_copied_to_its_own_create_only_folder(db, call, bucket, clock):
    add_client(db)  # a card on file: no Stripe call happens before acceptance
    photos = [upload_photo(bucket, name="front.jpg"), upload_photo(bucket, name="side.jpg")]

    created = call(create_request, create_data(photos, request_key="photos-once"), uid=CLIENT_ID).result

    request_id = created["request_id"]
    kept = job_of(db, request_id)["car_location_images"]
    assert kept == [f"users/{CLIENT_ID}/request_photos/{request_id}/1-front.jpg",
                    f"users/{CLIENT_ID}/request_photos/{request_id}/2-side.jpg"]
    assert [bucket.blob(path).exists() for path in kept] == [True, True], "copied right after the commit"
    assert stored(db, Collection.OUTBOX, f"copy_request_photos:{request_id}")["status"] == "done"


def test_the_offered_technician_sees_the_photos_through_short_lived_links(db, call, *, deps, bucket, clock,
                                                                         technician):
    add_client(db)
    photo = upload_photo(bucket, folder="request_photos/job-1", name="1-front.jpg")
    add_job(db, RequestStatus.PENDING, id="job-1", car_location_images=[photo])

    start_dispatch(deps, "job-1")

    [link] = stored(db, Collection.JOB_OFFERS, "job-1:1")["job_details"]["photo_urls"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)
    assert query["X-Goog-Expires"] == [str(int((deps.settings.dispatch.offer_ttl + dt.timedelta(minutes=1))
                                               .total_seconds()))]
    with urllib.request.urlopen(link, timeout=5) as answer:
        assert answer.read() == bucket.blob(photo).download_as_bytes()


def test_an_upload_beyond_the_persons_quota_is_quarantined(db, deps, bucket):
    add_client(db)
    small = dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, upload_quota_bytes=1000))
    upload_photo(bucket, name="first.jpg")
    path = upload_photo(bucket, name="second.jpg", data=b"\xff\xd8\xff\xe0" + bytes(1200))

    verdict = uploads.check_upload(small, uploads.UploadedObject(bucket.name, path, 1204, "image/jpeg", 1))

    assert verdict.outcome is uploads.Outcome.QUARANTINED
    assert verdict.problems == (Problem.QUOTA_EXCEEDED,)


# --- 7. smaller ones ------------------------------------------------------------------------------------------


def test_a_position_thousands_of_km_from_the_last_one_seconds_later_is_refused(db, call, clock, technician):
    before = stored_entry(db, DISPATCHER_ID)
    jump = {"lat": -31.9523, "lng": 115.8613, "accuracy_m": 5.0,  # Perth, 3,300 km from Sydney
            "recorded_at": (clock.now() + dt.timedelta(seconds=20)).isoformat()}
    clock.advance(dt.timedelta(seconds=20))

    refused = call(update_location, jump, uid=DISPATCHER_ID)

    assert refused.error == "INVALID_ARGUMENT" and "not a drive" in refused.message
    assert stored_entry(db, DISPATCHER_ID) == before


def test_free_text_is_stored_without_control_characters_or_direction_overrides(db, call, bucket):
    add_client(db)
    notes = "Gate code 1234\u202e4321\u0000 <b>ring twice</b>\u0007\nthanks"

    created = call(create_request, create_data([upload_photo(bucket)], notes=notes), uid=CLIENT_ID).result

    assert job_of(db, created["request_id"])["notes"] == "Gate code 12344321 <b>ring twice</b>\nthanks"


@pytest.mark.parametrize(("function", "data", "raw"), [
    (update_location, {"lat": 0.0, "lng": 0.0, "recorded_at": "0001-01-01T00:00:00+01:00"}, None),
    (accept_job, {"request_id": "__reserved__"}, None),
    (quote_price, None, "{\"data\": {"),
    (quote_price, None, "{\"data\": " + "[" * 5000 + "]" * 5000 + "}"),
])
def test_malformed_input_is_an_invalid_argument_not_an_internal_error(db, call, *, technician, function, data,
                                                                     raw):
    add_client(db)
    before = everything(db)

    refused = call(function, data, uid=DISPATCHER_ID, body=raw)

    assert (refused.status, refused.error) == (400, "INVALID_ARGUMENT")
    assert everything(db) == before


# --- 8. defence in depth --------------------------------------------------------------------------------------


def test_a_revoked_session_cannot_move_money_but_can_still_read(db, call, bucket, auth_admin, clock):
    add_client(db)
    photos = [upload_photo(bucket)]
    auth_admin.revoke(CLIENT_ID, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))

    refused = call(create_request, create_data(photos), uid=CLIENT_ID)
    quoted = call(quote_price, {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1]}, uid=CLIENT_ID)

    assert refused.error == "UNAUTHENTICATED" and "sign in again" in refused.message
    assert quoted.status == 200 and Decimal(str(quoted.result["final_price"])) > 0


def test_production_refuses_to_start_with_an_emulator_variable():
    from curbside.bootstrap import refuse_emulators_outside_demo

    with pytest.raises(RuntimeError, match="FIRESTORE_EMULATOR_HOST"):
        refuse_emulators_outside_demo("curbside-prod", {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080"})
    refuse_emulators_outside_demo("demo-curbside", {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080"})
    refuse_emulators_outside_demo("curbside-prod", {"FIRESTORE_EMULATOR_HOST": "x", "FUNCTIONS_EMULATOR": "true"})
    refuse_emulators_outside_demo("curbside-prod", {})
