"""Reading `messenger_webhook`'s verified deliveries: each messaging event of each entry, handled once.

Meta batches events (`{"object": "page", "entry": [{"id": page, "messaging": [event, ...]}]}`), delivers at
least once, and retries a delivery that did not get a 200 in time. Each message (or postback) is handled by
itself: a message already recorded is skipped before anything is looked up; otherwise its place is looked up
(geocoder, candidate search, drive times: outside any transaction) and `services.leads.converse` commits it
once. Echoes of the page's own messages, deliveries, reads and reactions are acknowledged and ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from firebase_functions import logger

from curbside.deps import Deps
from curbside.domain import leads as conversation
from curbside.domain.dispatch_scoring import RankedCandidate
from curbside.services import leads, work
from curbside.services.candidates import JobSite, find_candidates
from curbside.services.leads import Finding, Message
from curbside.store.transactions import retry_lost_races
from curbside.store.uow import UnitOfWork

PAGE_SCOPED_ID = re.compile(r"^\d{1,64}$")
TEXT_AT_MOST = 5000
"""Characters of a message kept in memory (Messenger allows 20,000; nothing here needs more)."""


def process(deps: Deps, body: Mapping[str, Any]) -> dict[str, int]:
    """Handle every message of a delivery; returns the outcomes counted (logged, and the webhook's answer)."""
    outcomes: Counter[str] = Counter()
    if body.get("object") != "page":
        outcomes["ignored"] += 1
        return dict(outcomes)
    for message in messages_of(body, deps.clock.now()):
        outcome = handle(deps, message)
        logger.info("messenger.message_handled", event_id=message.event_id, outcome=outcome)
        outcomes[outcome] += 1
    return dict(outcomes)


def handle(deps: Deps, message: Message) -> str:
    """One message, once: a delivery racing another of the same message and losing tries again, and then finds
    it handled (the emulator, like production under contention, may abort more than the one loser)."""
    return retry_lost_races(lambda: _handle_once(deps, message))


def _handle_once(deps: Deps, message: Message) -> str:
    if leads.already_handled(deps, message.event_id):
        return leads.DUPLICATE
    return leads.converse(deps, message, look_up(deps, message))


def messages_of(body: Mapping[str, Any], now: dt.datetime) -> Iterator[Message]:
    """The prospects' messages and postbacks in a delivery; anything else (echoes, reads, malformed events) is
    skipped."""
    for entry in _list(body.get("entry")):
        page_id = str(entry.get("id", ""))
        for event in _list(entry.get("messaging")):
            message = _message(event, page_id, now)
            if message is not None:
                yield message


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _message(event: Mapping[str, Any], page_id: str, now: dt.datetime) -> Message | None:
    sender = event.get("sender")
    sender_id = str(sender.get("id", "")) if isinstance(sender, Mapping) else ""
    content = event.get("message") if isinstance(event.get("message"), Mapping) else event.get("postback")
    if not PAGE_SCOPED_ID.match(sender_id) or sender_id == page_id or not isinstance(content, Mapping) \
            or content.get("is_echo") or not page_id:
        return None
    stamp = event.get("timestamp")
    sent_at = min(now, dt.datetime.fromtimestamp(stamp / 1000, dt.UTC)) if isinstance(stamp, int) else now
    mid = str(content.get("mid") or f"{sender_id}:{stamp}")
    if "postback" in event:
        text: str | None = ""
    else:
        text = content.get("text") if isinstance(content.get("text"), str) else None
    return Message(event_id=hashlib.sha256(mid.encode()).hexdigest()[:40], sender_id=sender_id,
                   page_id=page_id[:64], sent_at=sent_at, text=text[:TEXT_AT_MOST] if text is not None else None)


def look_up(deps: Deps, message: Message) -> Finding:
    """The place the message names and the nearest available technicians there (up to the settings' few)."""
    query = conversation.find_place(message.text) if message.text else None
    if query is None:
        return Finding()
    place = deps.geocoder.locate(query)
    if place is None:
        return Finding(query=query)
    site = JobSite(place.lat, place.lng)
    shown = deps.settings.leads.nearby_shown

    def nearest(uow: UnitOfWork) -> tuple[list[RankedCandidate], list[str], list[tuple[float, float] | None]]:
        ranked = sorted(find_candidates(uow, site, k=shown).candidates, key=lambda c: c.distance_km)[:shown]
        ids = [candidate.dispatcher_id for candidate in ranked]
        names = [(user.full_name or "") if user else "" for user in uow.users.get_many(ids)]
        positions = [entry.position if entry else None for entry in uow.locations.get_many(ids)]
        return ranked, names, positions

    ranked, names, positions = work.reading(deps, nearest)
    nearby = tuple(
        conversation.NearbyTechnician(
            first_name=(name.split() or ["Your technician"])[0], rating=candidate.rating,
            distance_km=candidate.distance_km,
            eta=deps.routing.drive(position, (place.lat, place.lng)).leg.duration if position else dt.timedelta(0))
        for candidate, name, position in zip(ranked, names, positions, strict=True))
    return Finding(query=query, place=place, nearby=nearby,
                   dispatcher_ids=tuple(candidate.dispatcher_id for candidate in ranked))
