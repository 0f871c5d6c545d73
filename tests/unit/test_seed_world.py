"""The seeded world without Firestore: deterministic, and every document consistent with the spec's rules
(tiers, verification steps, job timelines, prices, where busy technicians are)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from curbside.domain.enums import LoyaltyTier, RequestStatus, RewardType, RuleType, StepStatus, VerificationStatus
from curbside.domain.geo import geohash_encode
from seed import build_world
from seed.geography import CITIES
from seed.jobs import ACTIVE, STEPS
from seed.population import tier_for

NOW = datetime(2026, 11, 20, 9, 17, tzinfo=UTC)
ANCHOR = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
STEP_FIELDS = ("identity_verification_status", "vehicle_verification_status", "background_check_status")

Docs = dict[str, dict[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def docs() -> Docs:
    """label -> id -> stored map (for private parts the id is the owner's)."""
    grouped: Docs = defaultdict(dict)
    for doc in build_world(7, NOW).docs:
        grouped[doc.label][doc.path.split("/")[1]] = doc.data
    return grouped


def test_the_world_is_a_function_of_the_seed_and_the_hour():
    world = build_world(7, NOW)
    assert world.anchor == ANCHOR
    assert build_world(7, NOW + timedelta(minutes=40)).docs == world.docs
    other = build_world(8, NOW)
    assert [d.path for d in other.docs] == [d.path for d in world.docs]
    assert other.docs != world.docs
    with pytest.raises(ValueError, match="timezone-aware"):
        build_world(7, NOW.replace(tzinfo=None))


def test_ids_are_fixed(docs: Docs):
    expected = {"admin-001"} | {f"client-{n:03d}" for n in range(1, 31)} | {
        f"dispatcher-{n:03d}" for n in range(1, 121)}
    assert set(docs["Users"]) == set(docs["Users/private"]) == set(docs["NotificationPreferences"]) == expected
    assert set(docs["ServiceRequests"]) == {f"request-{n:03d}" for n in range(1, 25)}
    assert docs["Users"]["admin-001"]["role"] == "admin"


def test_the_catalogue_has_every_reward_type_at_every_tier(docs: Docs):
    rewards = docs["Rewards"].values()
    assert sorted((r["reward_type"], r["tier_required"]) for r in rewards) == sorted(
        (t.value, tier.value) for t in RewardType for tier in LoyaltyTier)
    assert all(r["expiry_days"] == 30 and r["points_required"] > 0 and r["is_active"] for r in rewards)
    assert {r["discount_amount"] for r in rewards if r["reward_type"] == RewardType.FREE_SERVICE} == {33.0}
    free = {r["tier_required"]: r["points_required"] for r in rewards if r["reward_type"] == RewardType.FREE_SERVICE}
    assert free["bronze"] > free["silver"] > free["gold"] > free["platinum"]


def test_pricing_rules_have_the_documented_shapes(docs: Docs):
    rules = {r["rule_type"]: r for r in docs["PricingRules"].values()}
    assert rules[RuleType.TIME_OF_DAY]["multiplier"] == 1.2
    assert rules[RuleType.TIME_OF_DAY]["time_conditions"] == {"start": "17:00", "end": "19:00"}
    assert rules[RuleType.DAY_OF_WEEK]["multiplier"] == 1.15
    assert rules[RuleType.DAY_OF_WEEK]["time_conditions"] == {"days": ["saturday", "sunday"]}
    zones = rules[RuleType.LOCATION_PREMIUM]["demand_conditions"]["zones"]
    assert rules[RuleType.LOCATION_PREMIUM]["multiplier"] == 1.3
    for city in CITIES:
        in_city = [z for z in zones if z["city"] == city.name]
        assert any("Airport" in z["name"] for z in in_city) and any("CBD" in z["name"] for z in in_city)
        assert all(city.bbox.contains(z["lat"], z["lng"]) and z["radius_km"] > 0 for z in in_city)
    thresholds = rules[RuleType.DEMAND_SURGE]["demand_conditions"]["thresholds"]
    assert [t["min_ratio"] for t in thresholds] == sorted(t["min_ratio"] for t in thresholds)
    assert rules[RuleType.DEMAND_SURGE]["applies_to_scheduled"] is False


def test_loyalty_tiers_follow_the_points_and_the_ledger_explains_each_balance(docs: Docs):
    ledger: defaultdict[str, int] = defaultdict(int)
    for entry in docs["PointsLedger"].values():
        ledger[entry["client_id"]] += entry["points"]
    tiers = set()
    for uid, profile in docs["ClientProfiles"].items():
        assert profile["loyalty_tier"] == tier_for(profile["loyalty_points"])
        assert ledger[uid] == profile["loyalty_points"] == profile["total_points_earned"]
        assert 3.5 <= profile["client_rating"] <= 5.0
        tiers.add(profile["loyalty_tier"])
    assert tiers == set(LoyaltyTier)
    assert [tier_for(p) for p in (0, 999, 1000, 2999, 3000, 5999, 6000)] == [
        "bronze", "bronze", "silver", "silver", "gold", "gold", "platinum"]


def test_verification_states_match_their_steps(docs: Docs):
    states: defaultdict[str, int] = defaultdict(int)
    for uid, profile in docs["DispatcherProfiles"].items():
        state, steps = profile["verification_status"], [profile[f] for f in STEP_FIELDS]
        states[state] += 1
        assert 3.5 <= profile["rating"] <= 5.0
        if state == VerificationStatus.VERIFIED:
            assert set(steps) == {StepStatus.APPROVED} and profile["passport_verified"]
            assert profile["verification_completed_date"] is not None
        elif state == VerificationStatus.REJECTED:
            assert steps.count(StepStatus.REJECTED) == 1 and profile["rejection_reason"]
        elif state == VerificationStatus.PENDING:
            assert set(steps) == {StepStatus.PENDING} and profile["verification_submitted_date"] is None
        else:
            assert StepStatus.REJECTED not in steps and profile["background_check_status"] == StepStatus.PENDING
            assert docs["DispatcherProfiles/private"][uid]["passport_image_url"] is not None
    assert set(states) == set(VerificationStatus) and states[VerificationStatus.VERIFIED] > 90


def test_each_job_has_exactly_the_fields_of_the_steps_it_passed(docs: Docs):
    reached = {RequestStatus.ACCEPTED: 1, RequestStatus.EN_ROUTE: 2, RequestStatus.ARRIVED: 3,
               RequestStatus.IN_PROGRESS: 4, RequestStatus.COMPLETED: 5}
    for rid, request in docs["ServiceRequests"].items():
        status = RequestStatus(request["status"])
        passed = reached.get(status, 1 if status is RequestStatus.CANCELLED and request["accepted_at"] else 0)
        times = [request[step] for step in STEPS]
        assert all(t is not None for t in times[:passed]) and all(t is None for t in times[passed:]), rid
        assert times[:passed] == sorted(times[:passed]) and (not passed or request["created_date"] < times[0])
        assert (request["dispatcher_id"] is not None) == (passed > 0), rid
        assert request["created_date"] <= ANCHOR and request["updated_date"] <= ANCHOR
        urgency = Decimal("0.5") if request["is_urgent"] else 0
        location = Decimal("0.3") if request["location_multiplier"] == 1.3 else 0
        assert request["base_price"] == 33.0
        assert Decimal(str(request["final_price"])) == Decimal(str(request["price"])) == 33 * (1 + urgency + location)
        if request["is_scheduled"]:
            assert request["becomes_available_at"] == request["scheduled_datetime"] - timedelta(hours=24)
            assert (request["becomes_available_at"] > ANCHOR) == (status is RequestStatus.SCHEDULED), rid


def test_completed_jobs_have_their_proof_of_work(docs: Docs):
    completed = {rid for rid, r in docs["ServiceRequests"].items() if r["status"] == RequestStatus.COMPLETED}
    assert set(docs["JobCompletions"]) == completed
    for rid, completion in docs["JobCompletions"].items():
        request = docs["ServiceRequests"][rid]
        assert len(completion["completion_images"]) >= 4
        assert completion["auto_approve_at"] == request["completed_at"] + timedelta(hours=48)
        assert completion["amount"] == request["final_price"]
        assert completion["location_verified"] and completion["location_distance_meters"] < 100
        assert (completion["payment_status"] == "completed") == (completion["auto_approve_at"] <= ANCHOR)


def test_technicians_on_active_jobs_are_online_and_where_the_job_says(docs: Docs):
    active = {r["dispatcher_id"]: r for r in docs["ServiceRequests"].values() if r["status"] in ACTIVE}
    assert len(active) == sum(1 for r in docs["ServiceRequests"].values() if r["status"] in ACTIVE)
    for uid, location in docs["DispatcherLocations"].items():
        banned = docs["Users/private"][uid]["account_status"] == "shadow_banned"
        if location["lat"] is not None:
            assert location["geohash"] == geohash_encode(location["lat"], location["lng"])
        if location["is_online"]:
            assert ANCHOR - location["location_updated_at"] <= timedelta(minutes=5)
        assert location["active_jobs"] == (1 if uid in active else 0)
        if uid in active:
            request = active[uid]
            assert location["is_online"] and not banned
            assert docs["DispatcherProfiles"][uid]["verification_status"] == VerificationStatus.VERIFIED
            if request["dispatcher_current_lat"] is not None:
                assert (location["lat"], location["lng"]) == (
                    request["dispatcher_current_lat"], request["dispatcher_current_lng"])


def test_exactly_the_online_verified_honest_technicians_are_in_the_dispatch_index(docs: Docs):
    for uid, location in docs["DispatcherLocations"].items():
        honest = docs["Users/private"][uid]["account_status"] == "active"
        verified = docs["DispatcherProfiles"][uid]["verification_status"] == VerificationStatus.VERIFIED
        assert location["searchable"] == (location["is_online"] and verified and honest), uid
        assert bool(location["search_cells"]) == location["searchable"]
        assert location["rating"] == docs["DispatcherProfiles"][uid]["rating"]
    searchable = sum(1 for location in docs["DispatcherLocations"].values() if location["searchable"])
    assert searchable >= 40
