"""Messenger leads (issue 20, D83-D86): the conversation's commit, the reply through the outbox, the booking
through the link, the week after which a lead is lost, and the funnel the admin dashboard counts.

One message is one commit (`converse`): the message's record (`MessengerEvents`, the dedupe), the lead's
move, the reply asked of the outbox and the matched technicians' notices land together or not at all, so a
redelivered message changes nothing and is not answered twice. What needs a vendor or a query — the geocoder,
the candidate search, the drive times — is looked up before that commit (`services.messenger_events`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from firebase_functions import logger

from curbside.deps import Deps
from curbside.domain import leads as conversation
from curbside.domain.documents import Lead, MessengerEvent
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import LeadStatus, NotificationType
from curbside.domain.errors import InvalidInput
from curbside.domain.lifecycle import Actor
from curbside.domain.lifecycles import LEAD, OPEN_LEADS
from curbside.gateways.au_places import Place
from curbside.services import work
from curbside.services.notifications import notify
from curbside.services.outbox import Handler
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

MESSENGER_REPLY = "messenger_reply"
DUPLICATE = "duplicate"
EXPIRY_PAGE = 200
"""Leads marked lost in one commit."""


@dataclass(frozen=True)
class Message:
    """One message (or postback) a prospect sent the page, as the webhook read it."""

    event_id: str
    """The message id's hash: the `MessengerEvents` id."""
    sender_id: str
    page_id: str
    sent_at: dt.datetime
    text: str | None
    """None for a sticker, an image or another attachment; "" for a postback (Get Started)."""


@dataclass(frozen=True)
class Finding:
    """What was looked up for the message before its commit."""

    query: conversation.PlaceQuery | None = None
    place: Place | None = None
    nearby: tuple[conversation.NearbyTechnician, ...] = ()
    dispatcher_ids: tuple[str, ...] = ()


def already_handled(deps: Deps, event_id: str) -> bool:
    return work.reading(deps, lambda uow: uow.messenger_events.get(event_id)) is not None


def converse(deps: Deps, message: Message, finding: Finding) -> str:
    """Record the message, move its lead and ask for the reply, once; returns the outcome."""
    return work.transaction(deps, lambda uow: _converse(uow, message, finding),
                            lost_race="Another delivery of this conversation was being handled.")


def _converse(uow: UnitOfWork, message: Message, finding: Finding) -> str:
    if uow.messenger_events.get(message.event_id) is not None:
        return DUPLICATE
    stored = uow.leads.get(message.sender_id)
    lead = stored or Lead(id=message.sender_id, page_id=message.page_id, status=LeadStatus.NEW,
                          last_inbound_at=message.sent_at, created_date=uow.now, updated_date=uow.now)
    outcome, status, reply, changes = _step(uow, lead, stored is None, message, finding)
    if status is not lead.status:
        LEAD.check(lead.status, status, Actor.SYSTEM)
    lead = evolve(lead, status=status, messages_received=lead.messages_received + 1,
                  last_inbound_at=max(lead.last_inbound_at, message.sent_at), updated_date=uow.now, **changes,
                  **({"last_message_excerpt": conversation.excerpt(message.text)} if message.text else {}))
    if stored is None:
        uow.leads.create(lead)
    else:
        uow.leads.save(lead)
    uow.messenger_events.create(MessengerEvent(id=message.event_id, sender_id=message.sender_id, outcome=outcome,
                                               processed_date=uow.now))
    uow.outbox.add(MESSENGER_REPLY, message.event_id, recipient_id=message.sender_id, text=reply,
                   inbound_at=message.sent_at.isoformat())
    if outcome == "matched" and finding.place is not None:
        for tech, dispatcher_id in zip(finding.nearby, finding.dispatcher_ids, strict=True):
            title, body = conversation.lead_notice(finding.place.label, tech.distance_km)
            notify(uow, user_id=dispatcher_id, kind=NotificationType.NEARBY_LEAD, title=title, body=body,
                   request_id=None, key=f"lead:{message.event_id}", data={"screen": "available_jobs"})
    return outcome


