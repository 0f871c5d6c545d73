"""Charging a job and paying its technician: capture on completion (or a late-cancellation fee), the hold,
the release, and the Stripe Connect transfer minus the platform's fee (D20).

- `capture:{request_id}` (recorded by `complete_job` or a late cancellation): the handler makes sure the card
  is held (placing the hold first if the acceptance's attempt has not landed), captures the price (or the
  fee), and records it; released money then goes on to a transfer.
- Release (a review, the hold period passing, a dispute resolved): the money may go to the technician unless
  a dispute holds it; `transfer:{request_id}:{n}` is recorded.
- The transfer's handler plans it (reserving the amount, so a refund waits for it), transfers at Stripe and
  records it — or, when the technician's account cannot receive yet, leaves the money visibly waiting until
  `account.updated` says it can (`pay_out_waiting`). `n` counts Stripe's refusals: Stripe replays a refusal
  for as long as the same key is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from curbside.deps import Deps
from curbside.domain.documents import JobPayment
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import AuthorizationStatus, LedgerKind, NotificationType, PayoutStatus
from curbside.domain.errors import LostRace, VendorUnavailable
from curbside.domain.holds import hold_is_current
from curbside.domain.money import platform_fee
from curbside.domain.texts import Money, t
from curbside.gateways.payments import AccountCannotReceive
from curbside.services import insurance, invoices, loyalty, receipts, work
from curbside.services.card_holds import about_this_hold, advance, ensure_authorized
from curbside.services.notifications import notify
from curbside.services.outbox import Handler
from curbside.services.payment_records import Loaded, Step, in_unit, ledger_entry, read_payment, record, recorded
from curbside.store import queries
from curbside.store.uow import UnitOfWork

CAPTURE = "capture"
TRANSFER = "transfer"

PAYABLE = (PayoutStatus.RELEASED, PayoutStatus.AWAITING_PAYOUT_ACCOUNT)


def holding_status(payment: JobPayment) -> PayoutStatus:
    """Where captured money waits: disputed while a dispute is open, released once approved, held before."""
    if payment.dispute_open:
        return PayoutStatus.DISPUTED
    return PayoutStatus.RELEASED if payment.release_requested else PayoutStatus.HELD


def ask_for_transfer(uow: UnitOfWork, loaded: Loaded) -> None:
    """Record the transfer of released money, if there is any to send now."""
    payment = loaded.payment
    if payment.payout_status in PAYABLE and payment.dispatcher_id is not None and not payment.refund_in_flight:
        attempt = payment.transfer_attempts  # Stripe's key is `transfer:{request_id}`, then `...:{attempt}`
        uow.outbox.add(TRANSFER, f"{payment.request_id}:{attempt}" if attempt else payment.request_id,
                       request_id=payment.request_id)


# --- capture ------------------------------------------------------------------------------------------------------


def ask_for_capture(uow: UnitOfWork, request_id: str, amount_minor: int | None = None) -> None:
    """Record the capture of the job's price (or of `amount_minor`, a fee) in the caller's commit."""
    uow.outbox.add(CAPTURE, request_id, request_id=request_id, amount_minor=amount_minor)


def _capture(deps: Deps, entry: OutboxEntry) -> None:
    request_id = str(entry.payload["request_id"])
    fee = entry.payload.get("amount_minor")
    payment = read_payment(deps, request_id)
    if payment is None or not _holding(deps, payment):  # place (or renew) the hold first
        if ensure_authorized(deps, request_id) in (AuthorizationStatus.NOT_STARTED, AuthorizationStatus.EXPIRED):
            raise VendorUnavailable("The card hold could not be placed yet; the capture waits for it.")
        payment = read_payment(deps, request_id)
    if payment is None or payment.authorization_status is not AuthorizationStatus.AUTHORIZED \
            or payment.payment_intent_id is None:
        return  # nothing to charge (no usable card: the client was told), or charged already
    amount = payment.amount_minor if fee is None else min(int(fee), payment.amount_minor)
    captured = deps.payments.capture(payment.payment_intent_id, amount, entry.id)
    in_unit(deps, request_id, captured_step(payment.payment_intent_id, captured))


def _holding(deps: Deps, payment: JobPayment) -> bool:
    """The card holds the job's money now, and long enough to capture it."""
    settings = deps.settings.payments
    return payment.authorization_status is AuthorizationStatus.AUTHORIZED and hold_is_current(
        payment.authorized_at, deps.clock.now(), lifetime=settings.card_hold_lifetime, margin=dt.timedelta(0))


