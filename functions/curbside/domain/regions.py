"""Service regions, their currencies and their taxes (docs/decisions.md D122, D130, D131).

A region is a named box of latitude and longitude with the currency its jobs are priced and charged in (AUD
for Australia, NZD for New Zealand, JPY with no decimals, KWD with three), optionally its own base price and
late-cancellation fee (in its currency) and its sales tax (GST 10 % in the price in Australia, a sales tax
added on top in a US-style region). A job takes the currency and tax of the first region that holds its
location when it is created, and keeps them (`ServiceRequests.currency`, the tax in `price_breakdown`): its
quote, card hold, capture, refunds, payout, ledger and invoice all follow them. A place in no region is priced
in the platform's `CURRENCY` and `TAX_*`. The regions are deployment configuration (`SERVICE_REGIONS`, JSON),
checked whole when read: a typo stops the deploy, not a payment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import is_currency

from curbside.domain.invoicing import TaxRegime
from curbside.domain.money import STRIPE_COUNTS_OTHERWISE, chargeable_amount, round_price


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
    tax: TaxRegime | None = None
    """The region's sales tax; None: the platform's (`TAX_*`)."""
    base_price: Decimal | None = None
    """The base price in the region's currency; None: `BASE_PRICE`, read as an amount of it."""
    late_cancellation_fee: Decimal | None = None
    """The late-cancellation fee in the region's currency; None: `LATE_CANCELLATION_FEE`, read as one."""

    def __post_init__(self) -> None:
        if not is_currency(self.currency):
            raise ValueError(f"region {self.code}: {self.currency!r} is not an ISO 4217 code in capitals (NZD)")
        if self.currency in STRIPE_COUNTS_OTHERWISE:
            raise ValueError(f"region {self.code}: Stripe does not count {self.currency} in its minor units; "
                             "not supported")
        if self.base_price is not None and (self.base_price <= 0
                                            or round_price(self.base_price, self.currency) != self.base_price):
            raise ValueError(f"region {self.code}: base_price must be a positive amount {self.currency} can be "
                             f"charged, not {self.base_price}")
        if self.late_cancellation_fee is not None and not chargeable_amount(self.late_cancellation_fee,
                                                                            self.currency):
            raise ValueError(f"region {self.code}: late_cancellation_fee must be an amount {self.currency} can be "
                             f"charged, not {self.late_cancellation_fee}")
        if not (-90 <= self.south < self.north <= 90 and -180 <= self.west <= 180 and -180 <= self.east <= 180):
            raise ValueError(f"region {self.code}: the box must have south < north within -90..90 and longitudes "
                             "within -180..180")

    def holds(self, lat: float, lng: float) -> bool:
        """Whether the point is in the box (a box whose west is east of its east crosses the 180th meridian)."""
        if not self.south <= lat <= self.north:
            return False
        return self.west <= lng <= self.east if self.west <= self.east else lng >= self.west or lng <= self.east


def _tax(code: str, item: Any) -> TaxRegime | None:
    if item is None:
        return None
    try:
        return TaxRegime(str(item["name"]), Decimal(str(item["rate_percent"])), bool(item["prices_include_tax"]))
    except (KeyError, TypeError, ArithmeticError, ValueError) as exc:
        raise ValueError(f"region {code}: tax must be {{\"name\", \"rate_percent\", \"prices_include_tax\"}} "
                         f"({exc})") from None


def parse_regions(text: str) -> tuple[ServiceRegion, ...]:
    """`SERVICE_REGIONS`: a JSON list of `{"code", "currency", "bounds": [south, west, north, east]}`, each
    optionally with `"tax": {"name", "rate_percent", "prices_include_tax"}`, `"base_price"` and
    `"late_cancellation_fee"`."""
    regions = []
    for item in json.loads(text or "[]"):
        code = str(item["code"])
        south, west, north, east = (float(edge) for edge in item["bounds"])
        base, fee = item.get("base_price"), item.get("late_cancellation_fee")
        regions.append(ServiceRegion(code, str(item["currency"]), south, west, north, east, _tax(code, item.get("tax")),
                                     None if base is None else Decimal(str(base)),
                                     None if fee is None else Decimal(str(fee))))
    return tuple(regions)


def region_at(regions: tuple[ServiceRegion, ...], lat: float, lng: float) -> ServiceRegion | None:
    """The first region holding the point; None outside every region."""
    return next((region for region in regions if region.holds(lat, lng)), None)


def currency_at(regions: tuple[ServiceRegion, ...], lat: float, lng: float, default: str) -> str:
    """The currency of the first region holding the point; `default` outside every region."""
    region = region_at(regions, lat, lng)
    return region.currency if region else default
