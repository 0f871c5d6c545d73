"""Tax invoices and credit notes: their lines, their tax and their numbers, in minor units, with no I/O.

A job is supplied by its technician; Curbside collects the price as their agent and issues the tax invoice in
the technician's name (as ride-sourcing platforms do), so each technician is an *issuer* with their own
sequence of numbers, without gaps, shared by invoices and credit notes (D103). The invoice's total is what was
charged, to the cent: its lines are the price breakdown the client agreed to when those lines add up to the
charge, and one line with the charge otherwise (a late-cancellation fee, a price revised on site).

Tax follows the job's region (configuration, fixed on the job when it is quoted, D131): GST 10 % in Australia
and VAT in Europe are in the price (`prices_include_tax`), so the tax is the part of the total that is tax,
total x rate / (100 + rate); where prices are quoted without tax (a US-style sales tax), the quote's lines are
net and the tax it added on top (`tax_added`, rounded to what a card can be charged) is the invoice's, so the
quote, the card and the invoice agree to the minor unit. Either way lines (+ tax where added) == total, and a
credit note's tax is the invoice's tax on what remained before it minus that on what remains after it, so the
credit notes of a job refunded in full carry exactly the invoice's tax.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from curbside.domain.money import round_to_step, to_minor

SEQUENCE_DIGITS = 6
ABN_WEIGHTS = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)


@dataclass(frozen=True)
class TaxRegime:
    """The region's sales tax: its name on documents, its rate, and whether prices include it."""

    name: str = "GST"
    rate_percent: Decimal = Decimal(10)
    prices_include_tax: bool = True

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("the tax needs a name to print (GST, VAT, Sales tax)")
        if not Decimal(0) <= self.rate_percent < Decimal(100):
            raise ValueError("a tax rate is a percentage from 0 up to 100")


@dataclass(frozen=True)
class Line:
    description: str
    amount_minor: int
    """As printed: with tax where prices include it, net otherwise."""


@dataclass(frozen=True)
class Totals:
    lines: tuple[Line, ...]
    tax_minor: int
    total_minor: int


def tax_in(gross_minor: int, regime: TaxRegime, currency: str) -> int:
    """The tax contained in a tax-inclusive amount, rounded half up to the currency's charge step (the minor
    unit but for three-decimal currencies, whose amounts stored as doubles keep two decimals, D130)."""
    rate = regime.rate_percent
    return round_to_step(Decimal(gross_minor) * rate / (100 + rate), currency)


def tax_added(net_minor: int, regime: TaxRegime, currency: str) -> int:
    """The tax added on top of a tax-exclusive amount, rounded half up to the currency's charge step (so net +
    tax is an amount a card can be charged: whole tens of fils in KWD)."""
    return round_to_step(Decimal(net_minor) * regime.rate_percent / 100, currency)


def regime_of(quoted: Mapping[str, Any] | None, default: TaxRegime) -> TaxRegime:
    """The tax a quote was made under (its breakdown's `tax`), else `default` (a job quoted before D131)."""
    if not quoted:
        return default
    return TaxRegime(str(quoted["name"]), Decimal(str(quoted["rate_percent"])), bool(quoted["prices_include_tax"]))


def _minor(value: Any, currency: str) -> int:
    return to_minor(Decimal(str(value)), currency)


def _quoted_lines(breakdown: Mapping[str, Any] | None, currency: str, base_label: str) -> tuple[Line, ...]:
    """The breakdown's lines: the base price (named after the booked service, if any), each adjustment and
    add-on, the reward's discount as a negative line; none of zero."""
    if not breakdown:
        return ()
    lines = [Line(base_label, _minor(breakdown.get("base_price", 0), currency))]
    lines += [Line(str(line["label"]), _minor(line["amount"], currency)) for line in breakdown.get("lines", [])]
    discount = _minor(breakdown.get("reward_discount") or 0, currency)
    if discount:
        lines.append(Line("Reward discount", -discount))
    return tuple(line for line in lines if line.amount_minor)


def breakdown_lines(breakdown: Mapping[str, Any] | None, charged_minor: int, currency: str,
                    fallback: str, *, base_label: str = "Base price") -> tuple[Line, ...]:
    """The breakdown's lines when they add up to what was charged; otherwise one line named `fallback` for the
    whole charge."""
    lines = _quoted_lines(breakdown, currency, base_label)
    if lines and sum(line.amount_minor for line in lines) == charged_minor:
        return lines
    return (Line(fallback, charged_minor),)


