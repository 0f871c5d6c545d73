"""Refunds: money back to the client's card, once per key, never more than was captured (D20).

A refund reserves itself on the payment (one at a time, and never while a transfer is in flight, so two
refunds can never together exceed the capture) and records `refund:{request_id}:{key}` in the outbox in the
same commit. Its handler refunds at Stripe, takes the technician's share back by a transfer reversal when
the money was paid out already (what the technician's balance no longer holds is the platform's loss), and
records both. Refunds made in Stripe's dashboard arrive by `charge.refunded` and are recorded once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from firebase_functions import logger

from curbside.deps import Deps
from curbside.domain.documents import JobPayment, PaymentLedgerEntry
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import AuthorizationStatus, LedgerKind, PayoutStatus
from curbside.domain.errors import InvalidInput, LostRace, WrongState
from curbside.domain.money import RefundSplit, charge_step, from_minor, price_quantum, split_refund
from curbside.gateways.payments import AccountCannotReceive
from curbside.services import invoices, loyalty
from curbside.services.charges import ask_for_transfer
from curbside.services.outbox import Handler
from curbside.services.payment_records import Loaded, Step, in_unit, ledger_entry, record
from curbside.store.uow import UnitOfWork

REFUND = "refund"


def reversal_key(request_id: str, key: str) -> str:
    return f"reversal:{request_id}:{key}"


@dataclass(frozen=True)
class Refunded:
    refund_key: str
    amount_minor: int
    refunded_minor: int


def _reserve(uow: UnitOfWork, loaded: Loaded, amount_minor: int, key: str) -> JobPayment:
    payment = loaded.payment
    if key in payment.refunds or payment.refund_in_flight == key:
        return payment
    if payment.refund_in_flight is not None:
        raise LostRace("Another refund of this job is being processed; try again in a moment.")
    if payment.transfer_planned_minor is not None:
        raise LostRace("The payment is being sent to the technician right now; try again in a moment.")
    if payment.authorization_status is not AuthorizationStatus.CAPTURED or payment.payment_intent_id is None:
        raise WrongState("Nothing has been charged for this job yet: cancel the job to release the card.")
    refundable = payment.captured_minor - payment.refunded_minor
    if amount_minor > refundable:
        raise InvalidInput(f"refund_amount: at most {from_minor(refundable, payment.currency)} {payment.currency} "
                           "can still be refunded for this job.")
    if amount_minor % charge_step(payment.currency):
        raise InvalidInput(f"refund_amount: {payment.currency} is refunded in steps of "
                           f"{price_quantum(payment.currency)}, so not {from_minor(amount_minor, payment.currency)}.")
    payment.refund_in_flight, payment.refund_in_flight_minor = key, amount_minor
    record(uow, loaded)
    uow.outbox.add(REFUND, f"{payment.request_id}:{key}", request_id=payment.request_id, refund_key=key)
    return payment


def refund(deps: Deps, request_id: str, amount_minor: int, key: str) -> Refunded:
    """Give `amount_minor` back to the client's card, once per `key` (a dispute id, a cancellation...)."""
    if amount_minor <= 0:
        raise InvalidInput("refund_amount: must be more than zero.")
    in_unit(deps, request_id, lambda uow, loaded: _reserve(uow, loaded, amount_minor, key))
    stored = in_unit(deps, request_id, lambda uow, loaded: loaded.payment)
    return Refunded(key, stored.refunds.get(key, amount_minor), stored.refunded_minor)


def reserve(uow: UnitOfWork, loaded: Loaded, amount_minor: int, key: str) -> JobPayment:
    """`refund` inside a caller's unit of work (a dispute's resolution), on the payment it loaded: reserved
    and recorded with the caller's decision, run after its commit."""
    if amount_minor <= 0:
        raise InvalidInput("refund_amount: must be more than zero.")
    return _reserve(uow, loaded, amount_minor, key)


