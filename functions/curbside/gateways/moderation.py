"""Content moderation of review comments (spec: AI "Content moderation (review comments)"; D51): OpenAI's
moderation endpoint when a key is configured, and a local word-list checker otherwise — the local stack and
tests use it, and production falls back to it while the vendor does not answer, so a review is never refused
or held because a vendor is down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import requests
from firebase_functions import logger

TIMEOUT_S = (3.0, 8.0)
OPENAI_API_BASE = "https://api.openai.com"
MODEL = "omni-moderation-latest"


@dataclass(frozen=True)
class Verdict:
    flagged: bool
    categories: tuple[str, ...] = ()
    checked_by: str = "word_list"
    """`openai` or `word_list`."""


class Moderation(Protocol):
    def check(self, text: str) -> Verdict:
        """Whether `text` may be shown to others; never raises for a vendor's failure."""


BLOCKED_WORDS: dict[str, tuple[str, ...]] = {
    "harassment": ("idiot", "moron", "stupid", "loser", "scum", "bitch", "bastard", "asshole", "dickhead"),
    "profanity": ("fuck", "fucking", "shit", "cunt", "wanker"),
    "hate": ("retard", "faggot", "nigger", "tranny"),
    "violence": ("kill you", "beat you", "hurt you", "find where you live"),
}
"""The local checker's list (whole words, any case). `personal_data` is found by pattern: a phone number or an
e-mail address in a public comment."""
PERSONAL_DATA = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d\s().-]{7,}\d")


def word_list_verdict(text: str) -> Verdict:
    lowered = text.lower()
    found = [category for category, words in BLOCKED_WORDS.items()
             if any(re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered) for word in words)]
    if PERSONAL_DATA.search(text):
        found.append("personal_data")
    return Verdict(bool(found), tuple(found), "word_list")


@dataclass(frozen=True)
class OpenAIModeration:
    """OpenAI's moderation endpoint; no key (locally, in tests) or no answer: the word list decides."""

    api_key: str
    api_base: str = OPENAI_API_BASE

    def check(self, text: str) -> Verdict:
        if not self.api_key:
            return word_list_verdict(text)
        try:
            response = requests.post(f"{self.api_base}/v1/moderations", timeout=TIMEOUT_S,
                                     headers={"Authorization": f"Bearer {self.api_key}"},
                                     json={"model": MODEL, "input": text})
            response.raise_for_status()
            result = response.json()["results"][0]
        except (requests.RequestException, KeyError, IndexError, ValueError) as error:
            logger.warn("moderation.vendor_unavailable", error=type(error).__name__)
            return word_list_verdict(text)
        categories = tuple(sorted(name for name, hit in result.get("categories", {}).items() if hit))
        local = word_list_verdict(text)  # personal data is not the vendor's concern, but it is ours
        return Verdict(bool(result.get("flagged")) or local.flagged, tuple(sorted({*categories, *local.categories})),
                       "openai")
