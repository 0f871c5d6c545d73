"""The hold on the client's card behind a job: placed, released, and followed from the job's status.

Placing a hold: a unit of work checks there is a usable card and numbers the attempt, and records the
`authorize` call in the outbox (`authorize:{request_id}:{n}`, which is also Stripe's idempotency key); its
handler asks Stripe and records the answer — authorised, or declined (the client is told once per reason, and
a declined card is not tried again until another is saved). Releasing one works the same way
(`cancel_authorization:{request_id}`). Stripe's webhooks record the same answers through the same steps,
whichever arrives first; the authorisation table only moves forward, so a late one changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from curbside.deps import Deps
from curbside.domain.documents import JobPayment
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.enums import AuthorizationStatus, LedgerKind, NotificationType, RequestStatus
from curbside.domain.holds import hold_is_current
from curbside.domain.insurance import JobType
from curbside.domain.lifecycle import Actor
from curbside.domain.lifecycles import AUTHORIZATION
from curbside.domain.money import to_minor
from curbside.domain.texts import t
from curbside.gateways.payments import CardDeclined
from curbside.services import work
from curbside.services.dispatch_queue import offer_next
from curbside.services.notifications import notify
from curbside.services.outbox import Handler
from curbside.services.payment_records import Loaded, Step, in_unit, ledger_entry, read_payment, record
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

NO_PAYMENT_METHOD = "no_payment_method"
AUTHORIZE = "authorize"
CANCEL_AUTHORIZATION = "cancel"

_SETTLED = (AuthorizationStatus.AUTHORIZED, AuthorizationStatus.CAPTURED, AuthorizationStatus.CANCELLED)
_OPEN = (AuthorizationStatus.NOT_STARTED, AuthorizationStatus.FAILED, AuthorizationStatus.EXPIRED)
"""No hold in place: one may be placed."""


def about_this_hold(payment: JobPayment, payment_intent_id: str) -> bool:
    """Whether an answer or event about `payment_intent_id` concerns the job's current hold (not one that
    lapsed and was replaced)."""
    return payment_intent_id not in payment.superseded_intents and payment.payment_intent_id in (
        None, payment_intent_id)


def advance(loaded: Loaded, status: AuthorizationStatus) -> bool:
    """Move the authorisation forward to `status`; False (and no change) when it is there or beyond."""
    if not AUTHORIZATION.allows(loaded.payment.authorization_status, status):
        return False
    loaded.payment.authorization_status = status
    return True


# --- placing the hold -------------------------------------------------------------------------------------------


def hold_is_fresh(uow: UnitOfWork, payment: JobPayment) -> bool:
    """The payment's hold will last through the work and its capture."""
    settings = uow.settings.payments
    return hold_is_current(payment.authorized_at, uow.now, lifetime=settings.card_hold_lifetime,
                           margin=settings.card_hold_margin)


def _expire_stale_hold(uow: UnitOfWork, loaded: Loaded) -> bool:
    """A hold about to lapse, or short of the job's price (the price changed), is released (its own `cancel`
    call) so that a new one can be placed for the price; True when this happened."""
    payment = loaded.payment
    price = to_minor(loaded.request.client_pays, payment.currency)
    if payment.authorization_status is not AuthorizationStatus.AUTHORIZED or (
            hold_is_fresh(uow, payment) and payment.amount_minor >= price):
        return False
    payment.amount_minor = price
    if payment.payment_intent_id is not None:
        payment.superseded_intents.append(payment.payment_intent_id)
        uow.outbox.add(CANCEL_AUTHORIZATION, f"{payment.request_id}:{payment.authorization_attempts}",
                       request_id=payment.request_id, payment_intent_id=payment.payment_intent_id)
    advance(loaded, AuthorizationStatus.EXPIRED)
    payment.payment_intent_id, payment.authorized_at = None, None
    return True


def _ask_for_hold(uow: UnitOfWork, loaded: Loaded) -> None:
    """Record the `authorize` call the job needs, if it needs one (see the module docstring)."""
    payment = loaded.payment
    if loaded.request.status is RequestStatus.CANCELLED or loaded.request.job_type is JobType.MERCHANT:
        return  # a merchant order holds no card: the merchant is billed monthly (D117)
    expired = _expire_stale_hold(uow, loaded)
    if payment.authorization_status in _SETTLED:
        return
    private = uow.client_private.get_or_default(payment.client_id)
    if not private.stripe_customer_id or not private.payment_method:
        fail(uow, loaded, NO_PAYMENT_METHOD, None)
        return
    if private.payment_method == payment.declined_payment_method:
        if expired:
            record(uow, loaded)
        return
    payment.authorization_attempts += 1
    record(uow, loaded)
    uow.outbox.add(AUTHORIZE, f"{payment.request_id}:{payment.authorization_attempts}",
                   request_id=payment.request_id, customer_id=private.stripe_customer_id,
                   payment_method_id=private.payment_method, amount_minor=payment.amount_minor,
                   currency=payment.currency)


