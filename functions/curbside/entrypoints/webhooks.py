"""What the webhook endpoints share: a per-source rate limit before anything else is read (D47)."""

from __future__ import annotations

from flask import Request, Response

from curbside.deps import Deps
from curbside.domain.errors import TooManyRequests
from curbside.domain.rate_limits import Limit
from curbside.services import rate_limits


def source_of(req: Request) -> str:
    """The sender's address: the last `X-Forwarded-For` entry, the one Google's front end appends (entries
    before it are whatever the sender wrote), else the socket's peer."""
    forwarded = [part.strip() for part in req.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    return forwarded[-1] if forwarded else (req.remote_addr or "unknown")


def over_limit(current: Deps, endpoint: str, req: Request) -> Response | None:
    """429 with Retry-After when this source sent too many deliveries to `endpoint` in the window (nothing
    written); None to go on."""
    base = current.settings.rate_limits.webhook
    limit = Limit(f"webhook:{endpoint}", base.count, base.window, base.what)
    try:
        rate_limits.take(current, limit, source_of(req))
    except TooManyRequests as exc:
        return Response(str(exc), status=429, headers={"Retry-After": str(exc.retry_after_s or 60)})
    return None
