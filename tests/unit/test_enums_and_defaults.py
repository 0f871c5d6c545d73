"""The models against the spec text itself: every collection, field, type, enum value set, default and range.

The collection blocks of docs/spec/platform-spec.txt are parsed (`Name Collection`, then lines like
`"field": "type (default: x)"`), so a model that drifts from the spec fails here, not in a FlutterFlow
binding. The spec's file opens inside ClientProfiles; the missing opening is reconstructed below from
shared/spec/README.md and API.md and checked the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from curbside.store.collections import MODELS, PRIVATE_MODELS, Collection
from tests.factories import make

SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec" / "platform-spec.txt"

RECONSTRUCTED = """
Users Collection
{
"id": "string (auto)",
"email": "string",
"full_name": "string",
"user_type": "enum (client, dispatcher, both)",
"account_status": "enum (active, shadow_banned, suspended, banned) (default: active)",
"phone_number": "string",
"phone_verified": "bool",
"email_verified": "bool",
"fcm_tokens": "array",
"onboarding_completed": "bool",
"display_name": "string",
"photo_url": "string",
"uid": "string",
"created_time": "timestamp",
"profile_image_url": "string",
"created_date": "timestamp",
"updated_date": "timestamp"
}
ClientProfiles Collection
{
"id": "string (auto)",
"user_id": "string (ref: Users)",
"car_model": "string",
"license_plate": "string",
"car_images": "array (URLs)"
}
"""

HEADER = re.compile(r"^(\w+) Collection\b")
FIELD = re.compile(r'^"(\w+)": "(.*)",?$')
ENUM = re.compile(r"^enum \(([^)]*)\)")
DEFAULT = re.compile(r"default: ([^,)\s]+)")
RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)")

SPEC_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "date": (str,),
    "int": (int,),
    "double": (float, Decimal),
    "bool": (bool,),
    "timestamp": (datetime,),
    "array": (list,),
    "map": (dict,),
    "enum": (StrEnum,),
}

MONEY = {
    ("ServiceRequests", "base_price"), ("ServiceRequests", "price"), ("ServiceRequests", "reward_discount"),
    ("ServiceRequests", "final_price"), ("JobCompletions", "amount"), ("Rewards", "discount_amount"),
    ("RewardRedemptions", "discount_amount"), ("Disputes", "refund_amount"), ("PricingRules", "fixed_amount"),
}


@dataclass(frozen=True)
class SpecField:
    collection: str
    name: str
    spec: str

    @property
    def kind(self) -> str:
        return self.spec.split()[0]

    def __str__(self) -> str:
        return f"{self.collection}.{self.name}"


def parse(text: str, opening_block: str | None = None) -> list[SpecField]:
    """The fields of every `Name Collection { ... }` block; lines before the first header belong to
    `opening_block` (the spec's file starts mid-block)."""
    fields: list[SpecField] = []
    current = opening_block
    for raw in text.splitlines():
        line = raw.strip()
        if header := HEADER.match(line):
            current = header[1]
        elif line == "}":
            current = None
        elif current and (field := FIELD.match(line)):
            fields.append(SpecField(current, field[1], field[2]))
    return fields


SPEC_FIELDS = parse(RECONSTRUCTED) + parse(SPEC.read_text(encoding="utf-8"), opening_block="ClientProfiles")


def fields_with(pattern: re.Pattern[str]) -> list[SpecField]:
    return [field for field in SPEC_FIELDS if pattern.search(field.spec)]


def model_field(field: SpecField) -> FieldInfo:
    """The model field that holds a spec field, in the public document or its private part."""
    collection = Collection(field.collection)
    for model in (MODELS[collection], PRIVATE_MODELS.get(collection)):
        if model is not None and field.name in model.model_fields:
            return model.model_fields[field.name]
    raise AssertionError(f"{field} is in neither the model nor its private part")


def concrete(annotation: Any) -> Any:
    """`Money | None` -> Decimal, `list[str]` -> list: the runtime type a spec type maps to."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return concrete(get_args(annotation)[0])
    if origin in (Union, UnionType):
        (inner,) = [arg for arg in get_args(annotation) if arg is not NoneType]
        return concrete(inner)
    return origin or annotation


def test_every_spec_collection_is_parsed_and_named_exactly():
    spec_collections = {field.collection for field in SPEC_FIELDS}

    assert len(spec_collections) == 18
    assert spec_collections <= {collection.value for collection in Collection}
    assert {"Notifications", "DispatcherLocations", "PointsLedger"} <= {c.value for c in Collection}


def test_every_collection_has_a_model_and_private_parts_do_not_duplicate_public_fields():
    assert set(MODELS) == set(Collection)
    for collection, private in PRIVATE_MODELS.items():
        assert not set(private.model_fields) & set(MODELS[collection].model_fields), collection


@pytest.mark.parametrize("field", SPEC_FIELDS, ids=str)
def test_spec_field_exists_with_the_spec_type(field: SpecField):
    python_type = concrete(model_field(field).annotation)

    assert issubclass(python_type, SPEC_TYPES[field.kind]), f"{field}: {python_type}"
    if field.kind == "double":
        assert python_type is (Decimal if (field.collection, field.name) in MONEY else float), field


EXTENDED_VALUES: dict[tuple[str, str], list[str]] = {
    **{("DispatcherProfiles", step): ["under_review"]
       for step in ("identity_verification_status", "vehicle_verification_status", "background_check_status")},
    **{(collection, "user_type"): ["merchant"] for collection in ("Users", "SupportTickets")},
}
"""Values the project adds to a spec value set, each with its decision: a step submitted and waiting for a
decision is `under_review` (docs/decisions.md D35); a business account is a `merchant` (D115)."""


@pytest.mark.parametrize("field", fields_with(ENUM), ids=str)
def test_enum_has_exactly_the_spec_values(field: SpecField):
    enum_match = ENUM.search(field.spec)
    assert enum_match is not None
    spec_values = [value.strip() for value in enum_match[1].split(",")]

    enum_type = concrete(model_field(field).annotation)

    assert [member.value for member in enum_type] == spec_values + EXTENDED_VALUES.get(
        (field.collection, field.name), [])


@pytest.mark.parametrize("field", fields_with(DEFAULT), ids=str)
def test_default_is_the_spec_default(field: SpecField):
    default_match = DEFAULT.search(field.spec)
    assert default_match is not None
    spec_default = default_match[1]

    default = model_field(field).get_default(call_default_factory=True)

    if isinstance(default, bool):
        assert default is {"true": True, "false": False}[spec_default]
    elif isinstance(default, int | float | Decimal):
        assert Decimal(str(default)) == Decimal(spec_default)
    else:
        assert default == spec_default


@pytest.mark.parametrize("field", [f for f in fields_with(RANGE) if f.kind in ("int", "double")], ids=str)
def test_range_is_enforced(field: SpecField):
    range_match = RANGE.search(field.spec)
    assert range_match is not None
    step = Decimal(1) if field.kind == "int" else Decimal("0.01")
    low, high = Decimal(range_match[1]), Decimal(range_match[2])
    model = MODELS[Collection(field.collection)]
    as_type = int if field.kind == "int" else float

    for inside in (low, high):
        assert getattr(make(model, **{field.name: as_type(inside)}), field.name) == as_type(inside)
    for outside in (low - step, high + step):
        with pytest.raises(ValidationError):
            make(model, **{field.name: as_type(outside)})
