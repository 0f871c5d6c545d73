"""Clients' vehicles (issue 21): the plate as written on it, the VIN's checksum, and when a service is due.

A VIN is 17 characters of ISO 3779's alphabet (no I, O or Q). Its ninth character is a check digit over the
other sixteen (each character's value times its position's weight, modulo 11, 10 written "X"): mandatory in
North America and used by most makers elsewhere, so a typo in any character is caught before the vehicle is
saved (D105).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

VIN_LENGTH = 17
_VIN_ALPHABET = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VALUES = {**{str(d): d for d in range(10)},
           **dict(zip("ABCDEFGH", range(1, 9), strict=True)), **dict(zip("JKLMN", range(1, 6), strict=True)),
           "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def plate_key(plate: str) -> str:
    """The key a client's vehicles are found by: `abc 123` and `ABC-123` are the same plate (upper case, letters
    and digits only; `verification.normalised_plate` is the stored, displayed form)."""
    return re.sub(r"[^A-Z0-9]", "", plate.upper())


def vin_check_digit(vin: str) -> str:
    total = sum(_VALUES[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_problem(vin: str) -> str | None:
    """Why `vin` cannot be a VIN, in words a person can act on; None when it can."""
    if len(vin) != VIN_LENGTH:
        return f"a VIN has {VIN_LENGTH} characters; this one has {len(vin)}."
    if not _VIN_ALPHABET.match(vin):
        return "a VIN has only letters and digits, never I, O or Q (read them as 1 and 0)."
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        return f"the VIN's check digit (9th character) should be {expected} for the others: a character is mistyped."
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
