"""A revised price on site (issue 20, D89): the technician, having arrived and seen the car, proposes another
price; the client accepts or declines it; no work starts while a proposal waits.

Accepting replaces the job's price (the breakdown gains a `revised_on_site` line, the client's reward discount
stays as far as the new price allows) and brings the card hold in line in the same commit: a hold that covers
the new price is kept and will capture only the new price; a hold short of it is replaced for the new price
right after the commit (D28's replacement: the old hold released, a new one placed), and the technician's
`in_progress` is refused until the card holds it. Declining leaves the booked price; the technician then works
for it or cancels (free for the client).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import ServiceRequest
from curbside.domain.enums import AuthorizationStatus, NotificationType, RequestActor, RequestStatus
from curbside.domain.errors import InvalidInput, NotAllowed, WrongState
from curbside.domain.invoicing import regime_of
from curbside.domain.money import price_quantum, round_price, to_minor
from curbside.domain.pricing import ZERO, tax_on
from curbside.domain.texts import Money, t
from curbside.services import card_holds, work
from curbside.services.accounts import require_usable_account
from curbside.services.job_moves import JOB_CHANGED, actor_of, job_of, require_current_technician
from curbside.services.notifications import notify
from curbside.store.codec import encode_value
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

ONLY_TECHNICIAN = "Only the job's technician can propose a revised price."
ONLY_CLIENT = "Only the job's client can answer a revised price."
ON_SITE_ONLY = "Propose a revised price once you have arrived and seen the car, before you start the work."
NOTHING_PENDING = "There is no revised price waiting for your answer on this job."


def _job_as(uow: UnitOfWork, uid: str, request_id: str, role: RequestActor, refusal: str) -> ServiceRequest:
    request = job_of(uow, request_id)
    if actor_of(request, uid, is_admin=False) is not role:
        raise NotAllowed(refusal)
    require_usable_account(uow, uid)
    return request


def propose_revised_price(deps: Deps, *, uid: str, request_id: str, price: Decimal, reason: str) -> dict[str, Any]:
    """The assigned technician, arrived and not yet working, proposes `price` (before the client's reward) with a
    reason the client reads; a new proposal replaces a pending one."""

    def propose(uow: UnitOfWork) -> dict[str, Any]:
        request = _job_as(uow, uid, request_id, RequestActor.DISPATCHER, ONLY_TECHNICIAN)
        require_current_technician(uow, uid)
        if request.status is not RequestStatus.ARRIVED:
            raise WrongState(ON_SITE_ONLY)
        if price == request.price:
            raise InvalidInput(f"price: {price} is the job's price already; propose a different one.")
        currency = request.currency or uow.settings.currency
        if round_price(price, currency) != price:
            raise InvalidInput(f"price: {currency} is charged in steps of {price_quantum(currency)}; propose "
                               f"{round_price(price, currency)} or another whole number of them.")
        uow.requests.save(evolve(request, proposed_price=price, proposed_price_reason=reason,
                                 proposed_price_at=uow.now, updated_date=uow.now))
        notify(uow, user_id=request.client_id, kind=NotificationType.PAYMENT_ACTION_REQUIRED,
               title=t("A revised price needs your answer"),
               body=t("{who} proposes {price} instead of {booked}: {reason}. Accept or decline it in the app; the "
                      "work starts only after you answer.", who=request.dispatcher_name or t("Your technician"),
                      price=Money(to_minor(price, currency), currency),
                      booked=Money(to_minor(Decimal(str(request.price)), currency), currency), reason=reason),
               request_id=request.id, key=f"revised-{request.id}-{uow.now:%Y%m%d%H%M%S%f}")
        return {"status": "proposed", "proposed_price": price, "currency": currency}

    return work.transaction(deps, propose, lost_race=JOB_CHANGED)


def _revised(uow: UnitOfWork, request: ServiceRequest, price: Decimal, discount: Decimal,
             reason: str) -> tuple[Decimal, dict[str, Any]]:
    """The new final price and breakdown: the revision a line; the tax the quote named on the new price (added
    on top where the region adds it, so the card and the invoice follow it, D131)."""
    stored = dict(request.price_breakdown or {})
    final = price - discount
    if stored.get("tax"):
        regime = regime_of(stored["tax"], uow.settings.tax)
        amount = tax_on(final, regime, request.currency or uow.settings.currency)
        stored["tax"] = {**stored["tax"], "amount": amount}
        final += ZERO if regime.prices_include_tax else amount
    line = {"code": "revised_on_site", "label": f"Revised on site: {reason}", "amount": price - request.price}
    revised: dict[str, Any] = encode_value({**stored, "lines": [*stored.get("lines", []), line], "subtotal": price,
                                            "reward_discount": discount, "final_price": final})
    return final, revised


def _align_hold(uow: UnitOfWork, request_id: str, final_price: Decimal) -> bool:
    """Make the job's payment ask for the new price; True when the card's hold must be replaced to cover it."""
    payment = uow.payments.get(request_id)
    if payment is None:
        return False  # no hold asked for yet: the first one will be for the new price
    minor = to_minor(final_price, payment.currency)
    if payment.authorization_status is AuthorizationStatus.AUTHORIZED and payment.amount_minor < minor:
        return True
    if payment.authorization_status is not AuthorizationStatus.CAPTURED and payment.amount_minor != minor:
        uow.payments.save(evolve(payment, amount_minor=minor, updated_date=uow.now))
    return False


def accept_revised_price(deps: Deps, *, uid: str, request_id: str) -> dict[str, Any]:
    """The client accepts the pending revised price (see the module docstring). Answers the new `final_price`
    and where the card hold stands: `covered`, or the replacement hold's status (`authorized`, `failed`, or
    `not_started` while Stripe is unreachable and the sweep retries)."""

    def accept(uow: UnitOfWork) -> tuple[Decimal, bool, str]:
        request = _job_as(uow, uid, request_id, RequestActor.CLIENT, ONLY_CLIENT)
        if request.proposed_price is None or request.status is not RequestStatus.ARRIVED:
            raise WrongState(NOTHING_PENDING)
        price, reason = request.proposed_price, request.proposed_price_reason or "revised on site"
        discount = min(request.reward_discount or ZERO, price)
        final, breakdown = _revised(uow, request, price, discount, reason)
        rehold = _align_hold(uow, request.id, final)
        uow.requests.save(evolve(
            request, price=price, reward_discount=discount, final_price=final, price_breakdown=breakdown,
            proposed_price=None, proposed_price_reason=None, proposed_price_at=None, price_revised_at=uow.now,
            updated_date=uow.now))
        return final, rehold, request.currency or uow.settings.currency

    final_price, rehold, currency = work.transaction(deps, accept, lost_race=JOB_CHANGED)
    hold = card_holds.ensure_authorized(deps, request_id).value if rehold else "covered"
    return {"final_price": final_price, "currency": currency, "card_hold": hold}


def decline_revised_price(deps: Deps, *, uid: str, request_id: str) -> dict[str, Any]:
    """The client keeps the booked price; the technician works for it or cancels."""

    def decline(uow: UnitOfWork) -> dict[str, Any]:
        request = _job_as(uow, uid, request_id, RequestActor.CLIENT, ONLY_CLIENT)
        if request.proposed_price is None:
            raise WrongState(NOTHING_PENDING)
        uow.requests.save(evolve(request, proposed_price=None, proposed_price_reason=None, proposed_price_at=None,
                                 updated_date=uow.now))
        return {"status": "declined", "final_price": request.final_price,
                "currency": request.currency or uow.settings.currency}

    return work.transaction(deps, decline, lost_race=JOB_CHANGED)
