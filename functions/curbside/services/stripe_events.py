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
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.deps import Deps
from curbside.domain.documents import ClientProfilePrivate, StripeEvent
from curbside.store.codec import encode_value, from_snapshot, to_document
from curbside.store.collections import PRIVATE_SUBCOLLECTION, Collection, doc_path, private_doc_path

DUPLICATE = "duplicate"
IGNORED = "ignored"
APPLIED = "applied"
OLDER_THAN_STORED = "older_than_stored"
UNKNOWN_CUSTOMER = "unknown_customer"

_LAST_FOUR = re.compile(r"^\d{4}$")

Effect = Callable[[firestore.Transaction], str]
"""Reads then writes inside the event's transaction; returns the outcome recorded with the event id."""


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
    db = deps.db
    record_ref = db.document(doc_path(Collection.STRIPE_EVENTS, str(event["id"])))
    now = deps.clock.now()

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> str:
        if record_ref.get(transaction=transaction).exists:
            return DUPLICATE
        outcome = effect(transaction)
        transaction.create(record_ref, to_document(StripeEvent(
            id=str(event["id"]), type=str(event["type"]), object_id=object_id, outcome=outcome,
            event_created=event_time(event), processed_date=now)))
        return outcome

    return str(run(db.transaction()))


def event_time(event: Mapping[str, Any]) -> dt.datetime:
    """Stripe's `created` (Unix seconds): the order of events, whatever order they arrive in."""
    return dt.datetime.fromtimestamp(int(event["created"]), tz=dt.UTC)


def client_of_customer(db: firestore.Client, customer_id: str) -> str | None:
    """The uid whose `ClientProfiles/{uid}/private/data` holds this Stripe customer id. Read outside the
    transaction: the link is written once, before the app can reach Stripe with the customer."""
    query = (db.collection_group(PRIVATE_SUBCOLLECTION)
             .where(filter=FieldFilter("stripe_customer_id", "==", customer_id)).limit(2))
    for snap in query.stream():
        parent = snap.reference.parent.parent
        if parent is not None and parent.parent.id == Collection.CLIENT_PROFILES.value:
            return str(parent.id)
    return None


def on_payment_method_attached(deps: Deps, event: Mapping[str, Any]) -> str:
    """The card a client saved through the SetupIntent: its id goes to the private part, its brand and last
    four (all the app may show) to `ClientProfiles/{uid}`."""
    method = event["data"]["object"]
    customer_id = method.get("customer")
    uid = client_of_customer(deps.db, customer_id) if isinstance(customer_id, str) else None
    card = method.get("card") or {}
    last_four = card.get("last4") if _LAST_FOUR.match(str(card.get("last4"))) else None
    brand = card.get("brand") if isinstance(card.get("brand"), str) else None
    created = event_time(event)
    now = deps.clock.now()

    def effect(transaction: firestore.Transaction) -> str:
        if uid is None:
            return UNKNOWN_CUSTOMER
        profile_ref = deps.db.document(doc_path(Collection.CLIENT_PROFILES, uid))
        private_ref = deps.db.document(private_doc_path(Collection.CLIENT_PROFILES, uid))
        private_snap = private_ref.get(transaction=transaction)
        private = from_snapshot(ClientProfilePrivate, private_snap)
        if private.payment_method_event_created is not None and private.payment_method_event_created > created:
            return OLDER_THAN_STORED
        transaction.update(private_ref, {"payment_method": str(method["id"]),
                                         "payment_method_event_created": encode_value(created)})
        transaction.update(profile_ref, {"card_last_four": last_four, "card_brand": brand,
                                         "updated_date": encode_value(now)})
        return APPLIED

    return apply_once(deps, event, str(method["id"]), effect)


HANDLERS: Mapping[str, Callable[[Deps, Mapping[str, Any]], str]] = {
    "payment_method.attached": on_payment_method_attached,
}
"""Every event type the webhook acts on; any other type is acknowledged and ignored."""
