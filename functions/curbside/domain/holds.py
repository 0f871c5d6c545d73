"""Whether a card hold still covers a job: Stripe releases an uncaptured hold after a while (7 days for online
card payments), so a hold must be placed again when too little of its life is left for the work and its
capture (docs/decisions.md D28)."""

from __future__ import annotations

import datetime as dt


def hold_is_current(authorized_at: dt.datetime | None, now: dt.datetime, *, lifetime: dt.timedelta,
                    margin: dt.timedelta) -> bool:
    """True while the hold placed at `authorized_at` will outlive `now + margin`."""
    return authorized_at is not None and now + margin < authorized_at + lifetime
