"""quote_price and create_request through their deployed entry points: the server's price (the spec's example
to the cent), every validation refusal (nothing written), the caller's role and account, and rewards —
including twenty simultaneous requests naming one redemption."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from typing import Any

import pytest

from curbside.domain.enums import LoyaltyTier, RewardType
from curbside.store.collections import Collection
from main import create_request, quote_price
from tests.factories import CLIENT_ID, make_pricing_rule, put
from tests.request_world import (
    NEAR_CBD,
    OUTSIDE_ZONES,
    add_client,
    add_dispatcher,
    add_redemption,
    add_spec_rules,
    everything,
    stored,
    upload_photo,
)
from tests.technicians import add_calendar

TUESDAY_5_30_PM_SYDNEY = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
"""The clock for the spec's example: peak hours in Sydney (UTC+11)."""
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
"""The default FixedClock: Friday 20 Nov, 20:00 in Sydney."""


@pytest.fixture
def client(db, deps):
    add_client(db)
    add_spec_rules(db)
    return CLIENT_ID


@pytest.fixture
def bookable(db, client):
    """A technician near the client free all week: a scheduled job reserves their time (D112)."""
    return add_calendar(db, "tech-open-all-week", at=OUTSIDE_ZONES)


@pytest.fixture
def photos(bucket):
    return [upload_photo(bucket, name="front.jpg"), upload_photo(bucket, name="side.jpg")]


def create_data(photos: list[str], **overrides: Any) -> dict[str, Any]:
    return {
        "car_model": "Mazda 3", "license_plate": "ABC-123", "location_address": "1 George St, Sydney",
        "location_lat": OUTSIDE_ZONES[0], "location_lng": OUTSIDE_ZONES[1], "car_location_images": photos,
        "is_urgent": False, "is_scheduled": False, **overrides,
    }


# --- the price ---------------------------------------------------------------------------------------------


def test_quote_price_gives_the_spec_example_to_the_cent(db, call, client, clock):
    clock.current = TUESDAY_5_30_PM_SYDNEY
    redemption = add_redemption(db, amount="10.00")

    response = call(quote_price, {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "is_urgent": True, "is_scheduled": False,
                                  "reward_redemption_id": redemption}, uid=client)

    assert response.result == {
        "base_price": 33.0,
        "lines": [{"code": "urgency", "label": "Urgency (50%)", "amount": 16.5},
                  {"code": "location_premium", "label": "Location Premium (30%)", "amount": 9.9},
                  {"code": "time_of_day", "label": "Peak Hours (20%)", "amount": 6.6}],
        "subtotal": 66.0, "reward_discount": 10.0, "final_price": 56.0, "currency": "EUR",
        "tax": {"name": "GST", "rate_percent": 10.0, "prices_include_tax": True, "amount": 5.09},  # 56 x 10/110
    }
    assert stored(db, Collection.REWARD_REDEMPTIONS, redemption)["status"] == "active"  # quoting uses nothing


def test_quote_price_for_a_scheduled_slot_prices_the_slot_not_now(call, client):
    response = call(quote_price, {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "is_scheduled": True,
                                  "scheduled_date": "2026-11-24", "scheduled_time": "17:30"}, uid=client)

    lines = {line["code"]: line["amount"] for line in response.result["lines"]}
    assert lines == {"location_premium": 9.9, "time_of_day": 6.6, "scheduled_discount": -7.43}  # 7.425 half-up
    assert response.result["final_price"] == 42.07


