"""Derived documents, rebuilt by the unit of work at commit from what was read and what is being written.

A use case never writes these itself, so no new capability can forget them:

- **the dispatch-index entry** `DispatcherLocations/{uid}` (`domain.dispatch_index`) of every technician
  whose standing the commit changes — their profile's verification, skills or rating, their account status, or the
  set of jobs keeping them busy (a job taken, moved to an end, cancelled, reassigned) — and of those a use
  case names in `uow.refresh_requested` (going online, a repair). In the conditional style the entry is
  written under the `update_time` it was read at: two commits that both change one technician's workload
  cannot both land (the same technician accepting two jobs at once).
- **earnings** `DispatcherEarnings/{uid}` follow every change of a job's payment, by the difference between
  what the job contributes now and what it contributed when last counted (kept on the payment), so replays
  and fee changes never drift the totals (D20).
- **the calendar's skills** `TechnicianCalendars/{uid}.skills`, a copy of the profile's, for the slot search
  (D110).
- **the dashboard's rollups** `DailyStats/{month}_{shard}` (`domain.daily_stats`): what each written
  document's change adds to today's counts, sent as increments without reading the rollup (D95-D96).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from curbside.domain import daily_stats as stats
from curbside.domain.dispatch_index import Standing, active_jobs_of, index_entry, occupies, revised
from curbside.domain.documents import (
    DispatcherEarnings,
    DispatcherLocation,
    DispatcherProfile,
    JobPayment,
    ServiceRequest,
    TechnicianCalendar,
    UserPrivate,
)
from curbside.domain.enums import AccountStatus
from curbside.domain.money import from_minor, technician_earnings
from curbside.domain.tracking import ACTIVE_JOB_STATUSES
from curbside.store import queries
from curbside.store.engine import Add, WriteKind

if TYPE_CHECKING:
    from curbside.store.uow import UnitOfWork


def technician_standing(uow: UnitOfWork, uid: str) -> Standing:
    """A technician's standing as this commit will leave it (read now if not yet read). Their index entry is
    read with it, so that a decision on the standing is guarded by the entry's version at that moment."""
    uow.current(uow.locations.path(uid), DispatcherLocation)
    profile = uow.current(uow.dispatcher_profiles.path(uid), DispatcherProfile)
    private = uow.current(uow.user_private.path(uid), UserPrivate)
    stored = uow.requests.find(queries.JOBS_OF_TECHNICIAN_IN, dispatcher_id=uid,
                               statuses=sorted(ACTIVE_JOB_STATUSES))
    changed = [write.model for write in uow.writes if isinstance(write.model, ServiceRequest)]
    return Standing(profile, private.account_status if private is not None else AccountStatus.ACTIVE,
                    active_jobs_of(uid, stored, changed))


def _technicians_changed(uow: UnitOfWork) -> tuple[set[str], set[str], dict[str, float]]:
    """Technicians whose standing a staged write changes, those among them whose workload changes, and those
    whose profile changes only its rating (with the new rating): their entry needs only the rating copied."""
    changed: set[str] = set()
    busier: set[str] = set()
    rated: dict[str, float] = {}
    for write in uow.writes:
        tracked = uow.tracked_or_none(write.path)
        before = tracked.model if tracked is not None else None
        after = write.model
        if isinstance(after, ServiceRequest) or isinstance(before, ServiceRequest):
            busy = {occupies(before if isinstance(before, ServiceRequest) else None),
                    occupies(after if isinstance(after, ServiceRequest) else None)}
            if len(busy) > 1:
                busier |= {uid for uid in busy if uid is not None}
        elif isinstance(before, DispatcherProfile) and isinstance(after, DispatcherProfile) \
                and before.verification_status == after.verification_status and before.skills == after.skills:
            if before.rating != after.rating:
                rated[after.user_id] = after.rating
        elif isinstance(before, DispatcherProfile):
            changed.add(before.user_id)
        elif isinstance(after, UserPrivate):
            before_status = before.account_status if isinstance(before, UserPrivate) else AccountStatus.ACTIVE
            if before_status is not after.account_status:
                changed.add(write.path.split("/")[1])
        elif isinstance(after, DispatcherLocation) and (tracked is None or tracked.model is None):
            changed.add(after.dispatcher_id)  # a first entry gets its copies from the sources
    return changed | busier, busier, rated


