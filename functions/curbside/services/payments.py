"""Saving a card: the client's Stripe customer (made once) and a SetupIntent for the app's card sheet.

No Stripe call runs inside a Firestore transaction (DESIGN.md convention 4): a transaction may run several
times, and a customer created on a discarded attempt would be orphaned. So the work is split in three:
1. a transaction checks the caller and decides — is there a customer already? which SetupIntent number is
   this? — and records the number;
2. Stripe is called outside it, with deterministic idempotency keys (`customer:{uid}`, `setup:{uid}:{n}`),
   so a retry or a concurrent call gets the same customer back instead of a second one;
3. a second transaction stores the customer id only if none is stored yet, and the stored one wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.cloud import firestore

from curbside.deps import Deps
from curbside.domain.documents import ClientProfilePrivate, PrivateDocument
from curbside.domain.errors import NotAllowed
from curbside.gateways.payments import customer_key, setup_intent_key
from curbside.services.accounts import require_usable_account
from curbside.store.codec import from_snapshot, to_document
from curbside.store.collections import Collection, doc_path, private_doc_path
from curbside.store.transactions import run_transaction

LOST_RACE = "Your payment details changed at the same moment; try again."


@dataclass(frozen=True)
class PaymentMethodSetup:
    setup_intent_client_secret: str
    customer_id: str


@dataclass(frozen=True)
class _Decision:
    customer_id: str | None
    email: str | None
    attempt: int


def setup_payment_method(deps: Deps, uid: str) -> PaymentMethodSetup:
    """What the app needs to show Stripe's card sheet; the card itself goes from the app to Stripe."""
    db = deps.db
    user_ref = db.document(doc_path(Collection.USERS, uid))
    profile_ref = db.document(doc_path(Collection.CLIENT_PROFILES, uid))
    private_ref = db.document(private_doc_path(Collection.CLIENT_PROFILES, uid))

    @firestore.transactional
    def decide(transaction: firestore.Transaction) -> _Decision:
        require_usable_account(db, uid, transaction)
        user_snap, profile_snap, private_snap = (ref.get(transaction=transaction)
                                                 for ref in (user_ref, profile_ref, private_ref))
        if not profile_snap.exists:
            raise NotAllowed("Only clients save a card: choose the client role first.")
        private = (from_snapshot(ClientProfilePrivate, private_snap) if private_snap.exists
                   else ClientProfilePrivate())
        attempt = private.setup_intents_created + 1
        transaction.set(private_ref, {"setup_intents_created": attempt}, merge=True)
        email = (user_snap.to_dict() or {}).get("email") if user_snap.exists else None
        return _Decision(private.stripe_customer_id, email if isinstance(email, str) else None, attempt)

    decision = run_transaction(db, decide, lost_race=LOST_RACE)
    customer_id = decision.customer_id
    if customer_id is None:
        created = deps.payments.ensure_customer(uid, decision.email, customer_key(uid))
        customer_id = keep_first_id(db, private_ref, "stripe_customer_id", created, ClientProfilePrivate())
    secret = deps.payments.create_setup_intent(customer_id, setup_intent_key(uid, decision.attempt))
    return PaymentMethodSetup(setup_intent_client_secret=secret, customer_id=customer_id)


def keep_first_id(db: firestore.Client, private_ref: firestore.DocumentReference, field: str, created: str,
                  empty: PrivateDocument) -> str:
    """Store the vendor id `created` in `field` of a private part unless an id is stored already; returns
    the stored one (two racing first calls both end up using the first id kept)."""

    @firestore.transactional
    def keep(transaction: firestore.Transaction) -> str:
        snap = private_ref.get(transaction=transaction)
        stored = (snap.to_dict() or {}).get(field) if snap.exists else None
        if isinstance(stored, str) and stored:
            return stored
        if snap.exists:
            transaction.update(private_ref, {field: created})
        else:
            transaction.create(private_ref, to_document(empty.model_copy(update={field: created})))
        return created

    return str(run_transaction(db, keep, lost_race=LOST_RACE))
