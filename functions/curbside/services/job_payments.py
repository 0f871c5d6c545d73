"""The money of one job: authorise the card, capture it on completion, hold it, release it to the technician
through Stripe Connect, refund it — each movement once, and every cent in the ledger.

Every operation has the same three steps (DESIGN.md convention 4: no vendor call inside a transaction):
1. a transaction reads `JobPayments/{request_id}` and decides — is there anything to do? how much? — and
   reserves what must not happen twice concurrently (a refund, a transfer);
2. Stripe is called outside it, with an idempotency key derived from the request (`capture:{request_id}`,
   `transfer:{request_id}`, `refund:{request_id}:{key}`...), so a retry or a racing call gets the same result;
3. a second transaction records the result only if it is not recorded yet: the new state, the ledger
   entries (deterministic ids, so a replay rewrites the same entry) and the technician's earnings.

A step that crashes between 2 and 3 leaves a reservation that the next call (or the hourly sweep) completes
with the same key. After every recorded change: captured - refunded = paid out + fee + held.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from firebase_functions import logger
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.documents import (
    ClientProfilePrivate,
    DispatcherEarnings,
    DispatcherProfilePrivate,
    JobPayment,
    PaymentLedgerEntry,
    ServiceRequest,
)
from curbside.domain.enums import AuthorizationStatus, LedgerKind, NotificationType, PayoutStatus, RequestStatus
from curbside.domain.errors import InvalidInput, LostRace, NotFound, WrongState
from curbside.domain.money import RefundSplit, from_minor, platform_fee, split_refund, technician_earnings, to_minor
from curbside.gateways.payments import AccountCannotReceive, CardDeclined
from curbside.services.notifications import notify
from curbside.store.codec import from_snapshot, to_document
from curbside.store.collections import Collection, doc_path, private_doc_path
from curbside.store.transactions import run_transaction

T = TypeVar("T")

CHANGED = "The payment changed at the same moment; try again."
NO_PAYMENT_METHOD = "no_payment_method"

_RANK = {AuthorizationStatus.NOT_STARTED: 0, AuthorizationStatus.FAILED: 1, AuthorizationStatus.AUTHORIZED: 2,
         AuthorizationStatus.CAPTURED: 3, AuthorizationStatus.CANCELLED: 3}
"""Authorisation statuses in the order they happen (captured and cancelled both end it): a late webhook
never moves one back."""


def fee_percent() -> Decimal:
    return Decimal(config.PLATFORM_FEE_PERCENT.value)


# --- idempotency keys and ledger ids --------------------------------------------------------------------------


def authorize_key(request_id: str, attempt: int) -> str:
    return f"authorize:{request_id}:{attempt}"


def capture_key(request_id: str) -> str:
    return f"capture:{request_id}"


def cancel_key(request_id: str) -> str:
    return f"cancel:{request_id}"


def transfer_key(request_id: str, attempt: int = 0) -> str:
    """One key per attempt: after a refusal Stripe would replay it for the same key, so the next try needs a
    new one; a retry after a crash reuses the attempt's key."""
    return f"transfer:{request_id}" + (f":{attempt}" if attempt else "")


def refund_key(request_id: str, key: str) -> str:
    return f"refund:{request_id}:{key}"


def reversal_key(request_id: str, key: str) -> str:
    return f"reversal:{request_id}:{key}"


def ledger_id(request_id: str, kind: LedgerKind, key: str | None = None) -> str:
    return f"{request_id}:{kind.value}" + (f":{key}" if key else "")


# --- loading and saving -------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """Everything a step reads, read before it writes (a transaction reads first)."""

    request: ServiceRequest
    payment: JobPayment
    earnings: DispatcherEarnings | None
    is_new: bool


def _payment_ref(db: firestore.Client, request_id: str) -> firestore.DocumentReference:
    return db.document(doc_path(Collection.JOB_PAYMENTS, request_id))


