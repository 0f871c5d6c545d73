"""The rewards catalogue (admin_upsert_reward), redeem_reward and expire_redemptions through the deployed
functions on the Firestore emulator: validation writing nothing, points spent in the redemption's commit, a
database-unique discount code, and the races — one client redeeming twenty times at once with points for one,
twenty clients redeeming at once."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.deps import Deps
from curbside.domain.enums import LoyaltyTier, RedemptionStatus
from curbside.services import rewards
from curbside.store.collections import Collection
from main import admin_upsert_reward, redeem_reward
from tests.factories import CLIENT_ID, make_reward, put
from tests.request_world import add_client, add_redemption, everything, stored

ADMIN = "uid-admin"
REWARD = "reward-5-off"
CODE = re.compile(r"^CURB-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")


def with_points(db, uid: str = CLIENT_ID, *, points: int, earned: int | None = None,
                tier: LoyaltyTier = LoyaltyTier.BRONZE) -> str:
    add_client(db, uid, tier=tier)
    db.document(f"ClientProfiles/{uid}").update({"loyalty_points": points, "total_points_earned": earned or points})
    return uid


def reward(db, **overrides: Any) -> str:
    return put(db, make_reward(id=REWARD, points_required=500, **overrides))


def ledger_sum(db, uid: str = CLIENT_ID) -> int:
    return sum((snap.to_dict() or {})["points"] for snap in db.collection(Collection.POINTS_LEDGER)
               .where(filter=FieldFilter("client_id", "==", uid)).stream())


def redemptions_of(db, uid: str = CLIENT_ID) -> list[dict[str, Any]]:
    return [snap.to_dict() or {} for snap in db.collection(Collection.REWARD_REDEMPTIONS)
            .where(filter=FieldFilter("client_id", "==", uid)).stream()]


# --- admin_upsert_reward ----------------------------------------------------------------------------------------

GOOD = {"title": "20% off", "points_required": 1500, "reward_type": "percentage_discount",
        "discount_percentage": 20, "tier_required": "silver", "expiry_days": 60}


def test_an_admin_creates_and_deactivates_a_reward(db, call):
    created = call(admin_upsert_reward, GOOD, uid=ADMIN, admin=True)

    assert created.status == 200, created.body
    reward_id = created.result["id"]
    stored_reward = stored(db, Collection.REWARDS, reward_id)
    assert (stored_reward["discount_percentage"], stored_reward["tier_required"], stored_reward["is_active"]) == (
        20, "silver", True)

    changed = call(admin_upsert_reward, {**GOOD, "reward_id": reward_id, "is_active": False}, uid=ADMIN, admin=True)

    assert changed.result == {"id": reward_id}
    assert stored(db, Collection.REWARDS, reward_id)["is_active"] is False


BAD_REWARDS: dict[str, dict[str, Any]] = {
    "percentage above 100": {"discount_percentage": 101},
    "percentage 0": {"discount_percentage": 0},
    "no points": {"points_required": 0},
    "points as text": {"points_required": "1500"},
    "expiry 0 days": {"expiry_days": 0},
    "expiry 366 days": {"expiry_days": 366},
    "unknown tier": {"tier_required": "diamond"},
    "unknown type": {"reward_type": "cashback"},
    "percentage without one": {"discount_percentage": None},
    "percentage with an amount": {"discount_amount": "5.00"},
    "fixed without an amount": {"reward_type": "fixed_discount", "discount_percentage": None},
    "a perk with a discount": {"reward_type": "special_perk"},
    "negative amount": {"reward_type": "fixed_discount", "discount_percentage": None, "discount_amount": "-5"},
    "no title": {"title": ""},
}


@pytest.mark.parametrize("case", list(BAD_REWARDS))
def test_a_malformed_reward_is_refused_and_writes_nothing(db, call, case):
    before = everything(db)

    response = call(admin_upsert_reward, {**GOOD, **BAD_REWARDS[case]}, uid=ADMIN, admin=True)

    assert response.error == "INVALID_ARGUMENT", response.body
    assert everything(db) == before


def test_only_admins_manage_rewards_and_unknown_ids_are_not_created(db, call):
    before = everything(db)

    assert call(admin_upsert_reward, GOOD, uid=CLIENT_ID).error == "PERMISSION_DENIED"
    assert call(admin_upsert_reward, {**GOOD, "reward_id": "nope"}, uid=ADMIN, admin=True).error == "NOT_FOUND"
    assert everything(db) == before


# --- redeem_reward ----------------------------------------------------------------------------------------------


def test_redeeming_spends_the_points_and_gives_a_unique_code(db, call, clock):
    with_points(db, points=1500, earned=2500, tier=LoyaltyTier.SILVER)
    reward(db, expiry_days=14)

    response = call(redeem_reward, {"reward_id": REWARD}, uid=CLIENT_ID)

    assert response.status == 200, response.body
    code = response.result["discount_code"]
    assert CODE.match(code) and response.result["redemption_id"] == code and response.result["points_left"] == 1000
    redemption = stored(db, Collection.REWARD_REDEMPTIONS, code)
    assert (redemption["status"], redemption["points_spent"], redemption["reward_id"]) == ("active", 500, REWARD)
    assert redemption["expires_at"] == clock.now() + dt.timedelta(days=14)
    assert stored(db, Collection.POINTS_LEDGER, f"redeem:{code}")["points"] == -500
    profile = stored(db, Collection.CLIENT_PROFILES, CLIENT_ID)
    # Spending does not demote: the tier follows the lifetime total.
    assert (profile["loyalty_points"], profile["total_points_earned"], profile["loyalty_tier"]) == (1000, 2500,
                                                                                                    "silver")


REFUSALS: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    # case: (client's points, reward fields, error, in the message)
    "not enough points": ({"points": 499}, {}, "FAILED_PRECONDITION", "costs 500"),
    "above one's tier": ({"points": 5000}, {"tier_required": LoyaltyTier.GOLD}, "FAILED_PRECONDITION", "gold"),
    "an inactive reward": ({"points": 5000}, {"is_active": False}, "FAILED_PRECONDITION", "no longer"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_redemption_writes_nothing(db, call, case):
    points, fields, error, words = REFUSALS[case]
    with_points(db, **points)
    reward(db, **fields)
    before = everything(db)

    response = call(redeem_reward, {"reward_id": REWARD}, uid=CLIENT_ID)

    assert (response.error, words in response.message) == (error, True), response.body
    assert everything(db) == before


def test_an_unknown_reward_or_a_bad_payload_is_refused(db, call):
    with_points(db, points=5000)
    before = everything(db)

    assert call(redeem_reward, {"reward_id": "nope"}, uid=CLIENT_ID).error == "NOT_FOUND"
    assert call(redeem_reward, {"reward_id": 5}, uid=CLIENT_ID).error == "INVALID_ARGUMENT"
    assert call(redeem_reward, {"reward_id": REWARD, "points": 1}, uid=CLIENT_ID).error == "INVALID_ARGUMENT"
    assert everything(db) == before


def at_once(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run `action(i)` in `count` threads released together; returns what each returned or raised."""
    results: list[Any] = [None] * count
    start = threading.Barrier(count)

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = action(i)
        except BaseException as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    return results


