"""Paintless dent repair (PDR) priced from a matrix, as hail-repair shops quote it (issue 20, D87).

The matrix gives, for each panel and typical dent size, the price of each dent-count band; an aluminium panel
costs a percentage more (aluminium has less memory than steel and takes longer to push); a job never costs less
than the minimum charge (the trip and set-up are the same for one dent as for ten). All arithmetic is in integer
minor units of the currency (`domain.money`), so the breakdown's lines always add up to the total exactly:

    per panel   matrix[panel][size][band]            e.g. roof, medium, 16-30 dents   520.00
                + round_half_up(that x surcharge %)   aluminium only                  +130.00
    top-up      minimum charge - sum of panels        only when the panels cost less
    = total

Pure: no Firestore, no vendor. `services.photo_quotes` loads the stored matrix and the damage to price.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Panel(StrEnum):
    """The panels a hail-damaged car is quoted by (both sides' guards, doors and rear quarters apart)."""

    BONNET = "bonnet"
    ROOF = "roof"
    BOOT_LID = "boot_lid"
    LEFT_FRONT_GUARD = "left_front_guard"
    RIGHT_FRONT_GUARD = "right_front_guard"
    LEFT_FRONT_DOOR = "left_front_door"
    RIGHT_FRONT_DOOR = "right_front_door"
    LEFT_REAR_DOOR = "left_rear_door"
    RIGHT_REAR_DOOR = "right_rear_door"
    LEFT_REAR_QUARTER = "left_rear_quarter"
    RIGHT_REAR_QUARTER = "right_rear_quarter"
    PILLARS = "pillars"
    """The A/B/C pillars and roof rails together: few dents, awkward access."""


class DentSize(StrEnum):
    """The typical dent on a panel, as a customer can tell it."""

    SMALL = "small"
    """Up to about 15 mm (a pea)."""
    MEDIUM = "medium"
    """About 15-30 mm (a coin)."""
    LARGE = "large"
    """About 30-50 mm (a golf ball); larger dents are panel work, not PDR."""


class CountBand(StrEnum):
    """How many dents a panel has, in the bands hail matrices use (the price is per band, not per dent)."""

    UP_TO_5 = "1-5"
    UP_TO_15 = "6-15"
    UP_TO_30 = "16-30"
    UP_TO_50 = "31-50"
    UP_TO_100 = "51-100"
    OVER_100 = "101+"


class DamageSource(StrEnum):
    """Who described the damage a quote priced."""

    CUSTOMER = "customer"
    """The customer's own description, or their correction of the photos' proposal."""
    PHOTOS = "photos"
    """The vision model's reading of the photos, not (yet) corrected."""


BANDS: tuple[CountBand, ...] = tuple(CountBand)
"""Band order: a matrix row lists one price per band, in this order."""


class MatrixError(ValueError):
    """A matrix that cannot price every panel: the message names the field, for the admin who sent it."""


@dataclass(frozen=True)
class DentMatrix:
    """Prices in minor units: `prices[panel][size]` is one amount per band of `BANDS`."""

    prices: Mapping[Panel, Mapping[DentSize, tuple[int, ...]]]
    aluminium_surcharge_percent: Decimal
    minimum_charge: int

    def __post_init__(self) -> None:
        validate(self)

    def price(self, panel: Panel, size: DentSize, band: CountBand) -> int:
        return self.prices[panel][size][BANDS.index(band)]


MAX_SURCHARGE_PERCENT = Decimal(200)


def validate(matrix: DentMatrix) -> None:
    """Every panel and size priced for every band, each price positive and never lower for more dents or
    bigger dents (a customer adding damage must never see the price drop), and sane extras."""
    for panel in Panel:
        row = matrix.prices.get(panel)
        if row is None:
            raise MatrixError(f"prices.{panel.value}: missing; price every panel ({', '.join(Panel)}).")
        for size in DentSize:
            amounts = row.get(size)
            field = f"prices.{panel.value}.{size.value}"
            if amounts is None or len(amounts) != len(BANDS):
                raise MatrixError(f"{field}: give {len(BANDS)} prices, one per dent-count band "
                                  f"({', '.join(BANDS)}).")
            for index, amount in enumerate(amounts):
                if amount <= 0:
                    raise MatrixError(f"{field}[{index}] ({BANDS[index].value} dents): must be above zero.")
                if index and amount < amounts[index - 1]:
                    raise MatrixError(f"{field}[{index}] ({BANDS[index].value} dents): must be at least the "
                                      f"{BANDS[index - 1].value} price; more dents never cost less.")
            smaller = _smaller(size)
            if smaller is not None:
                for index, (amount, below) in enumerate(zip(amounts, row[smaller], strict=True)):
                    if amount < below:
                        raise MatrixError(f"{field}[{index}] ({BANDS[index].value} dents): must be at least the "
                                          f"{smaller.value} dents' price; bigger dents never cost less.")
    if not 0 <= matrix.aluminium_surcharge_percent <= MAX_SURCHARGE_PERCENT:
        raise MatrixError(f"aluminium_surcharge_percent: between 0 and {MAX_SURCHARGE_PERCENT}.")
    if matrix.minimum_charge <= 0:
        raise MatrixError("minimum_charge: must be above zero.")


def _smaller(size: DentSize) -> DentSize | None:
    sizes = list(DentSize)
    position = sizes.index(size)
    return sizes[position - 1] if position else None


@dataclass(frozen=True)
class PanelDamage:
    """One dented panel, as the customer describes it or the photos suggest."""

    panel: Panel
    count_band: CountBand
    dent_size: DentSize
    aluminium: bool = False


@dataclass(frozen=True)
class PanelLine:
    damage: PanelDamage
    repair: int
    """The matrix price, minor units."""
    aluminium_surcharge: int

    @property
    def amount(self) -> int:
        return self.repair + self.aluminium_surcharge


@dataclass(frozen=True)
class DentQuote:
    lines: tuple[PanelLine, ...]
    minimum_top_up: int
    """What the minimum charge adds when the panels cost less (0 otherwise)."""

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines) + self.minimum_top_up


def surcharge(amount: int, percent: Decimal) -> int:
    """`percent` of `amount`, rounded half up to the minor unit."""
    return int((Decimal(amount) * percent / 100).to_integral_value(rounding=ROUND_HALF_UP))


def check_damage(damage: Sequence[PanelDamage]) -> None:
    """At least one panel, each panel once (a second entry for a panel is a typo, not more damage)."""
    if not damage:
        raise ValueError("damage: describe at least one dented panel.")
    seen: set[Panel] = set()
    for index, entry in enumerate(damage):
        if entry.panel in seen:
            raise ValueError(f"damage[{index}].panel: {entry.panel.value} is listed twice; give each panel once "
                             "with its dent count and typical size.")
        seen.add(entry.panel)


def price_damage(matrix: DentMatrix, damage: Sequence[PanelDamage]) -> DentQuote:
    """The quote for `damage`: one line per panel in the order given, then the minimum charge's top-up."""
    check_damage(damage)
    lines = []
    for entry in damage:
        repair = matrix.price(entry.panel, entry.dent_size, entry.count_band)
        extra = surcharge(repair, matrix.aluminium_surcharge_percent) if entry.aluminium else 0
        lines.append(PanelLine(entry, repair, extra))
    panels = sum(line.amount for line in lines)
    return DentQuote(tuple(lines), max(matrix.minimum_charge - panels, 0))
