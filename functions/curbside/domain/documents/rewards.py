"""Loyalty: the Rewards catalogue, RewardRedemptions, and the PointsLedger behind the points balance."""

from typing import Annotated

from pydantic import Field

from curbside.domain.documents.base import Count, Document, Money, UtcDatetime
from curbside.domain.enums import LoyaltyTier, PointsReason, RedemptionStatus, RewardType


class Reward(Document):
    """Rewards/{auto id}: a catalogue entry, managed by admins."""

    title: str
    description: str | None = None
    points_required: Count
    discount_percentage: Annotated[float, Field(ge=0, le=100)] | None = None
    discount_amount: Money | None = None
    reward_type: RewardType
    tier_required: LoyaltyTier = LoyaltyTier.BRONZE
    is_active: bool = True
    icon: str | None = None
    expiry_days: Annotated[int, Field(gt=0)] = 30


class RewardRedemption(Document):
    """RewardRedemptions/{auto id}: a redeemed reward with its unique discount code, used on one request."""

    client_id: str
    reward_id: str
    reward_title: str
    points_spent: Count
    discount_code: str = Field(min_length=1)
    status: RedemptionStatus = RedemptionStatus.ACTIVE
    expires_at: UtcDatetime
    used_at: UtcDatetime | None = None
    used_on_request_id: str | None = None
    discount_amount: Money | None = None
    created_date: UtcDatetime


class ReferralCode(Document):
    """ReferralCodes/{code}: whose referral code this is (added, D54). The code is the id, so the database
    refuses a second client with the same code; admin-only, looked up by `apply_referral_code`."""

    client_id: str
    created_date: UtcDatetime


def ledger_entry_id(reason: PointsReason, ref: str) -> str:
    """The deterministic id of a points movement (`earn:{request_id}`, `redeem:{redemption_id}`, ...), so a
    retried trigger writes the same entry instead of granting points twice (DESIGN.md convention 5)."""
    return f"{reason}:{ref}"


class PointsLedgerEntry(Document):
    """PointsLedger/{reason}:{ref}: one movement of a client's loyalty points (negative when spent).

    Not in the spec: the balance on ClientProfiles is a running total, and this ledger is what makes each
    change happen exactly once and explains the balance to support staff.
    """

    client_id: str
    points: int
    reason: PointsReason
    request_id: str | None = None
    created_date: UtcDatetime
