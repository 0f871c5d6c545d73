"""Loyalty points (spec section 7): every change is a `PointsLedger/{reason}:{ref}` entry, written in the same
commit as the client's balance, lifetime total and tier, so the balance equals the ledger's sum at all times.

A money event asks for its points in its own commit through the outbox (`ask_for_points`): the capture of a
completed job (earn, and the first-job bonus), a refund (taken back in proportion). The handler books the
entry in a transaction that first reads it: an entry that exists is never booked again, so a replayed
capture, webhook or trigger, or a sweep after a crash, changes nothing. The first-job bonus of a referred
client asks in turn for the referrer's bonus. Redeeming spends points in the redemption's own commit
(`services.rewards`, through `book`).
"""

from __future__ import annotations

from collections.abc import Mapping

from curbside.deps import Deps
from curbside.domain.documents import ClientProfile, JobPayment, PointsLedgerEntry, ServiceRequest, ledger_entry_id
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import NotificationType, PointsReason, RequestStatus
from curbside.domain.loyalty import FIRST_JOB_POINTS, REFERRAL_POINTS, points_for, refund_take_back, tier_of
from curbside.domain.texts import t
from curbside.services import work
from curbside.services.notifications import notify
from curbside.services.outbox import Handler
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

POINTS = "points"
"""The outbox kind of a points movement; its key is the ledger entry's id."""
CHANGED = "Your points changed at the same moment; try again."


def ask_for_points(uow: UnitOfWork, client_id: str, reason: PointsReason, ref: str, points: int, *,
                   request_id: str | None = None) -> None:
    """In the caller's commit: book `points` for `client_id` once this commit lands (once per reason and ref)."""
    if points:
        uow.outbox.add(POINTS, ledger_entry_id(reason, ref), client_id=client_id, reason=reason.value, ref=ref,
                       points=points, request_id=request_id)


def earn_for_capture(uow: UnitOfWork, request: ServiceRequest, captured_minor: int) -> None:
    """A completed job's payment was captured: its points, and the client's first-job bonus (once ever)."""
    if request.status is not RequestStatus.COMPLETED:
        return  # a late-cancellation fee earns nothing
    currency = request.currency or uow.settings.currency
    ask_for_points(uow, request.client_id, PointsReason.EARN, request.id, points_for(captured_minor, currency),
                   request_id=request.id)
    ask_for_points(uow, request.client_id, PointsReason.FIRST_JOB, request.client_id, FIRST_JOB_POINTS,
                   request_id=request.id)


def take_back_for_refund(uow: UnitOfWork, request: ServiceRequest, payment: JobPayment, key: str,
                         amount_minor: int) -> None:
    """A refund of `amount_minor` (already counted in `payment.refunded_minor`) takes back its share of the
    job's points."""
    if request.status is not RequestStatus.COMPLETED:
        return
    taken = refund_take_back(payment.captured_minor, payment.refunded_minor - amount_minor, payment.refunded_minor,
                             payment.currency)
    ask_for_points(uow, request.client_id, PointsReason.ADJUSTMENT, f"refund:{request.id}:{key}", -taken,
                   request_id=request.id)


def book(uow: UnitOfWork, profile: ClientProfile, reason: PointsReason, ref: str, points: int, *,
         request_id: str | None = None) -> ClientProfile:
    """Stage one ledger entry with the balance, lifetime total and tier it leaves (the caller has checked the
    entry is new). Spending lowers the balance only; every other movement also moves the tier's basis."""
    uow.points.put(PointsLedgerEntry(id=ledger_entry_id(reason, ref), client_id=profile.user_id, points=points,
                                     reason=reason, request_id=request_id, created_date=uow.now))
    earned = profile.total_points_earned + (0 if reason is PointsReason.REDEEM else points)
    return uow.client_profiles.save(evolve(profile, loyalty_points=profile.loyalty_points + points,
                                           total_points_earned=earned, loyalty_tier=tier_of(earned),
                                           updated_date=uow.now))


def _credit(deps: Deps, entry: OutboxEntry) -> None:
    payload = entry.payload
    client_id, reason, ref = str(payload["client_id"]), PointsReason(str(payload["reason"])), str(payload["ref"])
    points = int(str(payload["points"]))
    request_id = str(payload["request_id"]) if payload.get("request_id") else None

    def decide(uow: UnitOfWork) -> None:
        profile = uow.client_profiles.get(client_id)
        if profile is None or uow.points.get(ledger_entry_id(reason, ref)) is not None:
            return  # no client profile any more, or booked already (a replay)
        before = profile.loyalty_tier
        after = book(uow, profile, reason, ref, points, request_id=request_id)
        if reason is PointsReason.FIRST_JOB and profile.referred_by:
            ask_for_points(uow, profile.referred_by, PointsReason.REFERRAL, client_id, REFERRAL_POINTS)
        if points > 0:
            body = t("You earned {points} points: {balance} to spend.", points=points, balance=after.loyalty_points)
            if after.loyalty_tier is not before:
                body = t("You earned {points} points: {balance} to spend. You are now {tier}.", points=points,
                         balance=after.loyalty_points, tier=after.loyalty_tier.value.title())
            notify(uow, user_id=client_id, kind=NotificationType.REWARDS_EARNED, title=t("Points earned"),
                   body=body,
                   request_id=request_id, key=ledger_entry_id(reason, ref), data={"screen": "rewards"})

    work.transaction(deps, decide, lost_race=CHANGED)


HANDLERS: Mapping[str, Handler] = {POINTS: _credit}
