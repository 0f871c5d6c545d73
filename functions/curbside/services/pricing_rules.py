"""The pricing-rules editor (issue 18): admins list, create, edit, deactivate and delete PricingRules, and
preview what a sample job would cost with and without a draft rule.

A rule is saved only in a shape quotes can read (`domain.pricing_rules.check_rule`, D8), and every change
writes its audit entry in the same commit (D48). Nothing caches rules: every quote reads the active ones
(`services.pricing.active_rules`), so a saved rule prices the next quote. The preview runs the very code
`quote_price` and `create_request` run (`requests.plan_job`, `pricing.price`), once with the active rules and
once with the draft in place of the rule it edits, and writes nothing (D99).
"""

from __future__ import annotations

import secrets
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import PricingRule
from curbside.domain.errors import InvalidInput, NotFound
from curbside.domain.pricing_conditions import RuleConditionError
from curbside.domain.pricing_rules import check_rule
from curbside.services import pricing, work
from curbside.services.requests import Placement, plan_job
from curbside.services.verification_review import require_admin
from curbside.store import queries
from curbside.store.collections import Collection
from curbside.store.uow import UnitOfWork

UPSERT_PRICING_RULE = "upsert_pricing_rule"
DELETE_PRICING_RULE = "delete_pricing_rule"
"""The audit trail's names for the actions."""
LISTED = 200
"""Rules listed at once: a deployment has a handful, and every quote reads all the active ones."""
NEW_RULE = "new"
"""The id of a rule not saved yet: a draft's in a preview (the engine breaks priority ties by id)."""


def _checked(rule_id: str, draft: PricingRule) -> PricingRule:
    """`draft` under its id, if a quote can read it."""
    rule = draft.model_copy(update={"id": rule_id})
    try:
        check_rule(rule)
    except RuleConditionError as exc:
        raise InvalidInput(f"{exc}.") from None
    return rule


def _stored(rule: PricingRule) -> dict[str, Any]:
    return rule.model_dump(mode="json", exclude={"id"})


def rules(deps: Deps, *, is_admin: bool) -> dict[str, Any]:
    """Every rule, active or not, highest priority first."""
    require_admin(is_admin)
    found = work.reading(deps, lambda uow: uow.pricing_rules.find(queries.PRICING_RULES_BY_PRIORITY, limit=LISTED))
    return {"rules": [{"rule_id": rule.id, **_stored(rule)} for rule in found]}


def upsert_rule(deps: Deps, *, admin_uid: str, is_admin: bool, rule_id: str | None,
                draft: PricingRule) -> dict[str, Any]:
    """Create (no `rule_id`) or replace a rule; `is_active: false` deactivates it. Saving what is stored already
    changes and records nothing."""
    require_admin(is_admin)
    rule = _checked(rule_id or secrets.token_hex(10), draft)

    def decide(uow: UnitOfWork) -> dict[str, Any]:
        existing = uow.pricing_rules.get(rule.id) if rule_id is not None else None
        if rule_id is not None and existing is None:
            raise NotFound(f"rule_id: there is no pricing rule {rule_id}; leave rule_id out to create one.")
        before, after = (_stored(existing) if existing else {}), _stored(rule)
        changed = [name for name in after if before.get(name) != after[name]]
        if not changed:
            return {"rule_id": rule.id, "changed": False}
        uow.pricing_rules.put(rule)
        uow.audit.record(actor_id=admin_uid, action=UPSERT_PRICING_RULE, target=Collection.PRICING_RULES,
                         target_id=rule.id, before={name: before.get(name) for name in changed if existing},
                         after={name: after[name] for name in changed}, reason=None)
        return {"rule_id": rule.id, "changed": True}

    return work.transaction(deps, decide)


def delete_rule(deps: Deps, *, admin_uid: str, is_admin: bool, rule_id: str, reason: str) -> dict[str, Any]:
    """Delete a rule for good (deactivating keeps it for later); the audit entry keeps what it was. Jobs priced
    under it keep their breakdown: a price is copied onto the job when it is asked for."""
    require_admin(is_admin)

    def decide(uow: UnitOfWork) -> dict[str, Any]:
        existing = uow.pricing_rules.get(rule_id)
        if existing is None:
            raise NotFound(f"rule_id: there is no pricing rule {rule_id}.")
        uow.pricing_rules.delete(rule_id)
        uow.audit.record(actor_id=admin_uid, action=DELETE_PRICING_RULE, target=Collection.PRICING_RULES,
                         target_id=rule_id, before=_stored(existing), after={}, reason=reason)
        return {"rule_id": rule_id, "deleted": True}

    return work.transaction(deps, decide)


def preview(deps: Deps, *, is_admin: bool, placement: Placement, rule_id: str | None,
            draft: PricingRule) -> dict[str, Any]:
    """The sample job's quote under the active rules, and with the draft in place of the rule it edits (or
    added, for a new rule): the same code and reads as `quote_price`, twice; nothing is written."""
    require_admin(is_admin)
    rule = _checked(rule_id or NEW_RULE, draft)
    plan_job(deps.settings, placement, deps.clock.now())  # a bad slot is refused before anything is read

    def look(uow: UnitOfWork) -> dict[str, Any]:
        job, _ = plan_job(uow.settings, placement, uow.now)
        active = pricing.active_rules(uow)
        without = pricing.price(uow, job, rules=active)
        with_draft = pricing.price(uow, job, rules=[other for other in active if other.id != rule.id] + [rule])
        return {"without": {**without.breakdown(), "applied_rules": list(without.applied_rules)},
                "with": {**with_draft.breakdown(), "applied_rules": list(with_draft.applied_rules)},
                "draft_applies": rule.id in with_draft.applied_rules,
                "difference": with_draft.final_price - without.final_price}

    return work.reading(deps, look)
