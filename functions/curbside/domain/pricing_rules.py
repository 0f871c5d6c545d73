"""What the pricing-rules editor may save: each `rule_type` with its one condition map, the keys D8 defines
and nothing else, checked the way the engine reads them (`pricing_conditions.check_conditions`). The engine skips a rule
it cannot read so a typo never stops every quote; the editor refuses it instead, naming the field (D99)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from curbside.domain.catalogue import SERVICE_CONDITIONS
from curbside.domain.documents import PricingRule
from curbside.domain.enums import RuleType
from curbside.domain.pricing_conditions import RuleConditionError, check_conditions

TIME, DEMAND = "time_conditions", "demand_conditions"
SHAPES: dict[RuleType, tuple[str, frozenset[str]]] = {
    RuleType.TIME_OF_DAY: (TIME, frozenset({"start", "end", "timezone"})),
    RuleType.DAY_OF_WEEK: (TIME, frozenset({"days", "timezone"})),
    RuleType.LOCATION_PREMIUM: (DEMAND, frozenset({"zones"})),
    RuleType.DEMAND_SURGE: (DEMAND, frozenset({"metric", "radius_km", "thresholds"})),
    RuleType.DISPATCHER_AVAILABILITY: (DEMAND, frozenset({"radius_km", "max_available_dispatchers"})),
    RuleType.SERVICE_TYPE: (DEMAND, SERVICE_CONDITIONS),
}
"""The condition map each rule type reads, and its keys (D8)."""
ITEM_KEYS = {"zones": frozenset({"name", "city", "lat", "lng", "radius_km"}),
             "thresholds": frozenset({"min_ratio", "multiplier"})}
"""The keys of the entries of a list-valued condition."""


def _unknown(found: Iterable[str], allowed: frozenset[str], where: str) -> None:
    extra = sorted(set(found) - allowed)
    if extra:
        raise RuleConditionError(f"{where}.{extra[0]}: not a condition of this rule type "
                                 f"(accepted: {', '.join(sorted(allowed))})")


def check_rule(rule: PricingRule) -> None:
    """Raise RuleConditionError, its message starting with the field at fault, unless a quote can read `rule`."""
    field, keys = SHAPES[rule.rule_type]
    other = DEMAND if field == TIME else TIME
    if getattr(rule, other):
        raise RuleConditionError(f"{other}: a {rule.rule_type.value} rule reads only {field}")
    if rule.rule_type is not RuleType.DEMAND_SURGE and rule.multiplier is None and rule.fixed_amount is None:
        raise RuleConditionError("multiplier: the rule needs a multiplier, a fixed_amount, or both")
    conditions: Mapping[str, Any] = getattr(rule, field)
    _unknown(conditions, keys, field)
    for name, allowed in ITEM_KEYS.items():
        items = conditions.get(name)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, Mapping):
                _unknown(item, allowed, f"{field}.{name}[{index}]")
    try:
        check_conditions(rule)
    except RuleConditionError as exc:
        raise RuleConditionError(f"{field}: {exc}") from None
