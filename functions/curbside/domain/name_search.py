"""Finding people by name in the admin console (D102): every prefix of every word of a person's names, and of the
whole name, lower-cased, kept on `Users.search_prefixes`, so "jan", "smi" and "jane sm" each find Jane Smith with
one `array-contains` query. Firestore has no substring or case-insensitive search; this is its usual stand-in."""

from __future__ import annotations

import unicodedata

LONGEST = 30
"""Prefixes stop here: a longer query is cut to it (the names are still told apart far earlier)."""
SHORTEST = 2
"""A one-letter prefix matches a large share of everyone: not worth an index entry per person."""


def search_key(text: str) -> str:
    """A name or a query as it is compared: case-folded, accents kept, spaces collapsed, at most LONGEST."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())[:LONGEST]


def name_prefixes(*names: str | None) -> list[str]:
    """The prefixes (SHORTEST..LONGEST characters) of each whole name and of each word in it, sorted, once each."""
    found: set[str] = set()
    for name in names:
        key = search_key(name or "")
        for part in {key, *key.split(" ")}:
            found.update(part[:end] for end in range(SHORTEST, len(part) + 1))
    return sorted(found)
