"""Accounts: server-owned defaults after sign-up, choosing a role, device tokens, and the account gate.

The app creates `Users/{uid}` itself with the few fields a person may set; everything a person must not set
(account status, verification flags, notification defaults) is filled here, each write guarded so that a
duplicate trigger delivery changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.account_status import BLOCKED, STANDING, blocked_message
from curbside.domain.documents import ClientProfile, DispatcherProfile, NotificationPreferences, User, UserPrivate
from curbside.domain.enums import AccountStatus, UserRole, UserType
from curbside.domain.errors import NotAllowed, NotFound
from curbside.domain.name_search import name_prefixes
from curbside.domain.texts import language
from curbside.services import work
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

BLOCKED_STATUSES = BLOCKED
ACCOUNT_CHANGED = "Your account changed at the same moment; try again."


def fill_user_defaults(deps: Deps, uid: str) -> bool:
    """After sign-up: complete `Users/{uid}` with the server's defaults for the fields the app did not write,
    create its private part (`account_status: active`) and the spec's default `NotificationPreferences`.
    Returns whether anything was written (False on a replay)."""

    def fill(uow: UnitOfWork) -> bool:
        user = uow.users.get(uid)
        if user is None:
            return False
        private, prefs = uow.user_private.get(uid), uow.notification_preferences.get(uid)
        if user.created_date is None or user.updated_date is None:
            user = evolve(user, created_date=user.created_date or user.created_time or uow.now,
                          updated_date=user.updated_date or uow.now)
        uow.users.save(user)  # writes the model's defaults for every field the app left out
        if private is None:
            uow.user_private.save(uid, UserPrivate())
        if prefs is None:
            uow.notification_preferences.create(NotificationPreferences(id=uid, user_id=uid))
        return bool(uow.writes)

    return work.transaction(deps, fill, lost_race="Your account was being set up at the same moment; try again.")


def refresh_name_search(deps: Deps, uid: str) -> bool:
    """Keep `Users.search_prefixes` in step with the names (the app writes names directly under the rules, so a
    trigger calls this). Returns whether it wrote; a replay, or the trigger's run for its own write, does not."""

    def refresh(uow: UnitOfWork) -> bool:
        user = uow.users.get(uid)
        if user is None:
            return False
        prefixes = name_prefixes(user.full_name, user.display_name)
        if user.search_prefixes == prefixes:
            return False
        uow.users.save(evolve(user, search_prefixes=prefixes))
        return True

    return work.transaction(deps, refresh)


def account_status_of(uow: UnitOfWork, uid: str) -> AccountStatus:
    """The account's status; a user whose private part is not written yet is treated as active."""
    private = uow.user_private.get(uid)
    return private.account_status if private is not None else AccountStatus.ACTIVE


ACCOUNT_DELETED = "This account was deleted; there is nothing more to do with it."


def require_usable_account(uow: UnitOfWork, uid: str) -> AccountStatus:
    """Refuse suspended, banned and deleted accounts. A shadow-banned account passes: it must notice nothing.
    (A deleted account's ID token stays valid for up to an hour after its Auth account is gone.)"""
    private = uow.user_private.get(uid)
    if private is not None and private.deleted_at is not None:
        raise NotAllowed(ACCOUNT_DELETED)
    status = private.account_status if private is not None else AccountStatus.ACTIVE
    if status in BLOCKED_STATUSES:
        raise NotAllowed(blocked_message(status))
    return status


def refuse_blocked(deps: Deps, uid: str) -> None:
    """Every callable's gate (`entrypoints.protocol.run_callable`): suspended and banned people are refused
    before anything else is read or written (one read). Use cases that must hold under a concurrent ban check
    again inside their own commit."""
    work.reading(deps, lambda uow: require_usable_account(uow, uid))


def requests_dispatched(uow: UnitOfWork, client_id: str) -> bool:
    """Whether a client's requests are offered to technicians (not while shadow-banned, suspended or banned)."""
    return STANDING[account_status_of(uow, client_id)].requests_dispatched