def test_twenty_redemptions_at_once_with_points_for_one_make_exactly_one(db, call):
    with_points(db, points=700)
    reward(db)

    answers = at_once(20, lambda _: call(redeem_reward, {"reward_id": REWARD}, uid=CLIENT_ID))

    assert [a.status for a in answers].count(200) == 1, [a.body for a in answers]
    assert {a.error for a in answers if a.status != 200} <= {"FAILED_PRECONDITION", "ABORTED"}
    assert len(redemptions_of(db)) == 1
    profile = stored(db, Collection.CLIENT_PROFILES, CLIENT_ID)
    assert profile["loyalty_points"] == 200 == 700 - 500
    assert ledger_sum(db) == -500  # the opening 700 were set without a ledger entry


def test_twenty_clients_redeeming_at_once_all_get_distinct_codes(db, deps: Deps):
    clients = [with_points(db, f"uid-client-{i}", points=600) for i in range(20)]
    reward(db)

    answers = at_once(20, lambda i: rewards.redeem_reward(deps, clients[i], REWARD))

    assert all(isinstance(a, rewards.Redeemed) for a in answers), answers
    codes = {a.discount_code for a in answers}
    assert len(codes) == 20 and all(CODE.match(code) for code in codes)


# --- expire_redemptions -----------------------------------------------------------------------------------------


def test_unused_redemptions_expire_and_their_points_stay_spent(db, deps: Deps, clock):
    with_points(db, points=100)
    past = clock.now() - dt.timedelta(seconds=1)
    lapsed = add_redemption(db, id="lapsed", expires_at=past)
    used = add_redemption(db, id="used", expires_at=past, status=RedemptionStatus.USED)
    current = add_redemption(db, id="current", expires_at=clock.now() + dt.timedelta(days=1))

    assert rewards.expire_redemptions(deps) == [lapsed]
    assert rewards.expire_redemptions(deps) == []

    statuses = {rid: stored(db, Collection.REWARD_REDEMPTIONS, rid)["status"] for rid in (lapsed, used, current)}
    assert statuses == {lapsed: "expired", used: "used", current: "active"}
    assert stored(db, Collection.CLIENT_PROFILES, CLIENT_ID)["loyalty_points"] == 100
