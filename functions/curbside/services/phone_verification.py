"""Phone verification by SMS code (spec: "Phone verification via SMS (Twilio)"; docs/decisions.md D33).

`start` records the request in `PhoneVerifications/{uid}` (at most `phone_codes_per_hour` per person: the
count and the write are one transaction) and then asks Twilio Verify to text a code; `check` asks Twilio
whether the code is right and, only then, writes `Users.phone_number` and `phone_verified` — the app can
never write them itself. The number is the one the code went to, not one the app sends again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.documents import PhoneVerification
from curbside.domain.enums import NotificationType
from curbside.domain.errors import InvalidInput, TooManyRequests, WrongState
from curbside.domain.texts import t
from curbside.gateways.sms import CodeCheck, NumberRefused
from curbside.services import work
from curbside.services.accounts import signed_up_user
from curbside.services.notifications import notify
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

WINDOW = dt.timedelta(hours=1)
TOO_MANY = "You asked for too many codes; wait an hour and try again."
NO_CODE = "Ask for a code first: we have not sent one to a number of yours."
WRONG = "That code is not right; check the SMS and try again."
EXPIRED = "That code has expired or was tried too often; ask for a new one."


@dataclass(frozen=True)
class CodeSent:
    status: str = "pending"


@dataclass(frozen=True)
class PhoneVerified:
    phone_verified: bool = True
    phone_number: str = ""


def start(deps: Deps, uid: str, phone_number: str) -> CodeSent:
    """Text a code to `phone_number` (E.164, a mobile number: checked by the entry point)."""

    def decide(uow: UnitOfWork) -> None:
        signed_up_user(uow, uid)
        record = uow.phone_verifications.get(uid) or PhoneVerification(id=uid, user_id=uid)
        recent = [at for at in record.started_at if at > uow.now - WINDOW]
        if len(recent) >= uow.settings.phone_codes_per_hour:
            raise TooManyRequests(TOO_MANY)
        uow.phone_verifications.put(evolve(record, phone_number=phone_number, started_at=[*recent, uow.now]))

    work.transaction(deps, decide)
    try:
        deps.sms.start_verification(phone_number)
    except NumberRefused:
        raise InvalidInput("phone_number: this number cannot receive SMS; give a mobile number.") from None
    return CodeSent()


def check(deps: Deps, uid: str, code: str) -> PhoneVerified:
    """Verify the code sent by the last `start`; on success the number becomes the account's."""
    pending = work.reading(deps, lambda uow: uow.phone_verifications.get(uid))
    if pending is None or pending.phone_number is None:
        raise WrongState(NO_CODE)
    answer = deps.sms.check_verification(pending.phone_number, code)
    if answer is CodeCheck.WRONG:
        raise WrongState(WRONG)
    if answer is CodeCheck.EXPIRED:
        raise WrongState(EXPIRED)
    number = pending.phone_number

    def verified(uow: UnitOfWork) -> None:
        user = signed_up_user(uow, uid)
        record = uow.phone_verifications.get(uid)
        if record is not None and record.phone_number == number:
            uow.phone_verifications.save(evolve(record, phone_number=None, verified_at=uow.now))
        if user.phone_number != number or not user.phone_verified:
            uow.users.save(evolve(user, phone_number=number, phone_verified=True, updated_date=uow.now))
            notify(uow, user_id=uid, kind=NotificationType.ACCOUNT_SECURITY, title=t("Phone number verified"),
                   body=t("Your account's phone number is now {number}. If this was not you, contact support.",
                          number=_masked(number)), request_id=None, key=f"phone:{number}")

    work.transaction(deps, verified)
    return PhoneVerified(phone_number=number)


def _masked(number: str) -> str:
    return f"{number[:3]}…{number[-3:]}"
