"""Rate-limit windows and App Check enforcement (D47), without the emulator."""

from __future__ import annotations

import datetime as dt

from curbside.domain.rate_limits import Limit, safe_id
from curbside.entrypoints.protocol import app_check_required

TEN_MINUTES = Limit("create_request", 5, dt.timedelta(minutes=10), "new jobs")


def test_windows_are_fixed_and_say_how_long_until_the_next():
    at = dt.datetime(2026, 11, 20, 9, 3, 30, tzinfo=dt.UTC)
    assert TEN_MINUTES.window_end(at) == dt.datetime(2026, 11, 20, 9, 10, tzinfo=dt.UTC)
    assert TEN_MINUTES.retry_after_s(at) == 390
    assert TEN_MINUTES.retry_after_s(dt.datetime(2026, 11, 20, 9, 9, 59, 500_000, tzinfo=dt.UTC)) == 1
    assert TEN_MINUTES.bucket("uid-a", at) == TEN_MINUTES.bucket("uid-a", at + dt.timedelta(minutes=6))
    assert TEN_MINUTES.bucket("uid-a", at) != TEN_MINUTES.bucket("uid-a", at + dt.timedelta(minutes=7))
    assert TEN_MINUTES.bucket("uid-a", at) != TEN_MINUTES.bucket("uid-b", at)


def test_the_refusal_reads_as_a_person_would_say_it():
    at = dt.datetime(2026, 11, 20, 9, 9, 59, tzinfo=dt.UTC)
    assert TEN_MINUTES.refusal(at) == "Too many new jobs: at most 5 every 10 minutes. Try again in 1 second."
    hourly = Limit("x", 3, dt.timedelta(hours=1), "codes")
    assert "at most 3 every 1 hour." in hourly.refusal(at)
    daily = Limit("y", 5, dt.timedelta(days=1), "new support tickets")
    assert daily.refusal(at) == ("Too many new support tickets: at most 5 every 24 hours. "
                                 "Try again in 14 hours 51 minutes.")
    assert "Try again in 51 minutes." in hourly.refusal(dt.datetime(2026, 11, 20, 9, 9, 0, tzinfo=dt.UTC))


def test_a_source_becomes_a_valid_part_of_a_document_id():
    assert safe_id("2001:db8::1") == "2001:db8::1"
    assert "/" not in safe_id("a/b/c") and "__" not in safe_id("__name__")
    assert safe_id("") == "_"


def test_app_check_is_enforced_only_outside_the_emulators():
    assert app_check_required(True, {}) is True
    assert app_check_required(False, {}) is False
    assert app_check_required(True, {"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}) is False
    assert app_check_required(True, {"FUNCTIONS_EMULATOR": "true"}) is False