def dispatch_index(uow: UnitOfWork) -> None:
    changed, busier, rated = _technicians_changed(uow)
    for uid, rating in sorted(rated.items()):
        if uid in changed or uid in uow.refresh_requested:
            continue  # rebuilt whole below
        path = uow.locations.path(uid)
        staged = uow.staged(path)
        if staged is not None and isinstance(staged.model, DispatcherLocation):
            uow.stage(path, staged.kind, revised(staged.model, rating=rating))
            continue
        entry = uow.current(path, DispatcherLocation)
        if entry is not None and entry.rating != rating:
            uow.locations.save(revised(entry, rating=rating))  # a review applied: one read, one write
    for uid in sorted(changed | uow.refresh_requested):
        path = uow.locations.path(uid)
        staged = uow.staged(path)
        stored = staged.model if staged is not None and isinstance(staged.model, DispatcherLocation) \
            else uow.current(path, DispatcherLocation)
        entry = index_entry(uid, technician_standing(uow, uid), stored, capacity=uow.settings.dispatch.capacity,
                            now=uow.now)
        if entry is None:
            continue
        if staged is not None:
            uow.stage(path, staged.kind, entry)
        elif entry != stored:
            uow.locations.save(entry)
        elif uid in busier and stored is not None:
            uow.touch(path, "active_jobs")  # unchanged, but the commit must still hold the version it read


def earnings(uow: UnitOfWork) -> None:
    for write in list(uow.writes):
        payment = write.model
        if not isinstance(payment, JobPayment) or payment.dispatcher_id is None:
            continue
        share = technician_earnings(payment.payout_status, held=payment.held_minor, paid_out=payment.paid_out_minor,
                                    fee_percent=uow.settings.payments.platform_fee_percent, currency=payment.currency)
        delta = (share.pending - payment.counted_pending_minor,
                 share.awaiting_payout_account - payment.counted_awaiting_minor,
                 share.paid - payment.counted_paid_minor)
        path = uow.earnings.path(payment.dispatcher_id)
        stored = uow.current(path, DispatcherEarnings)
        if not any(delta) and stored is not None:
            continue
        total = stored or DispatcherEarnings(id=payment.dispatcher_id, user_id=payment.dispatcher_id,
                                             currency=payment.currency, updated_date=uow.now)
        pending, awaiting, paid = (total.pending_minor + delta[0], total.awaiting_minor + delta[1],
                                   total.paid_minor + delta[2])
        currency = payment.currency
        counted = DispatcherEarnings(
            id=total.id, user_id=total.user_id, currency=total.currency, pending_minor=pending,
            awaiting_minor=awaiting, paid_minor=paid, pending_payments=float(from_minor(pending, currency)),
            awaiting_payout_account=float(from_minor(awaiting, currency)),
            completed_payments=float(from_minor(paid, currency)),
            total_earnings=float(from_minor(pending + awaiting + paid, currency)), updated_date=uow.now)
        uow.stage(path, WriteKind.UPDATE if stored is not None else WriteKind.CREATE, counted)
        uow.stage(write.path, write.kind, payment.model_copy(update={
            "counted_pending_minor": share.pending, "counted_awaiting_minor": share.awaiting_payout_account,
            "counted_paid_minor": share.paid}))


def daily_stats(uow: UnitOfWork) -> None:
    """Add what this commit changes to today's rollup. A change counts only where the document's state before
    it is known — read by this unit of work, or a create (which fails if the document exists) — so a replay,
    which finds the change made, adds nothing; a blind `put` or merge adds nothing either."""
    added: Counter[str] = Counter()
    first_path = None
    for write in uow.writes:
        if write.model is None or write.kind is WriteKind.DELETE:
            continue
        tracked = uow.tracked_or_none(write.path)
        if write.kind is not WriteKind.CREATE and tracked is None:
            continue
        counts = stats.change_counts(tracked.model if tracked is not None else None, write.model,
                                     uow.settings.currency)
        if counts:
            added.update(counts)
            first_path = first_path or write.path
    if first_path is None:
        return
    day = stats.local_day(uow.now, uow.settings.default_time_zone)
    shard = stats.shard_of(first_path)
    uow.daily_stats.merge(stats.document_id(day, shard), month=f"{day:%Y-%m}", shard=shard, days={
        stats.day_key(day): {name: Add(amount) for name, amount in sorted(added.items()) if amount}})


def calendar_skills(uow: UnitOfWork) -> None:
    """A technician's calendar copies their skills (the slot search filters on the copy, D110): rewritten in
    the commit that changes the profile's skills, and read only then (a rating change costs nothing here)."""
    for write in list(uow.writes):
        after = write.model
        if not isinstance(after, DispatcherProfile):
            continue
        tracked = uow.tracked_or_none(write.path)
        before = tracked.model if tracked is not None else None
        if isinstance(before, DispatcherProfile) and before.skills == after.skills:
            continue
        calendar = uow.current(uow.calendars.path(after.user_id), TechnicianCalendar)
        if calendar is not None and calendar.skills != after.skills:
            uow.calendars.save(TechnicianCalendar.model_validate({**calendar.model_dump(), "skills": after.skills}))


DERIVATIONS: tuple[Callable[[UnitOfWork], None], ...] = (dispatch_index, earnings, daily_stats, calendar_skills)
"""In order; none writes what another reads (the rollups come last: they count the payments as earnings
leaves them)."""
