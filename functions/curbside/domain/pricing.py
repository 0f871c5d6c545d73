"""The price of a job: base price, premiums, the scheduled discount, a cap, and the reward (spec section 1).

The spec contradicts itself. Its formula multiplies every multiplier (33 x 1.5 x 1.3 x 1.2 = 77.22) while its
"Price Breakdown Display" adds each premium on the base price (33.00 + 16.50 + 9.90 + 6.60 = 66.00). The
breakdown is what the client sees and agrees to, so the breakdown wins: **every premium is a percentage of
the base price**, and the lines always add up to what is charged (docs/decisions.md, "Pricing: premiums
add on the base price"):

    base_price                                   33.00   the booked service's, else the configured one
    + urgency        base x (1.5 - 1)           +16.50   built in, when `is_urgent`
    + each rule      base x (multiplier - 1)    + ...    PricingRules, highest priority first
      (+ the rule's `fixed_amount`, if any)
    - scheduled      15% of (base + premiums)   - ...    built in, when `is_scheduled` (0.85x: "15% savings")
    - price cap      down to base x max_multiplier       only when the premiums would exceed it
    + each add-on    its catalogue price                 the booked service's add-ons (D107)
    = subtotal
    - reward_discount                                    percentage of the subtotal, fixed amount, or a free
                                                         service (the base price), never below zero
    + tax                                                only where the region adds tax on top (D131)
    = final_price                                        what the card is held and charged for

Every line is rounded half-up on its own to the currency's charge step (a cent, a yen, ten fils: D130), so the
lines shown are exactly the lines summed and the total is an amount a card can be charged. The quote names the
region's tax (`tax`): where prices include it, the part of `final_price` that is tax; where it is added, the
amount added on the subtotal after the reward — the invoice then prints the same net lines and that tax.

Of the PricingRules that match (`pricing_conditions`: which are candidates, and the condition maps admins write),
only the highest `priority` of each `rule_type` applies (ties: the smaller id), so the result never depends on
the order rules are read in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from curbside.domain.documents import PricingRule
from curbside.domain.enums import RewardType, RuleType
from curbside.domain.invoicing import TaxRegime, tax_added, tax_in
from curbside.domain.money import from_minor, round_price, to_minor
from curbside.domain.pricing_conditions import Demand, Job, RuleConditionError, candidates, multiplier_of

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)



@dataclass(frozen=True)
class PricingSettings:
    """The built-in part of pricing, from configuration (`curbside.config`)."""

    base_price: Decimal = Decimal("33.00")
    urgency_multiplier: Decimal = Decimal("1.5")
    scheduled_multiplier: Decimal = Decimal("0.85")
    max_multiplier: Decimal = Decimal("3")
    """The subtotal never exceeds base x this, whatever admins configure (2.65 with the seeded rules)."""
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if self.base_price <= 0 or self.rounded(self.base_price) != self.base_price:
            raise ValueError(f"base price must be a positive amount {self.currency} can be charged, not "
                             f"{self.base_price}")
        if self.urgency_multiplier < 1:
            raise ValueError("the urgency multiplier cannot lower the price")
        if not 0 < self.scheduled_multiplier <= 1:
            raise ValueError("the scheduled multiplier is a discount: above 0 and at most 1")
        if self.max_multiplier < 1:
            raise ValueError("the price cap cannot be below the base price")

    def rounded(self, amount: Decimal) -> Decimal:
        """Half-up to the currency's charge step, the one rounding of every amount (DESIGN.md convention 7)."""
        return round_price(amount, self.currency)

    @property
    def max_price(self) -> Decimal:
        return self.rounded(self.base_price * self.max_multiplier)


@dataclass(frozen=True)
class RewardDiscount:
    """A redeemed reward as pricing needs it (from the Rewards entry; the redemption's amount when set)."""

    reward_type: RewardType
    percentage: Decimal | None = None
    amount: Decimal | None = None

    def off(self, subtotal: Decimal, base_price: Decimal, currency: str) -> Decimal:
        """What the reward takes off `subtotal`: never more than the subtotal, never negative."""
        if self.reward_type is RewardType.PERCENTAGE_DISCOUNT:
            wanted = round_price(subtotal * min(max(self.percentage or ZERO, ZERO), HUNDRED) / HUNDRED, currency)
        elif self.reward_type is RewardType.FIXED_DISCOUNT:
            wanted = round_price(max(self.amount or ZERO, ZERO), currency)
        elif self.reward_type is RewardType.FREE_SERVICE:
            wanted = base_price  # "Free service (€33 discount)": the configured base price
        else:
            wanted = ZERO  # priority booking and perks change no price
        return min(wanted, subtotal)


