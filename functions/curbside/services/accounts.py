"""Accounts: server-owned defaults after sign-up, choosing a role, device tokens, and the account gate.

The app creates `Users/{uid}` itself with the few fields a person may set; everything a person must not set
(account status, verification flags, notification defaults) is filled here, each write guarded so that a
duplicate trigger delivery changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.cloud import firestore

from curbside.deps import Deps
from curbside.domain.documents import (
    ClientProfile,
    DispatcherProfile,
    NotificationPreferences,
    User,
    UserPrivate,
)
from curbside.domain.enums import AccountStatus, UserType
from curbside.domain.errors import NotAllowed, NotFound
from curbside.store.codec import encode_value, from_snapshot, to_document
from curbside.store.collections import Collection, doc_path, private_doc_path
from curbside.store.transactions import run_transaction

SERVER_DEFAULTS_OF_USER = ("id", "role", "phone_verified", "email_verified", "fcm_tokens",
                           "onboarding_completed", "created_date", "updated_date")
"""Fields of `Users` the app does not write at sign-up; the trigger fills those that are missing."""

BLOCKED_STATUSES = frozenset({AccountStatus.SUSPENDED, AccountStatus.BANNED})


def fill_user_defaults(deps: Deps, uid: str) -> bool:
    """After sign-up: complete `Users/{uid}`, create its private part (`account_status: active`) and the
    spec's default `NotificationPreferences`. Returns whether anything was written (False on a replay)."""
    db = deps.db
    user_ref = db.document(doc_path(Collection.USERS, uid))
    private_ref = db.document(private_doc_path(Collection.USERS, uid))
    prefs_ref = db.document(doc_path(Collection.NOTIFICATION_PREFERENCES, uid))
    now = deps.clock.now()

    @firestore.transactional
    def fill(transaction: firestore.Transaction) -> bool:
        user_snap, private_snap, prefs_snap = (ref.get(transaction=transaction)
                                               for ref in (user_ref, private_ref, prefs_ref))
        if not user_snap.exists:
            return False
        stored = user_snap.to_dict() or {}
        defaults = to_document(User(id=uid, created_date=stored.get("created_time") or now, updated_date=now))
        missing = {name: defaults[name] for name in SERVER_DEFAULTS_OF_USER if name not in stored}
        if missing:
            transaction.update(user_ref, missing)
        if not private_snap.exists:
            transaction.set(private_ref, to_document(UserPrivate()))
        if not prefs_snap.exists:
            transaction.set(prefs_ref, to_document(NotificationPreferences(id=uid, user_id=uid)))
        return bool(missing) or not private_snap.exists or not prefs_snap.exists

    return bool(run_transaction(db, fill, lost_race="Your account was being set up at the same moment; try again."))


def account_status_of(db: firestore.Client, uid: str,
                      transaction: firestore.Transaction | None = None) -> AccountStatus:
    """The account's status; a user whose private part is not written yet is treated as active."""
    snap = db.document(private_doc_path(Collection.USERS, uid)).get(transaction=transaction)
    return from_snapshot(UserPrivate, snap).account_status if snap.exists else AccountStatus.ACTIVE


def require_usable_account(db: firestore.Client, uid: str,
                           transaction: firestore.Transaction | None = None) -> AccountStatus:
    """Refuse suspended and banned accounts. A shadow-banned account passes: it must notice nothing."""
    status = account_status_of(db, uid, transaction)
    if status in BLOCKED_STATUSES:
        raise NotAllowed(f"Your account is {status.value}; contact support if you think this is a mistake.")
    return status


def _signed_up_user(db: firestore.Client, uid: str, transaction: firestore.Transaction) -> dict[str, Any]:
    """The caller's `Users` document, refused when sign-up is unfinished or the account is blocked."""
    snap = db.document(doc_path(Collection.USERS, uid)).get(transaction=transaction)
    if not snap.exists:
        raise NotFound("Finish sign-up first: your user record does not exist yet.")
    require_usable_account(db, uid, transaction)
    return snap.to_dict() or {}


@dataclass(frozen=True)
class UserTypeChosen:
    user_type: UserType


def set_user_type(deps: Deps, uid: str, user_type: UserType) -> UserTypeChosen:
    """Record the role chosen at onboarding and create the profile(s) it needs. Profiles are keyed by uid,
    so choosing twice, or switching to `both`, never duplicates or overwrites one."""
    db = deps.db
    user_ref = db.document(doc_path(Collection.USERS, uid))
    wanted: list[tuple[firestore.DocumentReference, type[ClientProfile] | type[DispatcherProfile]]] = []
    if user_type in (UserType.CLIENT, UserType.BOTH):
        wanted.append((db.document(doc_path(Collection.CLIENT_PROFILES, uid)), ClientProfile))
    if user_type in (UserType.DISPATCHER, UserType.BOTH):
        wanted.append((db.document(doc_path(Collection.DISPATCHER_PROFILES, uid)), DispatcherProfile))
    now = deps.clock.now()

    @firestore.transactional
    def choose(transaction: firestore.Transaction) -> None:
        _signed_up_user(db, uid, transaction)
        missing = [(ref, model) for ref, model in wanted if not ref.get(transaction=transaction).exists]
        for ref, model in missing:
            transaction.create(ref, to_document(model(id=uid, user_id=uid, created_date=now, updated_date=now)))
        transaction.update(user_ref, {"user_type": user_type.value, "updated_date": now})

    run_transaction(db, choose, lost_race="Your account changed at the same moment; try again.")
    return UserTypeChosen(user_type)


@dataclass(frozen=True)
class DeviceRegistered:
    registered: bool = True


def register_device(deps: Deps, uid: str, fcm_token: str, max_tokens: int) -> DeviceRegistered:
    """Keep the push token (most recent last, at most `max_tokens`, so stale devices age out)."""
    db = deps.db
    user_ref = db.document(doc_path(Collection.USERS, uid))

    @firestore.transactional
    def register(transaction: firestore.Transaction) -> None:
        user = _signed_up_user(db, uid, transaction)
        tokens = [t for t in user.get("fcm_tokens") or [] if t != fcm_token]
        tokens = [*tokens, fcm_token][-max_tokens:]
        transaction.update(user_ref, {"fcm_tokens": tokens, "updated_date": encode_value(deps.clock.now())})

    run_transaction(db, register, lost_race="Your account changed at the same moment; try again.")
    return DeviceRegistered()
