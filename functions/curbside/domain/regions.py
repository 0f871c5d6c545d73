"""Service regions and their currencies (docs/decisions.md D122).

A region is a named box of latitude and longitude with the currency its jobs are priced and charged in (AUD
for Australia, NZD for New Zealand). A job takes the currency of the first region that holds its location when
it is created, and keeps it (`ServiceRequests.currency`): its quote, card hold, capture, refunds, payout and
ledger are all in it. A place in no region is priced in the platform's `CURRENCY`. The regions are deployment
configuration (`SERVICE_REGIONS`, JSON), checked whole when read: a typo stops the deploy, not a payment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from babel.numbers import is_currency

from curbside.domain.money import exponent


@dataclass(frozen=True)
class ServiceRegion:
    code: str
    """A short name (`AU`, `NZ`), shown to admins."""
    currency: str
    """ISO 4217 code of every price in the region."""
    south: float
    west: float
    north: float
    east: float

    def __post_init__(self) -> None:
        if not is_currency(self.currency):
            raise ValueError(f"region {self.code}: {self.currency!r} is not an ISO 4217 code in capitals (NZD)")
        if exponent(self.currency) != 2:
            raise ValueError(f"region {self.code}: prices are rounded to cents, so a region's currency must have "
                             f"two decimals ({self.currency} has {exponent(self.currency)})")
        if not (-90 <= self.south < self.north <= 90 and -180 <= self.west <= 180 and -180 <= self.east <= 180):
            raise ValueError(f"region {self.code}: the box must have south < north within -90..90 and longitudes "
                             "within -180..180")

    def holds(self, lat: float, lng: float) -> bool:
        """Whether the point is in the box (a box whose west is east of its east crosses the 180th meridian)."""
        if not self.south <= lat <= self.north:
            return False
        return self.west <= lng <= self.east if self.west <= self.east else lng >= self.west or lng <= self.east


def parse_regions(text: str) -> tuple[ServiceRegion, ...]:
    """`SERVICE_REGIONS`: a JSON list of `{"code", "currency", "bounds": [south, west, north, east]}`."""
    regions = []
    for item in json.loads(text or "[]"):
        south, west, north, east = (float(edge) for edge in item["bounds"])
        regions.append(ServiceRegion(str(item["code"]), str(item["currency"]), south, west, north, east))
    return tuple(regions)


def currency_at(regions: tuple[ServiceRegion, ...], lat: float, lng: float, default: str) -> str:
    """The currency of the first region holding the point; `default` outside every region."""
    return next((region.currency for region in regions if region.holds(lat, lng)), default)
