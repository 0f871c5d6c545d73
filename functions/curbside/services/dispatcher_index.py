"""Keeping each technician's DispatcherLocations entry — the auto-dispatch search index — true to the
documents their eligibility depends on.

Of a technician's documents, a candidate search and a location report read this entry only, so it carries
copies of their verification, account status, rating and active jobs (`DispatcherLocation` explains the
fields). Whoever changes one of the originals must refresh the copy **in the same transaction**, so that a
technician who is banned, shadow-banned, unverified or fully booked leaves the index at the very moment the
change commits:

    refresh = begin_index_refresh(db, transaction, uid)    # with the caller's reads, before any write
    ... the caller writes its change ...
    refresh.finish(transaction, account_status=new_status)  # or profile=..., request=...

`refresh_dispatcher_index(deps, uid)` does the same in a transaction of its own, re-reading everything: for
changes committed elsewhere (a daily job that updates ratings) and for repairs. Either way the entry is
rebuilt from the source documents, not patched, so a missed refresh is corrected by the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.documents import DispatcherLocation, DispatcherProfile, ServiceRequest
from curbside.domain.enums import AccountStatus, RequestStatus, VerificationStatus
from curbside.domain.tracking import ACTIVE_JOB_STATUSES
from curbside.services.accounts import account_status_of
from curbside.store.codec import from_snapshot, to_document
from curbside.store.collections import Collection, doc_path
from curbside.store.transactions import run_transaction


def revised(location: DispatcherLocation, **changes: Any) -> DispatcherLocation:
    """A validated copy with some fields changed (the derived fields follow by construction)."""
    return DispatcherLocation.model_validate({**location.model_dump(), **changes})


def configured_capacity() -> int:
    return config.DISPATCH_CAPACITY.value


@dataclass(frozen=True)
class Standing:
    """What the source documents say about a technician."""

    profile: DispatcherProfile | None
    """None: the user is not (or no longer) a technician."""
    account_status: AccountStatus
    active_jobs: Mapping[str, RequestStatus] = field(default_factory=dict)
    """Their jobs in `ACTIVE_JOB_STATUSES`, by request id."""

    def changed(self, *, profile: DispatcherProfile | None = None, account_status: AccountStatus | None = None,
                request: ServiceRequest | None = None) -> Standing:
        """The standing once a caller's pending writes commit: `profile` / `account_status` as they will be
        stored, `request` a job of this technician's as it will be stored (taken, moved, finished, handed
        to someone else)."""
        standing = replace(self, profile=profile or self.profile, account_status=account_status or self.account_status)
        if request is None or self.profile is None:
            return standing
        jobs = {rid: status for rid, status in self.active_jobs.items() if rid != request.id}
        if request.dispatcher_id == self.profile.user_id and request.status in ACTIVE_JOB_STATUSES:
            jobs[request.id] = request.status
        return replace(standing, active_jobs=jobs)

    def entry(self, uid: str, stored: DispatcherLocation | None, *, capacity: int,
              is_online: bool | None = None) -> DispatcherLocation | None:
        """The index entry these facts call for (None for a user who never was a technician)."""
        if self.profile is None and stored is None:
            return None
        base = stored or DispatcherLocation(id=uid, dispatcher_id=uid)
        return revised(
            base,
            is_online=base.is_online if is_online is None else is_online,
            verified=self.profile is not None and self.profile.verification_status is VerificationStatus.VERIFIED,
            rating=self.profile.rating if self.profile is not None else base.rating,
            account_status=self.account_status,
            active_jobs=len(self.active_jobs),
            capacity=capacity,
        )


def read_standing(db: firestore.Client, transaction: firestore.Transaction | None, uid: str, *,
                  account_status: AccountStatus | None = None) -> Standing:
    """Read the source documents (pass `account_status` when the caller has already read it)."""
    profile_snap = db.document(doc_path(Collection.DISPATCHER_PROFILES, uid)).get(transaction=transaction)
    status = account_status or account_status_of(db, uid, transaction)
    jobs = (db.collection(Collection.SERVICE_REQUESTS)
            .where(filter=FieldFilter("dispatcher_id", "==", uid))
            .where(filter=FieldFilter("status", "in", sorted(s.value for s in ACTIVE_JOB_STATUSES)))
            .stream(transaction=transaction))
    return Standing(
        profile=from_snapshot(DispatcherProfile, profile_snap) if profile_snap.exists else None,
        account_status=status,
        active_jobs={snap.id: RequestStatus((snap.to_dict() or {})["status"]) for snap in jobs},
    )


@dataclass(frozen=True)
class IndexRefresh:
    """A refresh under way in a caller's transaction: the reads are done, the write waits for `finish`."""

    uid: str
    ref: firestore.DocumentReference
    stored: DispatcherLocation | None
    standing: Standing

    def entry(self, *, capacity: int | None = None, is_online: bool | None = None,
              profile: DispatcherProfile | None = None, account_status: AccountStatus | None = None,
              request: ServiceRequest | None = None) -> DispatcherLocation | None:
        """The entry after the caller's changes, without writing it."""
        standing = self.standing.changed(profile=profile, account_status=account_status, request=request)
        return standing.entry(self.uid, self.stored, is_online=is_online,
                              capacity=configured_capacity() if capacity is None else capacity)

    def finish(self, transaction: firestore.WriteBatch, *, capacity: int | None = None,
               is_online: bool | None = None, profile: DispatcherProfile | None = None,
               account_status: AccountStatus | None = None,
               request: ServiceRequest | None = None) -> DispatcherLocation | None:
        """Write the entry the caller's changes call for (nothing when it is unchanged). Pass what the caller
        is changing, as it will be stored: `profile` (verification, rating), `account_status`, `request`
        (one of the technician's jobs taken, moved, finished or reassigned)."""
        entry = self.entry(capacity=capacity, is_online=is_online, profile=profile, account_status=account_status,
                           request=request)
        if entry is not None and entry != self.stored:
            transaction.set(self.ref, to_document(entry))
        return entry


def begin_index_refresh(db: firestore.Client, transaction: firestore.Transaction | None, uid: str, *,
                        account_status: AccountStatus | None = None) -> IndexRefresh:
    """Read a technician's index entry and its sources inside the caller's transaction (before it writes).
    Safe for any user: for one who is not a technician, `finish` writes nothing. `transaction=None` reads
    outside one, for a caller that guards its commit with preconditions instead (accepting a job)."""
    ref = db.document(doc_path(Collection.DISPATCHER_LOCATIONS, uid))
    snap = ref.get(transaction=transaction)
    stored = from_snapshot(DispatcherLocation, snap) if snap.exists else None
    return IndexRefresh(uid, ref, stored, read_standing(db, transaction, uid, account_status=account_status))


def refresh_dispatcher_index(deps: Deps, uid: str) -> DispatcherLocation | None:
    """Rebuild a technician's index entry from the source documents, in a transaction of its own. Returns the
    entry (None for a user who is not a technician)."""
    db = deps.db

    @firestore.transactional
    def refresh(transaction: firestore.Transaction) -> DispatcherLocation | None:
        return begin_index_refresh(db, transaction, uid).finish(transaction)

    entry: DispatcherLocation | None = run_transaction(
        db, refresh, lost_race="The technician's records were changing at the same moment; try again.")
    return entry
