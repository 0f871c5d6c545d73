"""Loyalty points from real money events: a completed job's capture (localstripe, production gateway) earns
10 points per euro and the first-job bonus once, a refund takes back its share, and a replay books nothing;
the balance is the ledger's sum and the tier follows the lifetime total."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.deps import Deps
from curbside.domain.enums import LoyaltyTier, PointsReason
from curbside.services import card_holds, loyalty, refunds, work
from curbside.store.collections import Collection
from tests.factories import CLIENT_ID
from tests.payment_world import add_job_in_progress, client_with_saved_card, complete, technician_with_account
from tests.payments_server import LocalStripe
from tests.request_world import stored

JOB = "job-1"
"""request_world's jobs cost 56.00 EUR: 560 points."""


def ledger(db, client_id: str = CLIENT_ID) -> dict[str, int]:
    return {snap.id: (snap.to_dict() or {})["points"] for snap in db.collection(Collection.POINTS_LEDGER)
            .where(filter=FieldFilter("client_id", "==", client_id)).stream()}


def wallet(db, client_id: str = CLIENT_ID) -> tuple[int, int, str]:
    profile = stored(db, Collection.CLIENT_PROFILES, client_id)
    return profile["loyalty_points"], profile["total_points_earned"], profile["loyalty_tier"]


def assert_balance_is_the_ledger(db, client_id: str = CLIENT_ID) -> None:
    assert wallet(db, client_id)[0] == sum(ledger(db, client_id).values())


@pytest.fixture
def world(db, call, localstripe: LocalStripe, stripe_deps: Deps) -> Deps:
    client_with_saved_card(db, call, localstripe)
    technician_with_account(db, call, localstripe)
    return stripe_deps


def complete_job(deps: Deps, bucket: Any, request_id: str) -> None:
    add_job_in_progress(deps.db, request_id)
    assert card_holds.follow_request(deps, request_id) == "authorization_authorized"
    complete(deps, bucket, request_id)


def test_a_captured_job_earns_ten_points_a_euro_and_the_first_job_bonus(db, bucket, world: Deps):
    complete_job(world, bucket, JOB)

    assert ledger(db) == {"earn:job-1": 560, f"first_job:{CLIENT_ID}": 200}
    assert wallet(db) == (760, 760, "bronze")
    notice = stored(db, Collection.NOTIFICATIONS, f"rewards_earned:earn:job-1:{CLIENT_ID}")
    assert notice["type"] == "rewards_earned" and "560 points" in notice["body"]


def test_the_second_job_earns_no_second_bonus_and_the_tier_follows_the_lifetime_total(db, bucket, world: Deps):
    db.document(f"ClientProfiles/{CLIENT_ID}").update({"loyalty_points": 100, "total_points_earned": 300})
    db.document(f"PointsLedger/adjustment:opening:{CLIENT_ID}").set({
        "id": f"adjustment:opening:{CLIENT_ID}", "client_id": CLIENT_ID, "points": 100, "reason": "adjustment",
        "created_date": world.clock.now()})  # 300 earned, 200 of them spent before (an opening balance)
    db.document(f"PointsLedger/first_job:{CLIENT_ID}").set({
        "id": f"first_job:{CLIENT_ID}", "client_id": CLIENT_ID, "points": 0, "reason": "first_job",
        "created_date": world.clock.now()})  # the bonus was booked on an earlier job

    complete_job(world, bucket, JOB)
    complete_job(world, bucket, "job-2")

    assert ledger(db) == {f"adjustment:opening:{CLIENT_ID}": 100, f"first_job:{CLIENT_ID}": 0,
                          "earn:job-1": 560, "earn:job-2": 560}
    assert wallet(db) == (1220, 1420, "silver")


def test_a_replayed_points_event_books_nothing(db, bucket, world: Deps):
    complete_job(world, bucket, JOB)
    before = (ledger(db), wallet(db))

    for _ in range(2):  # the capture's points asked for again (a replayed webhook, a sweep after a crash)
        work.transaction(world, lambda uow: loyalty.ask_for_points(uow, CLIENT_ID, PointsReason.EARN, JOB, 560,
                                                                    request_id=JOB))

    assert (ledger(db), wallet(db)) == before
    assert_balance_is_the_ledger(db)


def test_a_refund_takes_back_its_share_of_the_points(db, bucket, world: Deps):
    complete_job(world, bucket, JOB)

    refunds.refund(world, JOB, 2050, "dispute-1")  # 20.50 back: 35.50 paid, 350 points
    refunds.refund(world, JOB, 2050, "dispute-1")  # the same refund again: nothing more

    assert ledger(db)["adjustment:refund:job-1:dispute-1"] == -210
    assert wallet(db) == (550, 550, LoyaltyTier.BRONZE.value)
    refunds.refund(world, JOB, 3550, "dispute-2")  # the rest: the job has earned nothing
    assert ledger(db)["adjustment:refund:job-1:dispute-2"] == -350
    assert wallet(db) == (200, 200, "bronze")  # the first-job bonus stays
    assert_balance_is_the_ledger(db)
