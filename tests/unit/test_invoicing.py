"""Invoice arithmetic (D103, D130, D131): hand-computed cases, and the properties every invoice and credit note
keeps — in currencies of 2, 0 and 3 decimals, with prices that include the tax and prices it is added to; and a
quote, the amount its card is charged and its invoice agree to the minor unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curbside.domain.documents import Invoice
from curbside.domain.enums import InvoiceKind, RewardType
from curbside.domain.invoicing import (
    Line,
    TaxRegime,
    Totals,
    breakdown_lines,
    credit_totals,
    document_number,
    invoice_totals,
    job_invoice_totals,
    regime_of,
    tax_in,
)
from curbside.domain.money import charge_step, to_minor
from curbside.domain.pricing import PricingSettings, RewardDiscount, quote
from curbside.domain.pricing_conditions import Job
from curbside.entrypoints.protocol import to_json
from curbside.services import invoice_pdf
from curbside.store.codec import encode_value

GST = TaxRegime("GST", Decimal(10), prices_include_tax=True)
UK_VAT = TaxRegime("VAT", Decimal(20), prices_include_tax=True)
ADDED_TAX = TaxRegime("Sales tax", Decimal("8.875"), prices_include_tax=False)


@pytest.mark.parametrize(("gross", "regime", "currency", "tax"), [
    (3300, GST, "AUD", 300),        # 33.00 incl. GST: 3.00 of it is GST
    (5600, GST, "AUD", 509),        # 509.09 rounds down
    (1000, GST, "AUD", 91),         # 90.909 rounds up
    (1200, UK_VAT, "GBP", 200),     # 12.00 incl. 20 % VAT
    (10888, ADDED_TAX, "USD", 888),  # 108.88 with 8.875 % added on 100.00
    (7499, GST, "JPY", 682),        # 7499 yen: 681.7 yen of tax rounds up to whole yen
    (5130, GST, "KWD", 470),        # 5.130 KWD: 0.46636 of tax, to the 0.010 a KWD amount keeps
])
def test_the_tax_in_a_price_by_hand(gross, regime, currency, tax):
    assert tax_in(gross, regime, currency) == tax


def test_the_breakdown_becomes_the_lines_when_it_adds_up_to_the_charge():
    breakdown = {"base_price": 33.0, "lines": [{"code": "urgent", "label": "Urgent (x1.5)", "amount": 16.5}],
                 "subtotal": 49.5, "reward_discount": 5.0, "final_price": 44.5, "currency": "AUD"}

    lines = breakdown_lines(breakdown, 4450, "AUD", "Vehicle service")

    assert lines == (Line("Base price", 3300), Line("Urgent (x1.5)", 1650), Line("Reward discount", -500))


def test_a_charge_other_than_the_breakdown_is_one_line_for_what_was_charged():
    breakdown = {"base_price": 33.0, "lines": [], "reward_discount": 0, "final_price": 33.0}

    assert breakdown_lines(breakdown, 1000, "AUD", "Late cancellation fee") == (Line("Late cancellation fee", 1000),)
    assert breakdown_lines(None, 3300, "AUD", "Vehicle service") == (Line("Vehicle service", 3300),)


def test_where_tax_is_added_the_lines_are_net_and_the_tax_comes_below_them():
    totals = invoice_totals([Line("Base price", 2200), Line("Urgent", 1100)], TaxRegime("GST", Decimal(10), False),
                            "AUD")

    assert totals.lines == (Line("Base price", 2000), Line("Urgent", 1000))
    assert (totals.tax_minor, totals.total_minor) == (300, 3300)


def test_credit_notes_of_a_full_refund_in_two_parts_carry_the_invoices_tax_by_hand():
    first = credit_totals(1000, invoiced_minor=3300, invoiced_tax_minor=300, refunded_before_minor=0, regime=GST,
                          description="Refund")
    second = credit_totals(2300, invoiced_minor=3300, invoiced_tax_minor=300, refunded_before_minor=1000,
                           regime=GST, description="Refund")

    assert (first.tax_minor, second.tax_minor) == (300 - 209, 209)  # tax of 33.00 is 3.00, of 23.00 is 2.09


def test_a_credit_note_cannot_give_back_more_than_is_left():
    with pytest.raises(ValueError, match="not credited yet"):
        credit_totals(2400, invoiced_minor=3300, invoiced_tax_minor=300, refunded_before_minor=1000, regime=GST,
                      description="Refund")


def test_numbers_name_the_issuer_and_count_from_one():
    assert document_number("INV", "uid-dispatcher-1", 42) == "INV-UIDDISPA-000042"
    with pytest.raises(ValueError, match="start at 1"):
        document_number("CN", "uid-dispatcher-1", 0)


regimes = st.builds(TaxRegime, st.sampled_from(["GST", "VAT"]),
                    st.decimals(min_value=0, max_value=30, places=3), st.booleans())
currencies = st.sampled_from(["AUD", "JPY", "KWD"])
amounts = st.lists(st.integers(min_value=-2000, max_value=50_000), min_size=1, max_size=6).filter(
    lambda values: sum(values) > 0)


@given(amounts, regimes, currencies)
def test_lines_and_tax_always_make_the_total(values, regime, currency):
    step = charge_step(currency)  # lines are amounts a card was charged: whole tens of fils in KWD
    values = [value * step for value in values]
    totals = invoice_totals([Line(f"line {n}", value) for n, value in enumerate(values)], regime, currency)

    printed = sum(line.amount_minor for line in totals.lines)
    assert totals.total_minor == sum(values)
    added = 0 if regime.prices_include_tax else totals.tax_minor
    assert printed + added == totals.total_minor
    assert 0 <= totals.tax_minor <= totals.total_minor and totals.tax_minor % step == 0


@given(st.integers(min_value=1, max_value=200_000), st.data(), regimes)
def test_credit_notes_sum_to_the_refunds_and_a_full_refund_gives_back_all_the_tax(total, data, regime):
    cuts = sorted(set(data.draw(st.lists(st.integers(min_value=1, max_value=max(1, total - 1)), max_size=4))))
    refunds = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True) if b > a]
    invoiced_tax = data.draw(st.integers(min_value=0, max_value=total // 3))  # whatever tax the invoice named
    credited, notes = 0, []
    for refund in refunds:
        notes.append(credit_totals(refund, invoiced_minor=total, invoiced_tax_minor=invoiced_tax,
                                   refunded_before_minor=credited, regime=regime, description="Refund"))
        credited += refund

    assert sum(note.total_minor for note in notes) == total
    assert sum(note.tax_minor for note in notes) == invoiced_tax
    assert all(note.tax_minor >= 0 for note in notes)
    for note in notes:
        printed = sum(line.amount_minor for line in note.lines)
        assert printed + (0 if regime.prices_include_tax else note.tax_minor) == note.total_minor


def test_the_pdf_is_the_same_bytes_every_time():
    invoice = Invoice(id="job-1", kind=InvoiceKind.INVOICE, number="INV-BOB-000001", sequence=1, request_id="job-1",
                      client_id="c", dispatcher_id="d", issuer_name="Bob Tech", client_name="Zoë Client",
                      car_model="Mazda 3", service_date=dt.datetime(2026, 12, 1, tzinfo=dt.UTC), currency="AUD",
                      lines=[{"description": "Base price", "amount_minor": 3300}], tax_name="GST",
                      tax_rate_percent=10.0, prices_include_tax=True, tax_minor=300, total_minor=3300,
                      issued_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    first, second = invoice_pdf.render(invoice), invoice_pdf.render(invoice)

    assert first.startswith(b"%PDF") and first == second


# --- a quote, its card and its invoice (D130, D131) ---------------------------------------------------------------

NOON = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
SALES_TAX = TaxRegime("Sales tax", Decimal("8.875"), prices_include_tax=False)


def priced(currency: str, base: str, regime: TaxRegime, *, urgent: bool = True,
           reward: RewardDiscount | None = None) -> tuple[dict[str, Any], int]:
    """A quote's breakdown as Firestore keeps it (doubles) and the minor units its card is held for; the app is
    shown the same breakdown (`quote_price`'s wire form)."""
    q = quote(PricingSettings(base_price=Decimal(base), currency=currency),
              Job(0.0, 0.0, urgent, False, NOON, ZoneInfo("UTC")), [], reward=reward, tax=regime)
    kept = encode_value(q.breakdown())
    assert to_json(q.breakdown()) == kept  # no amount finer than the two decimals a double keeps
    return kept, to_minor(q.final_price, currency)


def invoiced(breakdown: dict[str, Any], charged: int, currency: str) -> Totals:
    return job_invoice_totals(breakdown, charged, currency, "Vehicle service", regime_of(breakdown["tax"], GST))


def test_a_us_style_quote_adds_the_tax_and_the_card_and_invoice_follow_by_hand():
    breakdown, charged = priced("USD", "33.00", SALES_TAX)

    assert (breakdown["subtotal"], breakdown["tax"]["amount"], breakdown["final_price"]) == (49.5, 4.39, 53.89)
    totals = invoiced(breakdown, charged, "USD")  # 49.50 x 8.875 % = 4.393 -> 4.39
    assert charged == 5389 and totals.total_minor == 5389
    assert [line.amount_minor for line in totals.lines] == [3300, 1650] and totals.tax_minor == 439


def test_a_yen_quote_rounds_to_whole_yen_and_its_invoice_reads_the_gst_out_by_hand():
    breakdown, charged = priced("JPY", "4999", GST)  # urgency: 2499.5 yen -> 2500

    assert (breakdown["lines"][0]["amount"], breakdown["final_price"], breakdown["tax"]["amount"]) == (
        2500, 7499, 682)
    totals = invoiced(breakdown, charged, "JPY")
    assert (charged, totals.total_minor, totals.tax_minor) == (7499, 7499, 682)  # 7499 x 10/110 = 681.7
    assert [line.amount_minor for line in totals.lines] == [4999, 2500]


def test_a_dinar_quote_keeps_amounts_a_card_can_be_charged_by_hand():
    vat = TaxRegime("VAT", Decimal(5), prices_include_tax=False)
    breakdown, charged = priced("KWD", "12.35", vat)  # urgency 6.175 -> 6.18; 5 % of 18.53 = 0.9265 -> 0.93

    assert (breakdown["subtotal"], breakdown["tax"]["amount"], breakdown["final_price"]) == (18.53, 0.93, 19.46)
    totals = invoiced(breakdown, charged, "KWD")
    assert (charged, totals.tax_minor, [line.amount_minor for line in totals.lines]) == (19460, 930, [12350, 6180])


@given(currency=currencies, base=st.integers(min_value=1, max_value=200_000), urgent=st.booleans(),
       off=st.one_of(st.none(), st.integers(min_value=0, max_value=100)), regime=regimes)
def test_the_quote_the_card_and_the_invoice_agree_to_the_minor_unit(currency, base, urgent, off, regime):
    amount = Decimal(base * charge_step(currency)).scaleb(-{"AUD": 2, "JPY": 0, "KWD": 3}[currency])
    reward = None if off is None else RewardDiscount(RewardType.PERCENTAGE_DISCOUNT, percentage=Decimal(off))
    breakdown, charged = priced(currency, str(amount), regime, urgent=urgent, reward=reward)
    if charged == 0:
        return  # a free job is never charged, so never invoiced

    totals = invoiced(breakdown, charged, currency)

    assert charged % charge_step(currency) == 0  # what the card is held for is an amount Stripe takes
    assert totals.total_minor == charged
    assert totals.tax_minor == to_minor(Decimal(str(breakdown["tax"]["amount"])), currency)
    printed = sum(line.amount_minor for line in totals.lines)
    assert printed + (0 if regime.prices_include_tax else totals.tax_minor) == charged
    assert "Vehicle service" not in {line.description for line in totals.lines}  # the quote's own lines
