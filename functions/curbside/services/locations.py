"""Where technicians are: going online and offline, and the stream of position reports from their phones.

Both actions write the technician's `DispatcherLocations` entry (the auto-dispatch search index) in one
transaction with the checks that decide it. A position report costs at most one read of that entry plus one
query for a job on its way, and is written only when it matters (`domain.tracking`): most reports of a
technician waiting in the van change nothing and cost no write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.documents import DispatcherLocation, ServiceRequest
from curbside.domain.enums import VerificationStatus
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.tracking import (
    LIVE_TRACKING_STATUSES,
    LocationFix,
    LocationPolicy,
    check_fix,
    live_update_due,
    position_write_due,
)
from curbside.services.accounts import BLOCKED_STATUSES, require_usable_account
from curbside.services.dispatcher_index import IndexRefresh, begin_index_refresh, revised
from curbside.store.codec import encode_value, from_snapshot, to_document
from curbside.store.collections import Collection, doc_path
from curbside.store.transactions import run_transaction

NOT_A_TECHNICIAN = "Only technicians can do this: choose 'dispatcher' (or 'both') as your user type first."


def configured_policy() -> LocationPolicy:
    return LocationPolicy(
        max_age=dt.timedelta(seconds=config.LOCATION_MAX_AGE_S.value),
        refresh_after=dt.timedelta(seconds=config.LOCATION_REFRESH_S.value),
        min_move_m=float(config.LOCATION_MIN_MOVE_M.value),
        live_interval=dt.timedelta(seconds=config.LIVE_LOCATION_INTERVAL_S.value),
        max_accuracy_m=float(config.LOCATION_MAX_ACCURACY_M.value),
    )


@dataclass(frozen=True)
class AvailabilitySet:
    online: bool


def set_availability(deps: Deps, uid: str, online: bool) -> AvailabilitySet:
    """Go online (offers may come) or offline. Suspended and banned accounts are refused; a technician whose
    verification is not approved may go offline but not online, and is told why. A shadow-banned technician
    goes online like anyone else and is simply never searchable (spec section 15: they must not notice)."""
    db = deps.db

    @firestore.transactional
    def apply(transaction: firestore.Transaction) -> None:
        status = require_usable_account(db, uid, transaction)
        refresh = begin_index_refresh(db, transaction, uid, account_status=status)
        profile = refresh.standing.profile
        if profile is None:
            raise NotAllowed(NOT_A_TECHNICIAN)
        if online and profile.verification_status is not VerificationStatus.VERIFIED:
            state = profile.verification_status.value.replace("_", " ")
            raise WrongState(f"You can go online once your verification is approved; it is {state} now.")
        refresh.finish(transaction, is_online=online)

    run_transaction(db, apply, lost_race="Your availability was changing at the same moment; try again.")
    return AvailabilitySet(online)


@dataclass(frozen=True)
class LocationUpdate:
    accepted: bool
    """Whether the position was used: stored for dispatch, or shown on a client's live map."""


def update_location(deps: Deps, uid: str, fix: LocationFix, policy: LocationPolicy | None = None) -> LocationUpdate:
    """Take one position report. It is stored for dispatch when the technician is online and moved far
    enough or last reported long enough ago, and shown on the live map of their job that is en route or
    arrived at the spec's cadence; otherwise it is dropped (`accepted: false`) and nothing is written."""
    policy = policy or configured_policy()
    check_fix(fix, deps.clock.now(), policy)
    db = deps.db
    ref = db.document(doc_path(Collection.DISPATCHER_LOCATIONS, uid))

    @firestore.transactional
    def apply(transaction: firestore.Transaction) -> bool:
        snap = ref.get(transaction=transaction)
        location = (from_snapshot(DispatcherLocation, snap) if snap.exists
                    else _first_entry(begin_index_refresh(db, transaction, uid)))
        if location.account_status in BLOCKED_STATUSES:
            raise NotAllowed(f"Location sharing is closed to {location.account_status.value} accounts; "
                             "contact support if you think this is a mistake.")
        live_jobs = _live_jobs(db, transaction, uid)

        store = location.is_online and position_write_due(location.location_updated_at, location.position, fix,
                                                          policy)
        if store:
            transaction.set(ref, to_document(revised(location, lat=fix.lat, lng=fix.lng, accuracy_m=fix.accuracy_m,
                                                     location_updated_at=fix.recorded_at)))
        shown = [job for job in live_jobs if live_update_due(job.dispatcher_location_updated_at, fix, policy)]
        for job in shown:
            transaction.update(db.document(doc_path(Collection.SERVICE_REQUESTS, job.id)), {
                "dispatcher_current_lat": fix.lat, "dispatcher_current_lng": fix.lng,
                "dispatcher_location_updated_at": encode_value(fix.recorded_at),
            })
        return store or bool(shown)

    accepted = run_transaction(db, apply, lost_race="Another report was being saved at the same moment; this one "
                                                    "was not used.")
    return LocationUpdate(accepted=accepted)


def _first_entry(refresh: IndexRefresh) -> DispatcherLocation:
    """The entry of a technician reporting before ever going online (it is written once a fix is stored)."""
    entry = refresh.entry()
    if entry is None:
        raise NotAllowed(NOT_A_TECHNICIAN)
    return entry


def _live_jobs(db: firestore.Client, transaction: firestore.Transaction, uid: str) -> list[ServiceRequest]:
    """The technician's jobs whose client watches the live map (normally none or one)."""
    query = (db.collection(Collection.SERVICE_REQUESTS)
             .where(filter=FieldFilter("dispatcher_id", "==", uid))
             .where(filter=FieldFilter("status", "in", sorted(s.value for s in LIVE_TRACKING_STATUSES))))
    return [from_snapshot(ServiceRequest, snap) for snap in query.stream(transaction=transaction)]
