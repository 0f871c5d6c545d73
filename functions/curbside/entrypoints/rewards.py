"""Rewards (services/rewards.py): the admins' catalogue, redeeming points, and the daily expiry of unused
redemptions."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Self

from firebase_functions import https_fn, logger, scheduler_fn
from pydantic import Field, StrictBool, StrictInt, model_validator

from curbside import config, deps
from curbside.domain.enums import LoyaltyTier, RewardType
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import AuditReason, DocId
from curbside.services import referrals, rewards

DISCOUNTS = {RewardType.PERCENTAGE_DISCOUNT: "discount_percentage", RewardType.FIXED_DISCOUNT: "discount_amount",
             RewardType.FREE_SERVICE: "discount_amount"}
"""The field each discounting type needs (a free service: up to this amount; the others discount nothing)."""


class UpsertRewardPayload(Payload):
    reward_id: DocId | None = None
    title: Annotated[str, Field(min_length=1, max_length=100)]
    description: Annotated[str, Field(max_length=500)] | None = None
    points_required: Annotated[StrictInt, Field(gt=0, le=1_000_000)]
    reward_type: RewardType
    tier_required: LoyaltyTier = LoyaltyTier.BRONZE
    discount_percentage: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)] | None = None
    discount_amount: Annotated[Decimal, Field(gt=0, le=10_000, decimal_places=2, allow_inf_nan=False)] | None = None
    expiry_days: Annotated[StrictInt, Field(ge=1, le=365)] = 30
    is_active: StrictBool = True
    icon: Annotated[str, Field(max_length=100)] | None = None

    @model_validator(mode="after")
    def _discount_fits_the_type(self) -> Self:
        needed = DISCOUNTS.get(self.reward_type)
        for name in ("discount_percentage", "discount_amount"):
            if name == needed and getattr(self, name) is None:
                raise ValueError(f"{name}: a {self.reward_type.value} reward needs it")
            if name != needed and getattr(self, name) is not None:
                raise ValueError(f"{name}: a {self.reward_type.value} reward has none")
        return self

    def fields(self) -> rewards.RewardFields:
        return rewards.RewardFields(
            title=self.title, description=self.description, points_required=self.points_required,
            reward_type=self.reward_type, tier_required=self.tier_required,
            discount_percentage=self.discount_percentage, discount_amount=self.discount_amount,
            expiry_days=self.expiry_days, is_active=self.is_active, icon=self.icon)


@on_call()
def admin_upsert_reward(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UpsertRewardPayload, lambda caller, p: rewards.upsert_reward(
        deps.get(), is_admin=caller.is_admin, reward_id=p.reward_id, fields=p.fields()), fresh_sign_in=True)


class DeleteRewardPayload(Payload):
    reward_id: DocId
    reason: AuditReason


@on_call()
def admin_delete_reward(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DeleteRewardPayload, lambda caller, p: rewards.delete_reward(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, reward_id=p.reward_id, reason=p.reason),
        fresh_sign_in=True)


class RedeemRewardPayload(Payload):
    reward_id: DocId


@on_call()
def redeem_reward(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RedeemRewardPayload, lambda caller, p: rewards.redeem_reward(
        deps.get(), caller.uid, p.reward_id), fresh_sign_in=True)


@scheduler_fn.on_schedule(schedule="every day 00:30", timezone=config.DEFAULT_TIME_ZONE)
def expire_redemptions(event: scheduler_fn.ScheduledEvent) -> None:
    """Unused redemptions past their expiry become `expired` (their points stay spent, D53)."""
    expired = rewards.expire_redemptions(deps.get())
    logger.info("rewards.redemptions_expired", count=len(expired))


class NoPayload(Payload):
    pass


@on_call()
def get_referral_code(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, NoPayload, lambda caller, p: referrals.referral_code(deps.get(), caller.uid))


class ApplyReferralCodePayload(Payload):
    code: Annotated[str, Field(min_length=4, max_length=20, pattern=r"^[A-Za-z0-9-]+$")]


@on_call()
def apply_referral_code(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ApplyReferralCodePayload, lambda caller, p: referrals.apply_referral_code(
        deps.get(), caller.uid, p.code), fresh_sign_in=True)
