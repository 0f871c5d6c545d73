"""Phone verification by SMS code (services/phone_verification.py)."""

from __future__ import annotations

from typing import Annotated, Any

import phonenumbers
from firebase_functions import https_fn
from phonenumbers import PhoneNumberType
from pydantic import Field, field_validator

from curbside import deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.services import phone_verification

MOBILE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class StartPhoneVerificationPayload(Payload):
    phone_number: Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$")]
    """E.164: a plus, the country code and the number, no spaces (+61412345678)."""

    @field_validator("phone_number")
    @classmethod
    def _a_mobile_number(cls, value: str) -> str:
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number (unknown country code?)") from None
        if not phonenumbers.is_valid_number(number):
            raise ValueError("not a valid phone number for its country")
        if phonenumbers.number_type(number) not in MOBILE:
            raise ValueError("not a mobile number: the code is sent by SMS")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class CheckPhoneVerificationPayload(Payload):
    code: Annotated[str, Field(pattern=r"^\d{4,10}$")]


@on_call()
def start_phone_verification(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, StartPhoneVerificationPayload, lambda caller, p: phone_verification.start(
        deps.get(), caller.uid, p.phone_number), fresh_sign_in=True)


@on_call()
def check_phone_verification(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CheckPhoneVerificationPayload, lambda caller, p: phone_verification.check(
        deps.get(), caller.uid, p.code), fresh_sign_in=True)
