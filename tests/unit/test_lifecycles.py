"""Every lifecycle table against the moves written out here independently: each (state, target, actor) cell is
allowed, refused for the actor (PERMISSION_DENIED) or refused by the state (FAILED_PRECONDITION). The job's own
table has the same walk in test_request_lifecycle.py."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from curbside.domain.enums import (
    AuthorizationStatus,
    DeliveryStatus,
    DisputeStatus,
    EffectStatus,
    LeadStatus,
    OfferStatus,
    PaymentStatus,
    PayoutStatus,
    RedemptionStatus,
    StepStatus,
    TicketStatus,
)
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.insurance import INSURANCE_CLAIM
from curbside.domain.insurance import ClaimStatus as Cl
from curbside.domain.lifecycle import Actor, Lifecycle
from curbside.domain.lifecycles import (
    ALL,
    AUTHORIZATION,
    BACKGROUND_CHECK_STEP,
    COMPLETION_PAYMENT,
    DELIVERY,
    DISPUTE,
    EFFECT,
    IDENTITY_STEP,
    LEAD,
    OFFER,
    PAYOUT,
    REDEMPTION,
    TICKET,
    VEHICLE_STEP,
)
from curbside.entrypoints.protocol import ERROR_CODES

A = Actor
PEOPLE = {A.CLIENT, A.DISPATCHER, A.ADMIN}
EVERYONE = PEOPLE | {A.SYSTEM}
SYSTEM = {A.SYSTEM}

Au, P, C, R, E, St, Dl = (AuthorizationStatus, PayoutStatus, PaymentStatus, RedemptionStatus, EffectStatus,
                          StepStatus, DeliveryStatus)
TECHNICIAN, ADMIN = {A.DISPATCHER}, {A.ADMIN}
OWNER = {A.CLIENT, A.DISPATCHER}
Ds, T, L = DisputeStatus, TicketStatus, LeadStatus
CLIENT = {A.CLIENT}
DECIDED = (Ds.RESOLVED_CLIENT_FAVOR, Ds.RESOLVED_DISPATCHER_FAVOR, Ds.RESOLVED_MUTUAL)

EXPECTED: dict[str, dict[tuple[Any, Any], set[Actor]]] = {
    "offer": {
        (OfferStatus.PENDING, OfferStatus.ACCEPTED): {A.DISPATCHER},
        (OfferStatus.PENDING, OfferStatus.REJECTED): {A.DISPATCHER},
        (OfferStatus.PENDING, OfferStatus.EXPIRED): EVERYONE,
    },
    "card authorisation": {
        (Au.NOT_STARTED, Au.FAILED): SYSTEM, (Au.NOT_STARTED, Au.AUTHORIZED): SYSTEM,
        (Au.NOT_STARTED, Au.CAPTURED): SYSTEM, (Au.NOT_STARTED, Au.CANCELLED): SYSTEM,
        (Au.FAILED, Au.AUTHORIZED): SYSTEM, (Au.FAILED, Au.CAPTURED): SYSTEM, (Au.FAILED, Au.CANCELLED): SYSTEM,
        (Au.AUTHORIZED, Au.CAPTURED): SYSTEM, (Au.AUTHORIZED, Au.CANCELLED): SYSTEM,
        (Au.AUTHORIZED, Au.EXPIRED): SYSTEM,
        (Au.EXPIRED, Au.FAILED): SYSTEM, (Au.EXPIRED, Au.AUTHORIZED): SYSTEM, (Au.EXPIRED, Au.CANCELLED): SYSTEM,
    },
    "payout": {
        (P.NONE, P.HELD): SYSTEM, (P.NONE, P.RELEASED): SYSTEM, (P.NONE, P.DISPUTED): SYSTEM,
        (P.HELD, P.RELEASED): SYSTEM, (P.HELD, P.DISPUTED): SYSTEM, (P.HELD, P.REFUNDED): SYSTEM,
        (P.RELEASED, P.PAID): SYSTEM, (P.RELEASED, P.AWAITING_PAYOUT_ACCOUNT): SYSTEM,
        (P.RELEASED, P.DISPUTED): SYSTEM, (P.RELEASED, P.REFUNDED): SYSTEM,
        (P.AWAITING_PAYOUT_ACCOUNT, P.PAID): SYSTEM, (P.AWAITING_PAYOUT_ACCOUNT, P.DISPUTED): SYSTEM,
        (P.AWAITING_PAYOUT_ACCOUNT, P.REFUNDED): SYSTEM,
        (P.DISPUTED, P.HELD): SYSTEM, (P.DISPUTED, P.RELEASED): SYSTEM, (P.DISPUTED, P.REFUNDED): SYSTEM,
        (P.PAID, P.REFUNDED): SYSTEM,
    },
    "completed job's payment": {
        (C.PENDING_REVIEW, C.COMPLETED): {A.CLIENT, A.SYSTEM},
        (C.PENDING_REVIEW, C.DISPUTED): PEOPLE,
        (C.COMPLETED, C.DISPUTED): PEOPLE,
        (C.DISPUTED, C.COMPLETED): {A.ADMIN, A.SYSTEM},
    },
    "redeemed reward": {
        (R.ACTIVE, R.USED): {A.CLIENT},
        (R.USED, R.ACTIVE): EVERYONE,
        (R.ACTIVE, R.EXPIRED): SYSTEM,
    },
    "vendor call": {
        (E.PENDING, E.DONE): SYSTEM, (E.PENDING, E.FAILED): SYSTEM,
        (E.DONE, E.PENDING): SYSTEM,
        (E.FAILED, E.PENDING): {A.ADMIN, A.SYSTEM},
    },
    # A technician submits a step (again after a rejection, never once approved); an admin decides. The system
    # approves a clear background check and revokes a vehicle whose insurance lapsed.
    "identity step": {
        (St.PENDING, St.UNDER_REVIEW): TECHNICIAN, (St.REJECTED, St.UNDER_REVIEW): TECHNICIAN,
        (St.UNDER_REVIEW, St.APPROVED): ADMIN, (St.UNDER_REVIEW, St.REJECTED): ADMIN,
        (St.APPROVED, St.REJECTED): ADMIN,
    },
    "vehicle step": {
        (St.PENDING, St.UNDER_REVIEW): TECHNICIAN, (St.REJECTED, St.UNDER_REVIEW): TECHNICIAN,
        (St.UNDER_REVIEW, St.APPROVED): ADMIN, (St.UNDER_REVIEW, St.REJECTED): ADMIN,
        (St.APPROVED, St.REJECTED): {A.ADMIN, A.SYSTEM},
    },
    "background check step": {
        (St.PENDING, St.UNDER_REVIEW): TECHNICIAN, (St.REJECTED, St.UNDER_REVIEW): TECHNICIAN,
        (St.UNDER_REVIEW, St.APPROVED): {A.ADMIN, A.SYSTEM}, (St.UNDER_REVIEW, St.REJECTED): ADMIN,
        (St.APPROVED, St.REJECTED): ADMIN,
    },
    "notice delivery": {
        (Dl.PENDING, Dl.DONE): SYSTEM, (Dl.PENDING, Dl.FAILED): SYSTEM,
    },
    # Admins review, ask, decide and close; the asked party's answer puts it back under review; the system only
    # escalates. Nobody reopens a closed dispute.
    "dispute": {
        **{(Ds.OPEN, target): ADMIN for target in (Ds.UNDER_REVIEW, Ds.AWAITING_CLIENT_RESPONSE,
                                                   Ds.AWAITING_DISPATCHER_RESPONSE, *DECIDED)},
        **{(Ds.UNDER_REVIEW, target): ADMIN for target in (Ds.AWAITING_CLIENT_RESPONSE,
                                                           Ds.AWAITING_DISPATCHER_RESPONSE, *DECIDED)},
        **{(Ds.AWAITING_CLIENT_RESPONSE, target): ADMIN for target in (Ds.AWAITING_DISPATCHER_RESPONSE, *DECIDED)},
        (Ds.AWAITING_CLIENT_RESPONSE, Ds.UNDER_REVIEW): {A.CLIENT, A.ADMIN},
        **{(Ds.AWAITING_DISPATCHER_RESPONSE, target): ADMIN for target in (Ds.AWAITING_CLIENT_RESPONSE, *DECIDED)},
        (Ds.AWAITING_DISPATCHER_RESPONSE, Ds.UNDER_REVIEW): {A.DISPATCHER, A.ADMIN},
        **{(Ds.ESCALATED, target): ADMIN for target in (Ds.UNDER_REVIEW, Ds.AWAITING_CLIENT_RESPONSE,
                                                        Ds.AWAITING_DISPATCHER_RESPONSE, *DECIDED)},
        **{(source, Ds.ESCALATED): SYSTEM for source in (Ds.OPEN, Ds.UNDER_REVIEW, Ds.AWAITING_CLIENT_RESPONSE,
                                                         Ds.AWAITING_DISPATCHER_RESPONSE)},
        **{(source, Ds.CLOSED): ADMIN for source in DECIDED},
    },
    # The owner asks for a person (or answers one); admins run the rest, closing included.
    "support ticket": {
        (T.OPEN, T.WAITING_ADMIN): OWNER, (T.IN_PROGRESS, T.WAITING_ADMIN): OWNER,
        (T.WAITING_USER, T.WAITING_ADMIN): OWNER, (T.RESOLVED, T.WAITING_ADMIN): OWNER,
        (T.OPEN, T.IN_PROGRESS): ADMIN, (T.OPEN, T.WAITING_USER): ADMIN, (T.OPEN, T.RESOLVED): ADMIN,
        (T.WAITING_ADMIN, T.IN_PROGRESS): ADMIN, (T.WAITING_ADMIN, T.WAITING_USER): ADMIN,
        (T.WAITING_ADMIN, T.RESOLVED): ADMIN,
        (T.IN_PROGRESS, T.WAITING_USER): ADMIN, (T.IN_PROGRESS, T.RESOLVED): ADMIN,
        (T.WAITING_USER, T.IN_PROGRESS): ADMIN, (T.WAITING_USER, T.RESOLVED): ADMIN,
        (T.RESOLVED, T.IN_PROGRESS): ADMIN,
        **{(source, T.CLOSED): ADMIN for source in (T.IN_PROGRESS, T.WAITING_USER, T.WAITING_ADMIN, T.RESOLVED)},
        (T.OPEN, T.CLOSED): ADMIN | SYSTEM,
    },
    "insurance claim": {
        (Cl.OPEN, Cl.SUBMITTED): ADMIN, (Cl.OPEN, Cl.REJECTED): ADMIN,
        (Cl.SUBMITTED, Cl.PAID): ADMIN, (Cl.SUBMITTED, Cl.REJECTED): ADMIN,
        (Cl.REJECTED, Cl.SUBMITTED): ADMIN,
    },
    # The conversation moves it (system); a booking through the link is the client's; a week without one: lost.
    "lead": {
        (L.NEW, L.ASKED_POSTCODE): SYSTEM, (L.NEW, L.MATCHED): SYSTEM, (L.ASKED_POSTCODE, L.MATCHED): SYSTEM,
        (L.LOST, L.ASKED_POSTCODE): SYSTEM, (L.LOST, L.MATCHED): SYSTEM,
        (L.MATCHED, L.BOOKED): CLIENT, (L.LOST, L.BOOKED): CLIENT,
        (L.NEW, L.LOST): SYSTEM, (L.ASKED_POSTCODE, L.LOST): SYSTEM, (L.MATCHED, L.LOST): SYSTEM,
    },
}

TABLES: list[Lifecycle[Any]] = [OFFER, AUTHORIZATION, PAYOUT, COMPLETION_PAYMENT, REDEMPTION, EFFECT, IDENTITY_STEP,
                                VEHICLE_STEP, BACKGROUND_CHECK_STEP, DELIVERY, DISPUTE, TICKET, INSURANCE_CLAIM,
                                LEAD]
def _states(lifecycle: Lifecycle[Any]) -> list[Any]:
    return [*lifecycle.states.__members__.values()]


CELLS = [(lifecycle, current, target, actor) for lifecycle in TABLES
         for current, target, actor in itertools.product(_states(lifecycle), _states(lifecycle), Actor)]


def test_every_lifecycle_but_the_jobs_is_walked_here():
    assert {lifecycle.noun for lifecycle in ALL} == set(EXPECTED) | {"job"}
    assert {lifecycle.noun for lifecycle in TABLES} == set(EXPECTED)


@pytest.mark.parametrize("lifecycle", TABLES, ids=lambda lifecycle: lifecycle.noun)
def test_each_table_is_exactly_the_expected_one(lifecycle: Lifecycle[Any]):
    assert {pair: set(actors) for pair, actors in lifecycle.table.items()} == EXPECTED[lifecycle.noun]


@pytest.mark.parametrize(("lifecycle", "current", "target", "actor"), CELLS,
                         ids=lambda v: v.noun if isinstance(v, Lifecycle) else v.value)
def test_every_cell_is_allowed_or_refused_with_the_right_code(lifecycle, current, target, actor):
    expected = EXPECTED[lifecycle.noun]
    allowed = expected.get((current, target))
    may_ever_reach = {who for (_, into), actors in expected.items() if into == target for who in actors}
    if allowed is not None and actor in allowed:
        lifecycle.check(current, target, actor)
        lifecycle.require(current, target)
        return
    refusal = NotAllowed if allowed is not None or actor not in may_ever_reach else WrongState
    with pytest.raises(refusal) as refused:
        lifecycle.check(current, target, actor)
    assert ERROR_CODES[type(refused.value)].value == (
        "permission-denied" if refusal is NotAllowed else "failed-precondition")
    if allowed is None:
        with pytest.raises(WrongState):
            lifecycle.require(current, target)
