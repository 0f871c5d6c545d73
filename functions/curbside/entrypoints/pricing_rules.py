"""The console's pricing-rules editor (services/pricing_rules.py): list, save, delete, and preview a draft rule
on a sample job. Admins only; saving and deleting are audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from firebase_functions import https_fn
from pydantic import Field, StrictBool, StrictInt

from curbside import deps
from curbside.domain.documents import PricingRule
from curbside.domain.enums import RuleType
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import AuditReason, DocId, Latitude, Longitude, PlacementPayload
from curbside.services import pricing_rules


class RuleFieldsPayload(Payload):
    """A rule whole, as the editor saves it; the condition maps' shapes are checked by the service (D8, D99)."""

    rule_id: DocId | None = None
    """The rule edited; none for a new rule."""
    rule_name: Annotated[str, Field(min_length=1, max_length=100)]
    rule_type: RuleType
    is_active: StrictBool = True
    multiplier: Annotated[float, Field(gt=0, le=5, allow_inf_nan=False)] | None = None
    fixed_amount: Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2, allow_inf_nan=False)] | None = None
    time_conditions: dict[str, Any] = Field(default_factory=dict)
    demand_conditions: dict[str, Any] = Field(default_factory=dict)
    priority: Annotated[StrictInt, Field(ge=0, le=1000)] = 0
    description: Annotated[str, Field(max_length=500)] | None = None
    applies_to_scheduled: StrictBool = False

    def draft(self) -> PricingRule:
        """The rule as it would be stored (its id given by the service)."""
        return PricingRule(id=self.rule_id or pricing_rules.NEW_RULE, **self.model_dump(exclude={"rule_id"}))


class ListPricingRulesPayload(Payload):
    """No input: every rule, highest priority first."""


@on_call()
def admin_list_pricing_rules(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ListPricingRulesPayload, lambda caller, _: pricing_rules.rules(
        deps.get(), is_admin=caller.is_admin))


@on_call()
def admin_upsert_pricing_rule(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RuleFieldsPayload, lambda caller, p: pricing_rules.upsert_rule(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, rule_id=p.rule_id, draft=p.draft()),
        fresh_sign_in=True)


class DeletePricingRulePayload(Payload):
    rule_id: DocId
    reason: AuditReason


@on_call()
def admin_delete_pricing_rule(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DeletePricingRulePayload, lambda caller, p: pricing_rules.delete_rule(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, rule_id=p.rule_id, reason=p.reason),
        fresh_sign_in=True)


class PreviewPricingRulePayload(PlacementPayload):
    """The sample job (as quote_price takes it) and the draft rule."""

    lat: Latitude
    lng: Longitude
    rule: RuleFieldsPayload


@on_call()
def admin_preview_pricing_rule(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, PreviewPricingRulePayload, lambda caller, p: pricing_rules.preview(
        deps.get(), is_admin=caller.is_admin, placement=p.placement(p.lat, p.lng), rule_id=p.rule.rule_id,
        draft=p.rule.draft()))
