"""Referrals (spec section 7: "Referral bonus: 500 points"; D54).

Each client has a short code of their own (`REF-XXXX-XXXX`), made on first request as `ReferralCodes/{code}`
— the id makes it unique, the database refuses a second owner — and kept on their profile. A new client
applies someone else's code once, within 30 days of signing up and before their first completed job; the
referrer's 500 points follow that first job's first-job bonus (`services.loyalty`: `referral:{uid}`, once per
referred client).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.documents import ClientProfile, ReferralCode, ledger_entry_id
from curbside.domain.enums import PointsReason
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound, WrongState
from curbside.domain.loyalty import REFERRAL_WINDOW_DAYS, new_code
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.store.repositories import evolve
from curbside.store.transactions import retry_lost_races
from curbside.store.uow import UnitOfWork

CODE_PREFIX = "REF"
CHANGED = "Your profile changed at the same moment; try again."


@dataclass(frozen=True)
class Code:
    referral_code: str


@dataclass(frozen=True)
class Applied:
    referral_code: str
    referred_by: str


def _client(uow: UnitOfWork, uid: str) -> ClientProfile:
    require_usable_account(uow, uid)
    profile = uow.client_profiles.get(uid)
    if profile is None:
        raise NotAllowed("Only clients have referral codes.")
    return profile


def referral_code(deps: Deps, uid: str) -> Code:
    """The caller's own code, made the first time they ask (a code drawn twice loses the commit: drawn again)."""

    def decide(uow: UnitOfWork) -> Code:
        profile = _client(uow, uid)
        if profile.referral_code:
            return Code(profile.referral_code)
        code = new_code(CODE_PREFIX)
        uow.referral_codes.create(ReferralCode(id=code, client_id=uid, created_date=uow.now))
        uow.client_profiles.save(evolve(profile, referral_code=code, updated_date=uow.now))
        return Code(code)

    return retry_lost_races(lambda: work.conditional(deps, decide, lost_race=CHANGED))


def apply_referral_code(deps: Deps, uid: str, code: str) -> Applied:
    """A new client names who referred them: once, within 30 days of sign-up, never their own code."""
    wanted = code.strip().upper()

    def decide(uow: UnitOfWork) -> Applied:
        profile = _client(uow, uid)
        owner = uow.referral_codes.get(wanted)
        first_job = uow.points.get(ledger_entry_id(PointsReason.FIRST_JOB, uid))
        if profile.referred_by:
            raise WrongState("You have already applied a referral code.")
        if owner is None:
            raise NotFound(f"code: there is no referral code {wanted}.")
        if owner.client_id == uid:
            raise InvalidInput("code: that is your own referral code; ask a friend for theirs.")
        if uow.now - profile.created_date > dt.timedelta(days=REFERRAL_WINDOW_DAYS):
            raise WrongState(f"Referral codes can be applied within {REFERRAL_WINDOW_DAYS} days of signing up.")
        if first_job is not None:
            raise WrongState("Referral codes are for new clients, before their first completed job.")
        uow.client_profiles.save(evolve(profile, referred_by=owner.client_id, updated_date=uow.now))
        return Applied(wanted, owner.client_id)

    return work.transaction(deps, decide, lost_race=CHANGED)
