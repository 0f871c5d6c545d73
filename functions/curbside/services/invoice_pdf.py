"""An invoice or credit note as a PDF (fpdf2): the same document gives the same bytes, so a retried render
uploads exactly what the first one did.

The standard PDF fonts cover Latin-1 only: other characters are printed as "?" until the languages work adds
a Unicode font (noted in D103)."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from curbside.domain.documents import Invoice
from curbside.domain.enums import InvoiceKind
from curbside.domain.invoicing import abn_printed
from curbside.domain.money import from_minor

NAVY = (30, 58, 138)
"""The spec's primary colour."""
WIDTH = 180.0


def _text(value: str) -> str:
    return value.encode("latin-1", "replace").decode("latin-1")


def _money(minor: int, currency: str) -> str:
    return f"{currency} {from_minor(minor, currency):,}"


def render(invoice: Invoice) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(invoice.issued_at)
    pdf.set_title(invoice.number)
    pdf.set_author("Curbside")
    pdf.add_page()
    credit = invoice.kind is InvoiceKind.CREDIT_NOTE

    pdf.set_font("Helvetica", "B", 18)
    pdf.set_text_color(*NAVY)
    pdf.cell(WIDTH, 10, "Credit note" if credit else "Tax invoice", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "", 10)
    rows = [("Number", invoice.number), ("Issued", invoice.issued_at.date().isoformat()),
            ("Supplier", f"{invoice.issuer_name} (issued by Curbside as agent)"),
            *([("ABN", abn_printed(invoice.issuer_abn))] if invoice.issuer_abn else []),
            ("Customer", invoice.client_name), ("Vehicle", invoice.car_model),
            ("Service date", invoice.service_date.date().isoformat()), ("Job", invoice.request_id)]
    if invoice.credits_invoice:
        rows.append(("Credits invoice", invoice.credits_invoice))
    for label, value in rows:
        pdf.cell(40, 6, label)
        pdf.cell(WIDTH - 40, 6, _text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)

    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(WIDTH - 40, 7, "Description", border="B")
    pdf.cell(40, 7, "Amount", border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    for line in invoice.lines:
        pdf.cell(WIDTH - 40, 7, _text(line.description))
        pdf.cell(40, 7, _money(line.amount_minor, invoice.currency), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    tax_label = (f"Includes {invoice.tax_name} ({invoice.tax_rate_percent:g}%)" if invoice.prices_include_tax
                 else f"{invoice.tax_name} ({invoice.tax_rate_percent:g}%)")
    pdf.cell(WIDTH - 40, 7, _text(tax_label), border="T")
    pdf.cell(40, 7, _money(invoice.tax_minor, invoice.currency), border="T", align="R",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(WIDTH - 40, 8, "Total credited" if credit else "Total paid")
    pdf.cell(40, 8, _money(invoice.total_minor, invoice.currency), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if invoice.parts:
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(WIDTH, 6, "Parts used (included in the price):", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for part in invoice.parts:
            pdf.cell(WIDTH, 5, _text(f"{part.quantity} x {part.name} ({part.sku})"), new_x=XPos.LMARGIN,
                     new_y=YPos.NEXT)
    return bytes(pdf.output())
