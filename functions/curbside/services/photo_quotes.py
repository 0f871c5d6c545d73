"""Photo quotes (issue 20, D87-D88): a hail-damaged car priced from its photos by the dent-repair matrix, and
the quote booked by `create_request`.

`quote_from_photos` checks the photos are the caller's own uploads, then decides what to price: the customer's
own per-panel description when they give one (a first description, or their correction of what the photos
suggested); otherwise the damage the vision model reads from the photos (`gateways.damage_reader`), which the
app shows for the customer to confirm — by booking — or correct — by asking again with `damage`. Without a model
(the local stack, tests, an outage) and without a description there is nothing to price, and the caller is told
to describe the damage. The quote is stored for 7 days; the matrix is read in the quote's own commit.

A quote books one job: `book_quote` runs in `create_request`'s conditional commit, which marks it used, so of
several requests racing with one quote exactly one commits (the others lose on the quote's update time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from curbside.deps import Deps
from curbside.domain.dent_repair import (
    BANDS,
    DamageSource,
    DentQuote,
    DentSize,
    MatrixError,
    Panel,
    PanelDamage,
    price_damage,
)
from curbside.domain.documents import DamageEntry, DentRepairMatrix, Quote
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound, VendorUnavailable, WrongState
from curbside.domain.money import from_minor
from curbside.domain.pricing import ZERO, PriceLine, RewardDiscount
from curbside.domain.pricing import Quote as Price
from curbside.domain.uploads import Purpose
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.rate_limits import next_slot, refuse_if_full
from curbside.services.uploads import require_own_uploads
from curbside.services.verification_review import require_admin
from curbside.store.codec import double_to_money, encode_value
from curbside.store.collections import Collection, new_document_id
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

MATRIX_ID = "pdr"
QUOTE_VALIDITY = dt.timedelta(days=7)
PHOTO_LINK_LIFETIME = dt.timedelta(minutes=10)
"""How long the model may fetch the photos: the call itself times out well within it."""
SET_DENT_MATRIX = "set_dent_matrix"
"""The audit trail's name for an admin replacing the matrix."""

ONLY_CLIENTS = "Only clients can ask for a quote: choose 'client' or 'both' as your account type."
NO_MATRIX = "Photo quotes are not available yet: no dent-repair price matrix is set up. Book a standard job instead."
DESCRIBE_DAMAGE = ("damage: we could not read the damage from your photos right now; describe each dented panel "
                   "(panel, dent count and typical size) and ask again.")
NO_DENTS_SEEN = ("damage: no dents could be seen in these photos; send closer photos of the dented panels, or "
                 "describe each dented panel (panel, dent count and typical size).")


@dataclass(frozen=True)
class QuoteAsked:
    car_model: str
    photos: tuple[str, ...]
    damage: tuple[PanelDamage, ...] | None
    """The customer's own description (or correction); None: read it from the photos."""


def _require_client(uow: UnitOfWork, uid: str) -> UnitOfWork:
    """The caller is a client with a usable account; answers the unit of work, to read on."""
    require_usable_account(uow, uid)
    if uow.client_profiles.get(uid) is None:
        raise NotAllowed(ONLY_CLIENTS)
    return uow


def _matrix(uow: UnitOfWork) -> DentRepairMatrix:
    stored = uow.dent_matrices.get(MATRIX_ID)
    if stored is None:
        raise WrongState(NO_MATRIX)
    return stored


def _read_photos(deps: Deps, asked: QuoteAsked) -> list[PanelDamage] | None:
    """What the vision model proposes, or None when it cannot answer (unconfigured, down, off-schema)."""
    links = [deps.files.signed_url(path, PHOTO_LINK_LIFETIME) for path in asked.photos]
    try:
        return deps.damage_reader.read_damage(asked.car_model, links)
    except VendorUnavailable:
        return None


def quote_from_photos(deps: Deps, uid: str, asked: QuoteAsked) -> dict[str, Any]:
    """Price the damage (see the module docstring) and store the quote; answers the contract's
    `{quote_id, breakdown, valid_until}` with what was priced and where it came from."""
    work.reading(deps, lambda uow: _matrix(_require_client(uow, uid)))
    refuse_if_full(deps, deps.settings.rate_limits.photo_quote, uid)  # before the model is paid for
    require_own_uploads(deps.files, uid, asked.photos, purpose=Purpose.CAR_PHOTOS, field_name="photos")
    proposed: list[PanelDamage] | None = None
    if asked.damage is None:
        proposed = _read_photos(deps, asked)
        if proposed is None:
            raise InvalidInput(DESCRIBE_DAMAGE)
        if not proposed:
            raise InvalidInput(NO_DENTS_SEEN)
    damage = list(asked.damage) if asked.damage is not None else list(proposed or ())

    def store(uow: UnitOfWork) -> Quote:
        matrix = _matrix(_require_client(uow, uid))
        slot = next_slot(uow, uow.settings.rate_limits.photo_quote, uid)
        priced = price_damage(matrix.to_domain(), damage)
        uow.rate_slots.create(slot)
        return uow.quotes.create(Quote(
            id=new_document_id(), client_id=uid, car_model=asked.car_model, photos=list(asked.photos),
            damage=[DamageEntry.of(entry) for entry in damage],
            damage_source=DamageSource.CUSTOMER if asked.damage is not None else DamageSource.PHOTOS,
            proposed_damage=[DamageEntry.of(entry) for entry in proposed] if proposed is not None else None,
            breakdown=encode_value(breakdown(priced, matrix.currency)), total=from_minor(priced.total, matrix.currency),
            currency=matrix.currency, valid_until=uow.now + QUOTE_VALIDITY, created_date=uow.now))

    quote = work.transaction(deps, store, lost_race="Another quote of yours got in the way; try again.")
    return {"quote_id": quote.id, "breakdown": quote.breakdown, "valid_until": quote.valid_until,
            "damage": [entry.model_dump(mode="json") for entry in quote.damage],
            "damage_source": quote.damage_source}


