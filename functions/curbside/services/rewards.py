"""Rewards (spec section 7): the admins' catalogue, redeeming points for a reward, and the daily expiry.

Redeeming is one commit guarded by the versions it read (`work.conditional`): the client's profile (its
balance) and the new `RewardRedemptions/{code}` document, whose id is its discount code. Of twenty
simultaneous redemptions whose points pay for one, one lands and the others are read again and refused for
want of points; two clients drawing the same code cannot both create it — the database refuses the second, and
it draws again. The points are spent in the same commit (`loyalty.book`: `redeem:{code}`).

An unused redemption past `expires_at` becomes `expired` (daily); its points do not come back (D53): the
client chose to spend them, as with a voucher. A redemption given back by a cancelled job is `active` again
(`services.requests`), so nothing is lost that way.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from curbside.deps import Deps
from curbside.domain.documents import Reward, RewardRedemption
from curbside.domain.enums import LoyaltyTier, PointsReason, RedemptionStatus, RewardType
from curbside.domain.errors import LostRace, NotAllowed, NotFound, WrongState
from curbside.domain.lifecycle import Actor
from curbside.domain.loyalty import new_code, reaches
from curbside.services import loyalty, work
from curbside.services.accounts import require_usable_account
from curbside.services.rate_limits import next_slot
from curbside.services.verification_review import require_admin
from curbside.store import queries
from curbside.store.collections import Collection
from curbside.store.engine import Cursor
from curbside.store.transactions import retry_lost_races
from curbside.store.uow import UnitOfWork

CODE_PREFIX = "CURB"
ATTEMPTS = 5
"""A lost race (another redemption by the same client, a code drawn twice) is re-read and decided again."""
CHANGED = "Your points changed at the same moment; try again."
PAGE = 200


@dataclass(frozen=True)
class RewardFields:
    """An admin's catalogue entry, validated by the entry point's payload."""

    title: str
    description: str | None
    points_required: int
    reward_type: RewardType
    tier_required: LoyaltyTier
    discount_percentage: float | None
    discount_amount: Decimal | None
    expiry_days: int
    is_active: bool
    icon: str | None


@dataclass(frozen=True)
class Upserted:
    id: str


def upsert_reward(deps: Deps, *, is_admin: bool, reward_id: str | None, fields: RewardFields) -> Upserted:
    """Create (no `reward_id`) or replace a catalogue entry; `is_active: false` withdraws it from the
    catalogue (redemptions made before stay usable until they expire)."""
    require_admin(is_admin)
    doc_id = reward_id or secrets.token_hex(10)

    def decide(uow: UnitOfWork) -> Upserted:
        if reward_id is not None and uow.rewards.get(reward_id) is None:
            raise NotFound(f"There is no reward {reward_id}; leave reward_id out to create one.")
        uow.rewards.put(Reward(id=doc_id, title=fields.title, description=fields.description,
                               points_required=fields.points_required, reward_type=fields.reward_type,
                               tier_required=fields.tier_required, discount_percentage=fields.discount_percentage,
                               discount_amount=fields.discount_amount, expiry_days=fields.expiry_days,
                               is_active=fields.is_active, icon=fields.icon))
        return Upserted(doc_id)

    return work.transaction(deps, decide)


DELETE_REWARD = "delete_reward"
"""The audit trail's name for the action."""


def delete_reward(deps: Deps, *, admin_uid: str, is_admin: bool, reward_id: str, reason: str) -> dict[str, str]:
    """Delete a reward nobody ever redeemed (a mistake, a draft); one that was redeemed stays, deactivated,
    because its redemptions name it and price with it until they expire (D99). Audited with the reward whole."""
    require_admin(is_admin)

    def decide(uow: UnitOfWork) -> dict[str, str]:
        reward = uow.rewards.get(reward_id)
        if reward is None:
            raise NotFound(f"reward_id: there is no reward {reward_id}.")
        if uow.redemptions.count(queries.REDEMPTIONS_OF_REWARD, up_to=1, reward_id=reward_id):
            raise WrongState("This reward was redeemed: its redemptions still use it. Deactivate it instead.")
        uow.rewards.delete(reward_id)
        uow.audit.record(actor_id=admin_uid, action=DELETE_REWARD, target=Collection.REWARDS, target_id=reward_id,
                         before=reward.model_dump(mode="json", exclude={"id"}), after={}, reason=reason)
        return {"reward_id": reward_id}

    return work.transaction(deps, decide)


