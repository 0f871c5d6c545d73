"""Leads and MessengerEvents (issue 20; added, admin-only): Messenger prospects and the messages handled."""

from pydantic import Field

from curbside.domain.documents.base import Count, Document, Latitude, Longitude, UtcDatetime
from curbside.domain.enums import LeadStatus


class Lead(Document):
    """Leads/{page-scoped sender id}: one conversation with a prospect who wrote to the page (D83)."""

    page_id: str = Field(min_length=1, max_length=64)
    status: LeadStatus
    messages_received: Count = 0
    last_message_excerpt: str = Field(default="", max_length=280)
    """The start of the prospect's last text (what an admin needs to follow up; never the whole of it)."""
    last_inbound_at: UtcDatetime
    """When the prospect last wrote: replies are sent only within 24 hours of it (Meta's messaging window)."""
    place_query: str | None = Field(default=None, max_length=80)
    """The postcode or suburb the prospect last gave, as read from their words."""
    place_label: str | None = Field(default=None, max_length=120)
    """Where it was found ("Paddington QLD 4064"); None while unknown."""
    postcode: str | None = Field(default=None, pattern=r"^\d{4}$")
    location_lat: Latitude | None = None
    location_lng: Longitude | None = None
    lookup_outcome: str | None = Field(default=None, max_length=40)
    """The last place lookup: `matched`, `unknown_place`, `out_of_area`."""
    matched_dispatcher_ids: list[str] = Field(default_factory=list, max_length=3)
    matched_at: UtcDatetime | None = None
    booked_request_id: str | None = None
    booked_client_id: str | None = None
    booked_at: UtcDatetime | None = None
    lost_at: UtcDatetime | None = None
    created_date: UtcDatetime
    updated_date: UtcDatetime


class MessengerEvent(Document):
    """MessengerEvents/{hash of the message id}: a message (or postback) already handled, recorded in the
    commit of its effect so a redelivery changes nothing."""

    sender_id: str = Field(min_length=1, max_length=64)
    outcome: str = Field(min_length=1, max_length=40)
    processed_date: UtcDatetime
