"""Tax invoices for paid jobs and credit notes for refunds (issue 21, D103).

The capture's commit asks for the invoice (`invoice:{request_id}`) and each recorded refund for its credit
note (`credit_note:{request_id}:{refund key}`), through the outbox, so they follow the money exactly once
whatever is retried. A handler numbers the document in one transaction with the issuer's sequence (the
document and the next number land together or not at all: no gaps, no repeats), then renders the PDF into
the client's storage folder and, in the commit that records its path, tells the client (the
`payment_processed` notice, e-mailed when they opted in to e-mail).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import (
    Invoice,
    InvoiceLine,
    InvoicePart,
    InvoiceSequence,
    JobPayment,
    ServiceRequest,
)
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import InvoiceKind, NotificationType
from curbside.domain.errors import InvalidInput, NotAllowed, VendorUnavailable
from curbside.domain.insurance import JobType
from curbside.domain.invoicing import (
    TaxRegime,
    Totals,
    abn_digits,
    abn_printed,
    credit_totals,
    document_number,
    job_invoice_totals,
    regime_of,
)
from curbside.domain.texts import Money, t
from curbside.domain.uploads import USERS_PREFIX
from curbside.services import invoice_pdf, work
from curbside.services.accounts import require_usable_account
from curbside.services.notifications import notify
from curbside.services.outbox import Handler
from curbside.store.uow import UnitOfWork

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
CHANGED = "The issuer's invoices changed at the same moment; trying again."
FALLBACK_LINE = {None: t("Vehicle service").msgid, "late_cancellation_fee": t("Late cancellation fee").msgid}
"""Stored in English; the PDF prints them in the client's language (D121)."""


def ask_for_invoice(uow: UnitOfWork, request_id: str) -> None:
    """In the capture's commit: the job was charged, so it gets its invoice."""
    uow.outbox.add(INVOICE, request_id, request_id=request_id)


def ask_for_credit_note(uow: UnitOfWork, request_id: str, refund_key: str, amount_minor: int) -> None:
    """In the commit that records a refund: the client gets a credit note for it."""
    uow.outbox.add(CREDIT_NOTE, f"{request_id}:{refund_key}", request_id=request_id, refund_key=refund_key,
                   amount_minor=amount_minor)


def credit_note_id(request_id: str, refund_key: str) -> str:
    return f"{request_id}~{hashlib.sha256(refund_key.encode()).hexdigest()[:16]}"


def pdf_path(invoice: Invoice) -> str:
    return f"{USERS_PREFIX}{invoice.client_id}/invoices/{invoice.request_id}/{invoice.number}.pdf"


# --- numbering ----------------------------------------------------------------------------------------------------


def _next_number(uow: UnitOfWork, issuer: str, prefix: str) -> tuple[int, str]:
    """The issuer's next sequence number, taken in the caller's commit (read here, written by `_take`)."""
    sequence = uow.invoice_sequences.get(issuer)
    following = (sequence.last if sequence else 0) + 1
    return following, document_number(prefix, issuer, following)


def _take(uow: UnitOfWork, issuer: str, sequence: int) -> None:
    uow.invoice_sequences.put(InvoiceSequence(id=issuer, last=sequence))


def _names(uow: UnitOfWork, request: ServiceRequest, issuer: str) -> tuple[str, str, str | None]:
    """The issuer's and the client's names, and the issuer's ABN if their profile has one."""
    technician, client = uow.users.get_many([issuer, request.client_id])
    profile = uow.dispatcher_profiles.get(issuer)
    return ((technician.full_name if technician else None) or request.dispatcher_name or "Technician",
            (client.full_name if client else None) or request.client_name or "Client",
            profile.abn if profile else None)


def _document(uow: UnitOfWork, request: ServiceRequest, payment: JobPayment, totals: Totals, *, doc_id: str,
              kind: InvoiceKind, sequence: int, number: str, regime: TaxRegime, **extra: object) -> Invoice:
    issuer = str(payment.dispatcher_id)
    issuer_name, client_name, abn = _names(uow, request, issuer)
    return Invoice.model_validate({
        "id": doc_id, "kind": kind, "number": number, "sequence": sequence, "request_id": request.id,
        "client_id": request.client_id, "dispatcher_id": issuer, "issuer_name": issuer_name, "issuer_abn": abn,
        "service_name": request.service_name,
        "client_name": client_name, "car_model": request.car_model,
        "service_date": request.completed_at or request.cancelled_at or uow.now, "currency": payment.currency,
        "lines": [InvoiceLine(description=line.description, amount_minor=line.amount_minor) for line in totals.lines],
        "tax_name": regime.name, "tax_rate_percent": float(regime.rate_percent),
        "prices_include_tax": regime.prices_include_tax, "tax_minor": totals.tax_minor,
        "total_minor": totals.total_minor, "issued_at": uow.now, **extra})


def _charge_label(request: ServiceRequest, payment: JobPayment) -> str:
    """The one line of a charge the price breakdown does not explain."""
    if request.job_type is JobType.INSURANCE:
        return f"Insurance excess ({request.insurer}, claim {request.claim_number})"
    return FALLBACK_LINE.get(payment.release_requested, FALLBACK_LINE[None])


