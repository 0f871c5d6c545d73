"""Invoice arithmetic (D103): hand-computed cases, and the properties every invoice and credit note keeps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curbside.domain.documents import Invoice
from curbside.domain.enums import InvoiceKind
from curbside.domain.invoicing import (
    Line,
    TaxRegime,
    breakdown_lines,
    credit_totals,
    document_number,
    invoice_totals,
    tax_in,
)
from curbside.services import invoice_pdf

GST = TaxRegime("GST", Decimal(10), prices_include_tax=True)
UK_VAT = TaxRegime("VAT", Decimal(20), prices_include_tax=True)
ADDED_TAX = TaxRegime("Sales tax", Decimal("8.875"), prices_include_tax=False)


@pytest.mark.parametrize(("gross", "regime", "tax"), [
    (3300, GST, 300),        # 33.00 incl. GST: 3.00 of it is GST
    (5600, GST, 509),        # 509.09 rounds down
    (1000, GST, 91),         # 90.909 rounds up
    (1200, UK_VAT, 200),     # 12.00 incl. 20 % VAT
    (10888, ADDED_TAX, 888),  # 108.88 with 8.875 % added on 100.00
])
def test_the_tax_in_a_price_by_hand(gross, regime, tax):
    assert tax_in(gross, regime) == tax


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
    totals = invoice_totals([Line("Base price", 2200), Line("Urgent", 1100)], TaxRegime("GST", Decimal(10), False))

    assert totals.lines == (Line("Base price", 2000), Line("Urgent", 1000))
    assert (totals.tax_minor, totals.total_minor) == (300, 3300)


def test_credit_notes_of_a_full_refund_in_two_parts_carry_the_invoices_tax_by_hand():
    first = credit_totals(1000, invoiced_minor=3300, refunded_before_minor=0, regime=GST, description="Refund")
    second = credit_totals(2300, invoiced_minor=3300, refunded_before_minor=1000, regime=GST, description="Refund")

    assert (first.tax_minor, second.tax_minor) == (300 - 209, 209)  # tax of 33.00 is 3.00, of 23.00 is 2.09


def test_a_credit_note_cannot_give_back_more_than_is_left():
    with pytest.raises(ValueError, match="not credited yet"):
        credit_totals(2400, invoiced_minor=3300, refunded_before_minor=1000, regime=GST, description="Refund")


def test_numbers_name_the_issuer_and_count_from_one():
    assert document_number("INV", "uid-dispatcher-1", 42) == "INV-UIDDISPA-000042"
    with pytest.raises(ValueError, match="start at 1"):
        document_number("CN", "uid-dispatcher-1", 0)


regimes = st.builds(TaxRegime, st.sampled_from(["GST", "VAT"]),
                    st.decimals(min_value=0, max_value=30, places=3), st.booleans())
amounts = st.lists(st.integers(min_value=-2000, max_value=50_000), min_size=1, max_size=6).filter(
    lambda values: sum(values) > 0)


@given(amounts, regimes)
def test_lines_and_tax_always_make_the_total(values, regime):
    totals = invoice_totals([Line(f"line {n}", value) for n, value in enumerate(values)], regime)

    printed = sum(line.amount_minor for line in totals.lines)
    assert totals.total_minor == sum(values)
    added = 0 if regime.prices_include_tax else totals.tax_minor
    assert printed + added == totals.total_minor
    assert 0 <= totals.tax_minor <= totals.total_minor


@given(st.integers(min_value=1, max_value=200_000), st.data(), regimes)
def test_credit_notes_sum_to_the_refunds_and_a_full_refund_gives_back_all_the_tax(total, data, regime):
    cuts = sorted(set(data.draw(st.lists(st.integers(min_value=1, max_value=max(1, total - 1)), max_size=4))))
    refunds = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True) if b > a]
    credited, notes = 0, []
    for refund in refunds:
        notes.append(credit_totals(refund, invoiced_minor=total, refunded_before_minor=credited, regime=regime,
                                   description="Refund"))
        credited += refund

    assert sum(note.total_minor for note in notes) == total
    assert sum(note.tax_minor for note in notes) == tax_in(total, regime)
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
