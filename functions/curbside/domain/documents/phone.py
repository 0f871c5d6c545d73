"""PhoneVerifications: a person's SMS code requests (added; admin-only)."""

from pydantic import Field

from curbside.domain.documents.base import UserKeyedDocument, UtcDatetime


class PhoneVerification(UserKeyedDocument):
    """PhoneVerifications/{uid}: the number a code was last sent to, and when codes were asked for (the
    rate limit's window). The number reaches `Users.phone_number` only once Twilio Verify approves a code."""

    user_id: str
    phone_number: str | None = None
    """The E.164 number waiting for its code (None once verified)."""
    started_at: list[UtcDatetime] = Field(default_factory=list)
    """When codes were sent within the last hour (older ones are dropped)."""
    verified_at: UtcDatetime | None = None
