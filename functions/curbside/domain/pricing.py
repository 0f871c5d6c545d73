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

PricingRules: `is_active` rules only; a scheduled job uses only rules with `applies_to_scheduled`; of the
rules of one `rule_type` that match, only the highest `priority` applies (ties: the smaller id), so the
result never depends on the order rules are read in. The condition maps are the shapes `seed/catalogue.py`
writes (the admin tool must write the same):

- time_of_day:  time_conditions {"start": "17:00", "end": "19:00", "timezone"?: IANA} — local wall-clock
  time of the job (now, or the scheduled slot) in the job's time zone unless the rule pins one; start
  included, end excluded; end < start wraps past midnight.
- day_of_week:  time_conditions {"days": ["saturday", "sunday"], "timezone"?: IANA} — English day names.
- location_premium: demand_conditions {"zones": [{"name", "lat", "lng", "radius_km"}, ...]} — the job lies
  within `radius_km` (great circle) of a zone centre; the rule's `multiplier` is the premium (1.3).
- demand_surge: demand_conditions {"metric": "open_requests_per_online_dispatcher", "radius_km": 10,
  "thresholds": [{"min_ratio": 1.5, "multiplier": 1.1}, ...]} — open (pending) requests per available
  technician near the job; the threshold with the highest `min_ratio` not above the ratio gives the
  multiplier (no technician and some demand counts as above every threshold).
- dispatcher_availability: demand_conditions {"radius_km": 10, "max_available_dispatchers": 2} — applies
  its `multiplier` when at most that many technicians are available near the job.
- service_type: demand_conditions {"service_ids": [...], "categories": [...]} — the job's booked service is
  among the ids or its category among the categories (`catalogue.service_rule_matches`, D107); a job booked
  without a service matches none.

A rule whose map does not have its shape is skipped (and reported in `Quote.ignored_rules`, so the service
can log it): a typo in the admin tool must not stop every quote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from curbside.domain.catalogue import ServiceTerms, service_rule_matches
from curbside.domain.documents import PricingRule
from curbside.domain.enums import RewardType, RuleType
from curbside.domain.geo import haversine_m
from curbside.domain.invoicing import TaxRegime, tax_added, tax_in
from curbside.domain.money import from_minor, round_price, to_minor
from curbside.domain.scheduling import is_time_zone

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
SURGE_METRIC = "open_requests_per_online_dispatcher"
DEFAULT_DEMAND_RADIUS_KM = 10.0
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def as_decimal(value: float | int | str | Decimal) -> Decimal:
    """A stored double as the decimal a person typed (1.15, not 1.149999...)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


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
class Job:
    """What a price depends on. `at` is the moment the work happens (now, or the scheduled slot); `zone` is
    the client's time zone, in which peak hours and weekends are read."""

    lat: float
    lng: float
    is_urgent: bool
    is_scheduled: bool
    at: dt.datetime
    zone: ZoneInfo
    service: ServiceTerms | None = None
    """The catalogue service booked (None: priced from the configured base price, as before services)."""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("a job's time must be timezone-aware")


@dataclass(frozen=True)
class Demand:
    """Near one job: requests waiting for a technician, and technicians online with no job."""

    open_requests: int
    available_dispatchers: int

    @property
    def ratio(self) -> Decimal:
        if self.available_dispatchers <= 0:
            return Decimal("Infinity") if self.open_requests > 0 else Decimal(0)
        return Decimal(self.open_requests) / Decimal(self.available_dispatchers)


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


class RuleConditionError(ValueError):
    """A PricingRule whose condition map does not have the shape of its type."""


# --- conditions -------------------------------------------------------------------------------------------


def _zone(conditions: Mapping[str, Any]) -> ZoneInfo | None:
    name = conditions.get("timezone")
    if name is None:
        return None
    if not isinstance(name, str) or not is_time_zone(name):
        raise RuleConditionError(f"timezone {name!r} is not an IANA time zone")
    return ZoneInfo(name)


def _clock_time(value: Any, key: str) -> dt.time:
    try:
        parsed = dt.time.fromisoformat(value) if isinstance(value, str) and len(value) == 5 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise RuleConditionError(f"{key} must be a time 'HH:MM', not {value!r}")
    return parsed


