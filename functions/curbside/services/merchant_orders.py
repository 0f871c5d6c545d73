"""Merchant orders (issue 21 item 6, D116-D118): a merchant books a job for its customer's car, the completion
puts the job's price on the merchant's month statement, and a monthly schedule sends the statement.

- Booking: `requests.create_request` with `NewRequest.merchant_order` calls `ordered` in its commit: the
  caller must be an active merchant and the SKU one of its own; the SKU gives the price and the duration.
  The merchant is the job's client of record (`client_id`); no card is held (`JobType.MERCHANT`).
- Completion: `billing_of` (with the completion's reads) and `bill` (with its writes) advance the price to the
  money held for the technician (ledger `merchant_billed`, like an insurer's share, D91) and add it to
  `MerchantStatements/{merchant}~{month}` by increment, with a line keyed by the job: one commit, once.
- Statements: `issue_statements` (monthly) marks last month's statements issued and asks the outbox for the
  e-mail to the merchant's billing address; the handler lists the lines and sends it under the entry's id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from curbside.deps import Deps
from curbside.domain.daily_stats import local_day
from curbside.domain.documents import MerchantStatementLine, ServiceRequest
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import LedgerKind
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound, WrongState
from curbside.domain.insurance import JobType
from curbside.domain.merchants import (
    OrderTerms,
    StatementLine,
    month_of,
    previous_month,
    sku_id,
    statement_id,
    statement_text,
)
from curbside.domain.money import to_minor
from curbside.domain.pricing import Quote
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.charges import holding_status
from curbside.services.job_moves import Cancelled, cancel_request
from curbside.services.outbox import Handler
from curbside.services.payment_records import Loaded, ledger_entry, load, record
from curbside.store import queries
from curbside.store.engine import Add
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

STATEMENT_EMAIL = "merchant_statement"
NOT_A_MERCHANT = "Only merchant accounts order jobs for customers; ask Curbside to set up your business account."
NOT_YOUR_ORDER = "This order belongs to another merchant: you can act only on your own orders."


@dataclass(frozen=True)
class Ordered:
    """What a merchant's order brings to the new request."""

    customer_name: str
    quote: Quote
    duration_minutes: int
    request_fields: dict[str, Any]


def ordered(uow: UnitOfWork, uid: str, terms: OrderTerms) -> Ordered:
    """In the request's commit: the caller is an active merchant and the SKU is one of its active SKUs."""
    merchant = uow.merchants.get(uid)
    if merchant is None:
        raise NotAllowed(NOT_A_MERCHANT)
    require_usable_account(uow, uid)
    if not merchant.is_active:
        raise WrongState("Your merchant account is not active, so it cannot order jobs; contact Curbside.")
    sku = uow.merchant_skus.get(sku_id(uid, terms.sku_code))
    if sku is None or not sku.is_active:
        raise InvalidInput(f"sku_code: {terms.sku_code} is not one of your SKUs; order by a code from your "
                           "SKU list.")
    price = sku.price
    quote = Quote(base_price=price, lines=(), subtotal=price, reward_discount=Decimal(0), final_price=price,
                  currency=uow.settings.currency)
    return Ordered(terms.customer_name, quote, sku.estimated_duration_minutes, {
        "job_type": JobType.MERCHANT, "merchant_id": uid, "merchant_sku": sku.sku_code,
        "customer_phone": terms.customer_phone, "customer_email": terms.customer_email})


def cancel_order(deps: Deps, uid: str, request_id: str, reason: str | None) -> Cancelled:
    """The merchant cancels one of its orders (as the job's client, by the lifecycle table); another merchant's
    order is refused and nothing is written."""
    request = work.reading(deps, lambda uow: uow.requests.get(request_id))
    if request is None:
        raise NotFound("There is no such order.")
    if request.job_type is not JobType.MERCHANT or request.merchant_id != uid:
        raise NotAllowed(NOT_YOUR_ORDER)
    return cancel_request(deps, uid=uid, is_admin=False, request_id=request_id, reason=reason)


# --- billing at completion ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Billing:
    loaded: Loaded
    month: str
    billed_before: bool


