"""Every text the backend sends, in the reader's language (docs/decisions.md D119-D120).

A sender writes `t("Your refund of {amount} is on its way.", amount=Money(1250, "NZD"))`: the English sentence
is the message id, the arguments stay data until the text is rendered for a person. `render(text, locale)`
looks the sentence up in the language's catalogue (`curbside/locales/<lang>/LC_MESSAGES/messages.po`, read
with Babel at first use), formats each amount with the locale's currency format and fills the placeholders.
A language without a catalogue, or a sentence a catalogue lacks, reads in English: a person always gets the
message. `tests/unit/test_texts.py` checks every `t("...")` in the code is in every catalogue with the same
placeholders.

A `Text` is stored as data (`stored`/`from_stored`) so a notice written in a transaction, which cannot read
its reader's profile, is rendered in their language when it is sent (D120).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from curbside.domain.money import from_minor

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGES = ("en", "es")
"""English (the message ids themselves) and the catalogues under `LOCALES_DIR`."""
DEFAULT_LOCALE = "en"
MAX_LOCALE_CHARS = 35


@dataclass(frozen=True)
class Money:
    """An amount to be shown: formatted by the reader's locale when rendered."""

    minor: int
    currency: str

    @property
    def amount(self) -> Decimal:
        return from_minor(self.minor, self.currency)


@dataclass(frozen=True)
class Text:
    """A catalogue sentence and its arguments (strings, numbers, amounts, or other texts)."""

    msgid: str
    args: tuple[tuple[str, Any], ...] = ()

    def stored(self) -> dict[str, Any]:
        """As a Firestore map: `{msgid, args}`, an amount as `{minor, currency}`, a text as its own map."""
        return {"msgid": self.msgid, "args": {name: _stored_arg(value) for name, value in self.args}}

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Text:
        return cls(str(data["msgid"]), tuple((name, _loaded_arg(value))
                                             for name, value in dict(data.get("args") or {}).items()))


def t(msgid: str, /, **args: Any) -> Text:
    """Mark a sentence for the catalogues (the extraction keyword) with its placeholders' values."""
    return Text(msgid, tuple(args.items()))


def _stored_arg(value: Any) -> Any:
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency}
    if isinstance(value, Text):
        return value.stored()
    return value


def _loaded_arg(value: Any) -> Any:
    if isinstance(value, Mapping):
        return Money(int(value["minor"]), str(value["currency"])) if "minor" in value else Text.from_stored(value)
    return value


def normalise_locale(tag: str) -> str:
    """A locale tag as stored (`en-AU`, `es`); ValueError when it is not one Babel (CLDR) knows."""
    cleaned = tag.strip().replace("_", "-")
    if not cleaned or len(cleaned) > MAX_LOCALE_CHARS:
        raise ValueError(tag)
    try:
        parsed = Locale.parse(cleaned, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(tag) from None
    return "-".join(part for part in (parsed.language, parsed.script, parsed.territory) if part)


def language(locale: str | None) -> str:
    """The catalogue a locale reads: its language when we have one, else English."""
    first = (locale or DEFAULT_LOCALE).replace("_", "-").split("-")[0].lower()
    return first if first in LANGUAGES else "en"


@cache
def babel_locale(locale: str | None) -> Locale:
    """The locale whose number and currency formats a person sees (English for an unknown one)."""
    try:
        return Locale.parse(normalise_locale(locale or DEFAULT_LOCALE), sep="-")
    except ValueError:
        return Locale.parse(DEFAULT_LOCALE)


def formats_of(locale: str | None) -> str | None:
    """The locale whose number, money and date formats go with the words: the person's when their language has
    a catalogue, English's when their words fall back to English."""
    return locale if babel_locale(locale).language == language(locale) else DEFAULT_LOCALE


def money(value: Money, locale: str | None, *, iso_code: bool = False) -> str:
    """An amount in the locale's currency format with the currency's own digits (¥1,250, NZ$12.50, 12,50 €);
    `iso_code` shows the code instead of the symbol (EUR 12.50), for a font without the symbol."""
    where = babel_locale(locale)
    pattern = None
    if iso_code:
        standard = where.currency_formats["standard"].pattern
        pattern = standard.replace("\u00a4", "\u00a4\u00a4")
    return format_currency(value.amount, value.currency.upper(), pattern, locale=where)


@cache
def catalogue(lang: str) -> Catalog | None:
    """The language's catalogue, read from its `.po` source once per instance (D119); None for English."""
    if lang == "en":
        return None
    with (LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def translated(msgid: str, lang: str) -> str:
    """The catalogue's sentence for `msgid`, or `msgid` itself (English, or not translated yet)."""
    found = catalogue(lang)
    message = None if found is None else found.get(msgid)
    if message is None or message.fuzzy or not message.string:
        return msgid
    return str(message.string)


def render(text: Text | str, locale: str | None) -> str:
    """The text in the person's language, amounts in their locale's currency format (in English's when their
    language has no catalogue, so words and numbers agree). A plain string (a person's own words, a name) is
    shown as it is."""
    if isinstance(text, str):
        return text
    lang = language(locale)
    values = {name: _shown(value, formats_of(locale)) for name, value in text.args}
    try:
        return translated(text.msgid, lang).format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation (the catalogue test forbids one)
        return text.msgid.format(**values)


def _shown(value: Any, locale: str | None) -> Any:
    """An argument as the reader sees it: amounts and decimals (one place) in their locale's format, texts
    rendered."""
    if isinstance(value, Money):
        return money(value, locale)
    if isinstance(value, Text):
        return render(value, locale)
    if isinstance(value, float):  # a distance: one decimal, as the apps show it
        return format_decimal(value, format="#,##0.0", locale=babel_locale(locale))
    return value


def placeholders(sentence: str) -> frozenset[str]:
    """The `{name}` placeholders of a sentence (what a translation must keep)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(sentence) if name)
