"""A technician's van stock (issue 21; not in the spec).

VanStock/{uid}~{sku}: one part in one technician's van — what it is, what it costs, how many are in the van,
the reorder threshold, and the running totals received and used (quantity = received - used, always).
VanStockMovements/{uid}~{sku}~{receipt|use}~{key}: each delivery (the technician's receipt key) and each use (the
job), written with the change it made. Both read by the technician alone; written by the functions.
"""

from typing import Annotated

from pydantic import BaseModel, Field

from curbside.domain.documents.base import Count, Document, Money, UtcDatetime
from curbside.domain.van_stock import SKU_PATTERN

Sku = Annotated[str, Field(pattern=SKU_PATTERN)]


class VanStockItem(Document):
    dispatcher_id: str
    sku: Sku
    name: str = Field(min_length=1, max_length=100)
    unit_cost: Money
    quantity: Count = 0
    minimum: Count = 0
    received_total: Count = 0
    used_total: Count = 0
    updated_date: UtcDatetime


class VanStockMovement(Document):
    dispatcher_id: str
    sku: Sku
    kind: str = Field(pattern=r"^(receipt|use)$")
    quantity: Annotated[int, Field(gt=0)]
    request_id: str | None = None
    quantity_after: Count
    created_date: UtcDatetime


class PartUsed(BaseModel):
    """A part as the completion records it (added to JobCompletions: what the job took from the van)."""

    sku: Sku
    name: str
    quantity: Annotated[int, Field(gt=0)]
    unit_cost: Money