def job_invoice_totals(breakdown: Mapping[str, Any] | None, charged_minor: int, currency: str, fallback: str,
                       regime: TaxRegime, *, base_label: str = "Base price") -> Totals:
    """The invoice of a job that charged `charged_minor` after the quote `breakdown`: where the quote added tax
    on top and its net lines + that tax are the charge, those lines and that tax; otherwise the lines as charged
    (the breakdown's, or one `fallback` line) with the tax read out of them."""
    quoted = (breakdown or {}).get("tax") or {}
    if not regime.prices_include_tax and "amount" in quoted:
        tax = _minor(quoted["amount"], currency)
        net = _quoted_lines(breakdown, currency, base_label)
        if net and sum(line.amount_minor for line in net) + tax == charged_minor:
            return Totals(net, tax, charged_minor)
    return invoice_totals(breakdown_lines(breakdown, charged_minor, currency, fallback, base_label=base_label),
                          regime, currency)


def invoice_totals(gross_lines: Sequence[Line], regime: TaxRegime, currency: str) -> Totals:
    """Lines, tax and total of an invoice whose lines are tax-inclusive amounts that add up to the charge."""
    total = sum(line.amount_minor for line in gross_lines)
    tax = tax_in(total, regime, currency)
    if regime.prices_include_tax:
        return Totals(tuple(gross_lines), tax, total)
    return Totals(_net(gross_lines, total - tax), tax, total)


def _net(gross_lines: Sequence[Line], net_total: int) -> tuple[Line, ...]:
    """Each line without its tax, rounded so that the lines add up to the net total exactly (the last line
    takes the rounding)."""
    total = sum(line.amount_minor for line in gross_lines)
    nets: list[Line] = []
    for line in gross_lines[:-1]:
        share = (Decimal(line.amount_minor) * net_total / total) if total else Decimal(0)
        nets.append(Line(line.description, int(share.to_integral_value(rounding=ROUND_HALF_UP))))
    last = gross_lines[-1]
    return (*nets, Line(last.description, net_total - sum(line.amount_minor for line in nets)))


def _tax_share(remaining_minor: int, invoiced_minor: int, invoiced_tax_minor: int) -> int:
    """The invoice's tax on the part of its total still not credited, rounded half up."""
    share = Decimal(invoiced_tax_minor) * remaining_minor / invoiced_minor
    return int(share.to_integral_value(rounding=ROUND_HALF_UP))


def credit_totals(refund_minor: int, *, invoiced_minor: int, invoiced_tax_minor: int, refunded_before_minor: int,
                  regime: TaxRegime, description: str) -> Totals:
    """A credit note for a refund of `refund_minor`, after `refunded_before_minor` was credited already, of an
    invoice that charged `invoiced_minor` with `invoiced_tax_minor` of tax."""
    if not 0 < refund_minor <= invoiced_minor - refunded_before_minor:
        raise ValueError("a credit note gives back part of what the invoice charged and was not credited yet")
    remaining_before = invoiced_minor - refunded_before_minor
    tax = (_tax_share(remaining_before, invoiced_minor, invoiced_tax_minor)
           - _tax_share(remaining_before - refund_minor, invoiced_minor, invoiced_tax_minor))
    amount = refund_minor if regime.prices_include_tax else refund_minor - tax
    return Totals((Line(description, amount),), tax, refund_minor)


def abn_digits(value: str) -> str | None:
    """An Australian Business Number's eleven digits if `value` is one (spaces allowed), else None: subtract 1
    from the first digit, weight the digits 10, 1, 3, 5, ..., 19; the sum is a multiple of 89 (the ATO's
    check)."""
    digits = value.replace(" ", "")
    if len(digits) != len(ABN_WEIGHTS) or not digits.isascii() or not digits.isdigit() or digits[0] == "0":
        return None
    weighted = sum(w * (int(d) - (1 if i == 0 else 0)) for i, (w, d) in enumerate(zip(ABN_WEIGHTS, digits,
                                                                                        strict=True)))
    return digits if weighted % 89 == 0 else None


def abn_printed(digits: str) -> str:
    """`51 824 753 556`, as the ABN is written."""
    return f"{digits[:2]} {digits[2:5]} {digits[5:8]} {digits[8:]}"


def issuer_code(dispatcher_id: str) -> str:
    """A short, stable prefix naming the issuer in its numbers (the uid's first eight characters)."""
    return "".join(ch for ch in dispatcher_id if ch.isalnum())[:8].upper() or "ISSUER"


def document_number(kind_prefix: str, dispatcher_id: str, sequence: int) -> str:
    """`INV-ABCD1234-000042` for an invoice, `CN-...` for a credit note; the sequence is the issuer's."""
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return f"{kind_prefix}-{issuer_code(dispatcher_id)}-{sequence:0{SEQUENCE_DIGITS}d}"
