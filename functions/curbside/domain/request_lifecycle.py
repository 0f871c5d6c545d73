"""The job lifecycle (spec section 3) as one explicit table: which moves exist, who may make each one, which
timestamp it sets and which client notification (and `client_notified_*` flag) goes with it.

    scheduled -> pending -> accepted -> en_route -> arrived -> in_progress -> completed
         \\__________\\__________\\___________\\__________\\___________\\-> cancelled

Services never compare status strings: they call `transition(current, target, actor)` and apply the move it
returns. A move that does not exist is the job's state refusing it (FAILED_PRECONDITION); a move that
exists but not for this actor is a permission refusal (PERMISSION_DENIED).

Who may cancel (docs/decisions.md, "Cancellation: who may, and what it costs"): the client until the work
starts (free until the technician sets off, a late fee from en_route on), the assigned technician between
accepting and starting, an admin at any time before completion, the system a pending job nobody took in time
(`unmatched_deadline`). Nobody but an admin cancels a job in
progress: once work has started, a problem is a dispute, not a cancellation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from curbside.domain.documents import ServiceRequest
from curbside.domain.enums import NotificationType, RequestActor, RequestStatus
from curbside.domain.lifecycle import Lifecycle

S = RequestStatus
A = RequestActor


@dataclass(frozen=True)
class Move:
    source: RequestStatus
    target: RequestStatus
    actors: frozenset[RequestActor]
    timestamp_field: str | None = None
    """The ServiceRequests field set to the time of the move."""
    notification: NotificationType | None = None
    """What the client is told (in-app Notifications document, then push)."""
    notified_flag: str | None = None
    """The ServiceRequests `client_notified_*` flag set together with that notification."""


def _move(source: S, target: S, *actors: A, stamp: str | None = None,
          tell: NotificationType | None = None, flag: str | None = None) -> Move:
    return Move(source, target, frozenset(actors), stamp, tell, flag)


_BEFORE_WORK = (S.ACCEPTED, S.EN_ROUTE, S.ARRIVED)

MOVES: Mapping[tuple[RequestStatus, RequestStatus], Move] = {
    (move.source, move.target): move
    for move in (
        _move(S.SCHEDULED, S.PENDING, A.SYSTEM),
        # The client's card could not hold the price at acceptance: the job goes back to the pool (D28).
        _move(S.ACCEPTED, S.PENDING, A.SYSTEM),
        _move(S.PENDING, S.ACCEPTED, A.DISPATCHER, stamp="accepted_at", tell=NotificationType.JOB_ACCEPTED,
              flag="client_notified_accepted"),
        _move(S.ACCEPTED, S.EN_ROUTE, A.DISPATCHER, stamp="en_route_at",
              tell=NotificationType.DISPATCHER_EN_ROUTE, flag="client_notified_en_route"),
        _move(S.EN_ROUTE, S.ARRIVED, A.DISPATCHER, stamp="arrived_at", tell=NotificationType.DISPATCHER_ARRIVED,
              flag="client_notified_arrived"),
        _move(S.ARRIVED, S.IN_PROGRESS, A.DISPATCHER, stamp="started_at", tell=NotificationType.JOB_STARTED,
              flag="client_notified_started"),
        _move(S.IN_PROGRESS, S.COMPLETED, A.DISPATCHER, stamp="completed_at",
              tell=NotificationType.JOB_COMPLETED, flag="client_notified_completed"),
        _move(S.SCHEDULED, S.CANCELLED, A.CLIENT, A.ADMIN, stamp="cancelled_at"),
        # The system: nobody took the job within the wait (`unmatched_deadline`), for a client anywhere.
        _move(S.PENDING, S.CANCELLED, A.CLIENT, A.ADMIN, A.SYSTEM, stamp="cancelled_at"),
        *(_move(source, S.CANCELLED, A.CLIENT, A.DISPATCHER, A.ADMIN, stamp="cancelled_at")
          for source in _BEFORE_WORK),
        _move(S.IN_PROGRESS, S.CANCELLED, A.ADMIN, stamp="cancelled_at"),
    )
}
"""Every allowed move. Anything not listed (backwards, skipping a step, leaving a terminal state) is refused."""

TERMINAL = frozenset({S.COMPLETED, S.CANCELLED})
NOT_STARTED = frozenset({S.SCHEDULED, S.PENDING, *_BEFORE_WORK})
"""States in which no work has been done: a cancelled job gives its reward back."""
LATE_CANCELLATION = frozenset({S.EN_ROUTE, S.ARRIVED})
"""States in which a client's cancellation costs the late fee: the technician is already on the way."""


REQUEST = Lifecycle("job", "status", RequestStatus, {pair: move.actors for pair, move in MOVES.items()},
                    terminal=TERMINAL)
"""The table as every lifecycle is: what the repositories check on any write of a job's status."""


def transition(current: RequestStatus, target: RequestStatus, actor: RequestActor) -> Move:
    """The move from `current` to `target` by `actor`, or the domain error that refuses it. Permission is
    answered first: an actor who may never make this move (from here, or into this state at all) is refused
    as such; an actor who could, in another state, is told the job's state is the obstacle."""
    REQUEST.check(current, target, actor)
    return MOVES[(current, target)]


@dataclass(frozen=True)
class CancellationTerms:
    """What a cancellation costs: `fee` is kept from the price, `refund` is the rest of it."""

    fee: Decimal
    refund: Decimal
    reward_returned: bool


def cancellation_terms(current: RequestStatus, actor: RequestActor, final_price: Decimal,
                       late_fee: Decimal) -> CancellationTerms:
    """The refund rule (docs/decisions.md, "Cancellation: who may, and what it costs"): free for everyone
    until the technician is on the way; a client who cancels once the technician is en route or has arrived
    pays `late_fee` (never more than the price) for the wasted trip; a technician or an admin cancelling
    never costs the client anything. A reward comes back whenever no work was done."""
    fee = min(late_fee, final_price) if actor is A.CLIENT and current in LATE_CANCELLATION else Decimal("0.00")
    return CancellationTerms(fee=fee, refund=final_price - fee, reward_returned=current in NOT_STARTED)


NO_TECHNICIAN_AVAILABLE = "no_technician_available"
"""The cancellation reason of a job nobody took in time."""


def unmatched_deadline(request: ServiceRequest, wait: dt.timedelta) -> dt.datetime:
    """When a pending job nobody took is cancelled: `wait` after it was asked for (an immediate job) or after
    its slot began (a scheduled one, pending from 24 h before). The same for every client, so a shadow-banned
    client's job — never offered — ends exactly as one in an area without technicians (spec section 15)."""
    start = request.scheduled_datetime if request.is_scheduled and request.scheduled_datetime else \
        request.created_date
    return start + wait