def _load(deps: Deps, transaction: firestore.Transaction, request_id: str) -> Loaded:
    db = deps.db
    request_snap = db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).get(transaction=transaction)
    if not request_snap.exists:
        raise NotFound("There is no such job.")
    request = from_snapshot(ServiceRequest, request_snap)
    payment_snap = _payment_ref(db, request_id).get(transaction=transaction)
    now = deps.clock.now()
    payment = from_snapshot(JobPayment, payment_snap) if payment_snap.exists else JobPayment(
        id=request_id, request_id=request_id, client_id=request.client_id, currency=config.CURRENCY.value,
        amount_minor=to_minor(request.final_price), created_date=now, updated_date=now)
    if payment.dispatcher_id is None and request.dispatcher_id is not None:
        payment.dispatcher_id = request.dispatcher_id
    earnings = None
    if payment.dispatcher_id is not None:
        earnings_snap = db.document(doc_path(Collection.DISPATCHER_EARNINGS, payment.dispatcher_id)).get(
            transaction=transaction)
        earnings = from_snapshot(DispatcherEarnings, earnings_snap) if earnings_snap.exists else None
    return Loaded(request, payment, earnings, not payment_snap.exists)


def _entry(payment: JobPayment, kind: LedgerKind, amount_minor: int, now: dt.datetime, *, key: str | None = None,
           stripe_object_id: str | None = None, note: str | None = None) -> PaymentLedgerEntry:
    return PaymentLedgerEntry(
        id=ledger_id(payment.request_id, kind, key), request_id=payment.request_id, kind=kind,
        amount_minor=amount_minor, amount=float(from_minor(amount_minor)), currency=payment.currency,
        dispatcher_id=payment.dispatcher_id, stripe_object_id=stripe_object_id, note=note, created_date=now)


def save(deps: Deps, transaction: firestore.Transaction, loaded: Loaded, entries: list[PaymentLedgerEntry],
         ) -> None:
    """Write the payment, its new ledger entries, and the difference it makes to its technician's earnings."""
    db = deps.db
    now = deps.clock.now()
    payment = loaded.payment
    payment.updated_date = now
    if payment.dispatcher_id is not None:
        share = technician_earnings(payment.payout_status, held=payment.held_minor, paid_out=payment.paid_out_minor,
                                    fee_percent=fee_percent())
        delta = (share.pending - payment.counted_pending_minor, share.awaiting_payout_account -
                 payment.counted_awaiting_minor, share.paid - payment.counted_paid_minor)
        if any(delta) or loaded.earnings is None:
            earnings = loaded.earnings or DispatcherEarnings(
                id=payment.dispatcher_id, user_id=payment.dispatcher_id, currency=payment.currency, updated_date=now)
            earnings.pending_minor += delta[0]
            earnings.awaiting_minor += delta[1]
            earnings.paid_minor += delta[2]
            earnings.pending_payments = float(from_minor(earnings.pending_minor))
            earnings.awaiting_payout_account = float(from_minor(earnings.awaiting_minor))
            earnings.completed_payments = float(from_minor(earnings.paid_minor))
            earnings.total_earnings = float(from_minor(earnings.pending_minor + earnings.awaiting_minor
                                                       + earnings.paid_minor))
            earnings.updated_date = now
            transaction.set(db.document(doc_path(Collection.DISPATCHER_EARNINGS, earnings.id)), to_document(earnings))
            payment.counted_pending_minor, payment.counted_awaiting_minor, payment.counted_paid_minor = (
                share.pending, share.awaiting_payout_account, share.paid)
    transaction.set(_payment_ref(db, payment.request_id), to_document(payment))
    for entry in entries:
        transaction.set(db.document(doc_path(Collection.PAYMENT_LEDGER, entry.id)), to_document(entry))


def _in_transaction(deps: Deps, request_id: str, step: Callable[[firestore.Transaction, Loaded], T]) -> T:
    """Run `step` on the freshly read payment inside one transaction."""

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> T:
        return step(transaction, _load(deps, transaction, request_id))

    result: T = run_transaction(deps.db, run, lost_race=CHANGED)
    return result


def _recorded(deps: Deps, request_id: str, step: Callable[[firestore.Transaction, Loaded], object]) -> JobPayment:
    """Run a recording step and return the payment as it now stands, without reading it again."""

    def run(transaction: firestore.Transaction, loaded: Loaded) -> JobPayment:
        step(transaction, loaded)
        return loaded.payment

    return _in_transaction(deps, request_id, run)


