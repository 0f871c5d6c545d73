"""Account actions (issue 15; spec sections "Shadow Banning" and "Security Considerations"): an admin sets a
person's `account_status`, and it takes effect in the same commit.

`set_account_status` moves the status through its lifecycle table (`domain.account_status.ACCOUNT`) as the
admin and, in one transaction with it:

- the technician's dispatch-index entry loses its cells (a derived document, rebuilt at commit: D16), and
  their pending offers are withdrawn (`services.verification.withdraw_offers`, the path losing verification
  takes) — each job goes to the next technician right after the commit;
- the Firebase Auth account is disabled or enabled, and its sessions revoked, through the outbox (the handler
  makes Auth agree with the status as stored when it runs, so a ban lifted before an outage ends is never
  applied late);
- the person is told (`account_security`, critical) — except of a shadow ban, which they must not notice;
- one audit entry records who, what, before -> after and why.

Admins also edit `Users/{uid}/private/data` in the Firebase console, which no callable sees. Every function's
write leaves `account_status_applied` equal to `account_status`; a console edit leaves them different, and
its trigger (`apply_console_edit`) applies the same effects and records the edit as made in the console.
A console edit of a technician's verification is applied the same way (`apply_verification_edit`).
"""

from __future__ import annotations

from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.account_status import ACCOUNT, BLOCKED, STANDING, Change
from curbside.domain.documents import OutboxEntry, UserPrivate
from curbside.domain.enums import AccountStatus, AuditSource, NotificationType, VerificationStatus
from curbside.domain.errors import NotAllowed, NotFound
from curbside.domain.lifecycle import Actor
from curbside.services import work
from curbside.services.accounts import account_status_of
from curbside.services.notifications import notify
from curbside.services.outbox import Handler
from curbside.services.verification import TechnicianFile, hand_on, open_file, withdraw_offers
from curbside.store.collections import Collection
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

SET_ACCOUNT_STATUS = "set_account_status"
"""The audit trail's name for the action."""
VERIFICATION_EDIT = "set_verification_status"
SYNC_AUTH = "auth_account"
"""The outbox kind that brings the Firebase Auth account in line with the stored status."""
ONLY_ADMINS = "Only admins change an account's status."
CHANGED = "The account changed at the same moment; try again."


@dataclass(frozen=True)
class AccountStatusSet:
    user_id: str
    account_status: AccountStatus
    changed: bool
    """False when the account already had this status (nothing was written)."""
    offers_withdrawn: int = 0


