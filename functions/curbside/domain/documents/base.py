"""The base classes and field types every collection model is built from.

Field types carry the spec's constraints (ranges, formats) so that a document that breaks them cannot be
built in the first place; the store codec turns them into what Firestore holds.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC)


def _iso_date(value: str) -> str:
    date.fromisoformat(value)
    return value


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
"""A Firestore timestamp: naive datetimes are refused (their meaning depends on the machine), aware ones are
normalised to UTC so comparisons and round trips are exact."""

Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
"""An amount in the platform currency, exact in memory; the codec stores it as a double rounded half-up to
cents, as the spec's apps expect."""

DateString = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_iso_date)]
"""A calendar day as the spec stores it, "YYYY-MM-DD" (string-comparable, e.g. apply_date <= today)."""

TimeString = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
"""A wall-clock time "HH:MM"."""

Stars = Annotated[int, Field(ge=1, le=5)]
"""A 1-5 star rating given in one review."""

AverageStars = Annotated[float, Field(ge=1, le=5)]
"""A rating average on the same 1-5 scale."""

Count = Annotated[int, Field(ge=0)]
Skill = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,39}$")]
"""A skill tag, lower-case (`pdr`, `paint_correction`): a service's `required_skills` are matched exactly
against a technician's `skills` (issue 21)."""
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class Document(BaseModel):
    """A top-level collection document.

    The document id is also stored as the field `id` (the spec lists `"id": "string (auto)"` in every
    collection and FlutterFlow binds to fields, not to document references); the store writes the document
    at `{Collection}/{id}`, so the two never differ.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: Annotated[str, Field(min_length=1, pattern=r"^[^/]+$")]


class DerivesFields(BaseModel):
    """A model some of whose fields are computed from the others and stored only so that Firestore can query
    them. Whatever is passed in or read back for them is ignored, and the subclass's after-validator fills
    them, so no writer (service, seed, factory) can store a value that disagrees with its source."""

    derived_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _derived_fields_are_not_input(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if name not in cls.derived_fields}
        return data


class UserKeyedDocument(Document):
    """A document that exists once per user and is stored under that user's uid, so rules and services
    find it without a query and its creation is idempotent."""

    key_field: ClassVar[str] = "user_id"

    @model_validator(mode="after")
    def _id_is_the_key(self) -> Self:
        if self.id != getattr(self, self.key_field):
            raise ValueError(f"id must equal {self.key_field} for {type(self).__name__}")
        return self


class PrivateDocument(BaseModel):
    """The `private/data` sub-document of a collection document (DESIGN.md convention 8): the fields a role
    must not see, since rules cannot hide single fields. Written by server functions, read by admins and
    servers only; it has no `id` of its own, it lives under its parent's."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