def _refund(deps: Deps, entry: OutboxEntry) -> None:
    request_id, key = str(entry.payload["request_id"]), str(entry.payload["refund_key"])
    payment = in_unit(deps, request_id, lambda uow, loaded: loaded.payment)
    if key in payment.refunds or payment.refund_in_flight != key or payment.payment_intent_id is None:
        return  # recorded already
    amount = int(payment.refund_in_flight_minor or 0)
    split = split_refund(amount, held=payment.held_minor, paid_out=payment.paid_out_minor, fee=payment.fee_minor,
                         currency=payment.currency)
    stripe_refund = deps.payments.refund(payment.payment_intent_id, amount, entry.id,
                                         {"request_id": request_id, "refund_key": key})
    reversal_id: str | None = None
    if split.from_technician > 0 and payment.transfer_id is not None:
        try:
            reversal_id = deps.payments.reverse_transfer(payment.transfer_id, split.from_technician,
                                                         reversal_key(request_id, key))
        except AccountCannotReceive:
            logger.warn("payments.reversal_refused", request_id=request_id, refund_key=key)

    def step(uow: UnitOfWork, loaded: Loaded) -> None:
        stored = loaded.payment
        if key in stored.refunds:
            return
        _apply(stored, key, amount, split, reversal_id=reversal_id)
        stored.stripe_refund_ids.append(stripe_refund)
        stored.refund_in_flight, stored.refund_in_flight_minor = None, None
        record(uow, loaded, _entries(stored, key, amount, split, reversal_id=reversal_id,
                                     stripe_refund=stripe_refund, uow=uow))
        loyalty.take_back_for_refund(uow, loaded.request, stored, key, amount)
        invoices.ask_for_credit_note(uow, request_id, key, amount)
        ask_for_transfer(uow, loaded)  # money released meanwhile (a dispute's rest) waited for this refund

    in_unit(deps, request_id, step)


def _apply(payment: JobPayment, key: str, amount: int, split: RefundSplit, *, reversal_id: str | None) -> None:
    payment.refunds[key] = amount
    payment.refunded_minor += amount
    payment.held_minor -= split.from_held
    payment.fee_minor -= split.from_fee
    if reversal_id is not None:
        payment.paid_out_minor -= split.from_technician
    else:
        payment.fee_minor -= split.from_technician  # the platform bears what it could not take back
    if payment.refunded_minor == payment.captured_minor:
        payment.payout_status = PayoutStatus.REFUNDED


def _entries(payment: JobPayment, key: str, amount: int, split: RefundSplit, *, reversal_id: str | None,
             stripe_refund: str | None, uow: UnitOfWork) -> list[PaymentLedgerEntry]:
    now = uow.now
    entries = [ledger_entry(payment, LedgerKind.REFUND, amount, now, key=key, stripe_object_id=stripe_refund)]
    if split.from_fee:
        entries.append(ledger_entry(payment, LedgerKind.FEE, -split.from_fee, now, key=f"refund:{key}",
                                    note="the platform's fee on the refunded part, given back"))
    if split.from_technician and reversal_id is not None:
        entries.append(ledger_entry(payment, LedgerKind.REVERSAL, split.from_technician, now, key=key,
                                    stripe_object_id=reversal_id))
    elif split.from_technician:
        entries.append(ledger_entry(payment, LedgerKind.PLATFORM_LOSS, split.from_technician, now, key=key,
                                    note="paid out already and the technician's balance could not cover a reversal"))
    return entries


def external_refund_step(stripe_refund_id: str, amount_minor: int) -> Step[bool]:
    """A refund made outside this code (the Stripe dashboard), reported by `charge.refunded`: recorded once;
    what had been paid out already is the platform's loss until an admin recovers it."""

    def step(uow: UnitOfWork, loaded: Loaded) -> bool:
        payment = loaded.payment
        if stripe_refund_id in payment.stripe_refund_ids or payment.refund_in_flight is not None or loaded.is_new:
            return False
        amount = min(amount_minor, payment.captured_minor - payment.refunded_minor)
        if amount <= 0:
            return False
        split = split_refund(amount, held=payment.held_minor, paid_out=payment.paid_out_minor, fee=payment.fee_minor,
                             currency=payment.currency)
        _apply(payment, stripe_refund_id, amount, split, reversal_id=None)
        payment.stripe_refund_ids.append(stripe_refund_id)
        record(uow, loaded, _entries(payment, stripe_refund_id, amount, split, reversal_id=None,
                                     stripe_refund=stripe_refund_id, uow=uow))
        loyalty.take_back_for_refund(uow, loaded.request, payment, stripe_refund_id, amount)
        invoices.ask_for_credit_note(uow, payment.request_id, stripe_refund_id, amount)
        return True

    return step


HANDLERS: Mapping[str, Handler] = {REFUND: _refund}
