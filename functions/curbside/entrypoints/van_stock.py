"""The technician's van stock: the parts list and deliveries (services/van_stock.py); parts used are sent with
`complete_job`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from firebase_functions import https_fn
from pydantic import Field, StrictInt

from curbside import deps
from curbside.domain.van_stock import SKU_PATTERN
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId
from curbside.services import van_stock

Sku = Annotated[str, Field(pattern=SKU_PATTERN)]


class SetVanPartPayload(Payload):
    sku: Sku
    name: Annotated[str, Field(min_length=1, max_length=100)]
    unit_cost: Annotated[Decimal, Field(ge=0, le=100_000, decimal_places=2, allow_inf_nan=False)]
    minimum: Annotated[StrictInt, Field(ge=0, le=10_000)] = 0


@on_call()
def set_van_part(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetVanPartPayload, lambda caller, p: van_stock.set_part(
        deps.get(), caller.uid, p.sku, name=p.name.strip(), unit_cost=p.unit_cost, minimum=p.minimum))


class ReceiveVanStockPayload(Payload):
    sku: Sku
    quantity: Annotated[StrictInt, Field(ge=1, le=10_000)]
    receipt_key: DocId


@on_call()
def receive_van_stock(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ReceiveVanStockPayload, lambda caller, p: van_stock.receive_stock(
        deps.get(), caller.uid, p.sku, p.quantity, p.receipt_key))
