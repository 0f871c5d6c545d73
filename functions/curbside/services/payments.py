"""Saving a card: the client's Stripe customer (made once) and a SetupIntent for the app's card sheet.

No Stripe call runs inside a Firestore transaction (DESIGN.md convention 4): a transaction may run several
times, and a customer created on a discarded attempt would be orphaned. So the work is split in three:
1. one guarded commit checks the caller and decides — is there a customer already? which SetupIntent number
   is this? — and records the number (a conditional write, not a transaction: concurrent first calls of one
   client fail fast and go again instead of queueing behind each other's read locks, as D10 explains);
2. Stripe is called outside it, with deterministic idempotency keys (`customer:{uid}`, `setup:{uid}:{n}`),
   so a retry or a concurrent call gets the same customer back instead of a second one;
3. a second guarded commit stores the customer id only if none is stored yet, and the stored one wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from curbside.deps import Deps
from curbside.domain.documents import PrivateDocument
from curbside.domain.errors import NotAllowed
from curbside.gateways.payments import customer_key, setup_intent_key
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.store.repositories import PrivateRepository, evolve
from curbside.store.transactions import retry_lost_races
from curbside.store.uow import UnitOfWork

P = TypeVar("P", bound=PrivateDocument)

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


def setup_payment_method(deps: Deps, uid: str, email: str | None) -> PaymentMethodSetup:
    """What the app needs to show Stripe's card sheet; the card itself goes from the app to Stripe. `email`
    is the one in the caller's ID token (what Stripe receipts go to), never one the app wrote."""

    def decide(uow: UnitOfWork) -> _Decision:
        require_usable_account(uow, uid)
        profile, private = uow.client_profiles.get(uid), uow.client_private.get_or_default(uid)
        if profile is None:
            raise NotAllowed("Only clients save a card: choose the client role first.")
        attempt = private.setup_intents_created + 1
        uow.client_private.save(uid, evolve(private, setup_intents_created=attempt))
        return _Decision(private.stripe_customer_id, email, attempt)

    decision = retry_lost_races(lambda: work.conditional(deps, decide, lost_race=LOST_RACE))
    customer_id = decision.customer_id
    if customer_id is None:
        created = deps.payments.ensure_customer(uid, decision.email, customer_key(uid))
        customer_id = keep_first_id(deps, lambda uow: uow.client_private, uid, "stripe_customer_id", created)
    secret = deps.payments.create_setup_intent(customer_id, setup_intent_key(uid, decision.attempt))
    return PaymentMethodSetup(setup_intent_client_secret=secret, customer_id=customer_id)


def keep_first_id(deps: Deps, part: Callable[[UnitOfWork], PrivateRepository[P]], owner_id: str, field: str,
                  created: str) -> str:
    """Store the vendor id `created` in `field` of the owner's private part unless an id is stored already;
    returns the stored one (two racing first calls both end up using the first id kept)."""

    def keep(uow: UnitOfWork) -> str:
        repository = part(uow)
        private = repository.get_or_default(owner_id)
        stored = getattr(private, field)
        if isinstance(stored, str) and stored:
            return stored
        repository.save(owner_id, evolve(private, **{field: created}))
        return created

    return retry_lost_races(lambda: work.conditional(deps, keep, lost_race=LOST_RACE))