def request_of_intent(db: firestore.Client, payment_intent_id: str) -> str | None:
    """The job a PaymentIntent belongs to (for Stripe objects that do not carry our metadata, like charges)."""
    for snap in (db.collection(Collection.JOB_PAYMENTS)
                 .where(filter=FieldFilter("payment_intent_id", "==", payment_intent_id)).limit(1).stream()):
        return str(snap.id)
    return None


def read_payment(db: firestore.Client, request_id: str) -> JobPayment | None:
    snap = _payment_ref(db, request_id).get()
    return from_snapshot(JobPayment, snap) if snap.exists else None


# --- authorise --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Card:
    customer_id: str
    payment_method_id: str
    attempt: int
    amount_minor: int
    currency: str


def _advance(payment: JobPayment, status: AuthorizationStatus) -> bool:
    """Move the authorisation forward to `status`; False (and no change) if it is there or beyond."""
    if _RANK[status] <= _RANK[payment.authorization_status]:
        return False
    payment.authorization_status = status
    return True


def ensure_authorized(deps: Deps, request_id: str) -> AuthorizationStatus:
    """Hold the job's price on the client's saved card (once). Without a usable card the payment is marked
    failed and the client told to add one; a declined card is not tried again until another is saved."""
    return _authorize(deps, request_id).authorization_status


def _authorize(deps: Deps, request_id: str) -> JobPayment:
    """`ensure_authorized`, returning the payment as it stands afterwards."""
    db = deps.db

    def decide(transaction: firestore.Transaction, loaded: Loaded) -> _Card | JobPayment:
        payment = loaded.payment
        if payment.authorization_status in (AuthorizationStatus.AUTHORIZED, AuthorizationStatus.CAPTURED,
                                            AuthorizationStatus.CANCELLED):
            return payment
        if loaded.request.status is RequestStatus.CANCELLED:
            return payment
        private_snap = db.document(private_doc_path(Collection.CLIENT_PROFILES, payment.client_id)).get(
            transaction=transaction)
        private = from_snapshot(ClientProfilePrivate, private_snap) if private_snap.exists else ClientProfilePrivate()
        if not private.stripe_customer_id or not private.payment_method:
            _fail(deps, transaction, loaded, NO_PAYMENT_METHOD, None)
            return payment
        if private.payment_method == payment.declined_payment_method:
            return payment
        payment.authorization_attempts += 1
        save(deps, transaction, loaded, [])
        return _Card(private.stripe_customer_id, private.payment_method, payment.authorization_attempts,
                     payment.amount_minor, payment.currency)

    decided = _in_transaction(deps, request_id, decide)
    if isinstance(decided, JobPayment):
        return decided
    try:
        held = deps.payments.authorize(customer_id=decided.customer_id, payment_method_id=decided.payment_method_id,
                                       amount_minor=decided.amount_minor, currency=decided.currency,
                                       request_id=request_id, idempotency_key=authorize_key(request_id,
                                                                                             decided.attempt))
    except CardDeclined as declined:
        return _recorded(deps, request_id, failed_step(deps, str(declined), decided.payment_method_id))
    return _recorded(deps, request_id, authorized_step(deps, held.payment_intent_id))


def _fail(deps: Deps, transaction: firestore.Transaction, loaded: Loaded, reason: str,
          payment_method: str | None) -> AuthorizationStatus:
    """Record a failed authorisation and tell the client once per reason."""
    payment = loaded.payment
    if payment.authorization_status not in (AuthorizationStatus.NOT_STARTED, AuthorizationStatus.FAILED):
        return payment.authorization_status
    first = payment.authorization_failure != reason
    payment.authorization_status = AuthorizationStatus.FAILED
    payment.authorization_failure = reason
    payment.declined_payment_method = payment_method
    if first:
        notify(transaction, deps.db, user_id=payment.client_id, kind=NotificationType.PAYMENT_PROCESSED,
               title="Payment needs your attention",
               body="We could not hold the price of your job on a card. Add or update your card in Payment "
                    "methods so your technician can be paid.", request_id=payment.request_id, now=deps.clock.now())
    save(deps, transaction, loaded, [])
    return AuthorizationStatus.FAILED


Step = Callable[[firestore.Transaction, Loaded], T]
"""Reads nothing more, decides on the loaded payment, writes through `save`; run by `_in_transaction` or,
for a webhook, inside the event's own transaction by `apply_step`."""


