"""Photo quotes (issue 20): the paintless-dent-repair matrix admins keep, and the quotes clients get from it.

DentRepairMatrices/{matrix id}: admin-only, written by `admin_set_dent_matrix` (one document, `pdr`).
Quotes/{auto id}: a client's quote, readable by that client only, used at most once by `create_request`.
"""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from curbside.domain.dent_repair import CountBand, DamageSource, DentMatrix, DentSize, Panel, PanelDamage
from curbside.domain.documents.base import Document, Money, UtcDatetime
from curbside.domain.money import to_minor


class DentRepairMatrix(Document):
    """The PDR price matrix in the platform currency: `prices[panel][size]` lists one price per dent-count band
    (`dent_repair.BANDS` order)."""

    prices: dict[Panel, dict[DentSize, list[Money]]]
    aluminium_surcharge_percent: Annotated[float, Field(ge=0, le=200)]
    minimum_charge: Money
    currency: str = Field(min_length=3, max_length=3)
    updated_date: UtcDatetime
    updated_by: str | None = None
    """The admin who last replaced it (None: the seed)."""

    def to_domain(self) -> DentMatrix:
        """The matrix in minor units (the pure pricing's input); validated again on the way."""
        return DentMatrix(
            prices={panel: {size: tuple(to_minor(amount, self.currency) for amount in amounts)
                            for size, amounts in row.items()} for panel, row in self.prices.items()},
            aluminium_surcharge_percent=Decimal(str(self.aluminium_surcharge_percent)),
            minimum_charge=to_minor(self.minimum_charge, self.currency))


class DamageEntry(BaseModel):
    """One dented panel as stored on a quote."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    panel: Panel
    count_band: CountBand
    dent_size: DentSize
    aluminium: bool = False

    def to_domain(self) -> PanelDamage:
        return PanelDamage(self.panel, self.count_band, self.dent_size, self.aluminium)

    @classmethod
    def of(cls, damage: PanelDamage) -> "DamageEntry":
        return cls(panel=damage.panel, count_band=damage.count_band, dent_size=damage.dent_size,
                   aluminium=damage.aluminium)


class Quote(Document):
    """Quotes/{auto id}: a priced photo quote. `damage` is what was priced; `proposed_damage` what the photos
    suggested (None without a vision model), so the app can show it for the customer to confirm or correct."""

    client_id: str
    car_model: str
    photos: list[str]
    damage: list[DamageEntry]
    damage_source: DamageSource
    proposed_damage: list[DamageEntry] | None = None
    breakdown: dict[str, Any]
    """The per-panel lines, the minimum charge's top-up and the total, as quote_from_photos answered them."""
    total: Money
    currency: str = Field(min_length=3, max_length=3)
    valid_until: UtcDatetime
    created_date: UtcDatetime
    used_on_request_id: str | None = None
    """The request that booked it: a quote books one job only."""
    used_at: UtcDatetime | None = None