def captured_step(payment_intent_id: str, amount_minor: int) -> Step[bool]:
    """Record the capture once (the gateway's answer or `payment_intent.succeeded`); False if it already was.
    Money already released goes on to its transfer."""

    def step(uow: UnitOfWork, loaded: Loaded) -> bool:
        payment = loaded.payment
        if not about_this_hold(payment, payment_intent_id) or not advance(loaded, AuthorizationStatus.CAPTURED):
            return False
        payment.payment_intent_id = payment_intent_id
        payment.captured_minor = amount_minor
        payment.held_minor = amount_minor
        payment.payout_status = holding_status(payment)
        insurance.advance_insurer_share(uow, loaded)
        receipts.send_receipt(uow, loaded, amount_minor)
        record(uow, loaded, [ledger_entry(payment, LedgerKind.CAPTURE, amount_minor, uow.now,
                                          stripe_object_id=payment_intent_id)])
        loyalty.earn_for_capture(uow, loaded.request, amount_minor)
        invoices.ask_for_invoice(uow, payment.request_id)
        ask_for_transfer(uow, loaded)
        return True

    return step


def charge_late_fee(deps: Deps, request_id: str, fee_minor: int) -> JobPayment:
    """A client cancelled after the technician set off: charge the fee and pay it to the technician."""

    def step(uow: UnitOfWork, loaded: Loaded) -> None:
        if loaded.payment.release_requested is None:
            loaded.payment.release_requested = "late_cancellation_fee"
            record(uow, loaded)
        ask_for_capture(uow, request_id, fee_minor)

    return recorded(deps, request_id, step)


# --- release and transfer -----------------------------------------------------------------------------------------


def request_release(uow: UnitOfWork, loaded: Loaded, reason: str) -> None:
    """In the caller's unit of work (the review, the auto-approval): the client approved the job, so the
    money may go to the technician — unless a dispute is open, which holds it until resolved. Recorded even
    before the capture, which then releases it."""
    payment = loaded.payment
    if payment.release_requested is None:
        payment.release_requested = reason
    if payment.payout_status is PayoutStatus.HELD and not payment.dispute_open:
        payment.payout_status = PayoutStatus.RELEASED
    record(uow, loaded)
    ask_for_transfer(uow, loaded)


def release(deps: Deps, request_id: str, reason: str) -> JobPayment:
    """`request_release` in a unit of work of its own."""
    return recorded(deps, request_id, lambda uow, loaded: request_release(uow, loaded, reason))


def pay_out(deps: Deps, request_id: str) -> JobPayment:
    """Send the released money now (the transfer's own handler does the work); returns the payment after."""
    return recorded(deps, request_id, ask_for_transfer)


def _plan(uow: UnitOfWork, loaded: Loaded) -> tuple[str, int, int, str] | None:
    """Reserve the transfer (account, amount, fee, in the payment's currency), or record why nothing can be
    sent."""
    payment = loaded.payment
    if payment.payout_status not in PAYABLE or payment.dispatcher_id is None or payment.refund_in_flight:
        return None
    if payment.transfer_planned_minor is not None and payment.transfer_destination is not None:
        return (payment.transfer_destination, payment.transfer_planned_minor,
                payment.held_minor - payment.transfer_planned_minor, payment.currency)
    private = uow.dispatcher_private.get_or_default(payment.dispatcher_id)
    if payment.held_minor == 0:
        payment.payout_status = PayoutStatus.REFUNDED
        record(uow, loaded)
        return None
    if not private.stripe_account_id or not private.payouts_enabled:
        if payment.payout_status is not PayoutStatus.AWAITING_PAYOUT_ACCOUNT:
            payment.payout_status = PayoutStatus.AWAITING_PAYOUT_ACCOUNT
            record(uow, loaded)
        return None
    fee = platform_fee(payment.held_minor, uow.settings.payments.platform_fee_percent, payment.currency)
    payment.transfer_planned_minor = payment.held_minor - fee
    payment.transfer_destination = private.stripe_account_id
    record(uow, loaded)
    return private.stripe_account_id, payment.held_minor - fee, fee, payment.currency


