"""BackgroundCheckEvents: the background-check provider's webhook events already applied (not in the spec).

The provider delivers each event at least once and in no guaranteed order; the webhook records the event id
in the same transaction as the event's effect, so a redelivery finds its record and changes nothing (as
StripeEvents does for Stripe). Admin-only.
"""

from pydantic import Field

from curbside.domain.documents.base import Document, UtcDatetime


class BackgroundCheckEvent(Document):
    """BackgroundCheckEvents/{event id}: which event, about which report, and what applying it did."""

    type: str = Field(min_length=1)
    report_id: str | None = None
    dispatcher_id: str | None = None
    outcome: str = Field(min_length=1)
    """`applied`, or why the event changed nothing (`superseded`, `older_than_stored`, `unknown_candidate`)."""
    event_created: UtcDatetime
    processed_date: UtcDatetime
