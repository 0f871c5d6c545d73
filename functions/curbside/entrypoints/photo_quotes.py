"""Photo quotes and revised prices (services/photo_quotes.py, services/revised_prices.py; issue 20): a client's
quote from photos, the admins' dent-repair matrix, and a price revised on site."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from firebase_functions import https_fn
from pydantic import Field, StrictBool, field_validator

from curbside import config, deps
from curbside.domain.dent_repair import BANDS, CountBand, DentSize, Panel, PanelDamage
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId, StoragePath
from curbside.services import photo_quotes, revised_prices

Amount = Annotated[Decimal, Field(gt=0, le=100_000, decimal_places=2, allow_inf_nan=False)]


class DamagePayload(Payload):
    """One dented panel as the customer describes it."""

    panel: Panel
    count_band: CountBand
    dent_size: DentSize
    aluminium: StrictBool = False

    def to_domain(self) -> PanelDamage:
        return PanelDamage(self.panel, self.count_band, self.dent_size, self.aluminium)


class QuoteFromPhotosPayload(Payload):
    car_model: Annotated[str, Field(min_length=1, max_length=80)]
    photos: Annotated[list[StoragePath], Field(min_length=1, max_length=8)]
    damage: Annotated[list[DamagePayload], Field(min_length=1, max_length=len(Panel))] | None = None

    @field_validator("photos")
    @classmethod
    def _distinct(cls, paths: list[str]) -> list[str]:
        if len(set(paths)) != len(paths):
            raise ValueError("the same photo is listed twice")
        return paths

    @field_validator("damage")
    @classmethod
    def _each_panel_once(cls, damage: list[DamagePayload] | None) -> list[DamagePayload] | None:
        panels = [entry.panel for entry in damage or ()]
        if len(set(panels)) != len(panels):
            raise ValueError("each panel once: give its dent count and typical size in one entry")
        return damage

    def asked(self) -> photo_quotes.QuoteAsked:
        damage = tuple(entry.to_domain() for entry in self.damage) if self.damage is not None else None
        return photo_quotes.QuoteAsked(self.car_model, tuple(self.photos), damage)


@on_call(secrets=config.secrets(config.OPENAI_API_KEY))
def quote_from_photos(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, QuoteFromPhotosPayload, lambda caller, p: photo_quotes.quote_from_photos(
        deps.get(), caller.uid, p.asked()))


class SetDentMatrixPayload(Payload):
    prices: dict[Panel, dict[DentSize, Annotated[list[Amount], Field(min_length=len(BANDS), max_length=len(BANDS))]]]
    """`prices[panel][size]`: one price per dent-count band, in the order 1-5, 6-15, 16-30, 31-50, 51-100, 101+."""
    aluminium_surcharge_percent: Annotated[Decimal, Field(ge=0, le=200, decimal_places=2, allow_inf_nan=False)]
    minimum_charge: Amount
    reason: Annotated[str, Field(min_length=5, max_length=1000)]
    """Why, for the other admins and the audit trail."""

    def fields(self) -> photo_quotes.MatrixFields:
        return photo_quotes.MatrixFields(self.prices, self.aluminium_surcharge_percent, self.minimum_charge)


@on_call()
def admin_set_dent_matrix(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetDentMatrixPayload, lambda caller, p: photo_quotes.set_dent_matrix(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, fields=p.fields(), reason=p.reason),
        fresh_sign_in=True)


class ProposeRevisedPricePayload(Payload):
    request_id: DocId
    price: Amount
    reason: Annotated[str, Field(min_length=5, max_length=500)]
    """What the technician found, in words the client reads before answering."""


@on_call()
def propose_revised_price(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ProposeRevisedPricePayload, lambda caller, p: revised_prices.propose_revised_price(
        deps.get(), uid=caller.uid, request_id=p.request_id, price=p.price, reason=p.reason))


class RevisedPriceAnswerPayload(Payload):
    request_id: DocId


@on_call(secrets=config.secrets(config.STRIPE_SECRET_KEY))  # a hold short of the new price is replaced
def accept_revised_price(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RevisedPriceAnswerPayload, lambda caller, p: revised_prices.accept_revised_price(
        deps.get(), uid=caller.uid, request_id=p.request_id), fresh_sign_in=True)


@on_call()
def decline_revised_price(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RevisedPriceAnswerPayload, lambda caller, p: revised_prices.decline_revised_price(
        deps.get(), uid=caller.uid, request_id=p.request_id))