def _transfer(deps: Deps, entry: OutboxEntry) -> None:
    request_id = str(entry.payload["request_id"])
    planned = in_unit(deps, request_id, _plan)
    if planned is None:
        return
    account_id, amount, fee, currency = planned
    try:
        transfer_id = (deps.payments.transfer(amount, currency, account_id, entry.id,
                                              metadata={"request_id": request_id}, transfer_group=request_id)
                       if amount > 0 else None)
    except AccountCannotReceive:
        in_unit(deps, request_id, _wait_for_account)
        return
    in_unit(deps, request_id, lambda uow, loaded: _record_transfer(uow, loaded, amount, fee, transfer_id))


def _wait_for_account(uow: UnitOfWork, loaded: Loaded) -> None:
    payment = loaded.payment
    if payment.transfer_planned_minor is None:
        return  # a racing attempt recorded this refusal already
    payment.transfer_attempts += 1
    payment.transfer_planned_minor = None
    payment.transfer_destination = None
    payment.payout_status = PayoutStatus.AWAITING_PAYOUT_ACCOUNT
    record(uow, loaded)


def _record_transfer(uow: UnitOfWork, loaded: Loaded, amount: int, fee: int, transfer_id: str | None) -> None:
    payment = loaded.payment
    if payment.transfer_planned_minor is None or payment.payout_status not in PAYABLE:
        return  # recorded already
    payment.fee_minor += fee
    payment.paid_out_minor += amount
    payment.held_minor -= fee + amount
    payment.transfer_planned_minor = None
    payment.transfer_id = transfer_id
    payment.payout_status = PayoutStatus.PAID
    entries = [ledger_entry(payment, LedgerKind.FEE, fee, uow.now)]
    if transfer_id is not None:
        entries.append(ledger_entry(payment, LedgerKind.TRANSFER, amount, uow.now, stripe_object_id=transfer_id))
        notify(uow, user_id=str(payment.dispatcher_id), kind=NotificationType.PAYMENT_PROCESSED,
               title=t("Payment sent"), body=t("{amount} for your job is on its way to your bank account.",
                                               amount=Money(amount, payment.currency)), request_id=payment.request_id)
    record(uow, loaded, entries)


def pay_out_waiting(deps: Deps, dispatcher_id: str, *, limit: int = 200) -> int:
    """After `account.updated` enables payouts: send the technician everything that waited for it."""
    waiting = work.reading(deps, lambda uow: uow.payments.find(
        queries.PAYMENTS_OF_TECHNICIAN_IN, dispatcher_id=dispatcher_id,
        payout_status=PayoutStatus.AWAITING_PAYOUT_ACCOUNT, limit=limit))
    return sum(pay_out(deps, payment.id).payout_status is PayoutStatus.PAID for payment in waiting)


# --- disputes -----------------------------------------------------------------------------------------------------


def hold_for_dispute(uow: UnitOfWork, loaded: Loaded) -> None:
    """In the dispute's own commit: an open dispute holds the money, whatever was approved, until an admin
    resolves it. Money paid out already stays paid; a later refund takes it back by a transfer reversal."""
    payment = loaded.payment
    if payment.transfer_planned_minor is not None:
        raise LostRace("The payment is being sent to the technician right now; try again in a moment.")
    payment.dispute_open = True
    if payment.payout_status in (PayoutStatus.HELD, PayoutStatus.RELEASED, PayoutStatus.AWAITING_PAYOUT_ACCOUNT):
        payment.payout_status = PayoutStatus.DISPUTED
    record(uow, loaded)


def release_after_dispute(uow: UnitOfWork, loaded: Loaded) -> None:
    """In the resolution's commit: what is left goes to the technician (after a refund reserved in the same
    commit, once that refund is recorded: `refunds` asks for the transfer then)."""
    payment = loaded.payment
    payment.dispute_open = False
    payment.release_requested = "dispute_resolved"
    if payment.payout_status is PayoutStatus.DISPUTED:
        payment.payout_status = holding_status(payment)
    record(uow, loaded)
    ask_for_transfer(uow, loaded)


HANDLERS: Mapping[str, Handler] = {CAPTURE: _capture, TRANSFER: _transfer}
