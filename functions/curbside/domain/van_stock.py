"""A technician's van stock (issue 21): parts received and used, never below zero, and the reorder threshold.

Every change is a movement with its own deterministic id — a receipt under the technician's receipt key, a use
under the job — written in the commit that changes the count, so the count always equals what was received
minus what was used (the brief's "inventory accuracy", a property test), and a retried call moves nothing
twice. Reaching the threshold from above is a *crossing*: told once, and again only after a restock lifted the
count above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from curbside.domain.errors import InvalidInput, WrongState

SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"


@dataclass(frozen=True)
class Stock:
    quantity: int
    minimum: int
    received: int
    used: int

    def __post_init__(self) -> None:
        if min(self.quantity, self.minimum, self.received, self.used) < 0:
            raise ValueError("stock figures are never negative")
        if self.quantity != self.received - self.used:
            raise ValueError("stock must equal what was received minus what was used")


@dataclass(frozen=True)
class Change:
    after: Stock
    reached_threshold: bool
    """This change took the count from above the minimum to at or below it: time to reorder."""


def receive(stock: Stock, quantity: int) -> Change:
    if quantity <= 0:
        raise InvalidInput("quantity: a delivery adds at least one part.")
    return Change(Stock(stock.quantity + quantity, stock.minimum, stock.received + quantity, stock.used), False)


def use(stock: Stock, quantity: int, name: str) -> Change:
    """Take parts out for a job; a van cannot give what it does not hold."""
    if quantity <= 0:
        raise InvalidInput("quantity: a job uses at least one of a part it lists.")
    if quantity > stock.quantity:
        raise WrongState(f"Only {stock.quantity} of {name} left in your van, and this job lists {quantity}: "
                         "record the delivery first, or correct the parts used.")
    after = Stock(stock.quantity - quantity, stock.minimum, stock.received, stock.used + quantity)
    return Change(after, stock.quantity > stock.minimum >= after.quantity)
