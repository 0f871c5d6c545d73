"""RateLimitSlots: one document per call a rate limit let through (added; admin-only; `domain.rate_limits`)."""

from curbside.domain.documents.base import Document, UtcDatetime


class RateLimitSlot(Document):
    """RateLimitSlots/{limit}:{who}:{window}:{n}: written once, when the call took it; `expires_at` is the
    field of the collection's TTL policy (Firestore deletes the slot after its window has long passed)."""

    bucket: str
    """`{limit}:{who}:{window}`: the slots of one window of one person or source (counted to find the next)."""
    limit: str
    who: str
    created_date: UtcDatetime
    expires_at: UtcDatetime
