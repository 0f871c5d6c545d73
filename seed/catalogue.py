"""The spec's loyalty catalogue (section 7) and pricing rules (section 1), as admins would have entered them.

Rewards: every reward type at every tier (20 entries, ids `reward-{tier}-{type}`), 30-day expiry. Points are
priced from the reward's euro value at 100 points per euro (so a client who earns 10 points per euro spent
gets 10 % back), with a tier discount (silver 10 %, gold 20 %, platinum 30 %) rounded to 50 points: higher
tiers get more for their points, and the same free service costs 3300 points at bronze, 2300 at platinum.

PricingRules condition maps — the pricing engine reads these shapes (ids `rule-...`):

- time_of_day: ``time_conditions = {"start": "17:00", "end": "19:00"}`` — wall-clock "HH:MM" in the local
  time zone of the job's location (for a scheduled job: at its scheduled time); start inclusive, end
  exclusive; end < start wraps past midnight. An optional ``"timezone"`` (IANA name) pins the rule to one
  zone instead.
- day_of_week: ``time_conditions = {"days": ["saturday", "sunday"]}`` — lower-case English day names, local
  time as above.
- location_premium: ``demand_conditions = {"zones": [{"name": "Sydney CBD", "city": "Sydney",
  "lat": -33.8688, "lng": 151.2093, "radius_km": 2.0}, ...]}`` — the rule applies when the job lies within
  `radius_km` (great-circle) of any zone centre; the rule's `multiplier` is the premium (1.3).
- demand_surge: ``demand_conditions = {"metric": "open_requests_per_online_dispatcher", "radius_km": 10.0,
  "thresholds": [{"min_ratio": 1.5, "multiplier": 1.1}, {"min_ratio": 2.0, "multiplier": 1.25},
  {"min_ratio": 3.0, "multiplier": 1.5}]}`` — the ratio of open (pending) requests to online, free, verified
  technicians within `radius_km` of the job; the threshold with the highest `min_ratio` not above the
  ratio gives the multiplier, below the first threshold none applies. The rule's own `multiplier` is null.

Every rule: `priority` orders the price breakdown (highest first) and, when two active rules of the same
`rule_type` match, only the higher-priority one applies; `applies_to_scheduled` says whether the rule prices
scheduled jobs (demand at booking time says nothing about demand days later, so surge does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from curbside.domain.documents import PricingRule, Reward
from curbside.domain.enums import LoyaltyTier, RewardType, RuleType
from seed.geography import PREMIUM_ZONES

BASE_PRICE = Decimal("33.00")
"""The spec's base price (EUR), also the value of a free service."""

POINTS_PER_EURO_OF_VALUE = 100
TIER_PRICE_FACTOR: dict[LoyaltyTier, Decimal] = {
    LoyaltyTier.BRONZE: Decimal("1.0"),
    LoyaltyTier.SILVER: Decimal("0.9"),
    LoyaltyTier.GOLD: Decimal("0.8"),
    LoyaltyTier.PLATINUM: Decimal("0.7"),
}
REWARD_EXPIRY_DAYS = 30


@dataclass(frozen=True)
class RewardSpec:
    """One catalogue entry before pricing: its title, what it gives and what it is worth in euros."""

    title: str
    description: str
    value_eur: Decimal
    discount_percentage: float | None = None
    discount_amount: Decimal | None = None


ICONS: dict[RewardType, str] = {
    RewardType.PERCENTAGE_DISCOUNT: "percent",
    RewardType.FIXED_DISCOUNT: "euro",
    RewardType.FREE_SERVICE: "car_repair",
    RewardType.PRIORITY_BOOKING: "bolt",
    RewardType.SPECIAL_PERK: "auto_awesome",
}


def _percentage(percent: int) -> RewardSpec:
    return RewardSpec(f"{percent}% off your next service", f"{percent}% off the final price of one request.",
                      BASE_PRICE * percent / 100, discount_percentage=float(percent))


def _fixed(euros: int) -> RewardSpec:
    return RewardSpec(f"€{euros} off", f"€{euros} off the final price of one request.", Decimal(euros),
                      discount_amount=Decimal(euros))


def _free_service() -> RewardSpec:
    return RewardSpec("Free service", "One standard service on us (€33 off).", BASE_PRICE,
                      discount_amount=BASE_PRICE)


def _priority() -> RewardSpec:
    return RewardSpec("Priority booking", "Your next request is offered to technicians before others.",
                      Decimal(4))


def _perk(title: str, value: int) -> RewardSpec:
    return RewardSpec(title, f"{title}, added to your next completed service.", Decimal(value))


