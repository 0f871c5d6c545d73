"""Rate limits (`domain.rate_limits`, D47): a call takes the next free slot of its window, or is refused with
`TooManyRequests` (RESOURCE_EXHAUSTED, with the seconds to wait) and nothing written.

- Inside a use case's commit: `slot = next_slot(uow, limit, who)` among its reads, `uow.rate_slots.create(slot)`
  among its writes — the slot lands with the action or not at all, and a call racing for the same slot loses
  the whole commit (`Conflict`), to count again (`create_request`).
- Before costly work done outside that commit (the support assistant's model call): `refuse_if_full(deps, limit,
  who)` too, so a refused call costs one read and nothing else.
- Before an action that has no commit of its own: `take(deps, limit, who)`.
"""

from __future__ import annotations

from curbside.deps import Deps
from curbside.domain.documents import RateLimitSlot
from curbside.domain.errors import TooManyRequests
from curbside.domain.rate_limits import Limit, safe_id
from curbside.services import work
from curbside.store import queries
from curbside.store.engine import Conflict
from curbside.store.uow import UnitOfWork


def next_slot(uow: UnitOfWork, limit: Limit, who: str) -> RateLimitSlot:
    """The slot this call would take (a count: one read), or the refusal when the window is full."""
    bucket = limit.bucket(who, uow.now)
    used = uow.rate_slots.count(queries.RATE_SLOTS_OF_BUCKET, up_to=limit.count, bucket=bucket)
    if used >= limit.count:
        raise TooManyRequests(limit.refusal(uow.now), retry_after_s=limit.retry_after_s(uow.now))
    return RateLimitSlot(id=f"{bucket}:{used}", bucket=bucket, limit=limit.name, who=safe_id(who),
                         created_date=uow.now, expires_at=limit.window_end(uow.now) + limit.window)


def refuse_if_full(deps: Deps, limit: Limit, who: str) -> None:
    """Refuse now when the window is full (one read, nothing written); the commit still takes its slot."""
    work.reading(deps, lambda uow: next_slot(uow, limit, who))


def take(deps: Deps, limit: Limit, who: str) -> None:
    """Claim a slot in a commit of its own. Calls racing for one slot: one lands, the others count again and
    take the next, until the window is full."""
    for _ in range(limit.count + 1):
        try:
            work.conditional(deps, lambda uow: uow.rate_slots.create(next_slot(uow, limit, who)))
            return
        except Conflict:
            continue  # another call took that slot: count again
    now = deps.clock.now()
    raise TooManyRequests(limit.refusal(now), retry_after_s=limit.retry_after_s(now))
