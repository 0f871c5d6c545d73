"""messenger_webhook through its deployed entry point: Meta's subscription check, signatures, each message
handled once, every step of the conversation (a postcode or suburb inside a sentence, unknown postcodes, out
of area, stickers, 5,000 characters), the booking through the link, the week after which a lead is lost, and
replies only inside Meta's 24-hour window."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any
from urllib.parse import parse_qs, urlparse

import flask
import pytest

from curbside.gateways.messenger import SIGNATURE_HEADER, sign
from curbside.services import leads, outbox
from curbside.store.collections import Collection
from devstack.doubles import LOCAL_MESSENGER_APP_SECRET, LOCAL_MESSENGER_VERIFY_TOKEN
from main import create_request, messenger_webhook
from tests.factories import CLIENT_ID
from tests.request_world import add_client, everything, stored, upload_photo
from tests.technicians import add_technician, north_of

APP = flask.Flask("messenger-tests")
PAGE = "100200300"
PROSPECT = "7000000000000001"
BRISBANE_CITY = (-27.4698, 153.0251)


def delivery(text: str | None = None, *, mid: str = "m_1", sender: str = PROSPECT, ms: int = 1_795_165_200_000,
             attachments: list[dict[str, Any]] | None = None) -> bytes:
    message: dict[str, Any] = {"mid": mid}
    if text is not None:
        message["text"] = text
    if attachments is not None:
        message["attachments"] = attachments
    return json.dumps({"object": "page", "entry": [{"id": PAGE, "time": ms, "messaging": [
        {"sender": {"id": sender}, "recipient": {"id": PAGE}, "timestamp": ms, "message": message}]}]}).encode()


def post(body: bytes, signature: str | None = "sign") -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = sign(body, LOCAL_MESSENGER_APP_SECRET)
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    with APP.test_request_context("/", method="POST", data=body, headers=headers):
        response = messenger_webhook(flask.request)
    return response.status_code, response.get_data(as_text=True)


def lead(db) -> dict[str, Any]:
    return stored(db, Collection.LEADS, PROSPECT)


@pytest.fixture
def technicians(db, clock) -> list[str]:
    """Three available technicians around Brisbane City, a fourth farther out, and one offline nearby."""
    for uid, km in (("tech-a", 1), ("tech-b", 3), ("tech-c", 6), ("tech-d", 40)):
        add_technician(db, uid, at=north_of(BRISBANE_CITY, km * 1000), fixed_at=clock.now())
    add_technician(db, "tech-off", at=BRISBANE_CITY, fixed_at=clock.now(), online=False)
    return ["tech-a", "tech-b", "tech-c"]


# --- Meta's subscription check ------------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "token", "status"), [
    ("subscribe", LOCAL_MESSENGER_VERIFY_TOKEN, 200), ("subscribe", "guess", 403),
    ("unsubscribe", LOCAL_MESSENGER_VERIFY_TOKEN, 403)])
def test_the_subscription_check_echoes_the_challenge_only_for_our_token(deps, mode, token, status):
    query = {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": "1158201444"}
    with APP.test_request_context("/", method="GET", query_string=query):
        response = messenger_webhook(flask.request)

    assert response.status_code == status
    assert (response.get_data(as_text=True) == "1158201444") is (status == 200)


# --- signatures and replays ---------------------------------------------------------------------------------

@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "forged"])
def test_an_unsigned_or_wrongly_signed_delivery_is_refused_and_writes_nothing(db, deps, messenger, signature):
    body = delivery("hi, 4000 please")
    before = everything(db)

    forged = sign(body, "another app's secret") if signature == "forged" else signature
    assert post(body, forged) == (401, "invalid signature")
    assert everything(db) == before and messenger.sent == []


def test_a_replayed_or_concurrent_delivery_is_handled_and_answered_once(db, deps, messenger, technicians):
    body = delivery("hi, 4000 please")
    answers: list[tuple[int, str]] = []
    threads = [threading.Thread(target=lambda: answers.append(post(body))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = everything(db)

    assert post(body) == (200, "duplicate=1")
    assert sorted(status for status, _ in answers) == [200] * 4
    assert sorted(text for _, text in answers).count("matched=1") == 1
    assert everything(db) == after
    assert len(messenger.to(PROSPECT)) == 1
    assert len(list(db.collection(Collection.MESSENGER_EVENTS).stream())) == 1
    assert lead(db)["messages_received"] == 1


# --- the conversation ---------------------------------------------------------------------------------------

def test_a_greeting_is_answered_with_the_question_for_the_postcode(db, deps, messenger):
    assert post(delivery("Hi there!")) == (200, "greeted=1")

    assert lead(db)["status"] == "asked_postcode" and lead(db)["page_id"] == PAGE
    (reply,) = messenger.to(PROSPECT)
    assert "postcode" in reply and "automated" in reply


def test_a_postcode_inside_a_sentence_matches_the_three_nearest_and_tells_them(db, deps, messenger, technicians):
    post(delivery("Hi"))
    assert post(delivery("hi, 4000 please", mid="m_2")) == (200, "matched=1")

    stored_lead = lead(db)
    assert stored_lead["status"] == "matched" and stored_lead["postcode"] == "4000"
    assert sorted(stored_lead["matched_dispatcher_ids"]) == technicians
    reply = messenger.to(PROSPECT)[-1]
    lines = reply.splitlines()
    assert "Brisbane City QLD 4000" in lines[0]
    assert [line.split(".")[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert "Tech — ★4.8, 1.0 km away, about" in lines[1] and "6.0 km away" in lines[3]
    link = urlparse(lines[-1].split(": ", 1)[1])
    assert parse_qs(link.query) == {"lat": ["-27.46980"], "lng": ["153.02510"],
                                    "address": ["Brisbane City QLD 4000"], "lead_id": [PROSPECT]}
    told = [doc.to_dict() for doc in db.collection(Collection.NOTIFICATIONS).stream()]
    assert sorted(notice["user_id"] for notice in told) == technicians
    assert {notice["type"] for notice in told} == {"nearby_lead"}


def test_a_suburb_named_in_a_sentence_is_found(db, deps, messenger, technicians):
    assert post(delivery("hail damage in Paddington, can someone come today?")) == (200, "matched=1")

    assert lead(db)["place_label"] == "Paddington QLD 4064"
    assert "Paddington QLD 4064" in messenger.to(PROSPECT)[0]


@pytest.mark.parametrize(("text", "outcome", "words"), [
    ("my postcode is 9999", "unknown_place", "couldn't find postcode 9999"),
    ("I'm in 6000", "out_of_area", "No technician is free near Perth WA 6000"),
])
def test_an_unknown_or_unserved_place_gets_a_helpful_reply_and_the_lead_is_kept(db, deps, messenger, technicians, *,
                                                                                text, outcome, words):
    assert post(delivery(text)) == (200, f"{outcome}=1")

    assert lead(db)["status"] == "asked_postcode" and lead(db)["lookup_outcome"] == outcome
    assert words in messenger.to(PROSPECT)[0]
    assert list(db.collection(Collection.NOTIFICATIONS).stream()) == []


def test_a_sticker_or_image_is_answered_with_a_request_for_words(db, deps, messenger):
    sticker = [{"type": "image", "payload": {"url": "https://scontent.example/sticker.png", "sticker_id": 369239263}}]
    photo = [{"type": "image", "payload": {"url": "https://scontent.example/dent.jpg"}}]

    assert post(delivery(attachments=sticker)) == (200, "not_text=1")
    assert post(delivery(attachments=photo, mid="m_2")) == (200, "not_text=1")

    assert lead(db)["status"] == "asked_postcode" and lead(db)["last_message_excerpt"] == ""
    assert len(messenger.to(PROSPECT)) == 2 and "type" in messenger.to(PROSPECT)[0]


def test_five_thousand_characters_are_read_only_as_far_as_needed(db, deps, messenger, technicians):
    assert post(delivery("x" * 4990 + " 4000")) == (200, "greeted=1")

    assert len(lead(db)["last_message_excerpt"]) == 280 and lead(db).get("postcode") is None
    assert len(messenger.to(PROSPECT)) == 1


# --- booking, losing, the window ----------------------------------------------------------------------------

def test_a_request_created_through_the_link_books_the_lead(db, deps, call, bucket, *, messenger, technicians):
    post(delivery("4000"))
    add_client(db)
    photo = upload_photo(bucket, name="front.jpg")

    response = call(create_request, {
        "car_model": "Mazda 3", "license_plate": "ABC-123", "location_address": "Brisbane City QLD 4000",
        "location_lat": BRISBANE_CITY[0], "location_lng": BRISBANE_CITY[1], "car_location_images": [photo],
        "is_urgent": False, "is_scheduled": False, "lead_id": PROSPECT}, uid=CLIENT_ID)

    booked = lead(db)
    assert booked["status"] == "booked" and booked["booked_client_id"] == CLIENT_ID
    assert booked["booked_request_id"] == response.result["request_id"]
    assert post(delivery("thanks", mid="m_2")) == (200, "already_booked=1")
    assert "booked" in messenger.to(PROSPECT)[-1]


def test_a_lead_without_a_booking_for_a_week_is_lost_once(db, deps, clock, messenger):
    post(delivery("hello"))
    post(delivery("hello", sender="7000000000000002", mid="m_2"))
    clock.advance(dt.timedelta(days=3))
    post(delivery("hello", sender="7000000000000003", mid="m_3"))
    clock.advance(dt.timedelta(days=4, minutes=1))

    assert leads.expire_leads(deps) == 2
    after = everything(db)
    assert leads.expire_leads(deps) == 0
    assert everything(db) == after
    assert lead(db)["status"] == "lost"
    assert stored(db, Collection.LEADS, "7000000000000003")["status"] == "asked_postcode"


def test_a_reply_held_up_by_an_outage_is_sent_by_the_sweep_within_the_window(db, deps, clock, messenger):
    messenger.down = True
    assert post(delivery("hello")) == (200, "greeted=1")
    messenger.down = False
    clock.advance(dt.timedelta(hours=23))

    assert outbox.sweep(deps) == {"done": 1}
    assert len(messenger.to(PROSPECT)) == 1


def test_a_reply_still_unsent_after_24_hours_is_dropped(db, deps, clock, messenger):
    messenger.down = True
    post(delivery("hello"))
    messenger.down = False
    clock.advance(dt.timedelta(hours=24, minutes=1))

    assert outbox.sweep(deps) == {"done": 1}
    assert messenger.sent == []