def apply_step(deps: Deps, transaction: firestore.Transaction, request_id: str, step: Step[T]) -> T:
    """Run `step` inside a caller's transaction (the webhook's, which also records the event id)."""
    return step(transaction, _load(deps, transaction, request_id))


def authorized_step(deps: Deps, payment_intent_id: str) -> Step[bool]:
    """Record that the card is held (from the gateway's answer or Stripe's webhook, whichever comes first);
    False when there was nothing to record."""
    now = deps.clock.now()

    def record(transaction: firestore.Transaction, loaded: Loaded) -> bool:
        payment = loaded.payment
        if payment.payment_intent_id not in (None, payment_intent_id):
            return False  # a stale intent of an earlier attempt
        if not _advance(payment, AuthorizationStatus.AUTHORIZED):
            return False
        payment.payment_intent_id = payment_intent_id
        payment.authorization_failure = None
        save(deps, transaction, loaded, [_entry(payment, LedgerKind.AUTHORIZATION, payment.amount_minor, now,
                                                stripe_object_id=payment_intent_id)])
        return True

    return record


def failed_step(deps: Deps, reason: str, payment_method: str | None) -> Step[bool]:
    """Record a failed authorisation (a declined card, or no card) and tell the client once per reason;
    False when it changed nothing."""

    def record(transaction: firestore.Transaction, loaded: Loaded) -> bool:
        before = (loaded.payment.authorization_status, loaded.payment.authorization_failure)
        _fail(deps, transaction, loaded, reason, payment_method)
        return (loaded.payment.authorization_status, loaded.payment.authorization_failure) != before

    return record


# --- capture, cancel ----------------------------------------------------------------------------------------


def capture(deps: Deps, request_id: str, amount_minor: int | None = None) -> JobPayment:
    """Charge the held card: the whole price on completion, or `amount_minor` (a late-cancellation fee). The
    money is then held for the technician until it is released."""
    payment = _authorize(deps, request_id)
    if payment.authorization_status is not AuthorizationStatus.AUTHORIZED or payment.payment_intent_id is None:
        return payment
    amount = payment.amount_minor if amount_minor is None else min(amount_minor, payment.amount_minor)
    captured = deps.payments.capture(payment.payment_intent_id, amount, capture_key(request_id))
    stored = _recorded(deps, request_id, captured_step(deps, payment.payment_intent_id, captured))
    if payment.release_requested or amount_minor is not None:
        return pay_out(deps, request_id)
    return stored


def captured_step(deps: Deps, payment_intent_id: str, amount_minor: int) -> Step[bool]:
    """Record the capture once (the gateway's answer or `payment_intent.succeeded`); False if it already was."""
    now = deps.clock.now()

    def record(transaction: firestore.Transaction, loaded: Loaded) -> bool:
        payment = loaded.payment
        if payment.payment_intent_id not in (None, payment_intent_id) or not _advance(
                payment, AuthorizationStatus.CAPTURED):
            return False
        payment.payment_intent_id = payment_intent_id
        payment.captured_minor = amount_minor
        payment.held_minor = amount_minor
        payment.payout_status = _holding_status(payment)
        save(deps, transaction, loaded, [_entry(payment, LedgerKind.CAPTURE, amount_minor, now,
                                                stripe_object_id=payment_intent_id)])
        return True

    return record


def _holding_status(payment: JobPayment) -> PayoutStatus:
    """Where captured money waits: disputed while a dispute is open, released once approved, held before."""
    if payment.dispute_open:
        return PayoutStatus.DISPUTED
    return PayoutStatus.RELEASED if payment.release_requested else PayoutStatus.HELD


def cancel_authorization(deps: Deps, request_id: str) -> AuthorizationStatus:
    """Release the card hold of a job cancelled before it was charged."""

    def decide(transaction: firestore.Transaction, loaded: Loaded) -> str | AuthorizationStatus:
        payment = loaded.payment
        if payment.authorization_status is AuthorizationStatus.AUTHORIZED and payment.payment_intent_id:
            return payment.payment_intent_id
        if payment.authorization_status in (AuthorizationStatus.NOT_STARTED, AuthorizationStatus.FAILED):
            payment.authorization_status = AuthorizationStatus.CANCELLED
            save(deps, transaction, loaded, [])
        return payment.authorization_status

    decided = _in_transaction(deps, request_id, decide)
    if isinstance(decided, AuthorizationStatus):
        return decided
    deps.payments.cancel_authorization(decided, cancel_key(request_id))
    return _recorded(deps, request_id, cancelled_step(deps, decided)).authorization_status


