"""The dent-repair matrix's arithmetic (domain/dent_repair.py): hand-computed quotes on the seeded matrix, the
validation an admin's matrix gets, and a property: whatever the matrix and the damage, the breakdown's lines
add up to the total to the cent, and the total is the panels' price or the minimum charge, whichever is more."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.domain.dent_repair import (
    BANDS,
    CountBand,
    DentMatrix,
    DentSize,
    MatrixError,
    Panel,
    PanelDamage,
    price_damage,
    surcharge,
)
from curbside.services.photo_quotes import breakdown
from seed.dent_matrix import dent_matrix

SEEDED = dent_matrix(dt.datetime(2026, 11, 20, tzinfo=dt.UTC)).to_domain()


def uniform(price: int = 10000, **overrides: object) -> dict[str, object]:
    """A matrix's fields with one price everywhere (minor units)."""
    prices = {panel: {size: (price,) * len(BANDS) for size in DentSize} for panel in Panel}
    return {"prices": prices, "aluminium_surcharge_percent": Decimal(25), "minimum_charge": 15000, **overrides}


def test_a_hail_damaged_roof_and_pillars_cost_what_the_matrix_says_to_the_cent():
    # roof, 16-30 medium: 290 x 1.3 x 1.6 = 603.20 -> 605.00; aluminium +25% = 151.25
    # pillars, 1-5 small: 95 x 1.0 x 0.6 = 57.00 -> 55.00
    quote = price_damage(SEEDED, [PanelDamage(Panel.ROOF, CountBand.UP_TO_30, DentSize.MEDIUM, aluminium=True),
                                  PanelDamage(Panel.PILLARS, CountBand.UP_TO_5, DentSize.SMALL)])

    assert [(line.repair, line.aluminium_surcharge, line.amount) for line in quote.lines] == [
        (60500, 15125, 75625), (5500, 0, 5500)]
    assert (quote.minimum_top_up, quote.total) == (0, 81125)


def test_a_single_small_dent_costs_the_minimum_charge():
    quote = price_damage(SEEDED, [PanelDamage(Panel.LEFT_FRONT_GUARD, CountBand.UP_TO_5, DentSize.SMALL)])

    assert (quote.lines[0].amount, quote.minimum_top_up, quote.total) == (7500, 7500, 15000)  # 76.00 -> 75.00


def test_the_aluminium_surcharge_rounds_half_up_to_the_minor_unit():
    assert (surcharge(10, Decimal(25)), surcharge(2, Decimal(25)), surcharge(1, Decimal("12.5"))) == (3, 1, 0)


def test_the_seeded_matrix_rises_with_more_and_bigger_dents():
    roof = SEEDED.prices[Panel.ROOF]
    assert roof[DentSize.SMALL] == (15000, 28000, 46500, 67000, 102500, 144000)
    assert all(small <= large for small, large in zip(roof[DentSize.SMALL], roof[DentSize.LARGE], strict=True))


def test_a_panel_listed_twice_is_refused_by_name():
    twice = [PanelDamage(Panel.BONNET, CountBand.UP_TO_5, DentSize.SMALL),
             PanelDamage(Panel.BONNET, CountBand.UP_TO_15, DentSize.LARGE)]
    with pytest.raises(ValueError, match=r"damage\[1\]\.panel: bonnet is listed twice"):
        price_damage(SEEDED, twice)
    with pytest.raises(ValueError, match="at least one dented panel"):
        price_damage(SEEDED, [])


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m["prices"].pop(Panel.PILLARS), r"prices\.pillars: missing"),
    (lambda m: m["prices"][Panel.ROOF].update({DentSize.SMALL: (1, 2, 3)}), r"prices\.roof\.small: give 6 prices"),
    (lambda m: m["prices"][Panel.ROOF].update({DentSize.SMALL: (5, 4, 9, 9, 9, 9)}),
     r"prices\.roof\.small\[1\] \(6-15 dents\): must be at least the 1-5 price"),
    (lambda m: m["prices"][Panel.BONNET].update({DentSize.LARGE: (1,) * 6}),
     r"prices\.bonnet\.large\[0\] \(1-5 dents\): must be at least the medium dents' price"),
    (lambda m: m["prices"][Panel.BOOT_LID].update({DentSize.SMALL: (0,) * 6}),
     r"prices\.boot_lid\.small\[0\] \(1-5 dents\): must be above zero"),
    (lambda m: m.update(aluminium_surcharge_percent=Decimal(-1)), "aluminium_surcharge_percent: between 0"),
    (lambda m: m.update(minimum_charge=0), "minimum_charge: must be above zero"),
])
def test_a_matrix_that_cannot_price_every_panel_is_refused_naming_the_field(change, message):
    fields = uniform()
    fields["prices"] = {panel: dict(row) for panel, row in fields["prices"].items()}  # type: ignore[attr-defined]
    change(fields)
    with pytest.raises(MatrixError, match=message):
        DentMatrix(**fields)  # type: ignore[arg-type]


@st.composite
def matrices(draw: st.DrawFn) -> DentMatrix:
    """Any valid matrix: per panel a base, a step per band and a step per size (so prices never fall)."""
    prices = {}
    for panel in Panel:
        base, band_step, size_step = (draw(st.integers(1, 200_000)), draw(st.integers(0, 50_000)),
                                      draw(st.integers(0, 50_000)))
        prices[panel] = {size: tuple(base + band * band_step + rank * size_step for band in range(len(BANDS)))
                         for rank, size in enumerate(DentSize)}
    percent = Decimal(draw(st.integers(0, 20_000))) / 100
    return DentMatrix(prices, percent, draw(st.integers(1, 500_000)))


damages = st.lists(
    st.builds(PanelDamage, st.sampled_from(Panel), st.sampled_from(CountBand), st.sampled_from(DentSize),
              st.booleans()),
    min_size=1, max_size=len(Panel), unique_by=lambda damage: damage.panel)


@settings(max_examples=150, deadline=None)
@given(matrix=matrices(), damage=damages, currency=st.sampled_from(["EUR", "AUD", "JPY", "KWD"]))
def test_the_breakdown_always_adds_up_to_the_total(matrix, damage, currency):
    quote = price_damage(matrix, damage)
    panels = sum(line.amount for line in quote.lines)

    assert quote.total == max(panels, matrix.minimum_charge) == panels + quote.minimum_top_up
    for line, entry in zip(quote.lines, damage, strict=True):
        assert line.repair == matrix.price(entry.panel, entry.dent_size, entry.count_band)
        exact = Decimal(line.repair) * matrix.aluminium_surcharge_percent / 100 if entry.aluminium else Decimal(0)
        assert abs(line.aluminium_surcharge - exact) <= Decimal("0.5")
    shown = breakdown(quote, currency)
    assert sum(line["amount"] for line in shown["lines"]) + shown["minimum_charge_top_up"] == shown["total"]