def test_create_request_prices_it_server_side_and_stores_the_spec_fields(db, call, client, photos, clock):
    clock.current = TUESDAY_5_30_PM_SYDNEY
    redemption = add_redemption(db, amount="10.00")

    response = call(create_request, create_data(photos, location_lat=NEAR_CBD[0], location_lng=NEAR_CBD[1],
                                                is_urgent=True, notes="Blue door.",
                                                reward_redemption_id=redemption), uid=client)

    result = response.result
    assert result["status"] == "pending" and result["final_price"] == 56.0
    assert result["breakdown"]["subtotal"] == 66.0 and len(result["breakdown"]["lines"]) == 3
    job = stored(db, Collection.SERVICE_REQUESTS, result["request_id"])
    assert job["client_id"] == client and job["client_name"] == "Alex Client" and job["client_rating"] == 4.9
    assert (job["base_price"], job["price"], job["reward_discount"], job["final_price"]) == (33.0, 66.0, 10.0, 56.0)
    assert (job["urgency_multiplier"], job["location_multiplier"]) == (1.5, 1.3)
    assert job["reward_applied"] is True and job["reward_redemption_id"] == redemption
    request_id = response.result["request_id"]  # the photos are kept in the job's own folder (copied there)
    assert job["car_location_images"] == [f"users/{CLIENT_ID}/request_photos/{request_id}/{n}-{name}"
                                          for n, name in ((1, "front.jpg"), (2, "side.jpg"))]
    assert job["notes"] == "Blue door."
    assert job["scheduled_datetime"] is None and job["becomes_available_at"] is None
    assert job["created_date"] == TUESDAY_5_30_PM_SYDNEY and job["dispatcher_id"] is None
    used = stored(db, Collection.REWARD_REDEMPTIONS, redemption)
    assert used["status"] == "used" and used["used_on_request_id"] == result["request_id"]
    assert used["used_at"] == TUESDAY_5_30_PM_SYDNEY


def test_a_scheduled_request_waits_until_24_hours_before_its_slot(db, call, client, bookable, photos):
    response = call(create_request, create_data(photos, is_scheduled=True, scheduled_date="2026-11-25",
                                                scheduled_time="09:00", time_zone="Australia/Brisbane"), uid=client)

    job = stored(db, Collection.SERVICE_REQUESTS, response.result["request_id"])
    assert response.result["status"] == "scheduled" and job["status"] == "scheduled"
    assert (job["scheduled_date"], job["scheduled_time"]) == ("2026-11-25", "09:00")
    assert job["scheduled_datetime"] == dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)  # Brisbane is UTC+10
    assert job["becomes_available_at"] == dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)
    assert job["final_price"] == 28.05  # 33.00 - 15%


def test_a_slot_less_than_24_hours_ahead_goes_to_technicians_at_once(db, call, client, bookable, photos):
    response = call(create_request, create_data(photos, is_scheduled=True, scheduled_date="2026-11-21",
                                                scheduled_time="09:00"), uid=client)
    assert response.result["status"] == "pending"
    assert stored(db, Collection.SERVICE_REQUESTS, response.result["request_id"])["is_scheduled"] is True


def test_the_client_cannot_send_a_price(db, call, client, photos):
    before = everything(db)
    response = call(create_request, create_data(photos, final_price=1.0), uid=client)
    assert response.error == "INVALID_ARGUMENT" and "final_price: is not an accepted field" in response.message
    assert everything(db) == before


# --- validation: every field ------------------------------------------------------------------------------

CASES = [
    ({"car_model": ""}, "car_model"),
    ({"car_model": "x" * 81}, "car_model"),
    ({"license_plate": "<script>"}, "license_plate"),
    ({"license_plate": "A" * 17}, "license_plate"),
    ({"location_address": "x"}, "location_address"),
    ({"location_lat": 91.0}, "location_lat"),
    ({"location_lng": -180.5}, "location_lng"),
    ({"location_lat": "-33.8"}, "location_lat"),
    ({"location_lat": None}, "location_lat"),
    ({"is_urgent": "yes"}, "is_urgent"),
    ({"car_location_images": []}, "car_location_images"),
    ({"car_location_images": [f"users/{CLIENT_ID}/car_photos/{n}.jpg" for n in range(5)]}, "car_location_images"),
    ({"is_scheduled": True}, "scheduled_date and scheduled_time"),
    ({"scheduled_date": "2026-11-25", "scheduled_time": "09:00"}, "only for a scheduled job"),
    ({"is_scheduled": True, "scheduled_date": "25/11/2026", "scheduled_time": "09:00"}, "scheduled_date"),
    ({"is_scheduled": True, "scheduled_date": "2026-02-30", "scheduled_time": "09:00"}, "scheduled_date"),
    ({"is_scheduled": True, "scheduled_date": "2026-11-25", "scheduled_time": "9am"}, "scheduled_time"),
    ({"is_scheduled": True, "scheduled_date": "2026-12-21", "scheduled_time": "09:00"}, "30 days ahead"),
    ({"is_scheduled": True, "scheduled_date": "2026-11-19", "scheduled_time": "09:00"}, "scheduled_date"),
    ({"is_scheduled": True, "scheduled_date": "2026-11-25", "scheduled_time": "06:30"}, "07:00 to 21:00"),
    ({"is_scheduled": True, "scheduled_date": "2026-11-25", "scheduled_time": "21:30"}, "07:00 to 21:00"),
    ({"is_scheduled": True, "scheduled_date": "2026-11-25", "scheduled_time": "10:15"}, "30-minute slot"),
    ({"is_scheduled": True, "scheduled_date": "2026-11-20", "scheduled_time": "19:00"}, "already passed"),
    ({"notes": "x" * 501}, "notes"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"reward_redemption_id": "a/b"}, "reward_redemption_id"),
    ({"status": "accepted"}, "status: is not an accepted field"),
    ({"request_key": "short"}, "request_key"),
    ({"request_key": "tap 1/2 of the button"}, "request_key"),
]


