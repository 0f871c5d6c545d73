"""Vehicles' pure rules (issue 21): the VIN's checksum, plates, and the date a service falls due."""

from __future__ import annotations

import datetime as dt

import pytest

from curbside.domain.vehicles import add_months, plate_key, vin_problem


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "1HGCM82633A004352", "JH4KA7561PC008269"])
def test_real_vins_pass_their_checksum(vin):
    assert vin_problem(vin) is None


@pytest.mark.parametrize(("vin", "words"), [
    ("1HGCM82643A004352", "check digit (9th character) should be 3"),  # one digit mistyped
    ("1HGCM82633A00435", "17 characters; this one has 16"),
    ("1HGCM82633A0O4352", "never I, O or Q"),
])
def test_a_mistyped_vin_is_explained(vin, words):
    assert words in str(vin_problem(vin))


def test_plates_compare_without_case_spaces_or_dashes():
    assert plate_key("abc 123") == plate_key("ABC-123") == "ABC123"


@pytest.mark.parametrize(("day", "months", "due"), [
    (dt.date(2026, 12, 7), 6, dt.date(2027, 6, 7)),
    (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),  # no 31 February: the month's last day
    (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # a leap year
])
def test_the_next_service_falls_the_same_day_months_later(day, months, due):
    assert add_months(day, months) == due
