"""StripeEvents: the webhook events already applied, one document per Stripe event id.

Not in the spec. Stripe delivers every event at least once and in no guaranteed order; the webhook records
the event id in the same transaction as the event's effect (DESIGN.md conventions 5 and 9), so a redelivery
finds its record and changes nothing. Admin-only.
"""

from pydantic import Field

from curbside.domain.documents.base import Document, UtcDatetime


class StripeEvent(Document):
    """StripeEvents/{event id}: which event, when Stripe created it, and what applying it did."""

    type: str = Field(min_length=1)
    object_id: str | None = None
    outcome: str = Field(min_length=1)
    """`applied`, or why the event changed nothing (`older_than_stored`, `unknown_customer`)."""
    event_created: UtcDatetime
    processed_date: UtcDatetime