@pytest.mark.parametrize("case", CASES, ids=[fragment for _, fragment in CASES])
def test_every_bad_field_is_refused_and_nothing_is_written(db, call, client, photos, case):
    overrides, fragment = case
    before = everything(db)

    response = call(create_request, create_data(photos, **overrides), uid=client)

    assert response.status == 400 and response.error == "INVALID_ARGUMENT"
    assert fragment in response.message
    assert everything(db) == before


@pytest.mark.parametrize("case", [
    ({}, "lat: Field required"),
    ({"lat": -91.0, "lng": 151.2}, "lat"),
    ({"lat": -33.8, "lng": 181.0}, "lng"),
    ({"lat": -33.8, "lng": 151.2, "is_scheduled": True}, "scheduled_date and scheduled_time"),
    ({"lat": -33.8, "lng": 151.2, "is_scheduled": True, "scheduled_date": "2026-12-25",
      "scheduled_time": "10:00"}, "30 days ahead"),
    ({"lat": -33.8, "lng": 151.2, "time_zone": "Sydney"}, "time_zone"),
    ({"lat": -33.8, "lng": 151.2, "price": 1.0}, "price: is not an accepted field"),
], ids=lambda case: case[1])
def test_quote_price_validates_like_create_request(call, client, case):
    data, fragment = case
    response = call(quote_price, data, uid=client)
    assert response.error == "INVALID_ARGUMENT" and fragment in response.message


def test_the_thirty_day_limit_is_inclusive(call, client, bookable, photos):
    last_day = call(create_request, create_data(photos, is_scheduled=True, scheduled_date="2026-12-20",
                                                scheduled_time="21:00"), uid=client)
    assert last_day.result["status"] == "scheduled"


@pytest.fixture
def bad_uploads(bucket):
    upload_photo(bucket, uid="someone-else")
    upload_photo(bucket, folder="profile_photos", name="me.jpg")
    upload_photo(bucket, name="notes.jpg", data=b"just some text, not a photo", content_type="image/jpeg")
    upload_photo(bucket, name="lying.png", content_type="image/png")  # JPEG bytes declared as PNG


@pytest.mark.parametrize("case", [
    ("users/someone-else/car_photos/front.jpg", "upload the photo to users/uid-client/car_photos/"),
    ("users/uid-client/profile_photos/me.jpg", "upload the photo to users/uid-client/car_photos/"),
    ("users/uid-client/car_photos/../../x.jpg", "upload the photo to"),
    ("https://example.com/car.jpg", "upload the photo to"),
    ("users/uid-client/car_photos/missing.jpg", "there is no uploaded file"),
    ("users/uid-client/car_photos/notes.jpg", "is not a JPEG, PNG, WebP or HEIC photo"),
    ("users/uid-client/car_photos/lying.png", "is not a JPEG, PNG, WebP or HEIC photo"),
], ids=lambda case: case[1])
@pytest.mark.usefixtures("bad_uploads")
def test_photos_must_be_the_callers_own_uploaded_images(db, call, client, photos, case):
    photo, fragment = case
    before = everything(db)

    response = call(create_request, create_data([photos[0], photo]), uid=client)

    assert response.error == "INVALID_ARGUMENT" and fragment in response.message
    assert "car_location_images[1]" in response.message
    assert everything(db) == before


