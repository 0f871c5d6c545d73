"""The demo's loyalty and review steps (issue 16): the client's points arrive after the job's capture, she
redeems a reward with them and uses it on her next booking; that night `apply_pending_reviews` applies her
review and the technician's rating moves — all through the callables and the apps' own Firestore reads."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from devstack.demo_kit import Demo, Person, Step, wait

REWARD = "reward-bronze-fixed-discount"
"""The seed's bronze "€5 off" (500 points)."""
PLATFORM_ZONE = ZoneInfo("Australia/Sydney")
"""`DEFAULT_TIME_ZONE`'s default: where the daily schedules' midnight is."""


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


def rating_moves_overnight(person: Person, job: dict[str, Any]) -> list[Step]:
    """The stack's clock jumps to just after midnight: the daily `apply_pending_reviews` applies the client's
    review of the day's job (written for tomorrow, its dispute resolved) and the technician's rating and the
    public list of reviews follow."""

    def applies_review(demo: Demo) -> str:
        technician = job["technician"]
        path = f"DispatcherProfiles/{technician}"
        before = demo.read(technician, path)
        local = demo.stack.clock.now().astimezone(PLATFORM_ZONE)
        midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0, 1), tzinfo=PLATFORM_ZONE)
        demo.advance_to(midnight)
        demo.await_run("apply_pending_reviews", "", timeout=60)
        after = wait(lambda: (p := demo.read(technician, path)) and
                     p.get("total_reviews", 0) > before.get("total_reviews", 0) and p, "the applied review")
        public = demo.read(person.uid, f"PublicReviews/{job['id']}")
        return (f"the clock jumps to {midnight:%d %b %H:%M} ({PLATFORM_ZONE}); apply_pending_reviews -> "
                f"{technician}'s rating {before.get('rating')} ({before.get('total_reviews', 0)} reviews) -> "
                f"{after['rating']} ({after['total_reviews']}); the client's app reads PublicReviews/{job['id']} "
                f"({public['rating']} stars)")

    return [Step("backend", "applies the day's reviews overnight", applies_review)]
