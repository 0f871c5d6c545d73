"""Languages and currencies, pure (D119-D122): every sentence the code sends is in every catalogue with the same
placeholders; a text renders in the reader's language with amounts in their locale's format and the currency's
own minor units; a place takes its service region's currency; the dashboard's money never adds two currencies."""

from __future__ import annotations

import dataclasses
import re
import zlib
from collections import Counter
from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision

from curbside.domain.daily_stats import change_counts
from curbside.domain.invoicing import TaxRegime
from curbside.domain.money import exponent, to_minor
from curbside.domain.regions import ServiceRegion, currency_at, parse_regions
from curbside.domain.support_answers import knowledge_base
from curbside.domain.texts import LANGUAGES, Money, Text, catalogue, language, normalise_locale, placeholders, render, t
from curbside.services import invoice_pdf
from curbside.settings import Settings
from devstack.messages import template
from tests.factories import make_invoice, make_job_payment

NZ = ServiceRegion("NZ", "NZD", -48.0, 166.0, -34.0, 179.0)
AU = ServiceRegion("AU", "AUD", -44.0, 112.0, -10.0, 154.0)
AUCKLAND, SYDNEY, PARIS = (-36.85, 174.76), (-33.87, 151.21), (48.86, 2.35)


@pytest.fixture(scope="module")
def used() -> dict[str, list[str]]:
    """Every sentence the code (and the support knowledge base) uses, with where."""
    return {str(message.id): [path for path, _ in message.locations] for message in template() if message.id}


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_every_sentence_the_code_sends_is_translated_in_every_catalogue(used, lang):
    found = catalogue(lang)
    assert found is not None
    entries = {msgid: found.get(msgid) for msgid in used}
    missing = {msgid: used[msgid] for msgid, entry in entries.items()
               if entry is None or entry.fuzzy or not entry.string}
    unused = [message.id for message in found if message.id and message.id not in used]
    assert not missing, f"not translated in {lang} (run `make messages`, then translate): {missing}"
    assert not unused, f"{lang} has sentences the code no longer sends (run `make messages`): {unused}"


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_no_translation_drops_adds_or_renames_a_placeholder(lang):
    found = catalogue(lang)
    assert found is not None
    broken = [(m.id, m.string) for m in found if m.id and placeholders(str(m.id)) != placeholders(str(m.string))]
    assert not broken, broken


def test_a_text_renders_in_the_readers_language_with_their_money_format():
    text = t("{amount} for your job is on its way to your bank account.", amount=Money(123450, "AUD"))

    assert render(text, "es") == "1.234,50\xa0AUD por tu trabajo va de camino a tu cuenta bancaria."
    assert render(text, "en-AU") == "$1,234.50 for your job is on its way to your bank account."
    assert render(text, None) == render(text, "fr-FR") == "A$1,234.50 for your job is on its way to your bank account."


def test_a_stored_text_renders_the_same_after_the_round_trip_through_firestore():
    text = t("The job at {where} was cancelled by {by}.", where="1 George St", by=t("your technician"))
    kept = Text.from_stored(text.stored())

    assert kept == text and render(kept, "es") == "El trabajo en 1 George St fue cancelado por tu técnico."


def test_each_currency_rounds_to_its_own_minor_unit_and_shows_its_own_digits():
    rounded = (to_minor(Decimal("1250.5"), "JPY"), to_minor(Decimal("12.345"), "NZD"),
               to_minor(Decimal("1.2345"), "KWD"))
    assert rounded == (1251, 1235, 1235)
    assert render(t("{amount}", amount=Money(1251, "JPY")), "en") == "¥1,251"
    assert render(t("{amount}", amount=Money(1235, "NZD")), "es") == "12,35\xa0NZD"
    for code in ("AUD", "NZD", "EUR", "USD", "GBP", "JPY", "KWD", "BHD"):  # our ISO 4217 table agrees with CLDR
        assert exponent(code) == get_currency_precision(code), code


def test_locale_tags_are_normalised_and_unknown_ones_refused_and_unsupported_languages_read_english():
    assert (normalise_locale("es_ES"), normalise_locale("en-au"), normalise_locale("es")) == ("es-ES", "en-AU", "es")
    for bad in ("", "xx-YY", "klingon", "es-ES-" + "x" * 40):
        with pytest.raises(ValueError, match=f"^{re.escape(bad)}$"):
            normalise_locale(bad)
    assert (language("es-MX"), language("de-DE"), language(None)) == ("es", "en", "en")


def test_the_support_articles_exist_in_each_language_with_the_same_keys():
    english, spanish = knowledge_base("en"), knowledge_base("es")

    assert [a.key for a in spanish] == [a.key for a in english]
    assert spanish[0].title == "¿Cómo cancelo un trabajo?" and "cancelar" in spanish[0].keywords


def test_a_place_takes_the_currency_of_its_region_and_elsewhere_the_platforms():
    regions = (NZ, AU)
    assert [currency_at(regions, *place, "EUR") for place in (AUCKLAND, SYDNEY, PARIS)] == ["NZD", "AUD", "EUR"]
    chatham = ServiceRegion("NZ-CI", "NZD", -45.0, 175.0, -43.0, -176.0)  # across the 180th meridian
    assert chatham.holds(-44.0, -176.5) and chatham.holds(-44.0, 176.0) and not chatham.holds(-44.0, 170.0)


