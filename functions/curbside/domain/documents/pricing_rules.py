"""PricingRules: admin-managed multipliers and surcharges the pricing engine applies."""

from typing import Annotated, Any

from pydantic import Field

from curbside.domain.documents.base import Document, Money
from curbside.domain.enums import RuleType


class PricingRule(Document):
    """PricingRules/{auto id}. The condition maps are free-form on purpose: each rule_type reads its own keys
    (e.g. time_of_day: {"start": "17:00", "end": "19:00"}), and the pricing engine validates them."""

    rule_name: str
    rule_type: RuleType
    is_active: bool = True
    multiplier: Annotated[float, Field(gt=0)] | None = None
    fixed_amount: Money | None = None
    time_conditions: dict[str, Any] = Field(default_factory=dict)
    demand_conditions: dict[str, Any] = Field(default_factory=dict)
    priority: int = 0
    description: str | None = None
    applies_to_scheduled: bool = False