CATALOGUE: dict[LoyaltyTier, dict[RewardType, RewardSpec]] = {
    LoyaltyTier.BRONZE: {
        RewardType.PERCENTAGE_DISCOUNT: _percentage(10),
        RewardType.FIXED_DISCOUNT: _fixed(5),
        RewardType.FREE_SERVICE: _free_service(),
        RewardType.PRIORITY_BOOKING: _priority(),
        RewardType.SPECIAL_PERK: _perk("Free tyre pressure check", 5),
    },
    LoyaltyTier.SILVER: {
        RewardType.PERCENTAGE_DISCOUNT: _percentage(15),
        RewardType.FIXED_DISCOUNT: _fixed(10),
        RewardType.FREE_SERVICE: _free_service(),
        RewardType.PRIORITY_BOOKING: _priority(),
        RewardType.SPECIAL_PERK: _perk("Free hand wax", 12),
    },
    LoyaltyTier.GOLD: {
        RewardType.PERCENTAGE_DISCOUNT: _percentage(20),
        RewardType.FIXED_DISCOUNT: _fixed(15),
        RewardType.FREE_SERVICE: _free_service(),
        RewardType.PRIORITY_BOOKING: _priority(),
        RewardType.SPECIAL_PERK: _perk("Free wax and interior vacuum", 20),
    },
    LoyaltyTier.PLATINUM: {
        RewardType.PERCENTAGE_DISCOUNT: _percentage(25),
        RewardType.FIXED_DISCOUNT: _fixed(20),
        RewardType.FREE_SERVICE: _free_service(),
        RewardType.PRIORITY_BOOKING: _priority(),
        RewardType.SPECIAL_PERK: _perk("Free wax and polish detail", 30),
    },
}


def points_for(value_eur: Decimal, tier: LoyaltyTier) -> int:
    """The points a reward costs: its value at 100 points per euro, tier-discounted, to the nearest 50."""
    raw = value_eur * POINTS_PER_EURO_OF_VALUE * TIER_PRICE_FACTOR[tier] / 50
    return int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 50


def rewards() -> list[Reward]:
    """The whole catalogue, every entry active."""
    return [
        Reward(
            id=f"reward-{tier}-{reward_type.replace('_', '-')}",
            title=spec.title,
            description=spec.description,
            points_required=points_for(spec.value_eur, tier),
            discount_percentage=spec.discount_percentage,
            discount_amount=spec.discount_amount,
            reward_type=reward_type,
            tier_required=tier,
            is_active=True,
            icon=ICONS[reward_type],
            expiry_days=REWARD_EXPIRY_DAYS,
        )
        for tier, entries in CATALOGUE.items()
        for reward_type, spec in entries.items()
    ]


def pricing_rules() -> list[PricingRule]:
    """The spec's four dynamic-pricing rules, in the shapes the module docstring defines."""
    zones = [{"name": z.name, "city": z.city, "lat": z.lat, "lng": z.lng, "radius_km": z.radius_km}
             for z in PREMIUM_ZONES]
    return [
        PricingRule(
            id="rule-peak-hours", rule_name="Evening peak", rule_type=RuleType.TIME_OF_DAY, multiplier=1.2,
            time_conditions={"start": "17:00", "end": "19:00"}, priority=30, applies_to_scheduled=True,
            description="+20% for jobs from 5 pm to 7 pm local time.",
        ),
        PricingRule(
            id="rule-weekend", rule_name="Weekend", rule_type=RuleType.DAY_OF_WEEK, multiplier=1.15,
            time_conditions={"days": ["saturday", "sunday"]}, priority=20, applies_to_scheduled=True,
            description="+15% on Saturdays and Sundays, local time.",
        ),
        PricingRule(
            id="rule-high-demand-zones", rule_name="High-demand zones", rule_type=RuleType.LOCATION_PREMIUM,
            multiplier=1.3, demand_conditions={"zones": zones}, priority=40, applies_to_scheduled=True,
            description="+30% in city centres, business districts and at airports.",
        ),
        PricingRule(
            id="rule-demand-surge", rule_name="Demand surge", rule_type=RuleType.DEMAND_SURGE, multiplier=None,
            demand_conditions={
                "metric": "open_requests_per_online_dispatcher",
                "radius_km": 10.0,
                "thresholds": [
                    {"min_ratio": 1.5, "multiplier": 1.1},
                    {"min_ratio": 2.0, "multiplier": 1.25},
                    {"min_ratio": 3.0, "multiplier": 1.5},
                ],
            },
            priority=10, applies_to_scheduled=False,
            description="Up to +50% when open requests outnumber free technicians nearby.",
        ),
    ]