def test_the_same_photo_twice_is_refused(call, client, photos):
    response = call(create_request, create_data([photos[0], photos[0]]), uid=client)
    assert response.error == "INVALID_ARGUMENT" and "twice" in response.message


# --- who may ask -------------------------------------------------------------------------------------------


def test_signed_out_callers_are_unauthenticated(db, call, client, photos):
    assert call(create_request, create_data(photos)).error == "UNAUTHENTICATED"
    assert call(quote_price, {"lat": 1.0, "lng": 1.0}).error == "UNAUTHENTICATED"


def test_a_technician_without_a_client_profile_may_not_request(db, call, deps, photos):
    add_dispatcher(db, uid=CLIENT_ID)  # a dispatcher-only account uploading under its own folder
    before = everything(db)
    response = call(create_request, create_data(photos), uid=CLIENT_ID)
    assert response.error == "PERMISSION_DENIED" and "client" in response.message
    assert everything(db) == before


def test_a_user_who_has_not_finished_sign_up_is_told_so(db, call, deps, photos):
    response = call(create_request, create_data(photos), uid=CLIENT_ID)
    assert response.error == "NOT_FOUND" and "sign-up" in response.message


@pytest.mark.parametrize("status", ["suspended", "banned"])
def test_suspended_and_banned_clients_are_refused(db, call, deps, photos, status):
    add_client(db, account_status=status)
    before = everything(db)
    response = call(create_request, create_data(photos), uid=CLIENT_ID)
    assert response.error == "PERMISSION_DENIED" and status in response.message
    assert everything(db) == before


def test_a_shadow_banned_client_notices_nothing(db, call, deps, photos):
    add_client(db, account_status="shadow_banned")
    assert call(create_request, create_data(photos), uid=CLIENT_ID).result["status"] == "pending"


# --- rewards -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", [
    (lambda db: "no-such-redemption", "NOT_FOUND", "no redeemed reward"),
    (lambda db: add_redemption(db, client_id="someone-else"), "NOT_FOUND", "no redeemed reward"),
    (lambda db: add_redemption(db, status="used", used_on_request_id="older"), "FAILED_PRECONDITION",
     "already been used"),
    (lambda db: add_redemption(db, status="expired"), "FAILED_PRECONDITION", "expired"),
    (lambda db: add_redemption(db, expires_at=NOW), "FAILED_PRECONDITION", "expired"),
    (lambda db: add_redemption(db, tier=LoyaltyTier.GOLD), "FAILED_PRECONDITION", "needs the gold tier"),
], ids=["missing", "someone-elses", "used", "expired", "past-expiry", "tier-too-low"])
def test_a_reward_must_be_the_callers_active_unused_and_allowed(db, call, client, photos, case):
    setup, code, fragment = case
    redemption = setup(db)
    before = everything(db)

    created = call(create_request, create_data(photos, reward_redemption_id=redemption), uid=client)
    quoted = call(quote_price, {"lat": 1.0, "lng": 1.0, "reward_redemption_id": redemption}, uid=client)

    assert (created.error, quoted.error) == (code, code)
    assert fragment in created.message
    assert everything(db) == before


@pytest.mark.parametrize("case", [
    (RewardType.PERCENTAGE_DISCOUNT, None, 20.0, 6.6),
    (RewardType.FREE_SERVICE, "33.00", None, 33.0),
    (RewardType.PRIORITY_BOOKING, None, None, 0.0),
], ids=lambda case: case[0].value)
def test_each_reward_type_is_applied_and_the_final_price_never_goes_below_zero(db, call, client, photos, case):
    reward_type, amount, percentage, discount = case
    redemption = add_redemption(db, reward_type=reward_type, amount=amount, percentage=percentage)

    result = call(create_request, create_data(photos, reward_redemption_id=redemption), uid=client).result

    assert result["breakdown"]["reward_discount"] == discount
    assert result["final_price"] == round(33.0 - discount, 2) >= 0


