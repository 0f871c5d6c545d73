"""The support assistant's local half: the knowledge base the project ships, a retriever over it, and the
checks every answer passes whichever model wrote it (docs/decisions.md D58).

The retriever answers when no model is configured, when OpenAI fails or when a ticket's token budget is spent:
the local stack and the tests use it, so support works offline. Its confidence is how much of the question the
best article covers (`Retriever`): a question in the article's own words scores near 1, one about something no
article treats near 0.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from curbside.domain.texts import t, translated

KNOWLEDGE_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "support.md"
HUMAN_THRESHOLD = 0.6
"""Below this confidence a reply sets `requires_human` and offers a live agent (spec section 13)."""

_STOP = frozenset({
    "a", "an", "and", "are", "at", "be", "but", "by", "can", "could", "do", "does", "for", "from", "get",
    "got", "has", "have", "hello", "hi", "how", "i", "if", "in", "is", "it", "its", "me", "my", "of", "on",
    "or", "please", "s", "t", "would", "so", "that", "the", "their", "there", "this", "to", "was", "what",
    "when", "where", "which", "who", "why", "will", "with", "you", "your",
    # Spanish (D121): the articles are matched in the asker's language
    "al", "como", "cómo", "con", "cuándo", "de", "del", "dónde", "el", "en", "es", "está", "hola", "la", "las", "lo",
    "los", "mi", "mis", "o", "para", "por", "porque", "qué", "quiero", "se", "su", "tu", "un", "una", "y",
})
_WORD = re.compile(r"[^\W_]+")
"""A word in any alphabet (`está`, not `est`)."""


@dataclass(frozen=True)
class Article:
    key: str
    title: str
    keywords: tuple[str, ...]
    facts: str | None
    """`payment` or `job`: the answer is completed with the person's own records of that kind."""
    body: str


def parse_knowledge(text: str) -> tuple[Article, ...]:
    """Articles from the knowledge file's `## key` sections (`title:`, `keywords:`, optional `facts:`, then
    the answer)."""
    articles = []
    for section in text.split("\n## ")[1:]:
        key, *lines = section.strip().splitlines()
        fields: dict[str, str] = {}
        while lines and re.match(r"^(title|keywords|facts):", lines[0]):
            name, value = lines.pop(0).split(":", 1)
            fields[name] = value.strip()
        articles.append(Article(key.strip(), fields["title"], tuple(k.strip() for k in fields["keywords"].split(",")),
                                fields.get("facts"), " ".join(line.strip() for line in lines if line.strip())))
    return tuple(articles)


@cache
def knowledge_base(lang: str = "en") -> tuple[Article, ...]:
    """The articles in a language: each title, key-word line and answer looked up in its catalogue (D121)."""
    english = parse_knowledge(KNOWLEDGE_FILE.read_text(encoding="utf-8"))
    return tuple(Article(a.key, translated(a.title, lang),
                         tuple(k.strip() for k in translated(", ".join(a.keywords), lang).split(",")), a.facts,
                         translated(a.body, lang)) for a in english)


def extract_articles(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                     options: Any) -> list[tuple[int, str, str, list[str]]]:
    """Babel's extractor for the knowledge file (`make messages`, the catalogue test): every article's title,
    key words and answer are catalogue sentences."""
    return [(0, "", sentence, [f"support article {a.key}"])
            for a in parse_knowledge(fileobj.read().decode("utf-8"))
            for sentence in (a.title, ", ".join(a.keywords), a.body)]


def words(text: str) -> list[str]:
    """Lower-case word stems without stop words (a plural `s`, `ing` and `ed` dropped)."""
    stems = []
    for word in _WORD.findall(text.lower()):
        if word in _STOP:
            continue
        suffix = next((end for end in ("ing", "ed", "s") if len(word) > len(end) + 2 and word.endswith(end)), "")
        stems.append(word[: len(word) - len(suffix)])
    return stems


class Retriever:
    """Scores each article by how much of the question it covers: every question word weighs its inverse
    document frequency (a word no article has weighs most — the question is about something we have no article
    for), and counts fully when it is among the article's title and key words, half when only in its answer."""

    def __init__(self, articles: tuple[Article, ...]) -> None:
        self.articles = articles
        self._topics = [frozenset(words(f"{a.title} {' '.join(a.keywords)}")) for a in articles]
        self._bodies = [frozenset(words(a.body)) for a in articles]
        frequency = Counter(term for topic, body in zip(self._topics, self._bodies, strict=True)
                            for term in topic | body)
        self._unknown = math.log(1 + len(articles)) + 1
        self._idf = {term: math.log((1 + len(articles)) / (1 + count)) + 1 for term, count in frequency.items()}

    def best(self, question: str) -> tuple[Article | None, float]:
        """The closest article and the confidence (0-1) that it answers the question."""
        terms = set(words(question))
        weights = {term: self._idf.get(term, self._unknown) for term in terms}
        total = sum(weights.values())
        if not total:
            return None, 0.0
        scored = [(sum(weight * (1.0 if term in topic else 0.5 if term in body else 0.0)
                       for term, weight in weights.items()) / total, article)
                  for topic, body, article in zip(self._topics, self._bodies, self.articles, strict=True)]
        score, article = max(scored, key=lambda pair: pair[0])
        return (article, round(score, 2)) if score > 0 else (None, 0.0)


_PROMISE = re.compile(r"\b(you will|you'll|we will|we'll|we are going to|guarantee[ds]?|promise[ds]?|certainly|"
                      r"definitely)\b[^.!?]{0,60}\brefund", re.IGNORECASE)
NO_PROMISE = t("Only our team can decide on a refund, after looking at both sides of a dispute; I cannot promise "
               "one. I can bring in a member of our team if you like.")


def promises_a_refund(answer: str) -> bool:
    """An answer that commits the platform to a refund (only an admin decides one, through a dispute)."""
    return bool(_PROMISE.search(answer))
