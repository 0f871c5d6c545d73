"""A job's payment record, as every money operation reads and writes it (D20).

`JobPayments/{request_id}` holds the state in integer minor units and two statuses (the card authorisation,
and where the captured money is), each moving only through its lifecycle table. Every change is written with
its ledger entries (`PaymentLedger/{request_id}:{kind}[:{key}]`, deterministic ids, so a replay rewrites the
same entry) and — by the unit of work, not here — the technician's earnings (`store.derived`). After every
recorded change: captured + insurer share - refunded = paid out + fee + held (D91).

Operations decide in one unit of work and record the vendor call they need in the outbox (`uow.outbox.add`);
the call's handler records its answer in another. `Step`s are those recording halves: they read nothing more
than `load` did, so the Stripe webhook can run them inside its own event transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from curbside.deps import Deps
from curbside.domain.documents import JobPayment, PaymentLedgerEntry, ServiceRequest
from curbside.domain.enums import LedgerKind
from curbside.domain.errors import NotFound
from curbside.domain.money import from_minor, to_minor
from curbside.services import work
from curbside.store import queries
from curbside.store.uow import UnitOfWork

T = TypeVar("T")

CHANGED = "The payment changed at the same moment; try again."


def ledger_id(request_id: str, kind: LedgerKind, key: str | None = None) -> str:
    return f"{request_id}:{kind.value}" + (f":{key}" if key else "")


@dataclass
class Loaded:
    """A job and its payment, read before anything is written (the payment is a fresh copy to change)."""

    request: ServiceRequest
    payment: JobPayment
    is_new: bool


Step = Callable[[UnitOfWork, Loaded], T]
"""Decides on the loaded payment and writes through `record`, reading nothing more."""


def load(uow: UnitOfWork, request_id: str) -> Loaded:
    request = uow.requests.get(request_id)
    if request is None:
        raise NotFound("There is no such job.")
    stored = uow.payments.get(request_id)
    currency = request.currency or uow.settings.currency
    payment = stored or JobPayment(
        id=request_id, request_id=request_id, client_id=request.client_id, currency=currency,
        amount_minor=to_minor(request.client_pays, currency), created_date=uow.now, updated_date=uow.now)
    if payment.dispatcher_id is None and request.dispatcher_id is not None:
        payment.dispatcher_id = request.dispatcher_id
    return Loaded(request, payment, stored is None)


def record(uow: UnitOfWork, loaded: Loaded, entries: list[PaymentLedgerEntry] | None = None) -> JobPayment:
    """Stage the payment as changed, with its new ledger entries."""
    loaded.payment.updated_date = uow.now
    uow.payments.save(loaded.payment)
    for entry in entries or ():
        uow.ledger.put(entry)
    return loaded.payment


def ledger_entry(payment: JobPayment, kind: LedgerKind, amount_minor: int, now: dt.datetime, *,
                 key: str | None = None, stripe_object_id: str | None = None,
                 note: str | None = None) -> PaymentLedgerEntry:
    return PaymentLedgerEntry(
        id=ledger_id(payment.request_id, kind, key), request_id=payment.request_id, kind=kind,
        amount_minor=amount_minor, amount=float(from_minor(amount_minor, payment.currency)),
        currency=payment.currency, dispatcher_id=payment.dispatcher_id, stripe_object_id=stripe_object_id,
        note=note, created_date=now)


def in_unit(deps: Deps, request_id: str, step: Step[T]) -> T:
    """Run `step` on the freshly read payment, in a transaction of its own."""
    return work.transaction(deps, lambda uow: step(uow, load(uow, request_id)), lost_race=CHANGED)


def recorded(deps: Deps, request_id: str, step: Step[object]) -> JobPayment:
    """Run a step, and the vendor calls it recorded; returns the payment as it then stands."""
    in_unit(deps, request_id, step)
    payment = read_payment(deps, request_id)
    assert payment is not None, "a recorded step stores the payment"
    return payment


def read_payment(deps: Deps, request_id: str) -> JobPayment | None:
    return work.reading(deps, lambda uow: uow.payments.get(request_id))


def request_of_intent(deps: Deps, payment_intent_id: str) -> str | None:
    """The job a PaymentIntent belongs to (for Stripe objects that do not carry our metadata, like charges)."""
    found = work.reading(deps, lambda uow: uow.payments.find(queries.PAYMENT_BY_INTENT,
                                                             payment_intent_id=payment_intent_id, limit=1))
    return found[0].id if found else None