def ensure_authorized(deps: Deps, request_id: str) -> AuthorizationStatus:
    """Hold the job's price on the client's saved card (once); returns the authorisation's status after the
    attempt (`authorized`, `failed`, or `not_started` while Stripe is unreachable and the sweep will retry)."""
    in_unit(deps, request_id, _ask_for_hold)
    payment = read_payment(deps, request_id)
    return payment.authorization_status if payment is not None else AuthorizationStatus.NOT_STARTED


def _authorize(deps: Deps, entry: OutboxEntry) -> None:
    payload = entry.payload
    request_id = str(payload["request_id"])
    try:
        held = deps.payments.authorize(
            customer_id=str(payload["customer_id"]), payment_method_id=str(payload["payment_method_id"]),
            amount_minor=int(payload["amount_minor"]), currency=str(payload["currency"]), request_id=request_id,
            idempotency_key=entry.id)
    except CardDeclined as declined:
        in_unit(deps, request_id, failed_step(str(declined), str(payload["payment_method_id"])))
        return
    in_unit(deps, request_id, authorized_step(held.payment_intent_id))


def fail(uow: UnitOfWork, loaded: Loaded, reason: str, payment_method: str | None) -> None:
    """Record a failed authorisation and tell the client once per reason."""
    payment = loaded.payment
    if payment.authorization_status not in _OPEN:
        return
    first = payment.authorization_failure != reason
    payment.authorization_status = AuthorizationStatus.FAILED
    payment.authorization_failure = reason
    payment.declined_payment_method = payment_method
    if first:
        notify(uow, user_id=payment.client_id, kind=NotificationType.PAYMENT_ACTION_REQUIRED,
               title=t("Payment needs your attention"),
               body=t("We could not hold the price of your job on a card. Add or update your card in Payment "
                      "methods so your technician can be paid."), request_id=payment.request_id)
    record(uow, loaded)
    _wait_for_a_card(uow, loaded)


def _wait_for_a_card(uow: UnitOfWork, loaded: Loaded) -> None:
    """A job whose card cannot hold its price is not worked on: it is not offered until the client saves a
    card that works, and a technician who accepted it is released (the job goes back to the pool)."""
    request = loaded.request
    if request.status is RequestStatus.ACCEPTED and request.dispatcher_id is not None:
        uow.requests.move(request, RequestStatus.PENDING, Actor.SYSTEM, dispatcher_id=None, dispatcher_name=None,
                          accepted_at=None, client_notified_accepted=False, awaiting_payment_method=True,
                          updated_date=uow.now)
        uow.contacts.delete(request.id)
        notify(uow, user_id=request.dispatcher_id, kind=NotificationType.JOB_CANCELLED, title=t("Job released"),
               body=t("The client's payment for the job at {where} could not be secured, so the job was released. "
                      "Don't drive out; you won't be charged a cancellation.",
                      where=request.location_area or t("the job")),
               request_id=request.id)
    elif request.status in (RequestStatus.SCHEDULED, RequestStatus.PENDING) and not request.awaiting_payment_method:
        uow.requests.save(evolve(request, awaiting_payment_method=True, updated_date=uow.now))


def authorized_step(payment_intent_id: str) -> Step[bool]:
    """Record that the card is held (the gateway's answer or Stripe's webhook, whichever comes first); False
    when there was nothing to record."""

    def step(uow: UnitOfWork, loaded: Loaded) -> bool:
        payment = loaded.payment
        if not about_this_hold(payment, payment_intent_id):
            return False  # a stale intent of an earlier attempt
        if not advance(loaded, AuthorizationStatus.AUTHORIZED):
            return False
        payment.payment_intent_id = payment_intent_id
        payment.authorized_at = uow.now
        payment.authorization_failure = None
        record(uow, loaded, [ledger_entry(payment, LedgerKind.AUTHORIZATION, payment.amount_minor, uow.now,
                                          stripe_object_id=payment_intent_id)])
        return True

    return step


def failed_step(reason: str, payment_method: str | None) -> Step[bool]:
    """Record a failed authorisation (a declined card, or no card); False when it changed nothing."""

    def step(uow: UnitOfWork, loaded: Loaded) -> bool:
        before = (loaded.payment.authorization_status, loaded.payment.authorization_failure)
        fail(uow, loaded, reason, payment_method)
        return (loaded.payment.authorization_status, loaded.payment.authorization_failure) != before

    return step


