"""The demo day's Messenger lead (issue 20): a prospect writes to the page — deliveries signed with the local
stack's published app secret, posted to `messenger_webhook` as Meta would — gets the nearest technicians and a
booking link, and a client books through the link, which makes the lead `booked`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from curbside.gateways.messenger import SIGNATURE_HEADER, sign
from devstack.demo_kit import Demo, Person, Step, StepFailed
from devstack.doubles import LOCAL_MESSENGER_APP_SECRET

PAGE = "100200300"
PROSPECT = "7000000000000042"
"""The prospect's page-scoped id (Meta's numbers are opaque digits)."""


def _deliver(demo: Demo, text: str, mid: str) -> str:
    """POST one message event to the stack's webhook, signed as Meta signs it; returns the webhook's answer."""
    stamp = int(demo.stack.clock.now().timestamp() * 1000)
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": stamp, "messaging": [{
        "sender": {"id": PROSPECT}, "recipient": {"id": PAGE}, "timestamp": stamp,
        "message": {"mid": mid, "text": text}}]}]}).encode()
    answer = requests.post(demo.stack.function_url("messenger_webhook"), data=body, timeout=30, headers={
        "Content-Type": "application/json", SIGNATURE_HEADER: sign(body, LOCAL_MESSENGER_APP_SECRET)})
    if answer.status_code != 200:
        raise StepFailed(f"messenger_webhook answered {answer.status_code}: {answer.text}")
    return answer.text


def _last_reply(demo: Demo) -> str:
    replies = demo.stack.messenger.to(PROSPECT)
    if not replies:
        raise StepFailed("the page sent the prospect no reply")
    return replies[-1]


def books_from_messenger(person: Person, admin: str, positions: Sequence[Step]) -> list[Step]:
    """`positions`: the steps in which the online technicians report where they are (their fixes must be
    fresh to be found, and the day's clock may have moved on)."""
    link: dict[str, Any] = {}

    def prospect_says_hi(demo: Demo) -> str:
        outcome = _deliver(demo, "Hi! Saw your ad", "m_demo_1")
        return f"messenger_webhook -> {outcome}; the page replied: {_last_reply(demo)[:60]}..."

    def prospect_gives_a_suburb(demo: Demo) -> str:
        outcome = _deliver(demo, "hail damage in Surry Hills please", "m_demo_2")
        again = _deliver(demo, "hail damage in Surry Hills please", "m_demo_2")  # Meta delivers again
        reply = _last_reply(demo)
        if outcome != "matched=1" or again != "duplicate=1" or len(demo.stack.messenger.to(PROSPECT)) != 2:
            raise StepFailed(f"expected one match answered once, got {outcome!r}, then {again!r}: {reply}")
        link.update({key: values[0] for key, values in parse_qs(urlparse(reply.splitlines()[-1]).query).items()})
        named = "; ".join(line.split(". ", 1)[1] for line in reply.splitlines()[1:-1])
        return f"messenger_webhook -> {outcome} (its redelivery -> {again}); named {named}"

    def client_books_through_the_link(demo: Demo) -> str:
        result = demo.call(person.uid, "create_request", {
            "car_model": "Toyota Corolla", "license_plate": "HAIL-1", "location_address": link["address"],
            "location_lat": float(link["lat"]), "location_lng": float(link["lng"]),
            "car_location_images": [f"users/{person.uid}/car_photos/front.jpg"], "is_urgent": False,
            "is_scheduled": False, "lead_id": link["lead_id"]})
        demo.counts["jobs created"] += 1
        lead = demo.stack.as_user(admin, admin=True).get(f"Leads/{PROSPECT}")
        if not lead.ok or lead.body.get("status") != "booked":
            raise StepFailed(f"the lead is not booked: {lead.body}")
        demo.await_run("on_request_created", f"ServiceRequests/{result['request_id']}")
        cancelled = demo.call(person.uid, "cancel_request", {"request_id": result["request_id"],
                                                             "reason": "Booked it for the demo only"})
        return (f"create_request with the link's place and lead_id -> {result['request_id']}; the admin reads "
                f"Leads/{PROSPECT}: booked; then cancel_request -> {cancelled['status']} (the demo's cleanup)")

    return [Step("prospect", "writes to the page on Messenger", prospect_says_hi), *positions,
            Step("prospect", "names their suburb in a sentence", prospect_gives_a_suburb),
            Step(person.uid, "books through the Messenger link", client_books_through_the_link)]
