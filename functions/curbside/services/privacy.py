"""The privacy rights (issue 15; spec "GDPR compliance (data export, deletion)"; docs/decisions.md D73-D74).

`export_my_data` writes one JSON archive of everything `personal_data.HOLDINGS` finds for the caller to their
own storage folder (`users/{uid}/exports/`, replacing the previous one) and answers a link valid for
`EXPORT_LINK_LIFETIME`. `delete_my_account` refuses while something still binds the person to the platform (a
job not finished, a dispute undecided, money held or not yet paid out); otherwise one transaction marks the
account deleted (every callable refuses it from then on), takes a technician out of dispatch (offline, pending
offers withdrawn and handed on) and records the erasure in the outbox. The erasure handler erases each holding,
the private parts, every file under `users/{uid}/` and their quarantined uploads, then deletes the Firebase Auth
account; each step is idempotent, so the sweep finishes an interrupted run and a replay writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from curbside.deps import Deps
from curbside.domain.dispatch_index import revised
from curbside.domain.documents import OutboxEntry
from curbside.domain.enums import PayoutStatus, RequestStatus
from curbside.domain.errors import NotFound, WrongState
from curbside.domain.lifecycle import Actor
from curbside.domain.lifecycles import DISPUTE_WAITING
from curbside.domain.tracking import ACTIVE_JOB_STATUSES
from curbside.domain.uploads import USERS_PREFIX
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.outbox import Handler
from curbside.services.personal_data import (
    HOLDINGS,
    PRIVATE_ERASE,
    PRIVATE_EXPORTED,
    erase_holding,
    pages,
    quarantined_files,
    scrub_mentions,
)
from curbside.services.rate_limits import take
from curbside.services.verification import hand_on, open_file, withdraw_offers
from curbside.store import queries
from curbside.store.collections import Collection
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

EXPORT_LINK_LIFETIME = dt.timedelta(minutes=15)
EXPORTS = "exports/"
ERASE_ACCOUNT = "erase_account"
"""The outbox kind that erases a deleted account's data, files and Auth account."""
CHANGED = "Your account changed at the same moment; try again."
NO_ACCOUNT = "There is no account to act on: finish sign-up first."
UNFINISHED_JOBS = (RequestStatus.SCHEDULED, RequestStatus.PENDING, *sorted(ACTIVE_JOB_STATUSES))


@dataclass(frozen=True)
class Exported:
    download_url: str
    expires_at: dt.datetime
    path: str
    documents: int


@dataclass(frozen=True)
class AccountDeleted:
    deleted_at: dt.datetime


def _folder(uid: str) -> str:
    return f"{USERS_PREFIX}{uid}/"


def _person(uow: UnitOfWork, uid: str) -> None:
    if uow.users.get(uid) is None:
        raise NotFound(NO_ACCOUNT)
    require_usable_account(uow, uid)


def export_my_data(deps: Deps, uid: str) -> Exported:
    """The caller's archive (module docstring); limited to `EXPORTS_PER_DAY`, the slot taken before reading."""
    work.reading(deps, lambda uow: _person(uow, uid))
    take(deps, deps.settings.rate_limits.export_my_data, uid)
    now = deps.clock.now()
    collections: dict[str, dict[str, Any]] = {}
    for holding in (item for item in HOLDINGS if item.exported):
        found = collections.setdefault(str(holding.collection), {})
        for page in pages(deps, holding, uid):
            for document in filter(holding.shown, page):
                found[document.id] = document.model_dump(mode="json", exclude=set(holding.hidden))
    archive = {"user_id": uid, "exported_at": now.isoformat(), "private": work.reading(deps, lambda uow: {
        str(collection): part.model_dump(mode="json", include=set(fields))
        for collection, fields in PRIVATE_EXPORTED.items() if (part := _private(uow, collection).get(uid))}),
        "collections": {name: sorted(found.values(), key=lambda d: d["id"]) for name, found in collections.items()}}
    folder = _folder(uid) + EXPORTS
    for old in deps.files.paths(folder):
        deps.files.delete(old)
    path = f"{folder}{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    deps.files.upload(path, json.dumps(archive, indent=1, sort_keys=True).encode(), "application/json")
    return Exported(deps.files.signed_url(path, EXPORT_LINK_LIFETIME), now + EXPORT_LINK_LIFETIME, path,
                    sum(len(found) for found in collections.values()))


def _private(uow: UnitOfWork, collection: Collection) -> Any:
    return {Collection.CLIENT_PROFILES: uow.client_private, Collection.DISPATCHER_PROFILES: uow.dispatcher_private
            }[collection]


@dataclass(frozen=True)
class DeletedByAdmin:
    """An admin deleting someone's account from the console: audited, and allowed for a suspended or banned
    account (which cannot ask itself)."""

    admin_uid: str
    reason: str


DELETE_ACCOUNT = "delete_account"
"""The audit trail's name for an admin's deletion."""