def test_the_regions_config_is_checked_whole():
    parsed = parse_regions('[{"code": "NZ", "currency": "NZD", "bounds": [-48, 166, -34, 179]},'
                           ' {"code": "JP", "currency": "JPY", "bounds": [24, 122, 46, 146], "base_price": 4500,'
                           '  "late_cancellation_fee": 1000,'
                           '  "tax": {"name": "JCT", "rate_percent": 10, "prices_include_tax": true}}]')
    assert parsed == (NZ, ServiceRegion("JP", "JPY", 24, 122, 46, 146, TaxRegime("JCT", Decimal(10), True),
                                        Decimal(4500), Decimal(1000)))
    jp = '{"code": "JP", "currency": "JPY", "bounds": [24, 122, 46, 146]'
    for bad in ('[{"code": "NZ", "currency": "NZX", "bounds": [-48, 166, -34, 179]}]',
                '[{"code": "NZ", "currency": "nzd", "bounds": [-48, 166, -34, 179]}]',
                '[{"code": "NZ", "currency": "NZD", "bounds": [-34, 166, -48, 179]}]',
                f'[{jp}, "base_price": 4500.5}}]',  # a yen has no fractions
                f'[{jp}, "late_cancellation_fee": 999.5}}]',
                f'[{jp}, "tax": {{"name": "JCT", "rate_percent": 10}}}}]',  # inclusive or not?
                f'[{jp}, "tax": {{"name": "JCT", "rate_percent": 100, "prices_include_tax": true}}}}]',
                '[{"code": "IS", "currency": "ISK", "bounds": [63, -25, 67, -13]}]'):  # Stripe counts ISK in 1/100
        with pytest.raises(ValueError, match=r"^region (NZ|JP|IS): "):
            parse_regions(bad)


def test_a_region_takes_its_own_prices_and_tax_and_an_amount_its_currency_cannot_charge_stops_the_deploy():
    jp = ServiceRegion("JP", "JPY", 24, 122, 46, 146, TaxRegime("JCT", Decimal(10), True), Decimal(4500),
                       Decimal(1000))
    settings = dataclasses.replace(Settings(), regions=(NZ, jp))
    tokyo = (35.68, 139.69)

    assert (settings.pricing_at(*tokyo).currency, settings.pricing_at(*tokyo).base_price) == ("JPY", Decimal(4500))
    assert settings.cancellation_fee_at(*tokyo) == Decimal(1000)
    assert settings.cancellation_fee_at(*PARIS) == Decimal("10.00")
    assert settings.tax_at(*tokyo).name == "JCT" and settings.tax_at(*AUCKLAND) == settings.tax  # NZ names none
    assert settings.pricing_at(*PARIS) == settings.pricing
    with pytest.raises(ValueError, match=r"^region JP: base price must be a positive amount JPY can be charged"):
        dataclasses.replace(settings, pricing=dataclasses.replace(settings.pricing, base_price=Decimal("33.50")),
                            regions=(dataclasses.replace(jp, base_price=None),))  # BASE_PRICE read as 33.50 yen
    with pytest.raises(ValueError, match=r"^region JP: LATE_CANCELLATION_FEE 10\.50 is not an amount JPY can"):
        dataclasses.replace(settings, late_cancellation_fee=Decimal("10.50"),
                            regions=(dataclasses.replace(jp, late_cancellation_fee=None),))


def test_the_dashboards_money_counts_the_reporting_currency_and_keeps_others_apart():
    before = make_job_payment(currency="NZD", captured_minor=0)
    after = make_job_payment(currency="NZD", captured_minor=5600)

    counts = change_counts(before, after, "EUR")
    same = change_counts(make_job_payment(currency="EUR", captured_minor=0),
                         make_job_payment(currency="EUR", captured_minor=5600), "EUR")

    assert counts["captured_minor_nzd"] == 5600 and "captured_minor" not in counts
    assert same["captured_minor"] == 5600 and not any(name.endswith("_eur") for name in same)
    assert Counter(counts)["payments_captured"] == 1


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's page content, its streams inflated (fpdf2 writes Latin-1 strings into them)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    return b"".join(zlib.decompress(stream) for stream in streams if stream.startswith(b"x"))


def test_an_invoice_pdf_is_printed_in_the_clients_language_with_a_symbol_the_font_can_show():
    invoice = make_invoice(lines=[{"description": "Vehicle service", "amount_minor": 123456}], total_minor=123456,
                           tax_minor=11223)

    spanish, english = pdf_text(invoice_pdf.render(invoice, "es-ES")), pdf_text(invoice_pdf.render(invoice, None))

    assert b"Factura" in spanish and "Descripción".encode("latin-1") in spanish
    assert "Servicio del vehículo".encode("latin-1") in spanish and b"Incluye GST \\(10 %\\)" in spanish
    assert b"3 de marzo de 2025" in spanish
    assert "1.234,56\xa0EUR".encode("latin-1") in spanish  # the font has no euro sign: the code instead
    assert b"Tax invoice" in english and b"March 3, 2025" in english and b"EUR1,234.56" in english
    assert b"Vehicle service" in english