def panel_label(damage: PanelDamage) -> str:
    panel = damage.panel.value.replace("_", " ").capitalize()
    metal = ", aluminium" if damage.aluminium else ""
    return f"{panel}: {damage.count_band.value} {damage.dent_size.value} dents{metal}"


def breakdown(priced: DentQuote, currency: str) -> dict[str, Any]:
    """The quote's lines as the app shows them; `amount`s and the top-up add up to `total` exactly."""
    return {
        "lines": [{"panel": line.damage.panel, "count_band": line.damage.count_band,
                   "dent_size": line.damage.dent_size, "aluminium": line.damage.aluminium,
                   "label": panel_label(line.damage), "repair": from_minor(line.repair, currency),
                   "aluminium_surcharge": from_minor(line.aluminium_surcharge, currency),
                   "amount": from_minor(line.amount, currency)} for line in priced.lines],
        "minimum_charge_top_up": from_minor(priced.minimum_top_up, currency),
        "total": from_minor(priced.total, currency),
        "currency": currency,
    }


# --- booking it -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookedQuote:
    quote: Quote
    price: Price
    """The quote as the job's price: its lines in place of the standard price's, the reward taken off."""

    def record_use(self, uow: UnitOfWork, request_id: str) -> None:
        """Mark the quote used by `request_id`, in the request's own commit."""
        uow.quotes.save(evolve(self.quote, used_on_request_id=request_id, used_at=uow.now))


def book_quote(uow: UnitOfWork, uid: str, quote_id: str, car_model: str,
               reward: RewardDiscount | None) -> BookedQuote:
    """The caller's unused, unexpired quote for this car, as the job's price (server-checked: the payload
    carries the id only)."""
    quote = uow.quotes.get(quote_id)
    if quote is None or quote.client_id != uid:
        raise NotFound(f"quote_id: there is no quote {quote_id} among yours.")
    if quote.used_on_request_id is not None:
        raise WrongState("This quote was already used to book a job; ask for a new quote.")
    if quote.valid_until <= uow.now:
        raise WrongState(f"This quote expired on {quote.valid_until:%Y-%m-%d}; ask for a new quote.")
    if quote.car_model.casefold() != car_model.casefold():
        raise InvalidInput(f"car_model: this quote is for a {quote.car_model}; book that car, or ask for a new "
                           "quote for this one.")
    lines = tuple(PriceLine(f"pdr_{line['panel']}", str(line["label"]), double_to_money(line["amount"]))
                  for line in quote.breakdown["lines"])
    top_up = double_to_money(quote.breakdown["minimum_charge_top_up"])
    if top_up:
        lines += (PriceLine("pdr_minimum_charge", "Minimum charge", top_up),)
    subtotal = sum((line.amount for line in lines), ZERO)
    discount = reward.off(subtotal, uow.settings.pricing.base_price, quote.currency) if reward is not None else ZERO
    return BookedQuote(quote, Price(base_price=ZERO, lines=lines, subtotal=subtotal, reward_discount=discount,
                                    final_price=subtotal - discount, currency=quote.currency))


# --- the admins' matrix -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixFields:
    prices: Mapping[Panel, Mapping[DentSize, Sequence[Decimal]]]
    aluminium_surcharge_percent: Decimal
    minimum_charge: Decimal


def _cells(matrix: DentRepairMatrix | None) -> dict[str, Any]:
    """The matrix flattened to `field -> value`, so the audit entry holds only what changed."""
    if matrix is None:
        return {}
    cells: dict[str, Any] = {"aluminium_surcharge_percent": matrix.aluminium_surcharge_percent,
                             "minimum_charge": float(matrix.minimum_charge)}
    for panel, row in matrix.prices.items():
        for size, amounts in row.items():
            cells |= {f"prices.{panel.value}.{size.value}.{band.value}": float(amount)
                      for band, amount in zip(BANDS, amounts, strict=True)}
    return cells


def set_dent_matrix(deps: Deps, *, admin_uid: str, is_admin: bool, fields: MatrixFields,
                    reason: str) -> dict[str, Any]:
    """Replace the matrix (every panel, size and band), validated whole, with the change on the audit trail;
    quotes already given keep their price."""
    require_admin(is_admin)
    try:
        matrix = DentRepairMatrix.model_validate({
            "id": MATRIX_ID, "prices": fields.prices, "minimum_charge": fields.minimum_charge,
            "aluminium_surcharge_percent": float(fields.aluminium_surcharge_percent),
            "currency": deps.settings.currency, "updated_date": deps.clock.now(), "updated_by": admin_uid})
        matrix.to_domain()
    except MatrixError as problem:
        raise InvalidInput(str(problem)) from None

    def replace(uow: UnitOfWork) -> dict[str, Any]:
        before, after = _cells(uow.dent_matrices.get(MATRIX_ID)), _cells(matrix)
        changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
        uow.dent_matrices.put(evolve(matrix, updated_date=uow.now))
        uow.audit.record(actor_id=admin_uid, action=SET_DENT_MATRIX, target=Collection.DENT_REPAIR_MATRICES,
                         target_id=MATRIX_ID, before={name: before.get(name) for name in changed},
                         after={name: after.get(name) for name in changed}, reason=reason)
        return {"id": MATRIX_ID, "changed": len(changed)}

    return work.transaction(deps, replace)