# --- releasing it ------------------------------------------------------------------------------------------------


def _ask_for_release(uow: UnitOfWork, loaded: Loaded) -> None:
    payment = loaded.payment
    if payment.authorization_status is AuthorizationStatus.AUTHORIZED and payment.payment_intent_id:
        uow.outbox.add(CANCEL_AUTHORIZATION, payment.request_id, request_id=payment.request_id,
                       payment_intent_id=payment.payment_intent_id)
    elif payment.authorization_status in _OPEN:
        advance(loaded, AuthorizationStatus.CANCELLED)
        record(uow, loaded)


def cancel_authorization(deps: Deps, request_id: str) -> AuthorizationStatus:
    """Release the card hold of a job cancelled before it was charged."""
    in_unit(deps, request_id, _ask_for_release)
    payment = read_payment(deps, request_id)
    return payment.authorization_status if payment is not None else AuthorizationStatus.NOT_STARTED


def _cancel(deps: Deps, entry: OutboxEntry) -> None:
    intent = str(entry.payload["payment_intent_id"])
    deps.payments.cancel_authorization(intent, entry.id)
    in_unit(deps, str(entry.payload["request_id"]), cancelled_step(intent))


def cancelled_step(payment_intent_id: str) -> Step[bool]:
    """Record that the card hold was released (the gateway's answer or `payment_intent.canceled`)."""

    def step(uow: UnitOfWork, loaded: Loaded) -> bool:
        payment = loaded.payment
        if not about_this_hold(payment, payment_intent_id) or not advance(loaded, AuthorizationStatus.CANCELLED):
            return False
        record(uow, loaded, [ledger_entry(payment, LedgerKind.AUTHORIZATION_CANCELLED, payment.amount_minor,
                                          uow.now, stripe_object_id=payment_intent_id)])
        return True

    return step


# --- following the job --------------------------------------------------------------------------------------------

_HOLD_WHEN = (RequestStatus.ACCEPTED, RequestStatus.EN_ROUTE, RequestStatus.ARRIVED, RequestStatus.IN_PROGRESS)


def follow_request(deps: Deps, request_id: str) -> str:
    """What the job's new status means for its money (the `on_request_updated` trigger; safe to repeat):
    accepted (or a scheduled job activated) -> hold the card; cancelled -> release the hold, or charge the
    late-cancellation fee and pay it to the technician whose trip was wasted. Returns what happened."""
    from curbside.services import charges

    request = work.reading(deps, lambda uow: uow.requests.get(request_id))
    if request is None:
        return "missing"
    if request.job_type is JobType.MERCHANT:
        return "billed_to_merchant"  # no card to hold or release (D117)
    if request.status in _HOLD_WHEN or (request.status is RequestStatus.PENDING and request.is_scheduled):
        return f"authorization_{ensure_authorized(deps, request_id).value}"
    if request.status is not RequestStatus.CANCELLED:
        return "no_change"
    payment = read_payment(deps, request_id)
    if payment is None:
        return "nothing_to_release"
    fee = to_minor(request.cancellation_fee or Decimal("0"), payment.currency)
    if fee > 0 and payment.authorization_status is AuthorizationStatus.AUTHORIZED:
        return f"fee_{charges.charge_late_fee(deps, request_id, fee).payout_status.value}"
    return f"authorization_{cancel_authorization(deps, request_id).value}"


def resume_after_new_card(deps: Deps, client_id: str, *, limit: int = 50) -> list[str]:
    """The client saved a card: their jobs that waited for one are offered again (a scheduled job, which holds
    its price before it is offered, places its hold first). Returns the jobs resumed."""

    def clear(uow: UnitOfWork) -> list[tuple[str, bool]]:
        waiting = uow.requests.find(queries.JOBS_AWAITING_A_CARD, client_id=client_id, awaiting_payment_method=True,
                                    limit=limit)
        for job in waiting:
            uow.requests.save(evolve(job, awaiting_payment_method=False, updated_date=uow.now))
        return [(job.id, job.is_scheduled) for job in waiting if job.status is RequestStatus.PENDING]

    resumed = work.transaction(deps, clear)
    for request_id, scheduled in resumed:
        if scheduled:
            ensure_authorized(deps, request_id)
        offer_next(deps, request_id)
    return [request_id for request_id, _ in resumed]


HANDLERS: Mapping[str, Handler] = {AUTHORIZE: _authorize, CANCEL_AUTHORIZATION: _cancel}
