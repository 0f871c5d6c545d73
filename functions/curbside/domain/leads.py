"""Messenger leads (issue 20, D83-D86): where a prospect's words say they are, and what the page answers.

Pure: the webhook's service (`services.leads`) reads the message, asks the geocoder and the candidate search,
and hands the results to these functions for the words of the reply.

Reading a place from a sentence: an Australian postcode is four digits in Australia Post's ranges (0200-0299,
0800-9999); a suburb is the words after "in", "at", "near", "around" "from" or "to" ("hail damage in Paddington"),
or the whole message when it is a few words and no greeting ("surry hills"). When a message holds several
four-digit numbers ("my 2015 Corolla, postcode 4000"), the one after a cue word wins, else the last one.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from curbside.domain.texts import Text, t

MESSAGING_WINDOW = dt.timedelta(hours=24)
"""Meta's standard messaging window: a page may answer within 24 hours of the person's last message."""
LOST_AFTER = dt.timedelta(days=7)
"""A lead without a booking this long after its first message is lost."""
READ_AT_MOST = 1000
"""Characters of a message read for a place (a 5,000-character message is read only this far)."""
EXCERPT = 280

_FOUR_DIGITS = re.compile(r"(?<![\d])(\d{4})(?![\d])")
_CUES = ("postcode", "post code", "postal code", "pc", "in", "at", "near", "around", "from")
_CUE_BEFORE = re.compile(r"(?:\b(?:" + "|".join(re.escape(cue) for cue in _CUES) + r")\b)\W*$", re.IGNORECASE)
_NAME_AFTER_CUE = re.compile(
    r"\b(?:in|at|near|around|from|to)\s+([A-Za-z][A-Za-z'\-]*(?:\s+[A-Za-z][A-Za-z'\-]*){0,2})", re.IGNORECASE)
_WORDS_ONLY = re.compile(r"^[A-Za-z][A-Za-z'\- ]{1,40}$")
_NOT_PLACES = frozenset({
    "hi", "hello", "hey", "hiya", "g'day", "gday", "thanks", "thank", "you", "cheers", "yes", "no", "ok", "okay",
    "please", "help", "quote", "price", "today", "tomorrow", "now", "asap", "the", "my", "a", "an", "car", "hail",
    "damage", "dent", "dents", "repair", "there", "here", "morning", "afternoon", "evening", "get", "started",
    "soon", "someone", "somebody", "can", "could", "would", "need", "want", "for", "and", "is", "it", "me",
    "be", "do", "go", "come", "see", "book", "fix", "look", "have", "this", "that", "your", "our",
})
"""Words that end a place name or show the message is not one."""


@dataclass(frozen=True)
class PlaceQuery:
    """What to look up: a postcode, or a suburb's name."""

    postcode: str | None = None
    name: str | None = None

    @property
    def said(self) -> str:
        return self.postcode or self.name or ""


def is_postcode(digits: str) -> bool:
    """Four digits within Australia Post's ranges (whether the postcode exists is the geocoder's answer)."""
    number = int(digits)
    return len(digits) == 4 and (200 <= number <= 299 or number >= 800)


def find_place(text: str) -> PlaceQuery | None:
    """The postcode or suburb in a message, or None when it names none."""
    text = text[:READ_AT_MOST]
    codes = [match for match in _FOUR_DIGITS.finditer(text) if is_postcode(match.group(1))]
    if codes:
        cued = [match for match in codes if _CUE_BEFORE.search(text[:match.start()])]
        return PlaceQuery(postcode=(cued or codes)[-1].group(1))
    for match in _NAME_AFTER_CUE.finditer(text):
        if (name := _name(match.group(1))) is not None:
            return PlaceQuery(name=name)
    stripped = text.strip().rstrip(".!?")
    if _WORDS_ONLY.match(stripped) and len(stripped.split()) <= 3 and (name := _name(stripped)) is not None:
        return PlaceQuery(name=name)
    return None


def _name(words: str) -> str | None:
    kept: list[str] = []
    for word in words.split():
        if word.casefold() in _NOT_PLACES:
            break
        kept.append(word)
    return " ".join(word[:1].upper() + word[1:].lower() for word in kept) or None


def excerpt(text: str) -> str:
    return text[:EXCERPT]


def within_window(last_inbound_at: dt.datetime, now: dt.datetime) -> bool:
    return now - last_inbound_at < MESSAGING_WINDOW


def booking_link(base_url: str, *, lead_id: str, lat: float, lng: float, address: str) -> str:
    """The client app's request screen, opened with the place filled in and the lead to credit."""
    query = urlencode({"lat": f"{lat:.5f}", "lng": f"{lng:.5f}", "address": address, "lead_id": lead_id})
    return f"{base_url}{'&' if '?' in base_url else '?'}{query}"


@dataclass(frozen=True)
class NearbyTechnician:
    first_name: str
    rating: float
    distance_km: float
    eta: dt.timedelta


def rough_minutes(eta: dt.timedelta) -> int:
    """An arrival rounded up to 5 minutes: a promise kept loosely is better than a precise one broken."""
    return max(5, 5 * math.ceil(eta.total_seconds() / 300))


GREETING = ("G'day! I'm Curbside's automated assistant for mobile hail-dent repair. Send me your postcode "
            "(e.g. 4000) or your suburb and I'll find the nearest technicians free right now.")
NOT_TEXT = ("Thanks! I can only read typed words here. Please type your postcode (e.g. 2000) or your suburb "
            "and I'll find technicians near you.")
NO_PLACE = ("I couldn't spot a postcode or suburb in that. Please send your 4-digit postcode (e.g. 3000) or "
            "your suburb's name.")
ALREADY_BOOKED = ("You're booked in: your job is in the Curbside app, where you can follow your technician. "
                  "Anything else, just ask in the app's support chat.")


def unknown_place_reply(query: PlaceQuery) -> str:
    what = f"postcode {query.postcode}" if query.postcode else f"\"{query.said}\""
    return (f"Sorry, I couldn't find {what} in Australia. Please check it and send your 4-digit postcode "
            "(e.g. 4000) or suburb again.")


def out_of_area_reply(place_label: str) -> str:
    return (f"Thanks! No technician is free near {place_label} right now — we may not cover that area yet. "
            "We've kept your enquiry; send another postcode or try again later today.")


def matched_reply(place_label: str, nearby: Sequence[NearbyTechnician], link: str) -> str:
    lines = [f"Good news: technicians free near {place_label} now:"]
    lines += [f"{n}. {tech.first_name} — ★{tech.rating:.1f}, {tech.distance_km:.1f} km away, "
              f"about {rough_minutes(tech.eta)} min" for n, tech in enumerate(nearby, start=1)]
    lines.append(f"Book in 1 minute (your location is filled in): {link}")
    return "\n".join(lines)


def lead_notice(place_label: str, distance_km: float) -> tuple[Text, Text]:
    """The title and body of the notice a matched technician gets."""
    return t("A customer near you"), t(
        "Someone in {place} ({km} km away) is asking for hail repair on Messenger and was given your name. Stay "
        "online to get their job.", place=place_label, km=round(distance_km, 1))
