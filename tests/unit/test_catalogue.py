"""The catalogue's rules (D106-D109) by hand: a booked service's price, add-ons and duration, `service_type` rules by
id and category, the skills check, the ABN's checksum, and the invoice lines of a service booking — with the
property that they always add up to what was charged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curbside.domain.catalogue import book, missing_skills, qualified
from curbside.domain.documents import PricingRule
from curbside.domain.enums import RewardType, RuleType
from curbside.domain.errors import InvalidInput
from curbside.domain.invoicing import TaxRegime, abn_digits, breakdown_lines, invoice_totals
from curbside.domain.money import to_minor
from curbside.domain.pricing import PricingSettings, RewardDiscount, quote
from curbside.domain.pricing_conditions import Job, RuleConditionError
from curbside.domain.pricing_rules import check_rule
from tests.factories import make_pricing_rule, make_service

D = Decimal
SYDNEY = ZoneInfo("Australia/Sydney")
NOON = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
WAX = {"add_on_id": "wax", "name": "Hand wax", "price": D("25.00"), "duration_minutes": 20}
GLASS = {"add_on_id": "glass", "name": "Glass polish", "price": D("12.50"), "duration_minutes": 10}
PDR = make_service(id="pdr", base_price=D("120.00"), estimated_duration_minutes=90, required_skills=["pdr"],
                   add_ons=[WAX, GLASS])


def job(service=None, *, urgent: bool = False) -> Job:
    return Job(-33.8, 150.9, urgent, False, NOON, SYDNEY, service)


def service_rule(**conditions: Any) -> PricingRule:
    return make_pricing_rule(id="rule-svc", rule_name="PDR season", rule_type=RuleType.SERVICE_TYPE, multiplier=1.2,
                             time_conditions={}, demand_conditions=conditions)


def test_a_booking_is_priced_from_the_services_base_with_a_line_per_add_on_and_timed_with_them():
    booked = book(PDR, ["glass", "wax"])
    q = quote(PricingSettings(), job(booked.terms, urgent=True), [],
              reward=RewardDiscount(RewardType.FREE_SERVICE))

    assert [(line.code, line.label, line.amount) for line in q.lines] == [
        ("urgency", "Urgency (50%)", D("60.00")), ("add_on", "Glass polish", D("12.50")),
        ("add_on", "Hand wax", D("25.00"))]
    assert (q.base_price, q.subtotal, q.reward_discount, q.final_price) == (
        D("120.00"), D("217.50"), D("120.00"), D("97.50"))  # a free service takes off the service's base price
    assert booked.duration_minutes == 90 + 10 + 20


def test_the_price_cap_is_a_multiple_of_the_services_base_and_add_ons_come_on_top():
    settings = PricingSettings(max_multiplier=D("1.2"))
    q = quote(settings, job(book(PDR, ["wax"]).terms, urgent=True), [])

    assert [line.amount for line in q.lines] == [D("60.00"), D("-36.00"), D("25.00")]
    assert q.subtotal == D("144.00") + D("25.00")


def test_service_type_rules_match_by_id_or_category_and_never_a_job_without_a_service():
    terms = book(PDR, []).terms
    by_id, by_category = service_rule(service_ids=["pdr"]), service_rule(categories=["hail_pdr"])
    other = service_rule(service_ids=["detail"], categories=["detailing"])

    assert [line.amount for line in quote(PricingSettings(), job(terms), [by_id]).lines] == [D("24.00")]
    assert quote(PricingSettings(), job(terms), [by_category]).applied_rules == ("rule-svc",)
    assert quote(PricingSettings(), job(terms), [other]).lines == ()
    assert quote(PricingSettings(), job(), [by_id]).lines == ()


@pytest.mark.parametrize(("conditions", "words"), [
    ({}, "names service_ids, categories"),
    ({"categories": ["plumbing"]}, "categories must be a list of"),
    ({"service_ids": ["pdr"], "zones": []}, "demand_conditions.zones: not a condition"),
])
def test_the_editor_refuses_a_service_type_rule_a_quote_could_not_read(conditions, words):
    with pytest.raises(RuleConditionError, match=words):
        check_rule(service_rule(**conditions))


def test_an_inactive_service_a_foreign_or_repeated_add_on_cannot_be_booked():
    with pytest.raises(InvalidInput, match=r"^service_id: .* no longer offered"):
        book(PDR.model_copy(update={"is_active": False}), [])
    with pytest.raises(InvalidInput, match=r"'tyres' is not an add-on of .* \(its add-ons: wax, glass\)"):
        book(PDR, ["tyres"])
    with pytest.raises(InvalidInput, match="each add-on once"):
        book(PDR, ["wax", "wax"])


def test_a_technician_qualifies_with_every_required_skill():
    assert qualified([], []) and qualified(["pdr"], ["pdr", "paint"])
    assert not qualified(["pdr", "paint"], ["pdr"])
    assert missing_skills(["pdr", "paint", "glass"], ["pdr"]) == ["glass", "paint"]


@pytest.mark.parametrize(("abn", "digits"), [
    ("51 824 753 556", "51824753556"),   # the ATO's example
    ("51824753556", "51824753556"),
    ("51 824 753 557", None),            # last digit off: the weighted sum is no multiple of 89
    ("5182475355", None),                # ten digits
    ("01824753556", None),
    ("51-824-753-556", None),
])
def test_the_abn_checksum_by_hand(abn, digits):
    assert abn_digits(abn) == digits


def test_a_service_bookings_invoice_lines_by_hand():
    q = quote(PricingSettings(currency="AUD"), job(book(PDR, ["wax"]).terms), [],
              reward=RewardDiscount(RewardType.FIXED_DISCOUNT, amount=D("10.00")))
    breakdown = q.breakdown()

    lines = breakdown_lines(breakdown, 13500, "AUD", "Vehicle service", base_label="Paintless dent repair")
    totals = invoice_totals(lines, TaxRegime("GST", D(10), prices_include_tax=False), "AUD")

    assert [(line.description, line.amount_minor) for line in lines] == [
        ("Paintless dent repair", 12000), ("Hand wax", 2500), ("Reward discount", -1000)]
    assert [(line.description, line.amount_minor) for line in totals.lines] == [
        ("Paintless dent repair", 10909), ("Hand wax", 2273), ("Reward discount", -909)]
    assert (totals.tax_minor, totals.total_minor) == (1227, 13500)  # 135.00 x 10/110 = 12.27


prices = st.decimals(min_value=0, max_value=2000, places=2)


@given(base=prices, add_on_prices=st.lists(prices, max_size=4), urgent=st.booleans(),
       reward=st.one_of(st.none(), prices), rate=st.decimals(min_value=0, max_value=25, places=2),
       inclusive=st.booleans())
def test_a_service_bookings_invoice_lines_and_tax_always_make_what_was_charged(
        *, base, add_on_prices, urgent, reward, rate, inclusive):
    service = make_service(id="svc", base_price=base, add_ons=[
        {"add_on_id": f"a{n}", "name": f"Add-on {n}", "price": price} for n, price in enumerate(add_on_prices)])
    booked = book(service, [f"a{n}" for n in range(len(add_on_prices))])
    q = quote(PricingSettings(currency="AUD"), job(booked.terms, urgent=urgent), [],
              reward=RewardDiscount(RewardType.FIXED_DISCOUNT, amount=reward) if reward is not None else None)
    charged = to_minor(q.final_price, "AUD")
    if charged == 0:
        return  # a free job is never charged, so never invoiced

    gross = breakdown_lines(q.breakdown(), charged, "AUD", "Vehicle service", base_label=service.name)
    totals = invoice_totals(gross, TaxRegime("GST", rate, inclusive), "AUD")

    assert "Vehicle service" not in {line.description for line in gross}  # the breakdown itself, line by line
    assert sum(line.description.startswith("Add-on") for line in gross) == sum(1 for p in add_on_prices if p)
    assert totals.total_minor == charged
    printed = sum(line.amount_minor for line in totals.lines)
    assert printed + (0 if inclusive else totals.tax_minor) == charged
    assert 0 <= totals.tax_minor <= charged
