"""The daily insurance check (spec section 11: "Upload insurance proof (must be current)").

A technician's vehicle step is approved with insurance that covers a known last day
(`DispatcherProfiles.vehicle_insurance_expiry`). Each day the check finds the approved vehicle steps whose
insurance ended before today (in the platform's time zone) — one catalogued query, bounded pages — and revokes
each in its own transaction: the step moves `approved -> rejected` as the system, with a reason the technician
reads, which ends their verification, takes them out of dispatch and withdraws their pending offers in the
same commit (`services.verification.record`). Running it twice changes nothing: a revoked step is no longer
approved, so neither the query nor the transaction's re-check finds it again.
"""

from __future__ import annotations

import datetime as dt

from curbside.deps import Deps
from curbside.domain.documents import DispatcherProfile
from curbside.domain.enums import StepStatus, VerificationStep
from curbside.domain.errors import LostRace
from curbside.domain.lifecycle import Actor
from curbside.domain.verification import insurance_lapsed, local_today
from curbside.services import work
from curbside.services.verification import CHANGED, decide_step, hand_on, open_file
from curbside.store import queries
from curbside.store.uow import UnitOfWork

PAGE = 200


def revoke_lapsed_insurance(deps: Deps, *, page: int = PAGE) -> list[str]:
    """Revoke every approved vehicle step whose insurance has lapsed; returns the technicians revoked."""
    today = local_today(deps.clock.now(), deps.settings.default_time_zone)
    revoked: list[str] = []
    seen: set[str] = set()
    while True:
        lapsed = work.reading(deps, lambda uow: uow.dispatcher_profiles.find(
            queries.VEHICLES_WITH_LAPSED_INSURANCE, status=StepStatus.APPROVED, before=today.isoformat(),
            limit=page))
        fresh = [profile for profile in lapsed if profile.user_id not in seen]
        if not fresh:
            return revoked
        for profile in fresh:
            seen.add(profile.user_id)
            if _revoke(deps, profile, today):
                revoked.append(profile.user_id)


def _revoke(deps: Deps, found: DispatcherProfile, today: dt.date) -> bool:
    def decide(uow: UnitOfWork) -> tuple[str, ...] | None:
        file = open_file(uow, found.user_id)
        if file is None or file.profile.vehicle_verification_status is not StepStatus.APPROVED or \
                not insurance_lapsed(file.profile.vehicle_insurance_expiry, today):
            return None  # renewed, revoked by a run before, or decided by an admin meanwhile
        expiry = file.profile.vehicle_insurance_expiry
        return decide_step(uow, file, VerificationStep.VEHICLE, StepStatus.REJECTED, Actor.SYSTEM,
                           reviewed_by="system", notes=f"Insurance expired on {expiry}.",
                           rejection_reason=f"Your vehicle insurance expired on {expiry}: upload your current "
                                            "insurance.", why="insurance_expired").withdrawn

    try:
        withdrawn = work.transaction(deps, decide, lost_race=CHANGED)
    except LostRace:
        return False  # the next run finds it again
    if withdrawn is None:
        return False
    hand_on(deps, withdrawn)
    return True
