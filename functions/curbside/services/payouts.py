"""Technician payouts: the Stripe Connect Express account (made once) and its onboarding link.

Same split as saving a card (services/payments.py): a transaction checks the caller and reads the stored
account, Stripe is called outside it with the key `account:{uid}` (a retry or a racing call gets the same
account), and `keep_first_id` keeps the first account id stored. Whether the account can receive money
comes only from Stripe's `account.updated` webhook (services/stripe_events.py), never from the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.errors import NotAllowed
from curbside.gateways.payments import connected_account_key
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.payments import keep_first_id
from curbside.store.uow import UnitOfWork

LOST_RACE = "Your payout details changed at the same moment; try again."


@dataclass(frozen=True)
class PayoutOnboarding:
    onboarding_url: str


def create_payout_account(deps: Deps, uid: str, return_url: str, refresh_url: str) -> PayoutOnboarding:
    """A Stripe-hosted onboarding link for the technician's payout account (created on the first call)."""

    def decide(uow: UnitOfWork) -> tuple[str | None, str | None]:
        require_usable_account(uow, uid)
        if uow.dispatcher_profiles.get(uid) is None:
            raise NotAllowed("Only technicians have a payout account: choose the technician role first.")
        private, user = uow.dispatcher_private.get_or_default(uid), uow.users.get(uid)
        return private.stripe_account_id, user.email if user else None

    stored, email = work.transaction(deps, decide, lost_race=LOST_RACE)
    account_id = stored or keep_first_id(
        deps, lambda uow: uow.dispatcher_private, uid, "stripe_account_id",
        deps.payments.create_connected_account(uid, email, connected_account_key(uid)))
    return PayoutOnboarding(deps.payments.create_onboarding_link(account_id, return_url, refresh_url))
