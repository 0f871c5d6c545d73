"""Insurance jobs (issue 20, D91): who pays what, and the claim's lifecycle. Pure: no I/O.

A job is `private` (the client pays the price) or `insurance`: the client's card pays only their excess, and
the rest of the price is owed by the insurer. The technician is paid on the whole price either way: the
platform advances the insurer's share when the job is charged and collects it from the insurer through the
claim (`InsuranceClaims/{request_id}`), which an admin moves open -> submitted -> paid | rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from curbside.domain.errors import InvalidInput
from curbside.domain.lifecycle import Actor, Lifecycle, moves


class JobType(StrEnum):
    """ServiceRequests.job_type: who pays for the job."""

    PRIVATE = "private"
    INSURANCE = "insurance"
    MERCHANT = "merchant"
    """Ordered by a merchant for its customer's car (D116): no card, billed on the merchant's month statement."""


class ClaimStatus(StrEnum):
    """InsuranceClaims.status: the insurer's share, from owed to collected (or written off)."""

    OPEN = "open"
    """The job was charged: the platform advanced the insurer's share to the technician and is owed it."""
    SUBMITTED = "submitted"
    """An admin lodged the claim with the insurer."""
    PAID = "paid"
    REJECTED = "rejected"
    """The insurer refused it: the platform's loss, or the admins' to recover from the client."""


C = ClaimStatus
INSURANCE_CLAIM = Lifecycle("insurance claim", "status", ClaimStatus, moves(
    (C.OPEN, (C.SUBMITTED, C.REJECTED), (Actor.ADMIN,)),
    (C.SUBMITTED, (C.PAID, C.REJECTED), (Actor.ADMIN,)),
    (C.REJECTED, (C.SUBMITTED,), (Actor.ADMIN,)),  # lodged again after the insurer asked for more
), terminal=frozenset({C.PAID}))
"""InsuranceClaims.status: admins move it (`admin_update_insurance_claim`), each move audited."""

CLAIM_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{2,39}$")
"""Insurers' claim references: letters, digits and `/._-`, 3 to 40 characters (e.g. `HC-2026-00172`)."""


SMALLEST_CARD_CHARGE = Decimal("0.50")
"""Stripe's smallest charge in AUD, EUR and USD: a smaller excess cannot be held on a card (D91)."""


@dataclass(frozen=True)
class InsuranceTerms:
    """What the client says about their claim when booking an insurance job."""

    insurer: str
    claim_number: str
    excess: Decimal
    """The client's excess: what their card pays, in CURRENCY."""


def check_terms(terms: InsuranceTerms, price: Decimal) -> None:
    """Refuse terms that cannot be charged as told: a named insurer, a claim number in the insurers' format,
    and an excess between nothing and the job's price."""
    if not terms.insurer.strip():
        raise InvalidInput("insurer: name the insurer that covers the claim.")
    if not CLAIM_NUMBER.match(terms.claim_number):
        raise InvalidInput("claim_number: use the insurer's claim reference (3-40 letters, digits or / . _ -).")
    if terms.excess < 0:
        raise InvalidInput("excess_amount: the excess cannot be negative.")
    if terms.excess < SMALLEST_CARD_CHARGE:
        raise InvalidInput(f"excess_amount: an excess under {SMALLEST_CARD_CHARGE} cannot be charged to a card; "
                           "ask your insurer to confirm the excess (a waived excess is not supported yet).")
    if terms.excess > price:
        raise InvalidInput(f"excess_amount: the excess ({terms.excess}) is more than the job's price ({price}); an "
                           "insurance job's card pays the excess and the insurer the rest, so book it as a "
                           "private job.")


def client_share(final_price: Decimal, job_type: JobType, excess: Decimal | None) -> Decimal:
    """What the client's card pays for the job: the price, an insurance job's excess, nothing for a merchant
    order (the merchant is billed monthly)."""
    if job_type is JobType.MERCHANT:
        return Decimal(0)
    if job_type is JobType.INSURANCE and excess is not None:
        return min(excess, final_price)
    return final_price