def signed_up_user(uow: UnitOfWork, uid: str) -> User:
    """The caller's `Users` document, refused when sign-up is unfinished or the account is blocked."""
    user = uow.users.get(uid)
    if user is None:
        raise NotFound("Finish sign-up first: your user record does not exist yet.")
    require_usable_account(uow, uid)
    return user


@dataclass(frozen=True)
class UserTypeChosen:
    user_type: UserType


def set_user_type(deps: Deps, uid: str, user_type: UserType) -> UserTypeChosen:
    """Record the role chosen at onboarding and create the profile(s) it needs. Profiles are keyed by uid,
    so choosing twice, or switching to `both`, never duplicates or overwrites one."""

    if user_type is UserType.MERCHANT:
        raise NotAllowed("A merchant account is set up by Curbside (admin_upsert_merchant), not chosen in the app.")

    def choose(uow: UnitOfWork) -> None:
        user = signed_up_user(uow, uid)
        if user.user_type is UserType.MERCHANT:
            raise NotAllowed("This is a merchant account: it orders for customers and has no client or "
                             "technician side; sign up separately for one.")
        client = uow.client_profiles.get(uid) if user_type in (UserType.CLIENT, UserType.BOTH) else True
        technician = (uow.dispatcher_profiles.get(uid) if user_type in (UserType.DISPATCHER, UserType.BOTH)
                      else True)
        if client is None:
            uow.client_profiles.create(ClientProfile(id=uid, user_id=uid, created_date=uow.now, updated_date=uow.now))
        if technician is None:
            uow.dispatcher_profiles.create(DispatcherProfile(id=uid, user_id=uid, created_date=uow.now,
                                                             updated_date=uow.now))
        uow.users.save(evolve(user, user_type=user_type, updated_date=uow.now))

    work.transaction(deps, choose, lost_race=ACCOUNT_CHANGED)
    return UserTypeChosen(user_type)


@dataclass(frozen=True)
class DeviceRegistered:
    registered: bool = True


@dataclass(frozen=True)
class LocaleSet:
    locale: str
    language: str
    """The catalogue the person's texts come from (`en` for a language without one, D120)."""


def set_locale(deps: Deps, uid: str, locale: str) -> LocaleSet:
    """The language and region of the caller's notices, e-mails, SMS, support answers and invoices (a tag
    Babel knows, already normalised by the entry point)."""

    def choose(uow: UnitOfWork) -> None:
        user = signed_up_user(uow, uid)
        if user.locale != locale:
            uow.users.save(evolve(user, locale=locale, updated_date=uow.now))

    work.transaction(deps, choose, lost_race=ACCOUNT_CHANGED)
    return LocaleSet(locale, language(locale))


@dataclass(frozen=True)
class TokenIdentity:
    """What Firebase Auth vouches for in the caller's ID token."""

    email: str | None = None
    email_verified: bool = False


def register_device(deps: Deps, uid: str, fcm_token: str, identity: TokenIdentity) -> DeviceRegistered:
    """Keep the push token (most recent last, at most `max_device_tokens`, so stale devices age out), and bring
    `email` / `email_verified` up to date with the ID token (the app registers at every start, so a confirmed
    e-mail address shows as verified the next time the app opens)."""

    def register(uow: UnitOfWork) -> None:
        user = signed_up_user(uow, uid)
        tokens = [*(token for token in user.fcm_tokens if token != fcm_token), fcm_token]
        identity_fields = {"email_verified": identity.email_verified,
                           **({"email": identity.email} if identity.email else {})}
        uow.users.save(evolve(user, fcm_tokens=tokens[-uow.settings.max_device_tokens:], updated_date=uow.now,
                              **identity_fields))

    work.transaction(deps, register, lost_race=ACCOUNT_CHANGED)
    return DeviceRegistered()


def admins(uow: UnitOfWork, *, most: int = 50) -> list[User]:
    """The admins to alert (a dispute, a ticket waiting for a person, a fraud alert): `Users.role` mirrors the
    `admin` claim; at most `most` of them."""
    return uow.users.find(queries.ADMINS, role=UserRole.ADMIN, limit=most)
