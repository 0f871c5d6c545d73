"""Lifecycles as data: one table per status field says which moves exist and who may make each one.

Every status a document carries (a job, an offer, a card authorisation, a payout, a completion's payment, a
reward redemption, an outbox entry...) moves only through its table. The store's repositories refuse a write
that changes a status in a way its table does not list, whoever wrote the code; a use case names the actor
with `Lifecycle.check`, so the same table also answers "may this person do this".

Errors, in the order they are decided (permission first, DESIGN.md convention 2):
- the actor may never make this move — from here, or into the target from anywhere: `NotAllowed`
  (PERMISSION_DENIED);
- the move exists for this actor from another state: the document's state is the obstacle, `WrongState`
  (FAILED_PRECONDITION).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from curbside.domain.enums import RequestActor
from curbside.domain.errors import NotAllowed, WrongState

Actor = RequestActor
"""Who makes a move: a client, a technician (`dispatcher`), an admin, or the system (schedules, webhooks,
the outbox)."""

S = TypeVar("S", bound=StrEnum)


def moves(*entries: tuple[S, Iterable[S], Iterable[Actor]]) -> dict[tuple[S, S], frozenset[Actor]]:
    """A table from `(source, targets, actors)` rows: every target reachable from the source by those actors."""
    table: dict[tuple[S, S], frozenset[Actor]] = {}
    for source, targets, actors in entries:
        for target in targets:
            table[(source, target)] = table.get((source, target), frozenset()) | frozenset(actors)
    return table


@dataclass(frozen=True)
class Lifecycle(Generic[S]):
    """The allowed moves of one status field."""

    noun: str
    """What the document is called in messages a person reads ("job", "offer", "payment")."""
    status_field: str
    """The document field the table governs."""
    states: type[S]
    table: Mapping[tuple[S, S], frozenset[Actor]]
    terminal: frozenset[S] = field(default_factory=frozenset)
    """States nothing leaves (for the message: "already completed")."""

    def __post_init__(self) -> None:
        for source, target in self.table:
            if source in self.terminal:
                raise ValueError(f"{self.noun}: terminal state {source} has a move to {target}")
            if source == target:
                raise ValueError(f"{self.noun}: {source} -> {source} is not a move")

    def allows(self, current: S, target: S) -> bool:
        """Whether the move exists for anybody."""
        return (current, target) in self.table

    def actors(self, current: S, target: S) -> frozenset[Actor]:
        return self.table.get((current, target), frozenset())

    def check(self, current: S, target: S, actor: Actor) -> None:
        """Refuse the move unless `actor` may make it from `current` (see the module docstring)."""
        allowed = self.table.get((current, target))
        if allowed is not None and actor in allowed:
            return
        may_reach = {who for (_, into), actors in self.table.items() if into == target for who in actors}
        if allowed is not None or actor not in may_reach:
            raise NotAllowed(f"The {actor.value} of a {self.noun} cannot move it from {current.value} to "
                             f"{target.value}.")
        self.refuse(current, target)

    def require(self, current: S, target: S) -> None:
        """Refuse a move nobody may make (the repositories' check, whoever the actor)."""
        if not self.allows(current, target):
            self.refuse(current, target)

    def refuse(self, current: S, target: S) -> None:
        if current in self.terminal:
            raise WrongState(f"This {self.noun} is already {current.value}; it cannot become {target.value}.")
        raise WrongState(f"A {self.noun} that is {current.value} cannot become {target.value}.")
