"""A small world for the service-request tests: a client with uploaded car photos, a verified technician,
the spec's pricing rules, and jobs in any state. Plain functions over the `db`/`bucket` fixtures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from google.cloud import firestore

from curbside.domain.documents import ServiceRequest
from curbside.domain.enums import (
    AuthorizationStatus,
    LoyaltyTier,
    PayoutStatus,
    RequestStatus,
    RewardType,
    RuleType,
    UserType,
)
from curbside.store.collections import Collection, doc_path
from tests.factories import (
    CLIENT_ID,
    DISPATCHER_ID,
    make_client_profile,
    make_client_profile_private,
    make_dispatcher_location,
    make_dispatcher_profile,
    make_job_payment,
    make_pricing_rule,
    make_reward,
    make_reward_redemption,
    make_service_request,
    make_user,
    make_user_private,
    put,
    put_private,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(256)
SYDNEY_CBD = (-33.8688, 151.2093)
NEAR_CBD = (-33.8731, 151.2065)
"""Grafton-Street-like spot inside the seeded 2 km Sydney CBD zone."""
OUTSIDE_ZONES = (-33.7969, 151.1803)
"""Chatswood: inside the Sydney market, outside every high-demand zone."""


def add_client(db: firestore.Client, uid: str = CLIENT_ID, *, tier: LoyaltyTier = LoyaltyTier.BRONZE,
               account_status: str | None = None, name: str = "Alex Client", card: bool = True) -> str:
    """A client; `card`: with a card on file (Stripe ids that only a real Stripe call would find wanting)."""
    put(db, make_user(id=uid, uid=uid, full_name=name, user_type=UserType.CLIENT))
    put(db, make_client_profile(user_id=uid, loyalty_tier=tier, client_rating=4.9))
    if card:
        put_private(db, uid, make_client_profile_private(stripe_customer_id="cus_on_file",
                                                          payment_method="pm_on_file"))
    if account_status is not None:
        put_private(db, uid, make_user_private(account_status=account_status))
    return uid


def add_dispatcher(db: firestore.Client, uid: str = DISPATCHER_ID, *, active_jobs: int = 1) -> str:
    put(db, make_user(id=uid, uid=uid, full_name="Sam Tech", user_type=UserType.DISPATCHER))
    put(db, make_dispatcher_profile(user_id=uid))
    put(db, make_dispatcher_location(dispatcher_id=uid, active_jobs=active_jobs))
    return uid


def upload_photo(bucket: Any, uid: str = CLIENT_ID, *, name: str = "front.jpg", data: bytes = JPEG,
                 content_type: str = "image/jpeg", folder: str = "car_photos") -> str:
    path = f"users/{uid}/{folder}/{name}"
    bucket.blob(path).upload_from_string(data, content_type=content_type)
    return path


def add_spec_rules(db: firestore.Client) -> None:
    """The spec's location premium (Sydney CBD) and 17:00-19:00 peak hours."""
    put(db, make_pricing_rule(
        id="rule-zones", rule_name="Location Premium", rule_type=RuleType.LOCATION_PREMIUM, multiplier=1.3,
        priority=40, applies_to_scheduled=True, time_conditions={},
        demand_conditions={"zones": [{"name": "Sydney CBD", "lat": SYDNEY_CBD[0], "lng": SYDNEY_CBD[1],
                                      "radius_km": 2.0}]}))
    put(db, make_pricing_rule(
        id="rule-peak", rule_name="Peak Hours", rule_type=RuleType.TIME_OF_DAY, multiplier=1.2, priority=30,
        applies_to_scheduled=True, time_conditions={"start": "17:00", "end": "19:00"}))


def add_redemption(db: firestore.Client, *, client_id: str = CLIENT_ID, reward_type: RewardType =
                   RewardType.FIXED_DISCOUNT, amount: str | None = "10.00", percentage: float | None = None,
                   tier: LoyaltyTier = LoyaltyTier.BRONZE, expires_at: dt.datetime | None = None,
                   **overrides: Any) -> str:
    reward = make_reward(reward_type=reward_type, tier_required=tier, discount_percentage=percentage,
                         discount_amount=Decimal(amount) if amount else None, title="Reward")
    put(db, reward)
    redemption = make_reward_redemption(
        client_id=client_id, reward_id=reward.id, reward_title=reward.title,
        discount_amount=Decimal(amount) if amount else None,
        expires_at=expires_at or dt.datetime(2026, 12, 31, tzinfo=dt.UTC), **overrides)
    return put(db, redemption)


HELD_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
"""The tests' default clock: a hold placed then is current."""


def add_job(db: firestore.Client, status: RequestStatus, *, held: bool = False, **overrides: Any) -> ServiceRequest:
    """A job in `status`, assigned to the technician from `accepted` on (or whenever `dispatcher_id` is given).
    `held`: with its price already held on the client's card (what the status trigger does on acceptance)."""
    assigned = status not in (RequestStatus.SCHEDULED, RequestStatus.PENDING)
    fields: dict[str, Any] = {
        "status": status, "client_id": CLIENT_ID, "location_lat": NEAR_CBD[0], "location_lng": NEAR_CBD[1],
        "location_address": "1 George St, Sydney", "final_price": Decimal("56.00"), "price": Decimal("66.00"),
        "dispatcher_id": DISPATCHER_ID if assigned else None, "dispatcher_name": "Sam" if assigned else None,
        **overrides,
    }
    job = make_service_request(**fields)
    put(db, job)
    if held:
        put(db, make_job_payment(
            id=job.id, request_id=job.id, client_id=job.client_id, dispatcher_id=job.dispatcher_id,
            amount_minor=int(job.final_price * 100), payment_intent_id=f"pi_{job.id}",
            authorization_status=AuthorizationStatus.AUTHORIZED, authorized_at=HELD_AT, payout_status=PayoutStatus.NONE,
            captured_minor=0, refunded_minor=0, held_minor=0, refunds={}, stripe_refund_ids=[]))
    return job


def stored(db: firestore.Client, collection: Collection, doc_id: str) -> dict[str, Any]:
    return db.document(doc_path(collection, doc_id)).get().to_dict() or {}


def everything(db: firestore.Client) -> dict[str, dict[str, Any]]:
    """Every document, by path (sub-collections included), to prove that a refused call wrote nothing."""
    found: dict[str, dict[str, Any]] = {}

    def walk(collections: Any) -> None:
        for collection in collections:
            for snap in collection.stream():
                found[snap.reference.path] = snap.to_dict() or {}
                walk(snap.reference.collections())

    walk(db.collections())
    return found
