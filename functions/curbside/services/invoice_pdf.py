"""An invoice or credit note as a PDF (fpdf2): the same document gives the same bytes, so a retried render
uploads exactly what the first one did.

Printed in the client's language (`domain.texts`, D121): the standard PDF fonts cover Latin-1 only, which
English and Spanish need; a character beyond it (a name in another script) prints as "?", and an amount whose
currency symbol is beyond it (the euro sign) is printed with its ISO code instead."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from curbside.domain.documents import Invoice
from curbside.domain.enums import InvoiceKind
from curbside.domain.invoicing import abn_printed
from curbside.domain.texts import Money, Text, babel_locale, formats_of, language, money, t, translated
from curbside.domain.texts import render as render_text

NAVY = (30, 58, 138)
"""The spec's primary colour."""
WIDTH = 180.0


def _text(value: str) -> str:
    return value.encode("latin-1", "replace").decode("latin-1")


def _money(minor: int, currency: str, locale: str | None) -> str:
    shown = money(Money(minor, currency), locale)
    try:
        return shown.encode("latin-1").decode("latin-1")
    except UnicodeEncodeError:
        return _text(money(Money(minor, currency), locale, iso_code=True))


def render(invoice: Invoice, locale: str | None = None) -> bytes:
    """The PDF in the language of `locale` (the client's)."""
    lang = language(locale)

    def say(text: Text | str) -> str:
        return _text(render_text(text, locale))

    def amount(minor: int) -> str:
        return _money(minor, invoice.currency, formats_of(locale))

    def day(at: dt.datetime) -> str:
        return format_date(at.date(), "long", locale=babel_locale(formats_of(locale)))

    pdf = FPDF(format="A4")
    pdf.set_creation_date(invoice.issued_at)
    pdf.set_title(invoice.number)
    pdf.set_author("Curbside")
    pdf.add_page()
    credit = invoice.kind is InvoiceKind.CREDIT_NOTE

    pdf.set_font("Helvetica", "B", 18)
    pdf.set_text_color(*NAVY)
    pdf.cell(WIDTH, 10, say(t("Credit note") if credit else t("Tax invoice")), new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "", 10)
    rows: list[tuple[Text, str | Text]] = [
        (t("Number"), invoice.number), (t("Issued"), day(invoice.issued_at)),
        (t("Supplier"), t("{issuer} (issued by Curbside as agent)", issuer=invoice.issuer_name)),
        *([(t("ABN"), abn_printed(invoice.issuer_abn))] if invoice.issuer_abn else []),
        (t("Customer"), invoice.client_name), (t("Vehicle"), invoice.car_model),
        (t("Service date"), day(invoice.service_date)), (t("Job"), invoice.request_id)]
    if invoice.credits_invoice:
        rows.append((t("Credits invoice"), invoice.credits_invoice))
    for label, value in rows:
        pdf.cell(40, 6, say(label))
        pdf.cell(WIDTH - 40, 6, say(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)

    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(WIDTH - 40, 7, say(t("Description")), border="B")
    pdf.cell(40, 7, say(t("Amount")), border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    for line in invoice.lines:  # stored in English: a line the catalogue knows is printed translated
        pdf.cell(WIDTH - 40, 7, _text(translated(line.description, lang)))
        pdf.cell(40, 7, amount(line.amount_minor), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    rate = f"{invoice.tax_rate_percent:g}"
    tax_label = (t("Includes {tax} ({rate}%)", tax=invoice.tax_name, rate=rate) if invoice.prices_include_tax
                 else t("{tax} ({rate}%)", tax=invoice.tax_name, rate=rate))
    pdf.cell(WIDTH - 40, 7, say(tax_label), border="T")
    pdf.cell(40, 7, amount(invoice.tax_minor), border="T", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(WIDTH - 40, 8, say(t("Total credited") if credit else t("Total paid")))
    pdf.cell(40, 8, amount(invoice.total_minor), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if invoice.parts:
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(WIDTH, 6, say(t("Parts used (included in the price):")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for part in invoice.parts:
            pdf.cell(WIDTH, 5, _text(f"{part.quantity} x {part.name} ({part.sku})"), new_x=XPos.LMARGIN,
                     new_y=YPos.NEXT)
    return bytes(pdf.output())