def billing_of(uow: UnitOfWork, request: ServiceRequest) -> Billing | None:
    """With the completion's reads: what billing a merchant order needs (None for any other job)."""
    if request.job_type is not JobType.MERCHANT or request.merchant_id is None:
        return None
    billed_before = uow.merchant_statement_lines.get(request.id) is not None
    return Billing(load(uow, request.id), month_of(uow.now, uow.settings.default_time_zone), billed_before)


def bill(uow: UnitOfWork, billing: Billing) -> None:
    """In the completion's commit: the platform advances the price to the technician's held money and the
    merchant's month statement owes it. The line, keyed by the job, makes a replay add nothing."""
    if billing.billed_before:
        return
    request, payment = billing.loaded.request, billing.loaded.payment
    merchant_id = str(request.merchant_id)
    amount = to_minor(request.final_price, payment.currency)
    statement = statement_id(merchant_id, billing.month)
    payment.merchant_billed_minor = amount
    payment.held_minor += amount
    payment.payout_status = holding_status(payment)
    record(uow, billing.loaded, [ledger_entry(payment, LedgerKind.MERCHANT_BILLED, amount, uow.now,
                                              note=f"statement {statement}")])
    uow.merchant_statement_lines.create(MerchantStatementLine(
        id=request.id, merchant_id=merchant_id, statement_id=statement, request_id=request.id,
        sku_code=request.merchant_sku or "", customer_name=request.client_name or "", amount_minor=amount,
        currency=payment.currency, completed_at=uow.now))
    uow.merchant_statements.merge(statement, merchant_id=merchant_id, month=billing.month,
                                  currency=payment.currency, total_minor=Add(amount), job_count=Add(1))


# --- the monthly statement ----------------------------------------------------------------------------------------


def issue_statements(deps: Deps, *, limit: int = 500) -> list[str]:
    """The monthly schedule: last month's statements not issued yet are marked issued and their e-mail asked
    for, each in its own commit (a second run finds them issued). Returns the statements issued."""
    month = previous_month(deps.clock.now(), deps.settings.default_time_zone)
    due = work.reading(deps, lambda uow: uow.merchant_statements.find(
        queries.MERCHANT_STATEMENTS_OF_MONTH, month=month, limit=limit))
    return [statement.id for statement in due if statement.issued_at is None and _issue(deps, statement.id)]


def _issue(deps: Deps, statement_id_: str) -> bool:
    def decide(uow: UnitOfWork) -> bool:
        statement = uow.merchant_statements.get(statement_id_)
        if statement is None or statement.issued_at is not None:
            return False
        uow.merchant_statements.save(evolve(statement, issued_at=uow.now))
        uow.outbox.add(STATEMENT_EMAIL, statement.id, statement_id=statement.id)
        return True

    return work.transaction(deps, decide, lost_race="The statement changed at the same moment.")


def _send_statement(deps: Deps, entry: OutboxEntry) -> None:
    def look(uow: UnitOfWork) -> tuple[str, str, str] | None:
        statement = uow.merchant_statements.get(str(entry.payload["statement_id"]))
        merchant = uow.merchants.get(statement.merchant_id) if statement else None
        if statement is None or merchant is None:
            return None
        lines = sorted(uow.merchant_statement_lines.find(queries.LINES_OF_STATEMENT, statement_id=statement.id),
                       key=lambda line: (line.completed_at, line.id))
        zone = uow.settings.default_time_zone
        text = statement_text(merchant.business_name, statement.month, statement.currency, [
            StatementLine(line.request_id, line.sku_code, line.customer_name,
                          local_day(line.completed_at, zone).isoformat(), line.amount_minor)
            for line in lines], statement.total_minor)
        return merchant.billing_email, f"Curbside statement {statement.month}", text

    mail = work.reading(deps, look)
    if mail is None:
        return
    to, subject, text = mail
    deps.email.send(to=to, subject=subject, text=text, html=f"<pre>{escape(text)}</pre>", message_id=entry.id)


HANDLERS: Mapping[str, Handler] = {STATEMENT_EMAIL: _send_statement}
