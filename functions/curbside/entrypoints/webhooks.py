"""What the webhook endpoints share: a per-source rate limit before anything else is read (D47).

Kept in the instance's memory, not in Firestore: a refused or unsigned delivery must write nothing, and a
flood of them must not cost a write each. The limit therefore holds per instance (`max_instances` of them at
most); it exists to shed floods of unsigned garbage, which the signature check refuses anyway."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

from flask import Request, Response

from curbside.deps import Deps
from curbside.domain.rate_limits import Limit

_lock = threading.Lock()
_seen: Counter[str] = Counter()
"""Deliveries per `{endpoint}:{source}:{window}` in this instance (only the current window's are kept)."""


def source_of(req: Request) -> str:
    """The sender's address: the last `X-Forwarded-For` entry, the one Google's front end appends (entries
    before it are whatever the sender wrote), else the socket's peer."""
    forwarded = [part.strip() for part in req.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    return forwarded[-1] if forwarded else (req.remote_addr or "unknown")


def _admit(limit: Limit, who: str, now: dt.datetime) -> bool:
    bucket = limit.bucket(who, now)
    window = f":{limit.window_index(now)}"
    with _lock:
        for stale in [key for key in _seen if not key.endswith(window)]:
            del _seen[stale]
        if _seen[bucket] >= limit.count:
            return False
        _seen[bucket] += 1
        return True


def over_limit(current: Deps, endpoint: str, req: Request) -> Response | None:
    """429 with Retry-After when this source sent too many deliveries to `endpoint` in the window (nothing
    written); None to go on."""
    base = current.settings.rate_limits.webhook
    limit = Limit(f"webhook:{endpoint}", base.count, base.window, base.what)
    now = dt.datetime.now(dt.UTC)  # a flood is measured in real time, whatever the business clock says
    if _admit(limit, source_of(req), now):
        return None
    return Response(limit.refusal(now), status=429, headers={"Retry-After": str(limit.retry_after_s(now))})
