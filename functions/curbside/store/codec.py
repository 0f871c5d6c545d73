"""Conversion between collection models and the maps Firestore stores.

- Money (`Decimal`) is stored as the spec's double, rounded half-up to cents, and read back as a 2-place
  `Decimal`; a double never enters the domain. Every `Decimal` in a document is money.
- Timestamps: aware datetimes are written in UTC; the client returns `DatetimeWithNanoseconds`, which is
  turned back into a plain UTC `datetime` so models compare equal after a round trip.
- Enums are written as their plain string values, nested maps and lists are converted recursively, and
  values Firestore knows natively (GeoPoint, bytes, references) pass through untouched.
- Every field is written, `None` as null: Firestore can query `== null` but not a missing field.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, get_args

from google.cloud.firestore import DocumentSnapshot
from pydantic import BaseModel

CENT = Decimal("0.01")

M = TypeVar("M", bound=BaseModel)


def money_to_double(amount: Decimal) -> float:
    """The stored form of an amount: rounded half-up to cents (10.005 -> 10.01)."""
    if not amount.is_finite():
        raise ValueError(f"not an amount: {amount}")
    return float(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def double_to_money(value: float | int) -> Decimal:
    """An amount read back: the double's shortest decimal form, as cents (33.0 -> Decimal("33.00"))."""
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(CENT, rounding=ROUND_HALF_UP)


def encode_value(value: Any) -> Any:
    """One value as Firestore should store it (also for partial updates of single fields)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return money_to_double(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} has no defined instant")
        return value.astimezone(UTC)
    if isinstance(value, Mapping):
        return {str(key): encode_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    return value


def to_document(model: BaseModel) -> dict[str, Any]:
    """The map to store for a model (public document or private part)."""
    return {name: encode_value(value) for name, value in model.model_dump(mode="python").items()}


def _decode_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        utc = value.astimezone(UTC)
        return datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, UTC)
    if isinstance(value, Mapping):
        return {key: _decode_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode_value(item) for item in value]
    return value


def _mentions_decimal(annotation: Any) -> bool:
    return annotation is Decimal or any(_mentions_decimal(arg) for arg in get_args(annotation))


@cache
def _money_fields(model_cls: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name for name, field in model_cls.model_fields.items() if _mentions_decimal(field.annotation)
    )


def from_document(model_cls: type[M], data: Mapping[str, Any], *, doc_id: str | None = None) -> M:
    """Build a model from a stored map. `doc_id` (the id the document is stored under) fills `id` when the
    map lacks it, e.g. a Users document the app created, and must agree with it otherwise."""
    values = {key: _decode_value(value) for key, value in data.items()}
    for name in _money_fields(model_cls) & values.keys():
        if isinstance(values[name], float | int) and not isinstance(values[name], bool):
            values[name] = double_to_money(values[name])
    if doc_id is not None:
        if "id" not in model_cls.model_fields:
            raise TypeError(f"{model_cls.__name__} has no id field")
        if values.setdefault("id", doc_id) != doc_id:
            raise ValueError(f"document {doc_id!r} stores the id {values['id']!r}")
    return model_cls.model_validate(values)


def from_snapshot(model_cls: type[M], snapshot: DocumentSnapshot[Any]) -> M:
    """Build a model from a read document; a missing document is a LookupError, not an empty model."""
    data = snapshot.to_dict()
    if data is None:
        raise LookupError(f"{snapshot.reference.path} does not exist")
    doc_id = snapshot.id if "id" in model_cls.model_fields else None
    return from_document(model_cls, data, doc_id=doc_id)
