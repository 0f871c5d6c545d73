"""Settings are one typed object whose defaults are the deployment params' defaults; `Deps` has no defaults
(nothing reaches a production vendor by omission); money knows each currency's minor unit."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from curbside.deps import Deps
from curbside.domain.money import exponent, from_minor, to_minor
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
