"""Applying verified Stripe webhook events: a dispatch table, each event applied once, never backwards.

Stripe delivers at least once, retries on any non-2xx answer, and promises no order. Hence:
- the event id is recorded in `StripeEvents/{event id}` in the same transaction as the event's effect, so a
  redelivery (or two concurrent deliveries) applies it once;
- each handled type has one handler in `HANDLERS`; other types are acknowledged and ignored (a 2xx, or
  Stripe would retry them for days);
- a handler that raises makes the webhook answer 5xx and Stripe delivers again later;
- the Stripe `created` time of the event that last set a value is stored next to it, and an older event
  never overwrites a newer one whatever the delivery order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from firebase_functions import logger

from curbside.deps import Deps
from curbside.domain.documents import StripeEvent
from curbside.services import card_holds, charges, refunds, work
from curbside.services.payment_records import Step, load, request_of_intent
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

DUPLICATE = "duplicate"
IGNORED = "ignored"
APPLIED = "applied"
OLDER_THAN_STORED = "older_than_stored"
UNKNOWN_CUSTOMER = "unknown_customer"
UNKNOWN_REQUEST = "unknown_request"
UNKNOWN_ACCOUNT = "unknown_account"
NOT_CURRENT = "not_current_card"
ALREADY_RECORDED = "already_recorded"

_LAST_FOUR = re.compile(r"^\d{4}$")

Effect = Callable[[UnitOfWork], str]
"""Reads then writes inside the event's unit of work; returns the outcome recorded with the event id."""


def process_event(deps: Deps, event: Mapping[str, Any]) -> str:
    """Apply one verified event; returns what happened (logged, and recorded for handled types)."""
    handler = HANDLERS.get(str(event.get("type")))
    if handler is None:
        logger.info("stripe.event_ignored", event_id=event.get("id"), event_type=event.get("type"))
        return IGNORED
    outcome = handler(deps, event)
    logger.info("stripe.event_processed", event_id=event["id"], event_type=event["type"], outcome=outcome)
    return outcome


def apply_once(deps: Deps, event: Mapping[str, Any], object_id: str | None, effect: Effect) -> str:
    """Run `effect` and record the event id in one transaction; a recorded id means a replay: no effect."""

    def apply(uow: UnitOfWork) -> str:
        if uow.stripe_events.get(str(event["id"])) is not None:
            return DUPLICATE
        outcome = effect(uow)
        uow.stripe_events.create(StripeEvent(
            id=str(event["id"]), type=str(event["type"]), object_id=object_id, outcome=outcome,
            event_created=event_time(event), processed_date=uow.now))
        return outcome

    return work.transaction(deps, apply, lost_race="Another delivery of this event was being applied.")


def event_time(event: Mapping[str, Any]) -> dt.datetime:
    """Stripe's `created` (Unix seconds): the order of events, whatever order they arrive in."""
    return dt.datetime.fromtimestamp(int(event["created"]), tz=dt.UTC)


def client_of_customer(deps: Deps, customer_id: str) -> str | None:
    """The client whose private part holds this Stripe customer id. Read outside the event's transaction:
    the link is written once, before Stripe can send events about the customer."""
    owners = work.reading(deps, lambda uow: uow.client_private.owners(queries.OWNER_OF_STRIPE_CUSTOMER,
                                                                      stripe_customer_id=customer_id))
    return owners[0] if owners else None


def technician_of_account(deps: Deps, account_id: str) -> str | None:
    owners = work.reading(deps, lambda uow: uow.dispatcher_private.owners(queries.OWNER_OF_STRIPE_ACCOUNT,
                                                                          stripe_account_id=account_id))
    return owners[0] if owners else None


def on_payment_method_attached(deps: Deps, event: Mapping[str, Any]) -> str:
    """The card a client saved through the SetupIntent: its id goes to the private part, its brand and last
    four (all the app may show) to `ClientProfiles/{uid}`."""
    method = event["data"]["object"]
    customer_id = method.get("customer")
    uid = client_of_customer(deps, customer_id) if isinstance(customer_id, str) else None
    card = method.get("card") or {}
    last_four = card.get("last4") if _LAST_FOUR.match(str(card.get("last4"))) else None
    brand = card.get("brand") if isinstance(card.get("brand"), str) else None
    created = event_time(event)

    def effect(uow: UnitOfWork) -> str:
        if uid is None:
            return UNKNOWN_CUSTOMER
        private, profile = uow.client_private.get_or_default(uid), uow.client_profiles.get(uid)
        if private.payment_method_event_created is not None and private.payment_method_event_created > created:
            return OLDER_THAN_STORED
        uow.client_private.save(uid, evolve(private, payment_method=str(method["id"]),
                                            payment_method_event_created=created))
        if profile is not None:
            uow.client_profiles.save(evolve(profile, card_last_four=last_four, card_brand=brand,
                                            updated_date=uow.now))
        return APPLIED

    outcome = apply_once(deps, event, str(method["id"]), effect)
    if outcome == APPLIED and uid is not None:
        card_holds.resume_after_new_card(deps, uid)  # jobs that waited for a card that works
    return outcome


