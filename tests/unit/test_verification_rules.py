"""The pure verification rules (`domain.verification`): the derived verdict for every combination of step
statuses, the other derived fields, the submission checks that need a date, and the webhook signature."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from curbside.domain.documents import DispatcherProfilePrivate
from curbside.domain.enums import BackgroundCheckResult, StepStatus, VerificationStatus
from curbside.domain.errors import InvalidInput
from curbside.domain.verification import (
    check_insurance_expiry,
    check_vehicle_year,
    insurance_lapsed,
    local_today,
    normalised_plate,
    overall_status,
    settled,
)
from curbside.gateways.background_checks import WebhookRejected, check_signature, signature
from tests.factories import make_dispatcher_profile

# identity, vehicle, background check -> verdict. P pending, U under review, A approved, R rejected.
TABLE = """
    PPP pending        PPU under_review   PPA under_review   PPR rejected
    PUP under_review   PUU under_review   PUA under_review   PUR rejected
    PAP under_review   PAU under_review   PAA under_review   PAR rejected
    PRP rejected       PRU rejected       PRA rejected       PRR rejected
    UPP under_review   UPU under_review   UPA under_review   UPR rejected
    UUP under_review   UUU under_review   UUA under_review   UUR rejected
    UAP under_review   UAU under_review   UAA under_review   UAR rejected
    URP rejected       URU rejected       URA rejected       URR rejected
    APP under_review   APU under_review   APA under_review   APR rejected
    AUP under_review   AUU under_review   AUA under_review   AUR rejected
    AAP under_review   AAU under_review   AAA verified       AAR rejected
    ARP rejected       ARU rejected       ARA rejected       ARR rejected
    RPP rejected       RPU rejected       RPA rejected       RPR rejected
    RUP rejected       RUU rejected       RUA rejected       RUR rejected
    RAP rejected       RAU rejected       RAA rejected       RAR rejected
    RRP rejected       RRU rejected       RRA rejected       RRR rejected
"""
CODES = {"P": StepStatus.PENDING, "U": StepStatus.UNDER_REVIEW, "A": StepStatus.APPROVED, "R": StepStatus.REJECTED}
ROWS = dict(zip(TABLE.split()[::2], TABLE.split()[1::2], strict=True))
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_the_table_covers_every_combination_once():
    assert sorted(ROWS) == sorted("".join(combo) for combo in itertools.product("PUAR", repeat=3))


@pytest.mark.parametrize(("steps", "verdict"), sorted(ROWS.items()))
def test_the_verdict_of_every_combination(steps: str, verdict: str):
    assert overall_status(*(CODES[code] for code in steps)) is VerificationStatus(verdict)


def profile(steps: str, **fields: object):
    identity, vehicle, check = (CODES[code] for code in steps)
    return make_dispatcher_profile(identity_verification_status=identity, vehicle_verification_status=vehicle,
                                   background_check_status=check, verification_status=VerificationStatus.PENDING,
                                   verification_completed_date=None, passport_verified=False, **fields)


def test_settling_fills_every_derived_field_from_the_steps():
    earlier = NOW - dt.timedelta(hours=5)
    waiting = profile("URA", identity_submitted_at=NOW, vehicle_submitted_at=earlier,
                      vehicle_rejection_reason="Blurred plate.")

    done = settled(waiting, DispatcherProfilePrivate(), NOW)

    assert (done.verification_status, done.passport_verified, done.verification_completed_date) == (
        VerificationStatus.REJECTED, False, None)
    assert done.rejection_reason == "Vehicle: Blurred plate."
    assert done.awaiting_review_since == NOW, "only the identity step waits for an admin"


def test_a_verified_technician_keeps_the_date_verification_completed():
    first = settled(profile("AAA"), DispatcherProfilePrivate(), NOW)
    later = settled(first, DispatcherProfilePrivate(), NOW + dt.timedelta(days=3))

    assert (first.verification_status, first.passport_verified) == (VerificationStatus.VERIFIED, True)
    assert later.verification_completed_date == NOW


@pytest.mark.parametrize(("private", "waits"), [
    (DispatcherProfilePrivate(), False),
    (DispatcherProfilePrivate(background_check_report_status="complete",
                              background_check_result=BackgroundCheckResult.CLEAR), False),
    (DispatcherProfilePrivate(background_check_report_status="complete",
                              background_check_result=BackgroundCheckResult.CONSIDER), True),
    (DispatcherProfilePrivate(background_check_report_status="suspended"), True),
])
def test_a_background_check_waits_for_an_admin_only_when_the_provider_did_not_clear_it(private, waits):
    checked = settled(profile("AAU", background_check_submitted_at=NOW), private, NOW)

    assert (checked.awaiting_review_since == NOW) is waits


@pytest.mark.parametrize(("year", "accepted"), [(1979, False), (1980, True), (2027, True), (2028, False)])
def test_a_vehicle_year_is_1980_to_next_year(year: int, accepted: bool):
    today = dt.date(2026, 11, 20)
    if accepted:
        assert check_vehicle_year(year, today) == str(year)
    else:
        with pytest.raises(InvalidInput, match="vehicle_year"):
            check_vehicle_year(year, today)


@pytest.mark.parametrize(("typed", "stored"), [("ab 12  cde", "AB 12 CDE"), ("191-D-12345", "191-D-12345"),
                                               ("x", None), ("AB--12", None), ("<b>", None), ("ABCDEFGHIJKLM", None)])
def test_plates_are_normalised_or_refused(typed: str, stored: str | None):
    if stored is not None:
        assert normalised_plate(typed) == stored
    else:
        with pytest.raises(InvalidInput):
            normalised_plate(typed)


def test_insurance_must_cover_tomorrow_and_lapses_the_day_after_its_last_day():
    today = dt.date(2026, 11, 20)
    assert check_insurance_expiry(dt.date(2026, 11, 21), today) == "2026-11-21"
    with pytest.raises(InvalidInput):
        check_insurance_expiry(today, today)
    assert (insurance_lapsed("2026-11-20", today), insurance_lapsed("2026-11-19", today),
            insurance_lapsed(None, today)) == (False, True, False)


def test_today_is_the_platforms_calendar_day():
    late_utc = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)  # already the 21st in Sydney
    assert local_today(late_utc, "Australia/Sydney") == dt.date(2026, 11, 21)
    assert local_today(late_utc, "UTC") == dt.date(2026, 11, 20)


def test_a_signature_is_checked_over_the_raw_body_and_its_time():
    body, secret, t = b'{"id": "evt_1"}', "whsec", 1_800_000_000
    header = signature(body, secret, t)

    check_signature(body, header, secret, now=t + 10)
    for bad_body, bad_header, now in ((body + b" ", header, t), (body, header, t + 301), (body, None, t),
                                      (body, header.replace("t=", "x="), t), (body, signature(body, "x", t), t)):
        with pytest.raises(WebhookRejected):
            check_signature(bad_body, bad_header, secret, now=now)