def cancelled_step(deps: Deps, payment_intent_id: str) -> Step[bool]:
    """Record that the card hold was released (the gateway's answer or `payment_intent.canceled`)."""
    now = deps.clock.now()

    def record(transaction: firestore.Transaction, loaded: Loaded) -> bool:
        payment = loaded.payment
        if payment.payment_intent_id not in (None, payment_intent_id) or not _advance(
                payment, AuthorizationStatus.CANCELLED):
            return False
        save(deps, transaction, loaded, [_entry(payment, LedgerKind.AUTHORIZATION_CANCELLED, payment.amount_minor,
                                                now, stripe_object_id=payment_intent_id)])
        return True

    return record


# --- release and pay out ----------------------------------------------------------------------------------------


def release(deps: Deps, request_id: str, reason: str) -> JobPayment:
    """The client approved the job (a review, or silence for the hold period): the money may go to the
    technician — unless a dispute is open, which holds it until resolved."""

    def record(transaction: firestore.Transaction, loaded: Loaded) -> None:
        payment = loaded.payment
        if payment.release_requested is None:
            payment.release_requested = reason
        if payment.payout_status is PayoutStatus.HELD and not payment.dispute_open:
            payment.payout_status = PayoutStatus.RELEASED
        save(deps, transaction, loaded, [])

    _in_transaction(deps, request_id, record)
    return pay_out(deps, request_id)


@dataclass(frozen=True)
class _Transfer:
    account_id: str
    amount: int
    fee: int
    currency: str
    attempt: int


_PAYABLE = (PayoutStatus.RELEASED, PayoutStatus.AWAITING_PAYOUT_ACCOUNT)


def pay_out(deps: Deps, request_id: str) -> JobPayment:
    """Transfer the released money, minus the platform's fee, to the technician's connected account. An
    account that cannot receive yet leaves the money waiting, visibly, until `account.updated` says it can."""
    db = deps.db
    now = deps.clock.now()

    def decide(transaction: firestore.Transaction, loaded: Loaded) -> _Transfer | JobPayment:
        payment = loaded.payment
        if payment.payout_status not in _PAYABLE or payment.dispatcher_id is None or payment.refund_in_flight:
            return payment
        if payment.transfer_planned_minor is not None and payment.transfer_destination is not None:
            return _Transfer(payment.transfer_destination, payment.transfer_planned_minor,
                             payment.held_minor - payment.transfer_planned_minor, payment.currency,
                             payment.transfer_attempts)
        private_snap = db.document(private_doc_path(Collection.DISPATCHER_PROFILES, payment.dispatcher_id)).get(
            transaction=transaction)
        private = (from_snapshot(DispatcherProfilePrivate, private_snap) if private_snap.exists
                   else DispatcherProfilePrivate())
        if payment.held_minor == 0:
            payment.payout_status = PayoutStatus.REFUNDED
            save(deps, transaction, loaded, [])
            return payment
        if not private.stripe_account_id or not private.payouts_enabled:
            if payment.payout_status is not PayoutStatus.AWAITING_PAYOUT_ACCOUNT:
                payment.payout_status = PayoutStatus.AWAITING_PAYOUT_ACCOUNT
                save(deps, transaction, loaded, [])
            return payment
        fee = platform_fee(payment.held_minor, fee_percent())
        payment.transfer_planned_minor = payment.held_minor - fee
        payment.transfer_destination = private.stripe_account_id
        save(deps, transaction, loaded, [])
        return _Transfer(private.stripe_account_id, payment.held_minor - fee, fee, payment.currency,
                         payment.transfer_attempts)

    planned = _in_transaction(deps, request_id, decide)
    if isinstance(planned, JobPayment):
        return planned
    try:
        transfer_id = (deps.payments.transfer(
            planned.amount, planned.currency, planned.account_id, transfer_key(request_id, planned.attempt),
            metadata={"request_id": request_id}, transfer_group=request_id) if planned.amount > 0 else None)
    except AccountCannotReceive:
        return _recorded(deps, request_id, lambda transaction, loaded: _wait_for_account(deps, transaction, loaded))
    return _recorded(deps, request_id, lambda transaction, loaded: _record_transfer(
        deps, transaction, loaded, planned, transfer_id=transfer_id, now=now))