def on_payment_method_detached(deps: Deps, event: Mapping[str, Any]) -> str:
    """The client removed their saved card at Stripe: the app stops showing it, and the next job asks for
    a new one. A card other than the stored one changes nothing."""
    method = event["data"]["object"]
    customer_id = (event["data"].get("previous_attributes") or {}).get("customer") or method.get("customer")
    uid = client_of_customer(deps, customer_id) if isinstance(customer_id, str) else None
    created = event_time(event)

    def effect(uow: UnitOfWork) -> str:
        if uid is None:
            return UNKNOWN_CUSTOMER
        private, profile = uow.client_private.get_or_default(uid), uow.client_profiles.get(uid)
        if private.payment_method != method["id"]:
            return NOT_CURRENT
        if private.payment_method_event_created is not None and private.payment_method_event_created > created:
            return OLDER_THAN_STORED
        uow.client_private.save(uid, evolve(private, payment_method=None, payment_method_event_created=created))
        if profile is not None:
            uow.client_profiles.save(evolve(profile, card_last_four=None, card_brand=None, updated_date=uow.now))
        return APPLIED

    return apply_once(deps, event, str(method["id"]), effect)


def _request_of(intent: Mapping[str, Any]) -> str | None:
    request_id = (intent.get("metadata") or {}).get("request_id")
    return request_id if isinstance(request_id, str) and request_id else None


def _on_intent(step_of: Callable[[Mapping[str, Any]], Step[Any]]) -> Handler:
    """A PaymentIntent event applied to its job's payment (named in the intent's `request_id` metadata),
    in the event's unit of work. The steps only move a payment forward, so any delivery order is safe."""

    def handle(deps: Deps, event: Mapping[str, Any]) -> str:
        intent = event["data"]["object"]
        request_id = _request_of(intent)

        def effect(uow: UnitOfWork) -> str:
            if request_id is None:
                return UNKNOWN_REQUEST
            changed = step_of(intent)(uow, load(uow, request_id))
            return APPLIED if changed is True else ALREADY_RECORDED

        return apply_once(deps, event, str(intent["id"]), effect)

    return handle


def _authorized(intent: Mapping[str, Any]) -> Step[Any]:
    step = card_holds.authorized_step(str(intent["id"]))
    return lambda uow, loaded: step(uow, loaded) if intent.get("status") == "requires_capture" else None


def _captured(intent: Mapping[str, Any]) -> Step[Any]:
    return charges.captured_step(str(intent["id"]), int(intent.get("amount_received") or 0))


def _cancelled(intent: Mapping[str, Any]) -> Step[Any]:
    return card_holds.cancelled_step(str(intent["id"]))


def _failed(intent: Mapping[str, Any]) -> Step[Any]:
    error = intent.get("last_payment_error") or {}
    return card_holds.failed_step(str(error.get("code") or "payment_failed"), intent.get("payment_method"))


def on_charge_refunded(deps: Deps, event: Mapping[str, Any]) -> str:
    """Refunds we did not make ourselves (the Stripe dashboard) enter the job's ledger; ours are known by
    their refund ids and change nothing."""
    charge = event["data"]["object"]
    intent_id = charge.get("payment_intent")
    request_id = _request_of(charge) or (request_of_intent(deps, intent_id) if isinstance(intent_id, str) else None)
    refunded = [(str(refund["id"]), int(refund.get("amount") or 0))
                for refund in ((charge.get("refunds") or {}).get("data") or [])
                if refund.get("status", "succeeded") == "succeeded"]

    def effect(uow: UnitOfWork) -> str:
        if request_id is None:
            return UNKNOWN_REQUEST
        loaded = load(uow, request_id)
        unknown = [(refund_id, amount) for refund_id, amount in refunded
                   if refund_id not in loaded.payment.stripe_refund_ids]
        if not unknown:
            return ALREADY_RECORDED
        refund_id, amount = unknown[0]  # one per event: a later delivery records the next
        return APPLIED if refunds.external_refund_step(refund_id, amount)(uow, loaded) else ALREADY_RECORDED

    return apply_once(deps, event, str(charge["id"]), effect)


def on_account_updated(deps: Deps, event: Mapping[str, Any]) -> str:
    """Stripe says whether a technician's connected account can receive transfers; once it can, the money
    that waited for it is sent."""
    account = event["data"]["object"]
    uid = technician_of_account(deps, str(account["id"]))
    transfers = ((account.get("capabilities") or {}).get("transfers"))
    enabled = bool(account.get("payouts_enabled")) and transfers in (None, "active")
    created = event_time(event)

    def effect(uow: UnitOfWork) -> str:
        if uid is None:
            return UNKNOWN_ACCOUNT
        private = uow.dispatcher_private.get_or_default(uid)
        if private.account_event_created is not None and private.account_event_created > created:
            return OLDER_THAN_STORED
        uow.dispatcher_private.save(uid, evolve(private, payouts_enabled=enabled, account_event_created=created))
        return APPLIED

    outcome = apply_once(deps, event, str(account["id"]), effect)
    if uid is not None and enabled:
        charges.pay_out_waiting(deps, uid)  # also after a replay: whatever still waits is sent
    return outcome


Handler = Callable[[Deps, Mapping[str, Any]], str]

HANDLERS: Mapping[str, Handler] = {
    "payment_method.attached": on_payment_method_attached,
    "payment_method.detached": on_payment_method_detached,
    "payment_intent.amount_capturable_updated": _on_intent(_authorized),
    "payment_intent.succeeded": _on_intent(_captured),
    "payment_intent.canceled": _on_intent(_cancelled),
    "payment_intent.payment_failed": _on_intent(_failed),
    "charge.refunded": on_charge_refunded,
    "account.updated": on_account_updated,
}
"""Every event type the webhook acts on; any other type is acknowledged and ignored."""