def delete_my_account(deps: Deps, uid: str, by_admin: DeletedByAdmin | None = None) -> AccountDeleted:
    """Refuse (FAILED_PRECONDITION, nothing written) or mark the account deleted and start the erasure; a
    repeated call answers the first one's time and writes nothing. `by_admin`: the console's deletion, the same
    path with its audit entry in the marking commit."""

    def decide(uow: UnitOfWork) -> tuple[AccountDeleted, tuple[str, ...]]:
        if uow.users.get(uid) is None:
            raise NotFound(NO_ACCOUNT)
        private = uow.user_private.get_or_default(uid)
        if private.deleted_at is not None:
            return AccountDeleted(private.deleted_at), ()
        if by_admin is None:
            require_usable_account(uow, uid)
        _refuse_while_bound(uow, uid)
        file = open_file(uow, uid)
        entry = uow.locations.get(uid)
        withdrawn = withdraw_offers(uow, file.pending_offers, Actor.SYSTEM, reason=None) if file else ()
        if entry is not None and entry.is_online:
            uow.locations.save(revised(entry, is_online=False))
        uow.user_private.save(uid, evolve(private, deleted_at=uow.now))
        uow.outbox.add(ERASE_ACCOUNT, uid, uid=uid)
        if by_admin is not None:
            uow.audit.record(actor_id=by_admin.admin_uid, action=DELETE_ACCOUNT, target=Collection.USERS,
                             target_id=uid, before={"deleted_at": None}, after={"deleted_at": uow.now.isoformat()},
                             reason=by_admin.reason)
        return AccountDeleted(uow.now), withdrawn

    result, withdrawn = work.transaction(deps, decide, lost_race=CHANGED)
    hand_on(deps, withdrawn)
    return result


_BINDINGS: tuple[tuple[Callable[[UnitOfWork, str], int], str], ...] = (
    (lambda uow, uid: uow.requests.count(queries.JOBS_OF_CLIENT_IN, up_to=1, client_id=uid,
                                         statuses=list(UNFINISHED_JOBS)),
     "You have a job that is not finished: cancel it or wait until it is completed, then delete your account."),
    (lambda uow, uid: uow.requests.count(queries.JOBS_OF_TECHNICIAN_IN, up_to=1, dispatcher_id=uid,
                                         statuses=sorted(ACTIVE_JOB_STATUSES)),
     "You have a job in progress as a technician: complete or cancel it, then delete your account."),
    (lambda uow, uid: uow.disputes.count(queries.DISPUTES_OF_CLIENT_IN, up_to=1, client_id=uid,
                                         statuses=list(DISPUTE_WAITING))
     + uow.disputes.count(queries.DISPUTES_OF_TECHNICIAN_IN, up_to=1, dispatcher_id=uid,
                          statuses=list(DISPUTE_WAITING)),
     "A dispute about one of your jobs is still open: your account can be deleted once it is decided."),
    (lambda uow, uid: uow.payments.count(queries.PAYMENTS_OF_CLIENT_IN, up_to=1, client_id=uid,
                                         statuses=[PayoutStatus.HELD, PayoutStatus.DISPUTED]),
     "A payment for one of your jobs is still held for its review period: your account can be deleted once "
     "it is settled (at most a few days)."),
    (lambda uow, uid: uow.payments.count(queries.PAYMENTS_OF_TECHNICIAN_AMONG, up_to=1, dispatcher_id=uid,
                                         statuses=[PayoutStatus.HELD, PayoutStatus.DISPUTED, PayoutStatus.RELEASED,
                                                   PayoutStatus.AWAITING_PAYOUT_ACCOUNT]),
     "Money for one of your jobs has not been paid out to you yet: your account can be deleted once it is "
     "paid out (add a payout account if you have none)."),
)
"""What keeps an account from being deleted, each with what the person can do about it."""


def _refuse_while_bound(uow: UnitOfWork, uid: str) -> None:
    for count, refusal in _BINDINGS:
        if count(uow, uid):
            raise WrongState(refusal)


def _erase(deps: Deps, entry: OutboxEntry) -> None:
    """The erasure (module docstring); every step finds its own work done when run again."""
    uid = str(entry.payload["uid"])
    scrub_mentions(deps, uid)
    for path in quarantined_files(deps, uid):
        deps.files.delete(path)
    for holding in HOLDINGS:
        erase_holding(deps, holding, uid)

    def erase_private(uow: UnitOfWork) -> None:
        parts = [(_private(uow, collection), fields) for collection, fields in PRIVATE_ERASE.items()]
        found = [(repository, part, fields) for repository, fields in parts if (part := repository.get(uid))]
        for repository, part, fields in found:
            if (after := evolve(part, **fields)) != part:
                repository.save(uid, after)

    work.transaction(deps, erase_private)
    for path in deps.files.paths(_folder(uid)):
        deps.files.delete(path)
    customer = work.reading(deps, lambda uow: (part := uow.client_private.get(uid)) and part.stripe_customer_id)
    if customer:
        deps.payments.delete_customer(customer)
    deps.auth.delete_account(uid)


HANDLERS: dict[str, Handler] = {ERASE_ACCOUNT: _erase}
