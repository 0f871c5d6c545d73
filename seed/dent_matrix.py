"""The seeded paintless-dent-repair matrix (issue 20, D87): realistic euro prices of an Australian hail-repair
shop's matrix, built from three factors so that the 216 cells stay consistent — more dents, bigger dents or a
bigger panel never cost less.

    price = band price (a door, small dents) x size factor x panel factor, rounded to EUR 5

A door with 1-5 small dents costs EUR 95; a roof with 51-100 medium dents EUR 1,330. Aluminium panels cost 25 %
more; no job costs less than EUR 150 (the trip and set-up). Admins replace it with `admin_set_dent_matrix`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from curbside.domain.dent_repair import BANDS, CountBand, DentSize, Panel
from curbside.domain.documents import DentRepairMatrix

MATRIX_ID = "pdr"
BAND_PRICE: dict[CountBand, Decimal] = dict(zip(BANDS, map(Decimal, ("95", "175", "290", "420", "640", "900")),
                                                strict=True))
"""A front door's price per count band with small dents."""
SIZE_FACTOR = {DentSize.SMALL: Decimal("1.0"), DentSize.MEDIUM: Decimal("1.3"), DentSize.LARGE: Decimal("1.7")}
PANEL_FACTOR = {
    Panel.BONNET: Decimal("1.25"), Panel.ROOF: Decimal("1.6"), Panel.BOOT_LID: Decimal("1.0"),
    Panel.LEFT_FRONT_GUARD: Decimal("0.8"), Panel.RIGHT_FRONT_GUARD: Decimal("0.8"),
    Panel.LEFT_FRONT_DOOR: Decimal("1.0"), Panel.RIGHT_FRONT_DOOR: Decimal("1.0"),
    Panel.LEFT_REAR_DOOR: Decimal("1.0"), Panel.RIGHT_REAR_DOOR: Decimal("1.0"),
    Panel.LEFT_REAR_QUARTER: Decimal("1.15"), Panel.RIGHT_REAR_QUARTER: Decimal("1.15"),
    Panel.PILLARS: Decimal("0.6"),
}
ALUMINIUM_SURCHARGE_PERCENT = 25.0
MINIMUM_CHARGE = Decimal("150.00")
FIVE = Decimal(5)


def _price(band: CountBand, size: DentSize, panel: Panel) -> Decimal:
    raw = BAND_PRICE[band] * SIZE_FACTOR[size] * PANEL_FACTOR[panel]
    return ((raw / FIVE).to_integral_value(rounding=ROUND_HALF_UP) * FIVE).quantize(Decimal("0.01"))


def dent_matrix(now: datetime, currency: str = "EUR") -> DentRepairMatrix:
    return DentRepairMatrix(
        id=MATRIX_ID, currency=currency, updated_date=now,
        prices={panel: {size: [_price(band, size, panel) for band in BANDS] for size in DentSize} for panel in Panel},
        aluminium_surcharge_percent=ALUMINIUM_SURCHARGE_PERCENT, minimum_charge=MINIMUM_CHARGE)
