"""A profile's rating as the exact mean of the reviews applied to it (spec section 6, issue 16).

A profile keeps the sum of the applied ratings next to their count (`rating_sum` with `total_reviews`,
`client_rating_sum` with `client_reviews_count`); the mean is always `sum / count`, so applying the
ten-thousandth review never drifts by re-averaging a rounded mean. Profiles written before the sum existed
(the seed) start from `round(mean * count)`: ratings are whole stars, so the sum they stand for is an integer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

NO_REVIEWS_RATING = 5.0
"""The spec's default rating of a profile nobody has reviewed yet."""


@dataclass(frozen=True)
class Tally:
    """The applied ratings of one profile."""

    total: int
    count: int

    @classmethod
    def of(cls, mean: float, count: int, total: int | None) -> Tally:
        """The tally a profile stands for; `total` None: written before sums were kept (see module doc)."""
        return cls(total if total is not None else round(mean * count), count)

    def plus(self, stars: int) -> Tally:
        return Tally(self.total + stars, self.count + 1)

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else NO_REVIEWS_RATING


def apply_date(now: dt.datetime, time_zone: str) -> str:
    """Reviews apply the day after they are written (spec section 6), in the platform's time zone."""
    return (today(now, time_zone) + dt.timedelta(days=1)).isoformat()


def today(now: dt.datetime, time_zone: str) -> dt.date:
    """The platform's calendar day at `now`: a review whose `apply_date` is on or before it is due."""
    return now.astimezone(ZoneInfo(time_zone)).date()
