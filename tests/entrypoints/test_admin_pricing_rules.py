"""The pricing-rules editor's callables: rules saved only in shapes quotes can read (the field at fault named,
nothing written), every change audited, and a preview that prices a sample job exactly as quote_price does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from main import (
    admin_delete_pricing_rule,
    admin_list_pricing_rules,
    admin_preview_pricing_rule,
    admin_upsert_pricing_rule,
    quote_price,
)
from tests.factories import CLIENT_ID
from tests.request_world import NEAR_CBD, add_client, add_spec_rules, everything

ADMIN = "admin-1"
TUESDAY_5_30_PM_SYDNEY = dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)
EARLY_BIRD = {"rule_name": "Early bird", "rule_type": "time_of_day", "multiplier": 1.1, "priority": 5,
              "time_conditions": {"start": "06:00", "end": "08:00", "timezone": "Australia/Sydney"}}


def audit(db) -> list[dict[str, Any]]:
    return [snap.to_dict() or {} for snap in db.collection("AuditLog").stream()]


def test_a_rule_is_created_edited_deactivated_and_deleted_each_step_audited(db, deps, call, clock):
    def admin_call(fn: Any, data: dict[str, Any]) -> Any:
        clock.current += dt.timedelta(seconds=1)  # the audit entries' order
        return call(fn, data, uid=ADMIN, admin=True).result

    created = admin_call(admin_upsert_pricing_rule, EARLY_BIRD)
    rule_id = created["rule_id"]
    assert created["changed"] and db.document(f"PricingRules/{rule_id}").get().to_dict()["multiplier"] == 1.1

    edited = admin_call(admin_upsert_pricing_rule, {**EARLY_BIRD, "rule_id": rule_id, "multiplier": 1.25})
    again = admin_call(admin_upsert_pricing_rule, {**EARLY_BIRD, "rule_id": rule_id, "multiplier": 1.25})
    admin_call(admin_upsert_pricing_rule, {**EARLY_BIRD, "rule_id": rule_id, "multiplier": 1.25, "is_active": False})
    listed = admin_call(admin_list_pricing_rules, {})["rules"]
    assert (edited["changed"], again["changed"]) == (True, False)
    assert [(r["rule_id"], r["multiplier"], r["is_active"]) for r in listed] == [(rule_id, 1.25, False)]

    deleted = admin_call(admin_delete_pricing_rule, {"rule_id": rule_id, "reason": "Replaced by the weekend rule."})
    assert deleted == {"rule_id": rule_id, "deleted": True}
    assert not db.document(f"PricingRules/{rule_id}").get().exists
    entries = sorted(audit(db), key=lambda e: e["created_date"])
    assert [(e["action"], e["before"], e["after"]) for e in entries[1:3]] == [
        ("upsert_pricing_rule", {"multiplier": 1.1}, {"multiplier": 1.25}),
        ("upsert_pricing_rule", {"is_active": True}, {"is_active": False})]
    assert len(entries) == 4 and {e["actor_id"] for e in entries} == {ADMIN}
    assert entries[0]["after"]["time_conditions"] == EARLY_BIRD["time_conditions"]
    assert entries[3]["before"]["rule_name"] == "Early bird" and entries[3]["reason"] == "Replaced by the weekend rule."


@pytest.mark.parametrize(("rule", "field"), [
    ({**EARLY_BIRD, "time_conditions": {"start": "6am", "end": "08:00"}}, "time_conditions: start must be"),
    ({**EARLY_BIRD, "time_conditions": {"start": "06:00", "end": "08:00", "timezone": "Mars/Olympus"}},
     "time_conditions: timezone"),
    ({**EARLY_BIRD, "time_conditions": {"strat": "06:00", "end": "08:00"}}, "time_conditions.strat: not a"),
    ({"rule_name": "Weekend", "rule_type": "day_of_week", "multiplier": 1.1, "time_conditions": {"days": ["sat"]}},
     "time_conditions: days must be"),
    ({"rule_name": "Airport", "rule_type": "location_premium", "multiplier": 1.3,
      "demand_conditions": {"zones": [{"name": "SYD", "lat": -33.9, "lng": 151.2, "radius_km": -1}]}},
     "demand_conditions: radius_km must be"),
    ({"rule_name": "Surge", "rule_type": "demand_surge", "demand_conditions": {"thresholds": [{"min_ratio": 2}]}},
     "demand_conditions: multiplier must be"),
    ({"rule_name": "Peak", "rule_type": "time_of_day", "time_conditions": {"start": "17:00", "end": "19:00"}},
     "multiplier: the rule needs"),
    ({**EARLY_BIRD, "demand_conditions": {"radius_km": 5}}, "demand_conditions: a time_of_day rule reads only"),
])
def test_a_malformed_condition_names_the_field_and_nothing_is_written(db, deps, call, rule, field):
    before = everything(db)
    answer = call(admin_upsert_pricing_rule, rule, uid=ADMIN, admin=True)
    assert answer.error == "INVALID_ARGUMENT" and answer.message.startswith(field), answer.message
    assert everything(db) == before


def test_only_admins_edit_or_preview_and_a_refusal_writes_nothing(db, deps, call):
    db.document("Users/c1").set({"user_type": "client"})
    before = everything(db)
    for fn, data in ((admin_upsert_pricing_rule, EARLY_BIRD), (admin_list_pricing_rules, {}),
                     (admin_delete_pricing_rule, {"rule_id": "rule-peak", "reason": "Not needed."}),
                     (admin_preview_pricing_rule, {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "rule": EARLY_BIRD})):
        assert call(fn, data, uid="c1").error == "PERMISSION_DENIED"
    missing = call(admin_upsert_pricing_rule, {**EARLY_BIRD, "rule_id": "nope"}, uid=ADMIN, admin=True)
    gone = call(admin_delete_pricing_rule, {"rule_id": "nope", "reason": "Not needed."}, uid=ADMIN, admin=True)
    assert (missing.error, gone.error) == ("NOT_FOUND", "NOT_FOUND")
    assert everything(db) == before


def test_the_preview_prices_the_sample_job_as_quote_price_does_with_and_without_the_draft(db, deps, call, clock):
    add_client(db)
    add_spec_rules(db)
    clock.current = TUESDAY_5_30_PM_SYDNEY
    job = {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "is_urgent": True, "is_scheduled": False}
    quoted = call(quote_price, job, uid=CLIENT_ID).result
    before = everything(db)

    # the peak rule edited from +20% to +40%: the draft takes the stored rule's place
    draft = {"rule_id": "rule-peak", "rule_name": "Peak Hours", "rule_type": "time_of_day", "multiplier": 1.4,
             "priority": 30, "applies_to_scheduled": True, "time_conditions": {"start": "17:00", "end": "19:00"}}
    preview = call(admin_preview_pricing_rule, {**job, "rule": draft}, uid=ADMIN, admin=True).result

    assert {k: v for k, v in preview["without"].items() if k != "applied_rules"} == quoted
    assert (preview["without"]["final_price"], preview["with"]["final_price"], preview["difference"]) == (
        66.0, 72.6, 6.6)
    assert preview["with"]["lines"][-1] == {"code": "time_of_day", "label": "Peak Hours (40%)", "amount": 13.2}
    assert preview["draft_applies"] and preview["with"]["applied_rules"].count("rule-peak") == 1
    # a new rule outside its hours changes nothing, and the preview wrote nothing
    early = call(admin_preview_pricing_rule, {**job, "rule": EARLY_BIRD}, uid=ADMIN, admin=True).result
    assert (early["draft_applies"], early["difference"]) == (False, 0.0)
    assert everything(db) == before
    assert not list(db.collection("AuditLog").where(filter=FieldFilter("action", "!=", "")).stream())
