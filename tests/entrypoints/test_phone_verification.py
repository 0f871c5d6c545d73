"""Phone verification by SMS code through its callables, with the Twilio Verify double: the number becomes the
account's only once the right code comes back in time; every refusal writes nothing the app could rely on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from curbside.store.collections import Collection
from devstack.doubles import RecordingPush, RecordingSms
from main import check_phone_verification, start_phone_verification
from tests.factories import make_notification_preferences, make_user, put
from tests.request_world import everything, stored

UID = "phone-person"
MOBILE = "+61412345678"


@pytest.fixture
def person(db) -> str:
    put(db, make_user(id=UID, uid=UID, phone_number=None, phone_verified=False, fcm_tokens=["token-1"]))
    put(db, make_notification_preferences(id=UID))
    return UID


def user(db) -> dict[str, Any]:
    return stored(db, Collection.USERS, UID)


def test_the_right_code_makes_the_number_the_accounts(db, call, person, sms: RecordingSms, push: RecordingPush):
    started = call(start_phone_verification, {"phone_number": MOBILE}, uid=UID)
    assert started.result == {"status": "pending"}
    code = sms.codes[MOBILE][0]
    assert sms.sent[-1].to == MOBILE and code in sms.sent[-1].body

    checked = call(check_phone_verification, {"code": code}, uid=UID)

    assert checked.result == {"phone_verified": True, "phone_number": MOBILE}
    assert user(db)["phone_number"] == MOBILE and user(db)["phone_verified"] is True
    # and the person is told on every channel (an account notice), the SMS going to the new number
    assert [sent.message.title for sent in push.sent] == ["Phone number verified"]


def test_a_wrong_code_changes_nothing_and_the_right_one_still_works(db, call, person, sms: RecordingSms):
    call(start_phone_verification, {"phone_number": MOBILE}, uid=UID)
    code = sms.codes[MOBILE][0]
    wrong = "000000" if code != "000000" else "111111"
    before = everything(db)

    refused = call(check_phone_verification, {"code": wrong}, uid=UID)

    assert refused.error == "FAILED_PRECONDITION" and "not right" in refused.message
    assert everything(db) == before
    assert call(check_phone_verification, {"code": code}, uid=UID).status == 200


def test_an_expired_code_is_refused(db, call, person, sms: RecordingSms, clock):
    call(start_phone_verification, {"phone_number": MOBILE}, uid=UID)
    code = sms.codes[MOBILE][0]
    clock.advance(dt.timedelta(minutes=11))
    before = everything(db)

    refused = call(check_phone_verification, {"code": code}, uid=UID)

    assert refused.error == "FAILED_PRECONDITION" and "expired" in refused.message
    assert everything(db) == before and user(db)["phone_verified"] is False


def test_a_code_cannot_be_checked_before_one_was_sent(db, call, person):
    refused = call(check_phone_verification, {"code": "123456"}, uid=UID)
    assert refused.error == "FAILED_PRECONDITION" and "Ask for a code first" in refused.message


def test_at_most_five_codes_an_hour(db, call, person, sms: RecordingSms, clock):
    for _ in range(5):
        assert call(start_phone_verification, {"phone_number": MOBILE}, uid=UID).status == 200
    before, texts = everything(db), len(sms.sent)

    refused = call(start_phone_verification, {"phone_number": MOBILE}, uid=UID)

    assert refused.error == "RESOURCE_EXHAUSTED" and everything(db) == before and len(sms.sent) == texts
    clock.advance(dt.timedelta(minutes=61))
    assert call(start_phone_verification, {"phone_number": MOBILE}, uid=UID).status == 200


@pytest.mark.parametrize("number", ["0412345678", "+61 412 345 678", "+61299998888", "+6141234", "+999123456789"],
                         ids=["not-e164", "spaces", "landline", "too-short", "no-such-country"])
def test_a_number_that_is_not_a_mobile_in_e164_is_refused(db, call, person, number, sms: RecordingSms):
    before = everything(db)

    refused = call(start_phone_verification, {"phone_number": number}, uid=UID)

    assert refused.error == "INVALID_ARGUMENT" and everything(db) == before and sms.sent == []


@pytest.mark.parametrize("code", ["12", "12345678901", "12a456", ""])
def test_a_malformed_code_is_refused(db, call, person, code):
    assert call(check_phone_verification, {"code": code}, uid=UID).error == "INVALID_ARGUMENT"
