"""admin_delete_reward: a reward nobody redeemed is deleted and audited; a redeemed one is refused (deactivate it)."""

from __future__ import annotations

from main import admin_delete_reward
from tests.factories import make_reward, make_reward_redemption, put
from tests.request_world import everything

ADMIN = "admin-1"


def test_an_unredeemed_reward_is_deleted_and_a_redeemed_one_is_refused_with_nothing_written(db, deps, call):
    put(db, make_reward(id="draft", title="Typo reward"))
    put(db, make_reward(id="used", title="Free wash"))
    put(db, make_reward_redemption(id="r1", reward_id="used", client_id="c1"))
    db.document("Users/c1").set({"user_type": "client"})
    before = everything(db)

    redeemed = call(admin_delete_reward, {"reward_id": "used", "reason": "Season over."}, uid=ADMIN, admin=True)
    assert redeemed.error == "FAILED_PRECONDITION" and "Deactivate it instead" in redeemed.message
    assert call(admin_delete_reward, {"reward_id": "draft", "reason": "Typo."}, uid="c1").error == "PERMISSION_DENIED"
    missing = call(admin_delete_reward, {"reward_id": "nope", "reason": "Typo."}, uid=ADMIN, admin=True)
    assert missing.error == "NOT_FOUND"
    assert everything(db) == before

    assert call(admin_delete_reward, {"reward_id": "draft", "reason": "A typo in the title."}, uid=ADMIN,
                admin=True).result == {"reward_id": "draft"}
    assert not db.document("Rewards/draft").get().exists
    [entry] = [snap.to_dict() or {} for snap in db.collection("AuditLog").stream()]
    assert (entry["action"], entry["before"]["title"], entry["reason"]) == ("delete_reward", "Typo reward",
                                                                            "A typo in the title.")
