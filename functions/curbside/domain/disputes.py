"""What a dispute's facts decide, without any store (spec section 10, docs/decisions.md D55-D57).

- `priority_of`: how urgent a new dispute is, from its reason and the money at stake.
- `outcome_of`: what an admin's resolution does — the dispute's next status, the refund (in minor units) and
  whether the rest of the held money goes to the technician — refusing amounts the payment cannot honour.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from curbside.domain.enums import DisputePriority, DisputeReason, DisputeStatus, ResolutionAction
from curbside.domain.errors import InvalidInput
from curbside.domain.money import from_minor

HIGH_REASONS = frozenset({DisputeReason.DAMAGE_CLAIM, DisputeReason.BEHAVIOR_ISSUE})
"""Damage to the car and a person's behaviour: safety and liability, looked at first."""
LOW_REASONS = frozenset({DisputeReason.MISCOMMUNICATION, DisputeReason.OTHER})
HIGH_VALUE = Decimal("150")
"""A job at least this expensive (in the currency's major unit) raises a dispute's priority one level."""

_LEVELS = (DisputePriority.LOW, DisputePriority.MEDIUM, DisputePriority.HIGH)


def priority_of(reason: DisputeReason, amount: Decimal) -> DisputePriority:
    """`high` for damage and behaviour claims, `low` for a misunderstanding, `medium` otherwise; an expensive
    job one level higher. `critical` is kept for escalation (no admin looked for 72 hours)."""
    level = 2 if reason in HIGH_REASONS else 0 if reason in LOW_REASONS else 1
    if amount >= HIGH_VALUE:
        level = min(level + 1, 2)
    return _LEVELS[level]


@dataclass(frozen=True)
class Outcome:
    status: DisputeStatus
    refund_minor: int
    resolves: bool
    """False for `payment_held`: an interim decision, the money stays held and the dispute open."""


MONEY_RELEASED = frozenset({ResolutionAction.NO_REFUND, ResolutionAction.PAYMENT_RELEASED})
ACCOUNT_ACTIONS = frozenset({ResolutionAction.ACCOUNT_WARNING, ResolutionAction.ACCOUNT_SUSPENDED})


def outcome_of(action: ResolutionAction, refund_minor: int | None, refundable_minor: int, currency: str) -> Outcome:
    """The status and refund an action means. `refundable_minor`: captured and not yet refunded.

    - `full_refund`: everything refundable goes back (no amount given) -> resolved_client_favor;
    - `partial_refund`: 0 < amount <= refundable, the rest to the technician -> resolved_mutual;
    - `no_refund` / `payment_released`: everything to the technician -> resolved_dispatcher_favor;
    - `payment_held`: nothing moves, the dispute stays under review;
    - `account_warning` / `account_suspended` / `other`: the money as the optional amount says (none: to the
      technician; all: back to the client; part: split), the status following the money."""
    if refund_minor is not None and refund_minor < 0:
        raise InvalidInput("refund_amount: must not be negative.")
    if refund_minor is not None and refund_minor > refundable_minor:
        raise InvalidInput(f"refund_amount: at most {from_minor(refundable_minor, currency)} {currency} can still be "
                           "refunded for this job."
                           if refundable_minor else "refund_amount: nothing can be refunded for this job.")
    if action is ResolutionAction.FULL_REFUND:
        if refund_minor is not None and refund_minor != refundable_minor:
            raise InvalidInput("refund_amount: a full refund returns everything refundable; use partial_refund.")
        return Outcome(DisputeStatus.RESOLVED_CLIENT_FAVOR, refundable_minor, True)
    if action is ResolutionAction.PARTIAL_REFUND:
        if not refund_minor:
            raise InvalidInput("refund_amount: a partial refund needs an amount above zero.")
        return Outcome(DisputeStatus.RESOLVED_MUTUAL, refund_minor, True)
    if refund_minor and (action in MONEY_RELEASED or action is ResolutionAction.PAYMENT_HELD):
        raise InvalidInput(f"refund_amount: {action.value} refunds nothing.")
    if action in MONEY_RELEASED:
        return Outcome(DisputeStatus.RESOLVED_DISPATCHER_FAVOR, 0, True)
    if action is ResolutionAction.PAYMENT_HELD:
        return Outcome(DisputeStatus.UNDER_REVIEW, 0, False)
    refund = refund_minor or 0
    status = (DisputeStatus.RESOLVED_DISPATCHER_FAVOR if refund == 0 else
              DisputeStatus.RESOLVED_CLIENT_FAVOR if refund == refundable_minor else DisputeStatus.RESOLVED_MUTUAL)
    return Outcome(status, refund, True)
