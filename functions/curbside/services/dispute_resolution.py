"""An admin's decision on a dispute (spec section 10): the money moves exactly once, through the existing refund
and release path, in the commit that records the decision (docs/decisions.md D56).

The transaction re-reads the dispute: of two admins resolving at once (or one tapping twice) the second finds it
resolved and is refused with nothing written. The refund is reserved on the payment under the key
`dispute:{dispute_id}` and run by the outbox after the commit — before payout it comes out of the held money,
after payout the technician's share is taken back by a transfer reversal — and what is left is released to
the technician once the refund is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from curbside.deps import Deps
from curbside.domain.disputes import ACCOUNT_ACTIONS, outcome_of
from curbside.domain.documents import Dispute
from curbside.domain.enums import AccountStatus, DisputeStatus, NotificationType, ResolutionAction
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound, WrongState
from curbside.domain.lifecycle import Actor
from curbside.domain.lifecycles import DISPUTE_WAITING
from curbside.domain.money import from_minor, to_minor
from curbside.domain.texts import Money, t
from curbside.services import completions, work
from curbside.services.account_actions import stage_account_status
from curbside.services.disputes import CHANGED, NO_DISPUTE, ONLY_ADMINS, tell
from curbside.services.payment_records import load
from curbside.services.verification import hand_on
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork


@dataclass(frozen=True)
class Resolved:
    dispute_id: str
    status: DisputeStatus
    resolution_action: ResolutionAction
    refund_amount: Decimal


@dataclass(frozen=True)
class Decision:
    action: ResolutionAction
    details: str
    refund_amount: Decimal | None = None
    account_user_id: str | None = None
    """Whose account a warning or suspension is about: the dispute's client or technician."""


def refund_key(dispute_id: str) -> str:
    return f"dispute:{dispute_id}"


def admin_resolve_dispute(deps: Deps, admin_uid: str, is_admin: bool, dispute_id: str,
                          decision: Decision) -> Resolved:
    """Decide the dispute: the status follows the action, the refund and release are recorded through the outbox,
    both parties are told (`dispute_resolved`). `payment_held` is an interim decision: the dispute stays open."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)

    withdrawn: list[str] = []  # jobs whose offers to a suspended technician were withdrawn

    def decide(uow: UnitOfWork) -> Resolved:
        dispute = uow.disputes.get(dispute_id)
        if dispute is None:
            raise NotFound(NO_DISPUTE)
        if dispute.status not in DISPUTE_WAITING:
            raise WrongState(f"This dispute is already {dispute.status.value}; it cannot be resolved again.")
        if admin_uid in (dispute.client_id, dispute.dispatcher_id):
            raise NotAllowed("You are a party to this dispute; another admin must decide it.")
        if decision.action in ACCOUNT_ACTIONS and decision.account_user_id not in (dispute.client_id,
                                                                                    dispute.dispatcher_id):
            raise InvalidInput("account_user_id: name the dispute's client or technician the account action is for.")
        loaded, completion = load(uow, dispute.request_id), uow.completions.get(dispute.request_id)
        admin = uow.users.get(admin_uid)
        payment = loaded.payment
        refundable = payment.captured_minor - payment.refunded_minor - (payment.refund_in_flight_minor or 0)
        asked = None if decision.refund_amount is None else to_minor(decision.refund_amount, payment.currency)
        outcome = outcome_of(decision.action, asked, refundable, payment.currency)
        withdrawn.clear()  # a retried attempt decides afresh
        if decision.action is ResolutionAction.ACCOUNT_SUSPENDED:
            assert decision.account_user_id is not None
            withdrawn.extend(stage_account_status(uow, decision.account_user_id, AccountStatus.SUSPENDED,
                                                  reason=decision.details, admin_uid=admin_uid) or ())
        refund = from_minor(outcome.refund_minor, payment.currency)
        fields: dict[str, object] = {"resolution_action": decision.action, "resolution_details": decision.details,
                                     "last_activity_at": uow.now, "last_admin_activity_at": uow.now}
        if outcome.resolves:
            fields.update(resolved_at=uow.now, resolved_by_user_id=admin_uid,
                          resolved_by_name=admin.full_name if admin else None, refund_amount=refund)
            completions.settle_dispute(uow, loaded, completion, refund_minor=outcome.refund_minor,
                                       key=refund_key(dispute_id))
        if outcome.status is not dispute.status:
            uow.disputes.move(dispute, outcome.status, Actor.ADMIN, **fields)
        else:
            uow.disputes.save(evolve(dispute, **fields))
        _tell_parties(uow, dispute, decision, resolves=outcome.resolves, refund=refund, currency=payment.currency)
        return Resolved(dispute_id, outcome.status, decision.action, refund)

    resolved = work.transaction(deps, decide, lost_race=CHANGED)
    hand_on(deps, tuple(withdrawn))
    return resolved


def _tell_parties(uow: UnitOfWork, dispute: Dispute, decision: Decision, *, resolves: bool, refund: Decimal,
                  currency: str) -> None:
    if not resolves:
        tell(uow, [dispute.client_id, dispute.dispatcher_id], dispute, NotificationType.DISPUTE_UPDATE,
             title=t("Dispute update"),
             body=t("Our team keeps the payment held while the dispute is looked into further."),
             key=f"held:{dispute.id}:{uow.now.isoformat()}")
        return
    details = decision.details[:160]
    body = t("{amount} goes back to the client's card. {details}", amount=Money(to_minor(refund, currency), currency),
             details=details) if refund else t("The payment goes to the technician. {details}", details=details)
    tell(uow, [dispute.client_id, dispute.dispatcher_id], dispute, NotificationType.DISPUTE_RESOLVED,
         title=t("Dispute resolved"), body=body)
    if decision.action is ResolutionAction.ACCOUNT_WARNING and decision.account_user_id is not None:
        tell(uow, [decision.account_user_id], dispute, NotificationType.DISPUTE_UPDATE,
             title=t("A warning on your account"),
             body=t("After reviewing the dispute our team has warned your account: {details}",
                    details=decision.details[:160]),
             key=f"warning:{dispute.id}")


@dataclass(frozen=True)
class Closed:
    dispute_id: str
    status: DisputeStatus


def admin_close_dispute(deps: Deps, admin_uid: str, is_admin: bool, dispute_id: str) -> Closed:
    """Close a resolved dispute (the admin screen's "Close dispute"): no more comments; closing twice answers
    the same. An undecided dispute must be resolved first — closing never moves money."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)

    def decide(uow: UnitOfWork) -> Closed:
        dispute = uow.disputes.get(dispute_id)
        if dispute is None:
            raise NotFound(NO_DISPUTE)
        if dispute.status is not DisputeStatus.CLOSED:
            if dispute.status in DISPUTE_WAITING:
                raise WrongState("Resolve the dispute before closing it; closing does not decide the money.")
            uow.disputes.move(dispute, DisputeStatus.CLOSED, Actor.ADMIN, last_activity_at=uow.now,
                              last_admin_activity_at=uow.now)
        return Closed(dispute_id, DisputeStatus.CLOSED)

    return work.transaction(deps, decide, lost_race=CHANGED)