def _wait_for_account(deps: Deps, transaction: firestore.Transaction, loaded: Loaded) -> None:
    payment = loaded.payment
    if payment.transfer_planned_minor is None:
        return  # a racing call recorded this refusal already
    payment.transfer_attempts += 1
    payment.transfer_planned_minor = None
    payment.transfer_destination = None
    payment.payout_status = PayoutStatus.AWAITING_PAYOUT_ACCOUNT
    save(deps, transaction, loaded, [])


def _record_transfer(deps: Deps, transaction: firestore.Transaction, loaded: Loaded, planned: _Transfer, *,
                     transfer_id: str | None, now: dt.datetime) -> None:
    payment = loaded.payment
    if payment.transfer_planned_minor is None or payment.payout_status not in _PAYABLE:
        return  # recorded already
    payment.fee_minor += planned.fee
    payment.paid_out_minor += planned.amount
    payment.held_minor -= planned.fee + planned.amount
    payment.transfer_planned_minor = None
    payment.transfer_id = transfer_id
    payment.payout_status = PayoutStatus.PAID
    entries = [_entry(payment, LedgerKind.FEE, planned.fee, now)]
    if transfer_id is not None:
        entries.append(_entry(payment, LedgerKind.TRANSFER, planned.amount, now, stripe_object_id=transfer_id))
        notify(transaction, deps.db, user_id=str(payment.dispatcher_id), kind=NotificationType.PAYMENT_PROCESSED,
               title="Payment sent", body=f"{from_minor(planned.amount)} {payment.currency} for your job is on its "
                                          "way to your bank account.", request_id=payment.request_id, now=now)
    save(deps, transaction, loaded, entries)


# --- disputes ---------------------------------------------------------------------------------------------------


def hold_for_dispute(deps: Deps, request_id: str) -> JobPayment:
    """An open dispute holds the money, whatever was approved, until an admin resolves it."""

    def record(transaction: firestore.Transaction, loaded: Loaded) -> JobPayment:
        payment = loaded.payment
        if payment.transfer_planned_minor is not None:
            raise LostRace("The payment is being sent to the technician right now; try again in a moment.")
        payment.dispute_open = True
        if payment.payout_status in (PayoutStatus.HELD, PayoutStatus.RELEASED, PayoutStatus.AWAITING_PAYOUT_ACCOUNT):
            payment.payout_status = PayoutStatus.DISPUTED
        save(deps, transaction, loaded, [])
        return payment

    return _in_transaction(deps, request_id, record)


def release_after_dispute(deps: Deps, request_id: str) -> JobPayment:
    """The dispute is resolved in the technician's favour (or partly): what is left goes to them."""

    def record(transaction: firestore.Transaction, loaded: Loaded) -> None:
        payment = loaded.payment
        payment.dispute_open = False
        payment.release_requested = "dispute_resolved"
        if payment.payout_status is PayoutStatus.DISPUTED:
            payment.payout_status = _holding_status(payment)
        save(deps, transaction, loaded, [])

    _in_transaction(deps, request_id, record)
    return pay_out(deps, request_id)


# --- refunds ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refunded:
    refund_key: str
    amount_minor: int
    refunded_minor: int