def test_a_higher_tier_may_use_a_lower_tier_reward(db, call, deps, photos):
    add_client(db, tier=LoyaltyTier.PLATINUM)
    redemption = add_redemption(db, tier=LoyaltyTier.SILVER)
    assert call(create_request, create_data(photos, reward_redemption_id=redemption),
                uid=CLIENT_ID).result["final_price"] == 23.0


def test_twenty_simultaneous_requests_with_one_reward_give_it_to_exactly_one(db, call, client, photos):
    redemption = add_redemption(db, amount="10.00")
    barrier = threading.Barrier(20)
    answers = []

    def request_with_the_reward():
        barrier.wait()
        answers.append(call(create_request, create_data(photos, reward_redemption_id=redemption), uid=client))

    threads = [threading.Thread(target=request_with_the_reward) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [answer for answer in answers if answer.status == 200]
    losers = [answer for answer in answers if answer.status != 200]
    assert len(answers) == 20 and len(winners) == 1
    assert {answer.error for answer in losers} <= {"FAILED_PRECONDITION", "ABORTED"}
    jobs = list(db.collection(Collection.SERVICE_REQUESTS).stream())
    assert [job.id for job in jobs] == [winners[0].result["request_id"]]
    assert jobs[0].get("reward_applied") is True and jobs[0].get("final_price") == 23.0
    assert stored(db, Collection.REWARD_REDEMPTIONS, redemption)["used_on_request_id"] == jobs[0].id


# --- retries: the request key ---------------------------------------------------------------------------------


def test_a_retried_request_with_its_key_answers_with_the_first_request_and_creates_no_second(
        db, call, client, photos):
    redemption = add_redemption(db, amount="10.00")
    data = create_data(photos, reward_redemption_id=redemption, request_key="tap-0f3a9c21")
    first = call(create_request, data, uid=client)
    after_first = everything(db)

    again = call(create_request, data, uid=client)  # the answer was lost; the reward is now used by the first

    assert again.status == 200 and again.result == first.result
    assert first.result["breakdown"]["reward_discount"] == 10.0
    assert everything(db) == after_first


def test_requests_with_different_keys_or_no_key_are_different_requests(db, call, client, photos):
    ids = {call(create_request, create_data(photos, **key), uid=client).result["request_id"]
           for key in ({"request_key": "tap-00000001"}, {"request_key": "tap-00000002"}, {}, {})}

    assert len(ids) == 4 == len(list(db.collection(Collection.SERVICE_REQUESTS).stream()))


def test_the_same_key_from_another_client_is_that_clients_own_request(db, call, client, photos, bucket):
    add_client(db, uid="other-client")
    theirs = [upload_photo(bucket, uid="other-client", name="front.jpg")]

    mine = call(create_request, create_data(photos, request_key="tap-00000001"), uid=client).result
    other = call(create_request, create_data(theirs, request_key="tap-00000001"), uid="other-client").result

    assert mine["request_id"] != other["request_id"]
    assert stored(db, Collection.SERVICE_REQUESTS, other["request_id"])["client_id"] == "other-client"


def test_twenty_simultaneous_retries_of_one_keyed_request_create_it_once(db, call, client, photos):
    redemption = add_redemption(db, amount="10.00")
    data = create_data(photos, reward_redemption_id=redemption, request_key="tap-5b1e0d77")
    barrier = threading.Barrier(20)
    answers = []

    def send():
        barrier.wait()
        for attempt in range(10):  # as the app does: a call that lost a race (ABORTED) is sent again, later
            answer = call(create_request, data, uid=client)
            if answer.status != 409:
                answers.append(answer)
                return
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answers) == 20 and {answer.status for answer in answers} == {200}
    assert len({answer.result["request_id"] for answer in answers}) == 1
    jobs = list(db.collection(Collection.SERVICE_REQUESTS).stream())
    assert [job.id for job in jobs] == [answers[0].result["request_id"]]
    assert jobs[0].get("final_price") == 23.0 and jobs[0].get("reward_applied") is True


def test_an_inactive_pricing_rule_changes_nothing(db, call, client):
    put(db, make_pricing_rule(id="rule-off", rule_type="time_of_day", multiplier=3.0, is_active=False,
                              time_conditions={"start": "00:00", "end": "23:59"}))
    assert call(quote_price, {"lat": 1.0, "lng": 1.0}, uid=client).result["final_price"] == 33.0
