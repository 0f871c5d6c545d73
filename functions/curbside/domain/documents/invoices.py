"""Invoices and their issuers' numbering (issue 21; not in the spec).

Invoices/{id}: a tax invoice (`kind` invoice, id = the job's id) or a credit note for one refund of it
(`kind` credit_note, id `{request_id}~{refund key's digest}`), written once by the invoicing functions and
never changed but for the PDF's path and, on the invoice, what credit notes gave back. Read by the job's
client and technician (the technician is the issuer, D103).

InvoiceSequences/{issuer id}: the last number the issuer used; moved only in the commit that creates the
document carrying the next one, so numbers have no gaps and no repeats. Functions only.
"""

from pydantic import BaseModel, Field

from curbside.domain.documents.base import Count, Document, UtcDatetime
from curbside.domain.enums import InvoiceKind


class InvoiceLine(BaseModel):
    description: str = Field(min_length=1, max_length=200)
    amount_minor: int
    """As printed: with tax where the region's prices include it, net otherwise."""


class InvoicePart(BaseModel):
    """A part the job took from the technician's van: included in the price, listed for the record (D109)."""

    sku: str
    name: str
    quantity: int = Field(gt=0)


class Invoice(Document):
    kind: InvoiceKind
    number: str = Field(min_length=1)
    sequence: int = Field(ge=1)
    request_id: str
    client_id: str
    dispatcher_id: str
    """The issuer: the technician who supplied the service (Curbside issues the document as their agent)."""
    issuer_name: str
    issuer_abn: str | None = None
    """The technician's ABN (11 digits, checksum-valid) when their profile has one (issue 21)."""
    client_name: str
    car_model: str
    service_date: UtcDatetime
    currency: str = Field(min_length=3, max_length=3)
    lines: list[InvoiceLine] = Field(min_length=1)
    tax_name: str
    tax_rate_percent: float = Field(ge=0, lt=100)
    prices_include_tax: bool
    tax_minor: int
    total_minor: int
    """What was charged (an invoice) or given back (a credit note), to the cent."""
    issued_at: UtcDatetime
    credits_invoice: str | None = None
    """A credit note's invoice number."""
    refund_key: str | None = None
    credited_minor: Count = 0
    """An invoice's total given back by its credit notes so far."""
    service_name: str | None = None
    """The catalogue service invoiced (its line carries the base price; add-ons follow as their own lines)."""
    parts: list[InvoicePart] = Field(default_factory=list)
    """Parts used on the job, included in the price (not lines: they add nothing to the total, D109)."""
    pdf_path: str | None = None
    """The PDF in the client's storage folder, once rendered."""


class InvoiceSequence(Document):
    last: Count = 0