def refund(deps: Deps, request_id: str, amount_minor: int, key: str) -> Refunded:
    """Give `amount_minor` back to the client's card, once per `key` (a dispute id, a cancellation...). Never
    more than was captured and not refunded yet. Money already paid to the technician is taken back by a
    transfer reversal where their balance allows, and recorded as the platform's loss where it does not."""
    if amount_minor <= 0:
        raise InvalidInput("refund_amount: must be more than zero.")

    def reserve(transaction: firestore.Transaction, loaded: Loaded) -> JobPayment:
        payment = loaded.payment
        if key in payment.refunds:
            return payment
        if payment.refund_in_flight not in (None, key):
            raise LostRace("Another refund of this job is being processed; try again in a moment.")
        if payment.transfer_planned_minor is not None:
            raise LostRace("The payment is being sent to the technician right now; try again in a moment.")
        if payment.authorization_status is not AuthorizationStatus.CAPTURED or payment.payment_intent_id is None:
            raise WrongState("Nothing has been charged for this job yet: cancel the job to release the card.")
        refundable = payment.captured_minor - payment.refunded_minor
        if amount_minor > refundable:
            raise InvalidInput(f"refund_amount: at most {from_minor(refundable)} {payment.currency} can still be "
                               "refunded for this job.")
        if payment.refund_in_flight is None:
            payment.refund_in_flight, payment.refund_in_flight_minor = key, amount_minor
            save(deps, transaction, loaded, [])
        return payment

    reserved = _in_transaction(deps, request_id, reserve)
    stored = reserved if key in reserved.refunds else _finish_refund(deps, reserved)
    return Refunded(key, stored.refunds.get(key, amount_minor), stored.refunded_minor)


def _finish_refund(deps: Deps, payment: JobPayment) -> JobPayment:
    """Refund the reserved amount at Stripe, take the technician's share back, and record both; returns the
    payment as recorded."""
    request_id, payment_intent_id = payment.request_id, payment.payment_intent_id
    assert payment.refund_in_flight is not None and payment_intent_id is not None
    key, amount = payment.refund_in_flight, int(payment.refund_in_flight_minor or 0)
    split = split_refund(amount, held=payment.held_minor, paid_out=payment.paid_out_minor, fee=payment.fee_minor)
    stripe_refund = deps.payments.refund(payment_intent_id, amount, refund_key(request_id, key),
                                         {"request_id": request_id, "refund_key": key})
    reversal_id: str | None = None
    if split.from_technician > 0 and payment.transfer_id is not None:
        try:
            reversal_id = deps.payments.reverse_transfer(payment.transfer_id, split.from_technician,
                                                         reversal_key(request_id, key))
        except AccountCannotReceive:
            logger.warn("payments.reversal_refused", request_id=request_id, refund_key=key)
    now = deps.clock.now()

    def record(transaction: firestore.Transaction, loaded: Loaded) -> None:
        stored = loaded.payment
        if key in stored.refunds:
            return
        _apply_refund(stored, key, amount, split, reversal_id=reversal_id)
        stored.stripe_refund_ids.append(stripe_refund)
        stored.refund_in_flight, stored.refund_in_flight_minor = None, None
        save(deps, transaction, loaded, _refund_entries(stored, key, amount, split, reversal_id=reversal_id,
                                                        stripe_refund=stripe_refund, now=now))

    return _recorded(deps, request_id, record)


def _apply_refund(payment: JobPayment, key: str, amount: int, split: RefundSplit, *, reversal_id: str | None) -> None:
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


def _refund_entries(payment: JobPayment, key: str, amount: int, split: RefundSplit, *, reversal_id: str | None,
                    stripe_refund: str | None, now: dt.datetime) -> list[PaymentLedgerEntry]:
    from_fee, from_technician = split.from_fee, split.from_technician
    entries = [_entry(payment, LedgerKind.REFUND, amount, now, key=key, stripe_object_id=stripe_refund)]
    if from_fee:
        entries.append(_entry(payment, LedgerKind.FEE, -from_fee, now, key=f"refund:{key}",
                              note="the platform's fee on the refunded part, given back"))
    if from_technician and reversal_id is not None:
        entries.append(_entry(payment, LedgerKind.REVERSAL, from_technician, now, key=key,
                              stripe_object_id=reversal_id))
    elif from_technician:
        entries.append(_entry(payment, LedgerKind.PLATFORM_LOSS, from_technician, now, key=key,
                              note="paid out already and the technician's balance could not cover a reversal"))
    return entries