def set_account_status(deps: Deps, *, admin_uid: str, is_admin: bool, user_id: str, status: AccountStatus,
                       reason: str) -> AccountStatusSet:
    """An admin's account action (see the module docstring). Setting the status an account already has answers
    `changed: false` and writes nothing."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)
    if user_id == admin_uid:
        raise NotAllowed("An admin cannot change their own account's status; ask another admin.")

    def decide(uow: UnitOfWork) -> tuple[AccountStatusSet, tuple[str, ...] | None]:
        if uow.users.get(user_id) is None:
            raise NotFound("There is no user with that id.")
        withdrawn = stage_account_status(uow, user_id, status, reason=reason, admin_uid=admin_uid)
        if withdrawn is None:
            return AccountStatusSet(user_id, status, changed=False), None
        return AccountStatusSet(user_id, status, changed=True, offers_withdrawn=len(withdrawn)), withdrawn

    result, withdrawn = work.transaction(deps, decide, lost_race=CHANGED)
    hand_on(deps, withdrawn or ())
    return result


def stage_account_status(uow: UnitOfWork, user_id: str, status: AccountStatus, *, reason: str,
                         admin_uid: str) -> tuple[str, ...] | None:
    """An admin's status change and all its effects, staged in the caller's unit of work (this callable's, or a
    dispute resolved with `account_suspended`) and audited as the admin's. Returns the jobs whose offers were
    withdrawn, for `hand_on` after the commit; None when the account already had the status (nothing staged)."""
    private = uow.user_private.get(user_id) or UserPrivate()
    file = open_file(uow, user_id)
    before = private.account_status
    if before is status:
        return None
    ACCOUNT.check(before, status, Actor.ADMIN)
    withdrawn = _apply(uow, user_id, private, file, Change(before, status), status=status, reason=reason,
                       changed_by=admin_uid)
    uow.audit.record(actor_id=admin_uid, action=SET_ACCOUNT_STATUS, target=Collection.USERS, target_id=user_id,
                     before={"account_status": before.value}, after={"account_status": status.value},
                     reason=reason)
    return withdrawn


def _apply(uow: UnitOfWork, uid: str, private: UserPrivate, file: TechnicianFile | None, change: Change, *,
           status: AccountStatus, reason: str | None, changed_by: str | None) -> tuple[str, ...]:
    """Stage the status and its effects; returns the jobs whose offers to this person were withdrawn."""
    uow.user_private.save(uid, evolve(private, account_status=status, account_status_reason=reason,
                                      account_status_changed_at=uow.now, account_status_changed_by=changed_by,
                                      account_status_applied=status))
    uow.refresh_requested.add(uid)  # the entry follows even when the stored status was already changed
    withdrawn: tuple[str, ...] = ()
    if file is not None and change.leaves_dispatch:
        # No reason on the offer: it reads as a job taken or cancelled, all a shadow-banned technician may see.
        withdrawn = withdraw_offers(uow, file.pending_offers, Actor.ADMIN, reason=None)
    if change.auth_changes:
        uow.outbox.add(SYNC_AUTH, uid, uid=uid)
    notice = change.notice()
    if notice is not None:
        stamp = int(uow.now.timestamp() * 1000)
        notify(uow, user_id=uid, kind=NotificationType.ACCOUNT_SECURITY, title=notice[0], body=notice[1],
               request_id=None, key=f"account_status:{status.value}:{stamp}", data={"screen": "account"})
    return withdrawn


def apply_console_edit(deps: Deps, uid: str) -> AccountStatus | None:
    """The trigger of `Users/{uid}/private/data`: a status written in the console (differing from the status
    last applied) gets the effects a callable would have applied, and an audit entry as made in the console.
    Returns the status applied (None: nothing to do — a function's own write, or a replay)."""

    def decide(uow: UnitOfWork) -> tuple[AccountStatus | None, tuple[str, ...]]:
        private = uow.user_private.get(uid)
        if private is None or private.account_status is private.account_status_applied:
            return None, ()
        file = open_file(uow, uid)
        change = Change(private.account_status_applied, private.account_status)
        withdrawn = _apply(uow, uid, private, file, change, status=private.account_status,
                           reason=private.account_status_reason, changed_by=None)
        uow.audit.record(actor_id=None, source=AuditSource.CONSOLE, action=SET_ACCOUNT_STATUS,
                         target=Collection.USERS, target_id=uid, before={"account_status": change.before.value},
                         after={"account_status": change.after.value}, reason=private.account_status_reason)
        return private.account_status, withdrawn

    applied, withdrawn = work.transaction(deps, decide, lost_race=CHANGED)
    hand_on(deps, withdrawn)
    return applied


def apply_verification_edit(deps: Deps, uid: str) -> bool:
    """The trigger of `DispatcherProfiles/{uid}` when its `verification_status` changed: the functions that
    decide verification bring the index entry along in their commit (D38), so an entry that disagrees with
    the profile means the change was made in the console. Then the entry is rebuilt, the pending offers of a
    technician no longer verified are withdrawn (and the jobs offered on), and the edit is audited. Returns
    whether anything was out of date."""

    def decide(uow: UnitOfWork) -> tuple[bool, tuple[str, ...]]:
        file = open_file(uow, uid)
        entry = uow.locations.get(uid)
        if file is None:
            return False, ()
        verified = file.profile.verification_status is VerificationStatus.VERIFIED
        stale_offers = file.pending_offers if not verified else []
        if (entry is None or entry.verified == verified) and not stale_offers:
            return False, ()
        uow.refresh_requested.add(uid)
        withdrawn = withdraw_offers(uow, stale_offers, Actor.ADMIN, reason="technician_not_verified")
        uow.audit.record(actor_id=None, source=AuditSource.CONSOLE, action=VERIFICATION_EDIT,
                         target=Collection.DISPATCHER_PROFILES, target_id=uid,
                         before={"verified": entry.verified if entry is not None else None},
                         after={"verification_status": file.profile.verification_status.value}, reason=None)
        return True, withdrawn

    stale, withdrawn = work.transaction(deps, decide, lost_race=CHANGED)
    hand_on(deps, withdrawn)
    return stale


def _sync_auth(deps: Deps, entry: OutboxEntry) -> None:
    """Make the Firebase Auth account agree with the status stored now: sessions revoked while suspended or
    banned, the account disabled exactly while banned."""
    uid = str(entry.payload["uid"])
    status = work.reading(deps, lambda uow: account_status_of(uow, uid))
    if status in BLOCKED:
        deps.auth.revoke_sessions(uid, deps.clock.now())
    deps.auth.set_disabled(uid, not STANDING[status].signs_in)


HANDLERS: dict[str, Handler] = {SYNC_AUTH: _sync_auth}
