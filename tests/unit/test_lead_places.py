"""Reading a postcode or suburb from a prospect's message (`domain.leads`, D84), and the shipped table that
geocodes them locally."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from curbside.domain.leads import PlaceQuery, booking_link, find_place, is_postcode, rough_minutes
from curbside.gateways.maps import GoogleGeocoder, PostcodeTable, _place


@pytest.mark.parametrize(("text", "expected"), [
    ("4000", PlaceQuery(postcode="4000")),
    ("hi, 4000 please", PlaceQuery(postcode="4000")),
    ("Postcode: 0800.", PlaceQuery(postcode="0800")),
    ("my 2015 Corolla got hail, postcode 4064", PlaceQuery(postcode="4064")),
    ("4000 or maybe 4006", PlaceQuery(postcode="4006")),
    ("hail damage in Paddington", PlaceQuery(name="Paddington")),
    ("I'm in surry hills please", PlaceQuery(name="Surry Hills")),
    ("can someone come to Fitzroy today?", PlaceQuery(name="Fitzroy")),
    ("Box Hill", PlaceQuery(name="Box Hill")),
    ("call me on 0412345678", None),
    ("0000", None),
    ("12345", None),
    ("hi", None),
    ("Hello there!", None),
    ("I want to get a quote", None),
    ("", None),
])
def test_a_place_is_read_inside_a_sentence(text, expected):
    assert find_place(text) == expected


def test_only_the_first_thousand_characters_are_read():
    assert find_place("x " * 600 + "4000") is None
    assert find_place("4000 " + "x" * 4995) == PlaceQuery(postcode="4000")


@pytest.mark.parametrize(("digits", "valid"), [("0199", False), ("0200", True), ("0299", True), ("0300", False),
                                               ("0800", True), ("9999", True)])
def test_postcodes_are_australia_posts_ranges(digits, valid):
    assert is_postcode(digits) is valid


@pytest.mark.parametrize(("query", "label"), [
    (PlaceQuery(postcode="4064"), "Paddington QLD 4064"),
    (PlaceQuery(name="Surry Hills Please"), "Surry Hills NSW 2010"),
    (PlaceQuery(name="perth"), "Perth WA 6000"),
    (PlaceQuery(postcode="9999"), None),
    (PlaceQuery(name="Atlantis"), None),
])
def test_the_shipped_table_geocodes_the_demo_markets_and_the_capitals(query, label):
    place = PostcodeTable().locate(query)
    assert (place.label if place else None) == label


def test_the_booking_link_carries_the_place_and_the_lead():
    link = booking_link("https://curbside.app/request", lead_id="7001", lat=-27.4698, lng=153.0251,
                        address="Brisbane City QLD 4000")
    assert link == ("https://curbside.app/request?lat=-27.46980&lng=153.02510&address=Brisbane+City+QLD+4000"
                    "&lead_id=7001")


@pytest.mark.parametrize(("minutes", "shown"), [(0, 5), (4.5, 5), (5, 5), (5.1, 10), (23, 25)])
def test_an_eta_is_rounded_up_to_five_minutes(minutes, shown):
    assert rough_minutes(dt.timedelta(minutes=minutes)) == shown


def _google(*components: tuple[str, str, list[str]], lat: float = -27.4598, lng: float = 152.9996) -> dict[str, Any]:
    """A Geocoding API result as Google shapes it (only the fields the gateway reads)."""
    return {"address_components": [{"long_name": long, "short_name": short, "types": types}
                                   for long, short, types in components],
            "geometry": {"location": {"lat": lat, "lng": lng}}}


PADDINGTON = _google(("Paddington", "Paddington", ["locality", "political"]),
                     ("Queensland", "QLD", ["administrative_area_level_1", "political"]),
                     ("Australia", "AU", ["country", "political"]), ("4064", "4064", ["postal_code"]))
COUNTRY = _google(("Australia", "AU", ["country", "political"]), lat=-25.27, lng=133.78)


@pytest.mark.parametrize(("result", "query", "label"), [
    (PADDINGTON, PlaceQuery(name="Paddington"), "Paddington QLD 4064"),
    (PADDINGTON, PlaceQuery(postcode="4064"), "Paddington QLD 4064"),
    (PADDINGTON, PlaceQuery(postcode="4000"), None),
    (COUNTRY, PlaceQuery(name="Atlantis"), None),
    (COUNTRY, PlaceQuery(postcode="9999"), None),
])
def test_googles_answer_is_a_place_only_when_it_is_the_suburb_or_postcode_asked(result, query, label):
    place = _place(result, query)
    assert (place.label if place else None) == label


def test_without_google_the_shipped_table_answers():
    unreachable = GoogleGeocoder(api_key="key", api_base="http://127.0.0.1:9/geocode", timeout_s=1)
    place = unreachable.locate(PlaceQuery(postcode="2010"))
    assert place is not None and place.label == "Surry Hills NSW 2010"
    assert GoogleGeocoder(api_key="").locate(PlaceQuery(name="Richmond")) == PostcodeTable().locate(
        PlaceQuery(name="Richmond"))