@dataclass(frozen=True)
class Redeemed:
    redemption_id: str
    discount_code: str
    expires_at: dt.datetime
    points_left: int


def redeem_reward(deps: Deps, uid: str, reward_id: str) -> Redeemed:
    """Spend the reward's points on a redemption with a unique discount code, valid `expiry_days`."""

    def decide(uow: UnitOfWork) -> Redeemed:
        require_usable_account(uow, uid)
        profile = uow.client_profiles.get(uid)
        if profile is None:
            raise NotAllowed("Only clients collect and redeem points.")
        reward = uow.rewards.get(reward_id)
        if reward is None:
            raise NotFound(f"reward_id: there is no reward {reward_id}.")
        if not reward.is_active:
            raise WrongState("This reward is no longer offered.")
        if not reaches(profile.loyalty_tier, reward.tier_required):
            raise WrongState(f"This reward needs the {reward.tier_required.value} tier; yours is "
                             f"{profile.loyalty_tier.value}.")
        if profile.loyalty_points < reward.points_required:
            raise WrongState(f"This reward costs {reward.points_required} points; you have "
                             f"{profile.loyalty_points}.")
        uow.rate_slots.create(next_slot(uow, uow.settings.rate_limits.redeem_reward, uid))
        code = new_code(CODE_PREFIX)
        redemption = uow.redemptions.create(RewardRedemption(
            id=code, client_id=uid, reward_id=reward.id, reward_title=reward.title,
            points_spent=reward.points_required, discount_code=code, expires_at=uow.now + dt.timedelta(
                days=reward.expiry_days), discount_amount=reward.discount_amount, created_date=uow.now))
        left = loyalty.book(uow, profile, PointsReason.REDEEM, code, -reward.points_required)
        return Redeemed(redemption.id, code, redemption.expires_at, left.loyalty_points)

    return retry_lost_races(lambda: work.conditional(deps, decide, lost_race=CHANGED), attempts=ATTEMPTS)


def expire_redemptions(deps: Deps) -> list[str]:
    """The daily job: active redemptions past `expires_at` become `expired` (their points stay spent)."""
    now = deps.clock.now()
    expired: list[str] = []
    cursor: Cursor | None = None

    def next_page(uow: UnitOfWork) -> tuple[list[str], Cursor | None]:
        page = uow.redemptions.find(queries.REDEMPTIONS_EXPIRING, status=RedemptionStatus.ACTIVE, due_by=now,
                                    limit=PAGE, start_after=cursor)
        return [item.id for item in page], uow.redemptions.cursor(page[-1]) if len(page) == PAGE else None

    while True:
        ids, cursor = work.reading(deps, next_page)
        expired += [redemption_id for redemption_id in ids if _expire(deps, redemption_id)]
        if cursor is None:
            return expired


def _expire(deps: Deps, redemption_id: str) -> bool:
    def decide(uow: UnitOfWork) -> bool:
        redemption = uow.redemptions.get(redemption_id)
        if redemption is None or redemption.status is not RedemptionStatus.ACTIVE or redemption.expires_at > uow.now:
            return False  # used meanwhile, or expired by an overlapping run
        uow.redemptions.move(redemption, RedemptionStatus.EXPIRED, Actor.SYSTEM)
        return True

    try:
        return work.conditional(deps, decide)
    except LostRace:
        return False  # used at this moment (the client won), or another run expired it