def _number(value: Any, key: str, *, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleConditionError(f"{key} must be a number, not {value!r}")
    number = as_decimal(value)
    if not number.is_finite() or (positive and number <= 0) or number < 0:
        raise RuleConditionError(f"{key} must be a {'positive' if positive else 'non-negative'} number")
    return number


def _radius_km(conditions: Mapping[str, Any]) -> float:
    return float(_number(conditions.get("radius_km", DEFAULT_DEMAND_RADIUS_KM), "radius_km", positive=True))


def _in_window(rule: PricingRule, job: Job) -> bool:
    conditions = rule.time_conditions
    start = _clock_time(conditions.get("start"), "start")
    end = _clock_time(conditions.get("end"), "end")
    local = job.at.astimezone(_zone(conditions) or job.zone).time().replace(tzinfo=None)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _on_day(rule: PricingRule, job: Job) -> bool:
    days = rule.time_conditions.get("days")
    if not isinstance(days, list) or not days or any(day not in DAY_NAMES for day in days):
        raise RuleConditionError(f"days must be a list of {', '.join(DAY_NAMES)}")
    local_day = job.at.astimezone(_zone(rule.time_conditions) or job.zone).weekday()
    return DAY_NAMES[local_day] in days


def _in_zone(rule: PricingRule, job: Job) -> bool:
    zones = rule.demand_conditions.get("zones")
    if not isinstance(zones, list) or not zones:
        raise RuleConditionError("zones must be a non-empty list of {name, lat, lng, radius_km}")
    inside = False
    for zone in map(_mapping, zones):
        lat, lng = _coordinate(zone.get("lat"), 90), _coordinate(zone.get("lng"), 180)
        radius_m = float(_number(zone.get("radius_km"), "radius_km", positive=True)) * 1000
        inside = inside or haversine_m(job.lat, job.lng, lat, lng) <= radius_m
    return inside


def _coordinate(value: Any, limit: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
        raise RuleConditionError(f"a zone centre needs lat/lng in degrees, not {value!r}")
    return float(value)


def _surge_multiplier(rule: PricingRule, demand: Demand) -> Decimal | None:
    conditions = rule.demand_conditions
    if conditions.get("metric", SURGE_METRIC) != SURGE_METRIC:
        raise RuleConditionError(f"metric must be {SURGE_METRIC!r}")
    thresholds = conditions.get("thresholds")
    if not isinstance(thresholds, list) or not thresholds:
        raise RuleConditionError("thresholds must be a non-empty list of {min_ratio, multiplier}")
    steps = sorted(
        (_number(step.get("min_ratio"), "min_ratio"), _number(step.get("multiplier"), "multiplier", positive=True))
        for step in (_mapping(step) for step in thresholds)
    )
    reached = [multiplier for min_ratio, multiplier in steps if demand.ratio >= min_ratio]
    return reached[-1] if reached else None


def _mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RuleConditionError(f"expected a map, not {value!r}")
    return value


def _scarce(rule: PricingRule, demand: Demand) -> bool:
    limit = rule.demand_conditions.get("max_available_dispatchers")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise RuleConditionError("max_available_dispatchers must be a whole number")
    return demand.available_dispatchers <= limit


# --- the engine -------------------------------------------------------------------------------------------

DEMAND_RULES = frozenset({RuleType.DEMAND_SURGE, RuleType.DISPATCHER_AVAILABILITY})


def _candidates(rules: Iterable[PricingRule], job: Job) -> list[PricingRule]:
    return [rule for rule in rules
            if rule.is_active and (rule.applies_to_scheduled or not job.is_scheduled)]


def demand_radii_km(rules: Iterable[PricingRule], job: Job) -> frozenset[float]:
    """The radii around the job within which the service must count demand (none: no read is needed)."""
    radii: set[float] = set()
    for rule in _candidates(rules, job):
        if rule.rule_type in DEMAND_RULES:
            try:
                radii.add(_radius_km(rule.demand_conditions))
            except RuleConditionError:
                continue
    return frozenset(radii)


def _multiplier_of(rule: PricingRule, job: Job, demand: Mapping[float, Demand]) -> Decimal | None:
    """The multiplier `rule` applies to `job` (1 for a fixed amount alone), or None when it does not match."""
    own = as_decimal(rule.multiplier) if rule.multiplier is not None else None
    if rule.rule_type in DEMAND_RULES:
        near = demand[_radius_km(rule.demand_conditions)]
        if rule.rule_type is RuleType.DEMAND_SURGE:
            return _surge_multiplier(rule, near)
        matched = _scarce(rule, near)
    elif rule.rule_type is RuleType.TIME_OF_DAY:
        matched = _in_window(rule, job)
    elif rule.rule_type is RuleType.DAY_OF_WEEK:
        matched = _on_day(rule, job)
    elif rule.rule_type is RuleType.LOCATION_PREMIUM:
        matched = _in_zone(rule, job)
    elif rule.rule_type is RuleType.SERVICE_TYPE:
        try:
            matched = service_rule_matches(rule.demand_conditions, job.service)
        except ValueError as exc:
            raise RuleConditionError(str(exc)) from None
    else:
        return None
    if own is None and rule.fixed_amount is None:
        raise RuleConditionError("the rule has neither a multiplier nor a fixed amount")
    return (own if own is not None else Decimal(1)) if matched else None


PROBE_JOB = Job(0.0, 0.0, False, False, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ZoneInfo("UTC"))


def check_conditions(rule: PricingRule) -> None:
    """Run every check `rule`'s type makes on its condition maps, as a quote would, on a probe job: raises
    RuleConditionError for what a quote would skip (the admin editor saves only what quotes can read, D99)."""
    demand = {_radius_km(rule.demand_conditions): Demand(1, 1)} if rule.rule_type in DEMAND_RULES else {}
    _multiplier_of(rule, PROBE_JOB, demand)


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
    for rule in sorted(_candidates(rules, job), key=lambda r: (-r.priority, r.id)):
        if rule.rule_type in chosen:
            continue
        try:
            multiplier = _multiplier_of(rule, job, demand)
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
