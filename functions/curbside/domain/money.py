"""Money arithmetic of one job's payment, in integer minor units, with no I/O.

Firestore documents keep the spec's double prices for the apps; Stripe and the ledger use minor units, so
no sum is ever off by a float. A currency's minor unit is its ISO 4217 exponent: a cent for EUR (2), a yen for
JPY (0), a fils for KWD (3) — Stripe counts amounts the same way (but for `STRIPE_COUNTS_OTHERWISE`), except
that it charges a three-decimal currency only in whole tens of fils (the amount's last digit 0). So every price
is rounded to the currency's *charge step* (`charge_step`: 0.01 KWD, 1 JPY, 0.01 EUR), and every amount a card
is held, charged or refunded for, and every transfer and reversal, is a whole number of steps (D130).

The platform's fee is taken when the money is released to the technician; a refund comes out of the money
still held first, and only then out of what was paid out — shared between the technician (a transfer
reversal) and the platform (its fee given back) in proportion to what each got.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from curbside.domain.enums import LedgerKind, PayoutStatus

ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                          "VND", "VUV", "XAF", "XOF", "XPF"})
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
STRIPE_COUNTS_OTHERWISE = frozenset({"ISK", "MGA", "UGX"})
"""Currencies whose amounts Stripe's API does not count in ISO 4217 minor units (its "special cases": ISK and
UGX are sent as two-decimal amounts ending in 00, MGA as whole ariary). Not supported: a service region in one
is refused (`regions.ServiceRegion`)."""


def exponent(currency: str) -> int:
    """Digits after the decimal point of the currency's minor unit (ISO 4217); 2 for every other code."""
    code = currency.upper()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def to_minor(amount: Decimal, currency: str) -> int:
    """An amount in the currency's minor units, rounded half up."""
    return int((amount.scaleb(exponent(currency))).to_integral_value(rounding=ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
    """Minor units as an amount with the currency's decimals."""
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def charge_step(currency: str) -> int:
    """The smallest amount a card can be charged, in minor units: 10 for a three-decimal currency (Stripe takes
    only amounts ending in 0), 1 otherwise."""
    return 10 if exponent(currency) == 3 else 1


def price_quantum(currency: str) -> Decimal:
    """The charge step as an amount: every price line is a whole number of it (0.01 EUR, 1 JPY, 0.01 KWD)."""
    return Decimal(charge_step(currency)).scaleb(-exponent(currency))


def round_price(amount: Decimal, currency: str) -> Decimal:
    """An amount rounded half up to the currency's charge step, with the currency's decimals (1.2345 KWD ->
    1.230, 1250.5 JPY -> 1251, 10.005 EUR -> 10.01)."""
    return from_minor(round_to_step(amount.scaleb(exponent(currency)), currency), currency)


def round_to_step(minor: Decimal | int, currency: str) -> int:
    """Minor units rounded half up to a whole number of charge steps."""
    step = charge_step(currency)
    return int((Decimal(minor) / step).to_integral_value(rounding=ROUND_HALF_UP)) * step


def chargeable_amount(amount: Decimal, currency: str) -> bool:
    """Whether `amount` is zero or more and a whole number of the currency's charge steps."""
    return amount >= 0 and round_price(amount, currency) == amount


def chargeable(minor: int, currency: str) -> int:
    """`minor` if a card can be charged it (a whole number of charge steps); a ValueError rather than an amount
    Stripe would refuse or round."""
    if minor % charge_step(currency):
        raise ValueError(f"{from_minor(minor, currency)} {currency.upper()} is not a chargeable amount (steps of "
                         f"{price_quantum(currency)})")
    return minor


def platform_fee(amount_minor: int, fee_percent: Decimal, currency: str) -> int:
    """The platform's share of money released to a technician, rounded half up to the charge step, so the
    technician's transfer is an amount Stripe moves."""
    return round_to_step(Decimal(amount_minor) * fee_percent / 100, currency)


@dataclass(frozen=True)
class RefundSplit:
    """Where a refund's money comes from."""

    from_held: int
    """Money the platform still holds for the job: nobody was paid it yet."""
    from_technician: int
    """Paid out already: taken back from the technician's connected account (a transfer reversal)."""
    from_fee: int
    """The platform's fee on the refunded part, given back."""


def split_refund(amount: int, *, held: int, paid_out: int, fee: int, currency: str) -> RefundSplit:
    """Split a refund of `amount` (at most held + paid_out + fee) between the three sources; the reversal is a
    whole number of the currency's charge steps."""
    if amount < 0 or amount > held + paid_out + max(fee, 0):
        raise ValueError("a refund cannot exceed what was captured and not yet refunded")
    from_held = min(amount, held)
    rest = amount - from_held
    earned = paid_out + max(fee, 0)
    from_technician = 0 if earned == 0 else min(paid_out, round_to_step(Decimal(rest) * paid_out / earned, currency))
    return RefundSplit(from_held, from_technician, rest - from_technician)


@dataclass(frozen=True)
class Totals:
    """The ledger of one job summed by what the money did."""

    captured: int = 0
    refunded: int = 0
    paid_out: int = 0
    fee: int = 0
    insurer_share: int = 0
    """An insurance job's price beyond the excess, advanced by the platform (D91)."""
    merchant_billed: int = 0
    """A merchant order's price, advanced by the platform and billed to the merchant monthly (D117)."""

    def held(self) -> int:
        """What the identity says the platform must still hold: captured + insurer share + merchant billed
        - refunded - paid out - fee."""
        return (self.captured + self.insurer_share + self.merchant_billed - self.refunded - self.paid_out
                - self.fee)


_SIGNS: dict[LedgerKind, tuple[str, int]] = {
    LedgerKind.CAPTURE: ("captured", 1),
    LedgerKind.REFUND: ("refunded", 1),
    LedgerKind.TRANSFER: ("paid_out", 1),
    LedgerKind.REVERSAL: ("paid_out", -1),
    LedgerKind.FEE: ("fee", 1),
    LedgerKind.PLATFORM_LOSS: ("fee", -1),
    LedgerKind.INSURER_SHARE: ("insurer_share", 1),
    LedgerKind.MERCHANT_BILLED: ("merchant_billed", 1),
}


def totals(entries: Iterable[tuple[LedgerKind, int]]) -> Totals:
    """Sum `(kind, amount_minor)` entries; authorisations move no money and are skipped."""
    sums = {"captured": 0, "refunded": 0, "paid_out": 0, "fee": 0, "insurer_share": 0, "merchant_billed": 0}
    for kind, amount in entries:
        if kind in _SIGNS:
            name, sign = _SIGNS[kind]
            sums[name] += sign * amount
    return Totals(**sums)


@dataclass(frozen=True)
class Earnings:
    """A technician's share of one job, by where it is (the Earnings screen's columns)."""

    pending: int = 0
    """Captured and held (48 h review, or a dispute): the technician's expected share."""
    awaiting_payout_account: int = 0
    """Released, but the technician has no connected account able to receive it yet."""
    paid: int = 0

    def minus(self, other: Earnings) -> Earnings:
        return Earnings(self.pending - other.pending,
                        self.awaiting_payout_account - other.awaiting_payout_account, self.paid - other.paid)


_WAITING = (PayoutStatus.HELD, PayoutStatus.DISPUTED, PayoutStatus.RELEASED)


def technician_earnings(status: PayoutStatus, *, held: int, paid_out: int, fee_percent: Decimal,
                        currency: str) -> Earnings:
    """What one job means for its technician's Earnings screen."""
    expected = held - platform_fee(held, fee_percent, currency)
    if status in _WAITING:
        return Earnings(pending=expected, paid=paid_out)
    if status is PayoutStatus.AWAITING_PAYOUT_ACCOUNT:
        return Earnings(awaiting_payout_account=expected, paid=paid_out)
    return Earnings(paid=paid_out)
