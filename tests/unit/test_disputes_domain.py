"""A dispute's priority and what each resolution action does with the money (domain/disputes.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from curbside.domain.disputes import outcome_of, priority_of
from curbside.domain.enums import DisputePriority, DisputeReason, DisputeStatus, ResolutionAction
from curbside.domain.errors import InvalidInput

R, A, S = DisputeReason, ResolutionAction, DisputeStatus


@pytest.mark.parametrize(("reason", "amount", "expected"), [
    (R.DAMAGE_CLAIM, Decimal("56"), DisputePriority.HIGH),
    (R.BEHAVIOR_ISSUE, Decimal("20"), DisputePriority.HIGH),
    (R.SERVICE_QUALITY, Decimal("56"), DisputePriority.MEDIUM),
    (R.SERVICE_QUALITY, Decimal("150"), DisputePriority.HIGH),
    (R.MISCOMMUNICATION, Decimal("56"), DisputePriority.LOW),
    (R.OTHER, Decimal("400"), DisputePriority.MEDIUM),
    (R.DAMAGE_CLAIM, Decimal("900"), DisputePriority.HIGH),  # critical is kept for escalation
])
def test_priority_follows_the_reason_and_the_money(reason, amount, expected):
    assert priority_of(reason, amount) is expected


@pytest.mark.parametrize(("action", "amount", "status", "refund", "resolves"), [
    (A.FULL_REFUND, None, S.RESOLVED_CLIENT_FAVOR, 5600, True),
    (A.FULL_REFUND, 5600, S.RESOLVED_CLIENT_FAVOR, 5600, True),
    (A.PARTIAL_REFUND, 1, S.RESOLVED_MUTUAL, 1, True),
    (A.PARTIAL_REFUND, 5600, S.RESOLVED_MUTUAL, 5600, True),
    (A.NO_REFUND, None, S.RESOLVED_DISPATCHER_FAVOR, 0, True),
    (A.PAYMENT_RELEASED, 0, S.RESOLVED_DISPATCHER_FAVOR, 0, True),
    (A.PAYMENT_HELD, None, S.UNDER_REVIEW, 0, False),
    (A.ACCOUNT_WARNING, None, S.RESOLVED_DISPATCHER_FAVOR, 0, True),
    (A.ACCOUNT_WARNING, 5600, S.RESOLVED_CLIENT_FAVOR, 5600, True),
    (A.OTHER, 2000, S.RESOLVED_MUTUAL, 2000, True),
])
def test_each_action_decides_the_status_and_the_refund(action, amount, status, refund, resolves):
    outcome = outcome_of(action, amount, 5600, "EUR")
    assert (outcome.status, outcome.refund_minor, outcome.resolves) == (status, refund, resolves)


@pytest.mark.parametrize(("action", "amount"), [
    (A.PARTIAL_REFUND, None), (A.PARTIAL_REFUND, 0), (A.PARTIAL_REFUND, 5601), (A.PARTIAL_REFUND, -1),
    (A.FULL_REFUND, 100), (A.NO_REFUND, 100), (A.PAYMENT_HELD, 100), (A.OTHER, 5601),
])
def test_amounts_the_action_or_the_payment_cannot_honour_are_refused(action, amount):
    with pytest.raises(InvalidInput, match="refund_amount"):
        outcome_of(action, amount, 5600, "EUR")
