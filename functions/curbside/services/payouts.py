"""Technician payouts: the Stripe Connect Express account (made once) and its onboarding link.

Same split as saving a card (services/payments.py): a transaction checks the caller and reads the stored
account, Stripe is called outside it with the key `account:{uid}` (a retry or a racing call gets the same
account), and `keep_first_id` keeps the first account id stored. Whether the account can receive money
comes only from Stripe's `account.updated` webhook (services/stripe_events.py), never from the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.cloud import firestore

from curbside.deps import Deps
from curbside.domain.documents import DispatcherProfilePrivate
from curbside.domain.errors import NotAllowed
from curbside.gateways.payments import connected_account_key
from curbside.services.accounts import require_usable_account
from curbside.services.payments import keep_first_id
from curbside.store.codec import from_snapshot
from curbside.store.collections import Collection, doc_path, private_doc_path
from curbside.store.transactions import run_transaction

LOST_RACE = "Your payout details changed at the same moment; try again."


@dataclass(frozen=True)
class PayoutOnboarding:
    onboarding_url: str


def create_payout_account(deps: Deps, uid: str, return_url: str, refresh_url: str) -> PayoutOnboarding:
    """A Stripe-hosted onboarding link for the technician's payout account (created on the first call)."""
    db = deps.db
    private_ref = db.document(private_doc_path(Collection.DISPATCHER_PROFILES, uid))

    @firestore.transactional
    def decide(transaction: firestore.Transaction) -> tuple[str | None, str | None]:
        require_usable_account(db, uid, transaction)
        if not db.document(doc_path(Collection.DISPATCHER_PROFILES, uid)).get(transaction=transaction).exists:
            raise NotAllowed("Only technicians have a payout account: choose the technician role first.")
        private_snap = private_ref.get(transaction=transaction)
        user_snap = db.document(doc_path(Collection.USERS, uid)).get(transaction=transaction)
        email = (user_snap.to_dict() or {}).get("email") if user_snap.exists else None
        stored = from_snapshot(DispatcherProfilePrivate, private_snap).stripe_account_id if private_snap.exists \
            else None
        return stored, email if isinstance(email, str) else None

    stored, email = run_transaction(db, decide, lost_race=LOST_RACE)
    account_id = stored or keep_first_id(
        db, private_ref, "stripe_account_id", deps.payments.create_connected_account(uid, email,
                                                                                     connected_account_key(uid)),
        DispatcherProfilePrivate())
    return PayoutOnboarding(deps.payments.create_onboarding_link(account_id, return_url, refresh_url))
