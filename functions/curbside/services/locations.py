"""Where technicians are: going online and offline, and the stream of position reports from their phones.

Both write the technician's `DispatcherLocations` entry (the auto-dispatch search index) in one transaction
with the checks that decide it; the unit of work keeps the entry's copies of their standing true
(`store.derived`). A position report costs at most one read of that entry plus one query for a job on its
way, and is written only when it matters (`domain.tracking`): most reports of a technician waiting in the van
change nothing and cost no write. A stored position also refreshes the arrival estimate of the technician's
jobs still on their way (`services.arrival_estimates`, through the outbox).
"""

from __future__ import annotations

from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.dispatch_index import index_entry, revised
from curbside.domain.documents import DispatcherLocation
from curbside.domain.enums import FraudAlertType, PartyType
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.tracking import (
    LIVE_TRACKING_STATUSES,
    ImplausibleFix,
    LocationFix,
    LocationPolicy,
    check_fix,
    check_plausible,
    live_update_due,
    position_write_due,
)
from curbside.services import fraud, work
from curbside.services.accounts import BLOCKED_STATUSES, require_usable_account
from curbside.services.arrival_estimates import ON_THE_WAY, estimate_arrival
from curbside.store import queries
from curbside.store.derived import technician_standing
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

NOT_A_TECHNICIAN = "Only technicians can do this: choose 'dispatcher' (or 'both') as your user type first."


@dataclass(frozen=True)
class AvailabilitySet:
    online: bool


def set_availability(deps: Deps, uid: str, online: bool) -> AvailabilitySet:
    """Go online (offers may come) or offline. Suspended and banned accounts are refused; a technician whose
    verification is not approved may go offline but not online, and is told why. A shadow-banned technician
    goes online like anyone else and is simply never searchable (spec section 15: they must not notice)."""

    def apply(uow: UnitOfWork) -> None:
        require_usable_account(uow, uid)
        standing = technician_standing(uow, uid)
        entry = uow.locations.get(uid)
        if standing.profile is None:
            raise NotAllowed(NOT_A_TECHNICIAN)
        if online and not standing.verified:
            state = standing.profile.verification_status.value.replace("_", " ")
            raise WrongState(f"You can go online once your verification is approved; it is {state} now.")
        uow.refresh_requested.add(uid)  # rebuilt from the sources as well, so a missed refresh heals here
        uow.locations.save(revised(entry or DispatcherLocation(id=uid, dispatcher_id=uid), is_online=online))

    work.transaction(deps, apply, lost_race="Your availability was changing at the same moment; try again.")
    return AvailabilitySet(online)


@dataclass(frozen=True)
class LocationUpdate:
    accepted: bool
    """Whether the position was used: stored for dispatch, or shown on a client's live map."""


def update_location(deps: Deps, uid: str, fix: LocationFix) -> LocationUpdate:
    """Take one position report. It is stored for dispatch when the technician is online and moved far
    enough or last reported long enough ago, and shown on the live map of their job that is en route or
    arrived at the spec's cadence; otherwise it is dropped (`accepted: false`) and nothing is written."""
    policy = deps.settings.location
    try:
        return _update_location(deps, uid, fix, policy)
    except ImplausibleFix as refused:
        _flag_fake_gps(deps, uid, fix, str(refused))
        raise


def _flag_fake_gps(deps: Deps, uid: str, fix: LocationFix, why: str) -> None:
    """A refused, impossible fix is a `fake_gps` signal: recorded in a commit of its own (the report itself
    wrote nothing), one alert per technician and window."""

    def decide(uow: UnitOfWork) -> None:
        seen = fraud.watch(uow, uid, PartyType.DISPATCHER, FraudAlertType.FAKE_GPS)
        if seen is not None:
            fraud.record(uow, seen, request_id=None, details={
                "lat": fix.lat, "lng": fix.lng, "recorded_at": fix.recorded_at, "why": why})

    work.transaction(deps, decide)


def _update_location(deps: Deps, uid: str, fix: LocationFix, policy: LocationPolicy) -> LocationUpdate:
    check_fix(fix, deps.clock.now(), policy)

    def apply(uow: UnitOfWork) -> bool:
        location = uow.locations.get(uid) or _first_entry(uow, uid)
        if location.account_status in BLOCKED_STATUSES:
            raise NotAllowed(f"Location sharing is closed to {location.account_status.value} accounts; "
                             "contact support if you think this is a mistake.")
        check_plausible(location.location_updated_at, location.position, fix, policy)
        jobs = uow.requests.find(queries.JOBS_OF_TECHNICIAN_IN, dispatcher_id=uid,
                                 statuses=sorted(LIVE_TRACKING_STATUSES | ON_THE_WAY))
        store = location.is_online and position_write_due(location.location_updated_at, location.position, fix,
                                                          policy)
        if store:
            moved = revised(location, lat=fix.lat, lng=fix.lng, accuracy_m=fix.accuracy_m,
                            location_updated_at=fix.recorded_at)
            uow.locations.save(moved)
            for job in jobs:
                if job.status in ON_THE_WAY:
                    estimate_arrival(uow, job.id)
        live_jobs = [job for job in jobs if job.status in LIVE_TRACKING_STATUSES]
        shown = [job for job in live_jobs if live_update_due(job.dispatcher_location_updated_at, fix, policy)]
        for job in shown:
            uow.requests.save(evolve(job, dispatcher_current_lat=fix.lat, dispatcher_current_lng=fix.lng,
                                     dispatcher_location_updated_at=fix.recorded_at))
        return store or bool(shown)

    # guarded writes, not a transaction: the jobs query inside a transaction locks far more than the entry in
    # the emulator, and eight reports at once on one technician starved each other for minutes (D133's finding)
    accepted = work.conditional(deps, apply, lost_race="Another report was being saved at the same moment; this "
                                                       "one was not used.")
    return LocationUpdate(accepted=accepted)


def _first_entry(uow: UnitOfWork, uid: str) -> DispatcherLocation:
    """The entry of a technician reporting before ever going online (it is written once a fix is stored)."""
    entry = index_entry(uid, technician_standing(uow, uid), None, capacity=uow.settings.dispatch.capacity,
                        now=uow.now)
    if entry is None:
        raise NotAllowed(NOT_A_TECHNICIAN)
    return entry