def _issue_invoice(uow: UnitOfWork, request_id: str) -> Invoice | None:
    """The job's invoice, numbered now if it has none; None while nothing was charged."""
    existing = uow.invoices.get(request_id)
    if existing is not None:
        return existing
    request, payment = uow.requests.get(request_id), uow.payments.get(request_id)
    if request is None or payment is None or payment.captured_minor == 0 or payment.dispatcher_id is None:
        return None
    completion = uow.completions.get(request_id)
    sequence, number = _next_number(uow, payment.dispatcher_id, "INV")
    breakdown = request.price_breakdown or {}
    regime = regime_of(breakdown.get("tax"), uow.settings.tax_at(request.location_lat, request.location_lng))
    totals = job_invoice_totals(breakdown, payment.captured_minor, payment.currency, _charge_label(request, payment),
                                regime, base_label=request.service_name or "Base price")
    parts = [InvoicePart(sku=part.sku, name=part.name, quantity=part.quantity)
             for part in (completion.parts_used if completion else [])]
    invoice = _document(uow, request, payment, totals, doc_id=request_id, kind=InvoiceKind.INVOICE,
                        sequence=sequence, number=number, regime=regime, parts=parts)
    _take(uow, payment.dispatcher_id, sequence)
    return uow.invoices.create(invoice)


def _issue_credit_note(uow: UnitOfWork, request_id: str, refund_key: str, amount: int) -> Invoice | None:
    doc_id = credit_note_id(request_id, refund_key)
    existing = uow.invoices.get(doc_id)
    if existing is not None:
        return existing
    invoice, request, payment = uow.invoices.get(request_id), uow.requests.get(request_id), uow.payments.get(request_id)
    if invoice is None or request is None or payment is None:
        raise VendorUnavailable("The credit note waits for the job's invoice.")
    regime = TaxRegime(invoice.tax_name, Decimal(str(invoice.tax_rate_percent)), invoice.prices_include_tax)
    totals = credit_totals(amount, invoiced_minor=invoice.total_minor, invoiced_tax_minor=invoice.tax_minor,
                           refunded_before_minor=invoice.credited_minor, regime=regime,
                           description=f"Refund of invoice {invoice.number}")
    sequence, number = _next_number(uow, invoice.dispatcher_id, "CN")
    note = _document(uow, request, payment, totals, doc_id=doc_id, kind=InvoiceKind.CREDIT_NOTE, sequence=sequence,
                     number=number, regime=regime, credits_invoice=invoice.number, refund_key=refund_key)
    invoice.credited_minor += amount
    uow.invoices.save(invoice)
    _take(uow, invoice.dispatcher_id, sequence)
    return uow.invoices.create(note)


# --- publishing ---------------------------------------------------------------------------------------------------


def _publish(deps: Deps, document: Invoice) -> None:
    """Render the PDF into the client's folder (the same bytes on a retry), record its path and tell the client
    once, in that commit."""
    if document.pdf_path is not None:
        return
    path = pdf_path(document)
    client = work.reading(deps, lambda uow: uow.users.get(document.client_id))
    deps.files.upload(path, invoice_pdf.render(document, client.locale if client else None), "application/pdf")

    def decide(uow: UnitOfWork) -> None:
        stored = uow.invoices.get(document.id)
        if stored is None or stored.pdf_path is not None:
            return
        stored.pdf_path = path
        uow.invoices.save(stored)
        amount = Money(stored.total_minor, stored.currency)
        credit = stored.kind is InvoiceKind.CREDIT_NOTE
        title = t("Credit note {number}", number=stored.number) if credit \
            else t("Tax invoice {number}", number=stored.number)
        body = t("We refunded {amount}. The PDF is in your receipts.", amount=amount) if credit \
            else t("You paid {amount}, including {tax} of {tax_amount}. The PDF is in your receipts.", amount=amount,
                   tax=stored.tax_name, tax_amount=Money(stored.tax_minor, stored.currency))
        notify(uow, user_id=stored.client_id, kind=NotificationType.PAYMENT_PROCESSED, title=title, body=body,
               request_id=stored.request_id, key=stored.id, data={"screen": "receipts", "invoice_id": stored.id})

    work.transaction(deps, decide, lost_race=CHANGED)


def _invoice(deps: Deps, entry: OutboxEntry) -> None:
    request_id = str(entry.payload["request_id"])
    invoice = work.transaction(deps, lambda uow: _issue_invoice(uow, request_id), lost_race=CHANGED)
    if invoice is not None:
        _publish(deps, invoice)


def _credit_note(deps: Deps, entry: OutboxEntry) -> None:
    request_id, key = str(entry.payload["request_id"]), str(entry.payload["refund_key"])
    amount = int(str(entry.payload["amount_minor"]))
    _invoice(deps, entry)  # the invoice first, should its own entry not have run yet
    note = work.transaction(deps, lambda uow: _issue_credit_note(uow, request_id, key, amount), lost_race=CHANGED)
    if note is not None:
        _publish(deps, note)


def set_abn(deps: Deps, uid: str, abn: str | None) -> dict[str, Any]:
    """A technician records (or removes) their ABN; invoices issued from now on print it."""
    digits = abn_digits(abn) if abn is not None else None
    if abn is not None and digits is None:
        raise InvalidInput("abn: not a valid Australian Business Number (11 digits whose ATO check fails); "
                           "check it on abr.business.gov.au.")

    def decide(uow: UnitOfWork) -> dict[str, Any]:
        require_usable_account(uow, uid)
        profile = uow.dispatcher_profiles.get(uid)
        if profile is None:
            raise NotAllowed("Only technicians have an ABN on their invoices.")
        if profile.abn != digits:
            profile.abn = digits
            profile.updated_date = uow.now
            uow.dispatcher_profiles.save(profile)
        return {"abn": abn_printed(digits) if digits else None}

    return work.transaction(deps, decide)


HANDLERS: Mapping[str, Handler] = {INVOICE: _invoice, CREDIT_NOTE: _credit_note}