@dataclass(frozen=True)
class PriceLine:
    """One line of the breakdown the app displays between the base price and the subtotal."""

    code: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Quote:
    base_price: Decimal
    lines: tuple[PriceLine, ...]
    subtotal: Decimal
    reward_discount: Decimal
    final_price: Decimal
    currency: str
    urgency_multiplier: Decimal = Decimal(1)
    location_multiplier: Decimal = Decimal(1)
    applied_rules: tuple[str, ...] = ()
    ignored_rules: tuple[str, ...] = field(default=(), compare=False)
    tax: TaxRegime | None = None
    """The region's tax the quote was made under (None: no tax named, as before D131)."""
    tax_amount: Decimal = ZERO
    """The tax in `final_price` (included) or added on top of `subtotal - reward_discount` (not included)."""

    def breakdown(self) -> dict[str, Any]:
        """The contract's price shape (quote_price's result, create_request's `breakdown`)."""
        shape: dict[str, Any] = {
            "base_price": self.base_price,
            "lines": [{"code": line.code, "label": line.label, "amount": line.amount} for line in self.lines],
            "subtotal": self.subtotal,
            "reward_discount": self.reward_discount,
            "final_price": self.final_price,
            "currency": self.currency,
        }
        if self.tax is not None:
            shape["tax"] = {"name": self.tax.name, "rate_percent": float(self.tax.rate_percent),
                            "prices_include_tax": self.tax.prices_include_tax, "amount": self.tax_amount}
        return shape


def _percent(multiplier: Decimal) -> str:
    share = (multiplier - 1) * HUNDRED
    return f"{format(share.normalize(), 'f')}%"


def _rule_line(rule: PricingRule, multiplier: Decimal, base_price: Decimal, settings: PricingSettings) -> PriceLine:
    amount = settings.rounded(base_price * (multiplier - 1)) + settings.rounded(rule.fixed_amount or ZERO)
    parts = ([_percent(multiplier)] if multiplier != 1 else []) + (
        [f"{settings.rounded(rule.fixed_amount):+}"] if rule.fixed_amount else [])
    label = f"{rule.rule_name} ({' '.join(parts)})" if parts else rule.rule_name
    return PriceLine(code=rule.rule_type.value, label=label, amount=amount)


def tax_on(price: Decimal, tax: TaxRegime | None, currency: str) -> Decimal:
    """The tax in `price` where prices include it, else the tax to add on it."""
    if tax is None:
        return ZERO
    minor = to_minor(price, currency)
    tax_minor = tax_in(minor, tax, currency) if tax.prices_include_tax else tax_added(minor, tax, currency)
    return from_minor(tax_minor, currency)


def quote(settings: PricingSettings, job: Job, rules: Iterable[PricingRule],
          demand: Mapping[float, Demand] | None = None, reward: RewardDiscount | None = None, *,
          tax: TaxRegime | None = None) -> Quote:
    """Price `job` under `rules`. `demand` must hold a count for every radius `demand_radii_km` returned; `tax` is
    the region's (none: the price names no tax)."""
    demand = demand or {}
    unit = settings.rounded
    base = unit(job.service.base_price) if job.service is not None else settings.base_price
    chosen: dict[RuleType, tuple[PricingRule, Decimal]] = {}
    ignored: list[str] = []
    for rule in sorted(candidates(rules, job), key=lambda r: (-r.priority, r.id)):
        if rule.rule_type in chosen:
            continue
        try:
            multiplier = multiplier_of(rule, job, demand)
        except RuleConditionError:
            ignored.append(rule.id)
            continue
        if multiplier is not None:
            chosen[rule.rule_type] = (rule, multiplier)

    lines: list[PriceLine] = []
    urgency = settings.urgency_multiplier if job.is_urgent else Decimal(1)
    if job.is_urgent:
        lines.append(PriceLine("urgency", f"Urgency ({_percent(urgency)})", unit(base * (urgency - 1))))
    applied = sorted(chosen.values(), key=lambda pair: (-pair[0].priority, pair[0].rule_type.value, pair[0].id))
    lines += [_rule_line(rule, multiplier, base, settings) for rule, multiplier in applied]
    if job.is_scheduled and settings.scheduled_multiplier != 1:
        before = base + sum((line.amount for line in lines), ZERO)
        discount = 1 - settings.scheduled_multiplier
        lines.append(PriceLine("scheduled_discount", f"Scheduled discount ({_percent(1 + discount)})",
                               -unit(max(before, ZERO) * discount)))
    total = base + sum((line.amount for line in lines), ZERO)
    max_price = unit(base * settings.max_multiplier)
    if total > max_price:
        lines.append(PriceLine("price_cap", "Price cap", max_price - total))
    elif total < 0:
        lines.append(PriceLine("price_floor", "Minimum price", -total))
    lines += [PriceLine("add_on", name, unit(price)) for name, price in (job.service.add_ons if job.service else ())]
    subtotal = base + sum((line.amount for line in lines), ZERO)
    reward_discount = reward.off(subtotal, base, settings.currency) if reward is not None else ZERO
    price = subtotal - reward_discount
    tax_amount = tax_on(price, tax, settings.currency)

    location = chosen.get(RuleType.LOCATION_PREMIUM)
    return Quote(
        base_price=base,
        lines=tuple(lines),
        subtotal=subtotal,
        reward_discount=reward_discount,
        final_price=price if tax is None or tax.prices_include_tax else price + tax_amount,
        currency=settings.currency,
        urgency_multiplier=urgency,
        location_multiplier=location[1] if location else Decimal(1),
        applied_rules=tuple(rule.id for rule, _ in applied),
        ignored_rules=tuple(sorted(ignored)),
        tax=tax,
        tax_amount=tax_amount,
    )
