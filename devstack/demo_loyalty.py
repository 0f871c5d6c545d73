"""The demo's loyalty steps (issue 16): the client's points arrive after the job's capture, she redeems a
reward with them and uses it on her next booking — all through the callables and her own Firestore reads."""

from __future__ import annotations

from typing import Any

from devstack.demo_kit import Demo, Person, Step, wait

REWARD = "reward-bronze-fixed-discount"
"""The seed's bronze "€5 off" (500 points)."""


def earns_and_redeems(person: Person, job: dict[str, Any]) -> list[Step]:
    """After `job` was paid: the points it earned (and the first-job bonus), then a redemption; the next
    booking (`job["redemption"]`) uses it."""

    def collects_points(demo: Demo) -> str:
        path = f"ClientProfiles/{person.uid}"
        profile = wait(lambda: (p := demo.read(person.uid, path)) and p.get("loyalty_points") and p,
                       "the points on the client's profile")
        entries = demo.app(person.uid).query("PointsLedger", [("client_id", "==", person.uid)])
        booked = ", ".join(f"{doc_id} {data['points']:+d}" for doc_id, data in entries.body) if entries.ok else "?"
        return (f"{profile['loyalty_points']} points, tier {profile['loyalty_tier']} (ledger: {booked}); "
                "a rewards_earned notice")

    def redeems(demo: Demo) -> str:
        result = demo.call(person.uid, "redeem_reward", {"reward_id": REWARD})
        job["redemption"] = result["redemption_id"]
        return (f"redeem_reward({REWARD}) -> code {result['discount_code']}, {result['points_left']} points left, "
                f"valid until {result['expires_at'][:10]}")

    return [Step(person.uid, "collects loyalty points", collects_points),
            Step(person.uid, "redeems a reward", redeems)]
