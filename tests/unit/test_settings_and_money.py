"""Settings are one typed object whose defaults are the deployment params' defaults; `Deps` has no defaults
(nothing reaches a production vendor by omission); money knows each currency's minor unit."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from curbside.deps import Deps
from curbside.domain.money import (
    charge_step,
    chargeable,
    exponent,
    from_minor,
    platform_fee,
    round_price,
    split_refund,
    to_minor,
)
from curbside.settings import Settings


def test_the_params_defaults_and_the_settings_defaults_are_the_same():
    assert Settings.from_params() == Settings()


def test_a_deployment_value_reaches_the_settings(monkeypatch):
    monkeypatch.setenv("DISPATCH_CAPACITY", "3")
    monkeypatch.setenv("PLATFORM_FEE_PERCENT", "12.5")

    configured = Settings.from_params()

    assert (configured.dispatch.capacity, configured.payments.platform_fee_percent) == (3, Decimal("12.5"))


def test_deps_has_no_defaults():
    assert all(field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
               for field in dataclasses.fields(Deps))


@pytest.mark.parametrize(("currency", "amount", "minor", "places"), [
    ("EUR", Decimal("33.00"), 3300, 2),
    ("aud", Decimal("0.05"), 5, 2),
    ("JPY", Decimal("3300"), 3300, 0),
    ("KWD", Decimal("1.234"), 1234, 3),
])
def test_minor_units_follow_the_currencys_exponent(currency, amount, minor, places):
    assert exponent(currency) == places
    assert to_minor(amount, currency) == minor
    assert from_minor(minor, currency) == amount


def test_an_amount_finer_than_the_minor_unit_rounds_half_up():
    assert to_minor(Decimal("10.005"), "EUR") == 1001
    assert to_minor(Decimal("99.5"), "JPY") == 100


@pytest.mark.parametrize(("currency", "amount", "rounded", "step"), [
    ("EUR", Decimal("10.005"), Decimal("10.01"), 1),
    ("JPY", Decimal("1250.5"), Decimal("1251"), 1),      # no fractions of a yen
    ("KWD", Decimal("1.2345"), Decimal("1.230"), 10),    # Stripe charges KWD in whole tens of fils
    ("BHD", Decimal("0.995"), Decimal("1.000"), 10),
])
def test_prices_round_half_up_to_what_a_card_can_be_charged(currency, amount, rounded, step):
    assert (round_price(amount, currency), charge_step(currency)) == (rounded, step)
    assert chargeable(to_minor(rounded, currency), currency) == to_minor(rounded, currency)


def test_an_amount_stripe_cannot_charge_is_refused_before_it_is_sent():
    with pytest.raises(ValueError, match=r"^1\.235 KWD is not a chargeable amount \(steps of 0\.010\)$"):
        chargeable(1235, "KWD")


def test_fees_and_reversals_in_a_three_decimal_currency_stay_in_whole_steps():
    assert platform_fee(19460, Decimal(15), "KWD") == 2920  # 2.919 KWD -> 2.920
    assert platform_fee(7499, Decimal(15), "JPY") == 1125   # 1124.85 yen -> 1125
    split = split_refund(10000, held=0, paid_out=16540, fee=2920, currency="KWD")
    assert (split.from_technician, split.from_fee) == (8500, 1500)  # 8.4995 -> 8.500; the rest is the fee's
    assert split.from_technician % 10 == split.from_fee % 10 == 0
