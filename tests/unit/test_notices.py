"""Which channels a notice goes out on (domain/notices.py): every rule of `decide` in order, and quiet hours
against a plain minute-by-minute reference, in several time zones and across midnight and DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.domain.documents import NotificationPreferences
from curbside.domain.enums import NotificationType
from curbside.domain.notices import (
    POLICIES,
    Channel,
    Contacts,
    decide,
    in_quiet_hours,
    preference_field,
    quiet_hours_end,
)

T = NotificationType
UTC = dt.UTC
SYDNEY = "Australia/Sydney"
EVERYWHERE = Contacts(push_tokens=("token-1",), email="a@example.com", phone="+61412345678")
PUSH_ONLY = frozenset({Channel.PUSH})
# 2026-11-20 09:00 UTC is 20:00 in Sydney (AEDT, UTC+11)
EVENING = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def prefs(**changes: object) -> NotificationPreferences:
    return NotificationPreferences.model_validate({"id": "u", "user_id": "u", **changes})


def channels(kind: T, preferences: NotificationPreferences, *, now: dt.datetime = EVENING,
             contacts: Contacts = EVERYWHERE, expires_at: dt.datetime | None = None) -> frozenset[Channel]:
    return decide(kind, preferences, contacts, now=now, written_at=EVENING, expires_at=expires_at,
                  default_zone=SYDNEY).channels


def test_every_notice_type_has_a_policy_and_every_toggle_a_preference_field():
    assert set(POLICIES) == set(T)
    toggles = {preference_field(kind) for kind in T} - {None}
    assert toggles <= set(NotificationPreferences.model_fields)
    assert {kind for kind in T if preference_field(kind) is None} == {T.PAYMENT_ACTION_REQUIRED, T.ACCOUNT_SECURITY}


def test_by_default_a_notice_is_pushed_only():
    assert channels(T.JOB_ACCEPTED, prefs()) == PUSH_ONLY


def test_e_mail_and_sms_go_out_when_the_person_turned_them_on():
    assert channels(T.JOB_ACCEPTED, prefs(email_notifications=True, sms_notifications=True)) == set(Channel)
    assert channels(T.JOB_ACCEPTED, prefs(push_notifications=False, email_notifications=True)) == {Channel.EMAIL}


def test_a_channel_needs_its_contact():
    no_phone = Contacts(push_tokens=(), email="a@example.com")
    assert channels(T.JOB_ACCEPTED, prefs(sms_notifications=True), contacts=no_phone) == frozenset()


@pytest.mark.parametrize("kind", [kind for kind in T if preference_field(kind) is not None])
def test_each_type_is_muted_by_its_own_toggle_only(kind: T):
    field = preference_field(kind)
    assert field is not None
    assert channels(kind, prefs(**{field: False})) == frozenset()
    other = next(k for k in T if preference_field(k) not in (None, field))
    records = frozenset({Channel.EMAIL}) if POLICIES[kind].record else frozenset()
    assert channels(kind, prefs(**{str(preference_field(other)): False})) == PUSH_ONLY | records


def test_a_money_record_goes_by_e_mail_whenever_there_is_an_address():
    assert channels(T.PAYMENT_PROCESSED, prefs(email_notifications=False)) == {Channel.PUSH, Channel.EMAIL}
    assert channels(T.PAYMENT_PROCESSED, prefs(), contacts=Contacts(push_tokens=("t",))) == PUSH_ONLY
    assert channels(T.PAYMENT_PROCESSED, prefs(payment_processed=False)) == frozenset()
    assert channels(T.JOB_ACCEPTED, prefs(email_notifications=False)) == PUSH_ONLY


def test_do_not_disturb_mutes_every_channel_but_not_critical_notices():
    dnd = prefs(do_not_disturb=True, email_notifications=True, sms_notifications=True)
    assert channels(T.JOB_ACCEPTED, dnd) == frozenset()
    assert channels(T.NEW_JOB_OFFER, dnd) == frozenset()
    assert channels(T.PAYMENT_ACTION_REQUIRED, dnd) == set(Channel)


def test_critical_notices_ignore_toggles_and_quiet_hours():
    everything_off = prefs(push_notifications=False, email_notifications=False, quiet_hours_enabled=True,
                           quiet_hours_start="19:00", quiet_hours_end="07:00")
    assert channels(T.ACCOUNT_SECURITY, everything_off) == set(Channel)


def test_quiet_hours_hold_a_notice_until_they_end_in_the_persons_time_zone():
    # 20:00 in Sydney falls in 19:00-07:00 quiet hours, which end at 07:00 Sydney = 20:00 UTC the same day
    quiet = prefs(quiet_hours_enabled=True, quiet_hours_start="19:00", quiet_hours_end="07:00")
    delivery = decide(T.JOB_COMPLETED, quiet, EVERYWHERE, now=EVENING, written_at=EVENING, expires_at=None,
                      default_zone=SYDNEY)
    assert delivery.channels == frozenset() and delivery.hold_until == dt.datetime(2026, 11, 20, 20, tzinfo=UTC)
    # the same hours read in Dublin (09:00 there) are not quiet
    assert channels(T.JOB_COMPLETED, prefs(quiet_hours_enabled=True, quiet_hours_start="19:00",
                                           quiet_hours_end="07:00", time_zone="Europe/Dublin")) == PUSH_ONLY


def test_a_notice_quiet_hours_would_hold_past_its_use_stays_in_app():
    quiet = prefs(quiet_hours_enabled=True, quiet_hours_start="19:00", quiet_hours_end="07:00")
    delivery = decide(T.DISPATCHER_EN_ROUTE, quiet, EVERYWHERE, now=EVENING, written_at=EVENING,
                      expires_at=None, default_zone=SYDNEY)
    assert delivery.channels == frozenset() and delivery.hold_until is None
    assert delivery.reason == "quiet hours outlast it"


def test_a_technician_online_in_quiet_hours_still_gets_job_offers():
    quiet = prefs(quiet_hours_enabled=True, quiet_hours_start="19:00", quiet_hours_end="07:00")
    assert channels(T.NEW_JOB_OFFER, quiet, expires_at=EVENING + dt.timedelta(seconds=60)) == PUSH_ONLY


def test_an_expired_notice_goes_nowhere():
    offer_ends = EVENING + dt.timedelta(seconds=60)
    assert channels(T.NEW_JOB_OFFER, prefs(), now=offer_ends, expires_at=offer_ends) == frozenset()
    assert channels(T.DISPATCHER_ARRIVED, prefs(), now=EVENING + dt.timedelta(hours=2)) == frozenset()


def test_an_unknown_time_zone_falls_back_to_the_platforms():
    quiet = prefs(quiet_hours_enabled=True, quiet_hours_start="19:00", quiet_hours_end="07:00",
                  time_zone="Mars/Olympus_Mons")
    assert quiet_hours_end(quiet, EVENING, SYDNEY) == dt.datetime(2026, 11, 20, 20, tzinfo=UTC)


# ------------------------------------------------------------------------------------------- the reference


def reference_quiet_minutes(start: dt.time, end: dt.time) -> set[int]:
    """The minutes of the day from `start` up to (not including) `end`, walking forward past midnight."""
    minute, stop, quiet = start.hour * 60 + start.minute, end.hour * 60 + end.minute, set()
    while minute != stop:
        quiet.add(minute)
        minute = (minute + 1) % 1440
    return quiet


def reference_end(now: dt.datetime, zone: ZoneInfo, start: dt.time, end: dt.time) -> dt.datetime | None:
    """Step a minute at a time, in the zone's wall-clock time, until the time is no longer quiet."""
    quiet = reference_quiet_minutes(start, end)
    local = now.astimezone(zone).replace(second=0, microsecond=0)
    if local.hour * 60 + local.minute not in quiet:
        return None
    while local.hour * 60 + local.minute in quiet:
        local = (local.replace(tzinfo=None) + dt.timedelta(minutes=1)).replace(tzinfo=zone)
    return local.astimezone(UTC)


clocks = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))


@settings(max_examples=300, deadline=None)
@given(start=clocks, end=clocks, minute=st.integers(0, 1439))
def test_in_quiet_hours_agrees_with_the_reference(start: dt.time, end: dt.time, minute: int):
    local = dt.time(minute // 60, minute % 60)
    assert in_quiet_hours(local, start, end) == (minute in reference_quiet_minutes(start, end))


@settings(max_examples=200, deadline=None)
@given(start=clocks, end=clocks,
       now=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(UTC)),
       zone=st.sampled_from(["Australia/Sydney", "Australia/Brisbane", "Europe/Dublin", "America/New_York",
                             "Asia/Kolkata", "UTC"]))
def test_quiet_hours_end_agrees_with_the_reference(start: dt.time, end: dt.time, now: dt.datetime, zone: str):
    preferences = prefs(quiet_hours_enabled=True, quiet_hours_start=start.strftime("%H:%M"),
                        quiet_hours_end=end.strftime("%H:%M"), time_zone=zone)
    assert quiet_hours_end(preferences, now, "UTC") == reference_end(now, ZoneInfo(zone), start, end)
