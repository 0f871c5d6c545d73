"""Outbox: the vendor calls a commit asked for, run after it (not in the spec; admin-only).

A use case never calls Stripe (or any vendor) inside its transaction: it records the call here in the same
commit as its decision, under a deterministic id (`{kind}:{key}`, e.g. `capture:{request_id}`), and the
call runs right after the commit with an idempotency key derived from that id. If the vendor is down, or the
function dies between the commit and the call, the entry stays `pending` and the sweep runs it again; the
same key makes the vendor answer the first call's result, so the money moves once.
"""

from typing import Any

from pydantic import Field

from curbside.domain.documents.base import Count, Document, UtcDatetime
from curbside.domain.enums import EffectStatus


def effect_id(kind: str, key: str) -> str:
    return f"{kind}:{key}"


class OutboxEntry(Document):
    """Outbox/{kind}:{key}: one vendor call to make."""

    kind: str = Field(min_length=1)
    """What to do (`capture`, `refund`...): the runner's handler for it."""
    key: str = Field(min_length=1)
    """What it is about (a request id, a refund key): the handler's argument and the idempotency key's tail."""
    payload: dict[str, Any] = Field(default_factory=dict)
    status: EffectStatus = EffectStatus.PENDING
    attempts: Count = 0
    next_attempt_at: UtcDatetime
    """The sweep runs a pending entry once this has passed (backing off after each failed attempt)."""
    last_error: str | None = None
    created_date: UtcDatetime
    updated_date: UtcDatetime
    done_at: UtcDatetime | None = None
