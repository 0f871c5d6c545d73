"""Loyalty points and tiers (spec section 7), pure.

Points: 10 per whole unit of the configured currency actually paid (the captured amount, which is after any
reward discount), rounded down; a refund takes back the difference between what the job earned before and
after it, so a job fully refunded has earned nothing and partial refunds never take back more than was given.
First completed job: 200, once per client. Referral: 500 to the referrer when the referred client's first job
completes.

Tiers follow `total_points_earned` — points earned and not taken back by a refund — not the spendable balance:
redeeming a reward never demotes a loyal client (D52).
"""

from __future__ import annotations

import secrets

from curbside.domain.enums import LoyaltyTier
from curbside.domain.money import exponent

POINTS_PER_UNIT = 10
FIRST_JOB_POINTS = 200
REFERRAL_POINTS = 500
REFERRAL_WINDOW_DAYS = 30
"""A referral code is applied within this many days of sign-up."""

TIER_FLOORS: tuple[tuple[int, LoyaltyTier], ...] = (
    (6000, LoyaltyTier.PLATINUM), (3000, LoyaltyTier.GOLD), (1000, LoyaltyTier.SILVER), (0, LoyaltyTier.BRONZE))
TIER_ORDER = (LoyaltyTier.BRONZE, LoyaltyTier.SILVER, LoyaltyTier.GOLD, LoyaltyTier.PLATINUM)


def tier_of(total_points_earned: int) -> LoyaltyTier:
    """Bronze 0-999, Silver 1000-2999, Gold 3000-5999, Platinum 6000+ (below zero: Bronze)."""
    return next((tier for floor, tier in TIER_FLOORS if total_points_earned >= floor), LoyaltyTier.BRONZE)


def reaches(tier: LoyaltyTier, required: LoyaltyTier) -> bool:
    return TIER_ORDER.index(tier) >= TIER_ORDER.index(required)


def points_for(paid_minor: int, currency: str) -> int:
    """Points for an amount paid, in the currency's minor units: 10 per whole unit (euro), the amount rounded
    down to whole units first (35.50 earns 350)."""
    return max(paid_minor, 0) // int(10 ** exponent(currency)) * POINTS_PER_UNIT


def refund_take_back(captured_minor: int, refunded_before: int, refunded_after: int, currency: str) -> int:
    """The points a refund takes back (a positive number): what the job earned before it minus after."""
    return points_for(captured_minor - refunded_before, currency) - points_for(captured_minor - refunded_after,
                                                                                 currency)


CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
"""No 0/O, 1/I/L or U: a code read aloud or typed from a screen is not mistaken."""


def new_code(prefix: str, length: int = 8) -> str:
    """A human-friendly random code (`CURB-7QX4-M2KD`); uniqueness is the database's job (the code is the
    document's id, created only if absent), not chance's."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return f"{prefix}-" + "-".join(body[i:i + 4] for i in range(0, length, 4))