def _step(uow: UnitOfWork, lead: Lead, first: bool, message: Message, finding: Finding
          ) -> tuple[str, LeadStatus, str, dict[str, object]]:
    """The outcome, the lead's next status, the reply and the lead's other changes."""
    waiting = LeadStatus.MATCHED if lead.status is LeadStatus.MATCHED else LeadStatus.ASKED_POSTCODE
    if lead.status is LeadStatus.BOOKED:
        return "already_booked", LeadStatus.BOOKED, conversation.ALREADY_BOOKED, {}
    if finding.query is None:
        if message.text is None:
            return "not_text", waiting, conversation.NOT_TEXT, {}
        if lead.status is LeadStatus.MATCHED and lead.place_label and lead.location_lat is not None:
            link = _link(uow, lead.id, lead.location_lat, lead.location_lng or 0.0, lead.place_label)
            return "link_again", waiting, f"Book whenever you're ready: {link}", {}
        if first:
            return "greeted", waiting, conversation.GREETING, {}
        return "no_place", waiting, conversation.NO_PLACE, {}
    asked = {"place_query": finding.query.said[:80]}
    if finding.place is None:
        return "unknown_place", waiting, conversation.unknown_place_reply(finding.query), {
            **asked, "lookup_outcome": "unknown_place"}
    place = finding.place
    found = {**asked, "place_label": place.label, "postcode": place.postcode or None, "location_lat": place.lat,
             "location_lng": place.lng}
    if not finding.nearby:
        return "out_of_area", waiting, conversation.out_of_area_reply(place.label), {
            **found, "lookup_outcome": "out_of_area"}
    link = _link(uow, lead.id, place.lat, place.lng, place.label)
    return "matched", LeadStatus.MATCHED, conversation.matched_reply(place.label, finding.nearby, link), {
        **found, "lookup_outcome": "matched", "matched_dispatcher_ids": list(finding.dispatcher_ids),
        "matched_at": uow.now}


def _link(uow: UnitOfWork, lead_id: str, lat: float, lng: float, label: str) -> str:
    return conversation.booking_link(uow.settings.leads.booking_url, lead_id=lead_id, lat=lat, lng=lng,
                                     address=label)


def _send_reply(deps: Deps, entry: OutboxEntry) -> None:
    """Send the reply, only within Meta's 24-hour window of the message it answers (a reply retried past it is
    dropped: the Send API would refuse it, and a day-old answer is no answer). A refused reply is dropped too."""
    inbound_at = dt.datetime.fromisoformat(str(entry.payload["inbound_at"]))
    if not conversation.within_window(inbound_at, deps.clock.now()):
        logger.warn("messenger.reply_outside_window", effect_id=entry.id)
        return
    try:
        deps.messenger.send(str(entry.payload["recipient_id"]), str(entry.payload["text"]))
    except InvalidInput:
        logger.warn("messenger.reply_refused", effect_id=entry.id)


HANDLERS: Mapping[str, Handler] = {MESSENGER_REPLY: _send_reply}


def bookable(uow: UnitOfWork, lead_id: str | None) -> Lead | None:
    """The lead a request created through its booking link converts, if it still may (read in the request's
    unit of work, before its writes); None otherwise — a booking never fails because of its lead."""
    if not lead_id:
        return None
    lead = uow.leads.get(lead_id)
    return lead if lead is not None and Actor.CLIENT in LEAD.actors(lead.status, LeadStatus.BOOKED) else None


def book(uow: UnitOfWork, lead: Lead | None, request_id: str, client_id: str) -> None:
    """In the request's commit: the lead is booked by this request."""
    if lead is not None:
        uow.leads.move(lead, LeadStatus.BOOKED, Actor.CLIENT, booked_request_id=request_id,
                       booked_client_id=client_id, booked_at=uow.now, updated_date=uow.now)


def expire_leads(deps: Deps) -> int:
    """Mark lost the leads still open a week after their first message (the daily schedule; safe to run twice:
    each page re-reads its leads in its commit). Returns how many were lost."""
    cutoff = deps.clock.now() - conversation.LOST_AFTER
    lost = 0
    while True:
        read, page_lost = _lose_page(deps, cutoff)
        lost += page_lost
        if read < EXPIRY_PAGE:
            return lost


def _lose_page(deps: Deps, cutoff: dt.datetime) -> tuple[int, int]:
    """One page of open leads created before `cutoff`: how many were read, and how many became lost."""
    page = work.reading(deps, lambda uow: [lead.id for lead in uow.leads.find(
        queries.LEADS_TO_LOSE, statuses=list(OPEN_LEADS), before=cutoff, limit=EXPIRY_PAGE)])
    return len(page), work.transaction(deps, lambda uow: _lose(uow, page, cutoff)) if page else 0


def _lose(uow: UnitOfWork, lead_ids: Sequence[str], cutoff: dt.datetime) -> int:
    lost = 0
    for lead in uow.leads.get_many(lead_ids):
        if lead is not None and lead.status in OPEN_LEADS and lead.created_date <= cutoff:
            uow.leads.move(lead, LeadStatus.LOST, Actor.SYSTEM, lost_at=uow.now, updated_date=uow.now)
            lost += 1
    return lost


def funnel(uow: UnitOfWork) -> dict[str, int]:
    """Leads by status (count aggregations, one read per 1,000 counted) for the admin dashboard."""
    return {status.value: uow.leads.count(queries.LEADS_IN_STATUS, status=status) for status in LeadStatus}
