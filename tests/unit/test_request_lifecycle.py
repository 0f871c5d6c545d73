"""The job lifecycle table against the spec's workflow, written out here independently: every (state, target,
actor) triple is either allowed, refused for the actor (PERMISSION_DENIED) or refused by the state
(FAILED_PRECONDITION)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from curbside.domain.enums import NotificationType, RequestActor, RequestStatus
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.request_lifecycle import MOVES, cancellation_terms, transition
from curbside.entrypoints.protocol import ERROR_CODES

S, A = RequestStatus, RequestActor
EVERYONE_BUT_SYSTEM = {A.CLIENT, A.DISPATCHER, A.ADMIN}

EXPECTED: dict[tuple[RequestStatus, RequestStatus], set[RequestActor]] = {
    (S.SCHEDULED, S.PENDING): {A.SYSTEM},
    (S.ACCEPTED, S.PENDING): {A.SYSTEM},
    (S.PENDING, S.ACCEPTED): {A.DISPATCHER},
    (S.ACCEPTED, S.EN_ROUTE): {A.DISPATCHER},
    (S.EN_ROUTE, S.ARRIVED): {A.DISPATCHER},
    (S.ARRIVED, S.IN_PROGRESS): {A.DISPATCHER},
    (S.IN_PROGRESS, S.COMPLETED): {A.DISPATCHER},
    (S.SCHEDULED, S.CANCELLED): {A.CLIENT, A.ADMIN},
    (S.PENDING, S.CANCELLED): {A.CLIENT, A.ADMIN, A.SYSTEM},  # the system: nobody took it in time
    (S.ACCEPTED, S.CANCELLED): EVERYONE_BUT_SYSTEM,
    (S.EN_ROUTE, S.CANCELLED): EVERYONE_BUT_SYSTEM,
    (S.ARRIVED, S.CANCELLED): EVERYONE_BUT_SYSTEM,
    (S.IN_PROGRESS, S.CANCELLED): {A.ADMIN},
}

TRIPLES = list(itertools.product(RequestStatus, RequestStatus, RequestActor))
MAY_EVER_REACH = {target: {actor for (_, into), actors in EXPECTED.items() if into is target for actor in actors}
                  for target in RequestStatus}


def test_the_table_is_exactly_the_expected_one():
    assert {pair: set(move.actors) for pair, move in MOVES.items()} == EXPECTED


@pytest.mark.parametrize(("current", "target", "actor"), TRIPLES, ids=lambda v: v.value)
def test_every_move_is_allowed_or_refused_with_the_right_code(current, target, actor):
    """Permission first: a move the actor could never make is PERMISSION_DENIED whatever the state; one
    they could make from another state is FAILED_PRECONDITION."""
    allowed = EXPECTED.get((current, target))
    if allowed is not None and actor in allowed:
        assert transition(current, target, actor).target is target
    elif allowed is not None or actor not in MAY_EVER_REACH[target]:  # never theirs to make: permission
        with pytest.raises(NotAllowed) as denied:
            transition(current, target, actor)
        assert ERROR_CODES[type(denied.value)].value == "permission-denied"
    else:
        with pytest.raises(WrongState) as refused:
            transition(current, target, actor)
        assert ERROR_CODES[type(refused.value)].value == "failed-precondition"


def test_each_forward_move_sets_its_timestamp_and_tells_the_client():
    expected = {
        S.ACCEPTED: ("accepted_at", NotificationType.JOB_ACCEPTED, "client_notified_accepted"),
        S.EN_ROUTE: ("en_route_at", NotificationType.DISPATCHER_EN_ROUTE, "client_notified_en_route"),
        S.ARRIVED: ("arrived_at", NotificationType.DISPATCHER_ARRIVED, "client_notified_arrived"),
        S.IN_PROGRESS: ("started_at", NotificationType.JOB_STARTED, "client_notified_started"),
        S.COMPLETED: ("completed_at", NotificationType.JOB_COMPLETED, "client_notified_completed"),
        S.PENDING: (None, None, None),
        S.CANCELLED: ("cancelled_at", None, None),
    }
    for move in MOVES.values():
        assert (move.timestamp_field, move.notification, move.notified_flag) == expected[move.target], move


def test_terminal_states_say_so():
    with pytest.raises(WrongState, match="already completed"):
        transition(S.COMPLETED, S.CANCELLED, A.ADMIN)


def test_a_client_is_never_told_about_states_for_a_technicians_move():
    with pytest.raises(NotAllowed):
        transition(S.ARRIVED, S.ARRIVED, A.CLIENT)
    with pytest.raises(NotAllowed):
        transition(S.PENDING, S.EN_ROUTE, A.CLIENT)


@pytest.mark.parametrize(("current", "actor", "fee", "returned"), [
    (S.SCHEDULED, A.CLIENT, "0.00", True),
    (S.PENDING, A.CLIENT, "0.00", True),
    (S.ACCEPTED, A.CLIENT, "0.00", True),
    (S.EN_ROUTE, A.CLIENT, "10.00", True),
    (S.ARRIVED, A.CLIENT, "10.00", True),
    (S.ACCEPTED, A.DISPATCHER, "0.00", True),
    (S.ARRIVED, A.DISPATCHER, "0.00", True),
    (S.ARRIVED, A.ADMIN, "0.00", True),
    (S.IN_PROGRESS, A.ADMIN, "0.00", False),
])
def test_cancellation_terms(current, actor, fee, returned):
    terms = cancellation_terms(current, actor, Decimal("56.00"), Decimal("10.00"))
    assert (terms.fee, terms.refund, terms.reward_returned) == (
        Decimal(fee), Decimal("56.00") - Decimal(fee), returned)


def test_the_late_fee_never_exceeds_the_price():
    terms = cancellation_terms(S.EN_ROUTE, A.CLIENT, Decimal("4.50"), Decimal("10.00"))
    assert (terms.fee, terms.refund) == (Decimal("4.50"), Decimal("0.00"))