def external_refund_step(deps: Deps, stripe_refund_id: str, amount_minor: int) -> Step[bool]:
    """A refund made outside this code (the Stripe dashboard), reported by `charge.refunded`: recorded once;
    what had been paid out already is the platform's loss until an admin recovers it."""

    def record(transaction: firestore.Transaction, loaded: Loaded) -> bool:
        payment = loaded.payment
        if stripe_refund_id in payment.stripe_refund_ids or payment.refund_in_flight is not None or loaded.is_new:
            return False
        amount = min(amount_minor, payment.captured_minor - payment.refunded_minor)
        if amount <= 0:
            return False
        split = split_refund(amount, held=payment.held_minor, paid_out=payment.paid_out_minor, fee=payment.fee_minor)
        _apply_refund(payment, stripe_refund_id, amount, split, reversal_id=None)
        payment.stripe_refund_ids.append(stripe_refund_id)
        save(deps, transaction, loaded, _refund_entries(payment, stripe_refund_id, amount, split, reversal_id=None,
                                                        stripe_refund=stripe_refund_id, now=deps.clock.now()))
        return True

    return record


# --- following the job, and the sweep -------------------------------------------------------------------------

_AUTHORIZE_WHEN = (RequestStatus.ACCEPTED, RequestStatus.EN_ROUTE, RequestStatus.ARRIVED, RequestStatus.IN_PROGRESS)


def follow_request(deps: Deps, request_id: str) -> str:
    """What the job's new status means for its money (the `on_request_updated` trigger; safe to repeat):
    accepted (or a scheduled job activated) -> hold the card; cancelled -> release the hold, or charge the
    late-cancellation fee and pay it to the technician whose trip was wasted."""
    snap = deps.db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).get()
    if not snap.exists:
        return "missing"
    request = from_snapshot(ServiceRequest, snap)
    if request.status in _AUTHORIZE_WHEN or (request.status is RequestStatus.PENDING and request.is_scheduled):
        return f"authorization_{ensure_authorized(deps, request_id).value}"
    if request.status is RequestStatus.CANCELLED:
        payment = read_payment(deps.db, request_id)
        if payment is None:
            return "nothing_to_release"
        fee = to_minor(request.cancellation_fee or Decimal("0"))
        if fee > 0 and payment.authorization_status is AuthorizationStatus.AUTHORIZED:
            release_reason = "late_cancellation_fee"
            _in_transaction(deps, request_id, lambda transaction, loaded: _request_release(
                deps, transaction, loaded, release_reason))
            return f"fee_{capture(deps, request_id, fee).payout_status.value}"
        return f"authorization_{cancel_authorization(deps, request_id).value}"
    return "no_change"


def _request_release(deps: Deps, transaction: firestore.Transaction, loaded: Loaded, reason: str) -> None:
    if loaded.payment.release_requested is None:
        loaded.payment.release_requested = reason
        save(deps, transaction, loaded, [])


def finish_unfinished(deps: Deps, *, limit: int = 200) -> dict[str, int]:
    """The hourly sweep's payments half: refunds and transfers interrupted between Stripe and the record,
    and released money whose transfer failed. Each finishes under the key it started with."""
    db = deps.db
    counts = {"refunds": 0, "payouts": 0}
    for snap in (db.collection(Collection.JOB_PAYMENTS)
                 .where(filter=FieldFilter("refund_in_flight", ">", "")).limit(limit).stream()):
        payment = from_snapshot(JobPayment, snap)
        if payment.payment_intent_id is not None:
            _finish_refund(deps, payment)
            counts["refunds"] += 1
    for snap in (db.collection(Collection.JOB_PAYMENTS)
                 .where(filter=FieldFilter("payout_status", "==", PayoutStatus.RELEASED.value)).limit(limit).stream()):
        pay_out(deps, snap.id)
        counts["payouts"] += 1
    return counts


def pay_out_waiting(deps: Deps, dispatcher_id: str, *, limit: int = 200) -> int:
    """After `account.updated` enables payouts: send the technician everything that waited for it."""
    waiting = (deps.db.collection(Collection.JOB_PAYMENTS)
               .where(filter=FieldFilter("dispatcher_id", "==", dispatcher_id))
               .where(filter=FieldFilter("payout_status", "==", PayoutStatus.AWAITING_PAYOUT_ACCOUNT.value))
               .limit(limit).stream())
    paid = 0
    for snap in waiting:
        if pay_out(deps, snap.id).payout_status is PayoutStatus.PAID:
            paid += 1
    return paid
