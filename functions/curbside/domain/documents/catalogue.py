"""The service catalogue (issue 21; not in the spec).

Services/{id}: one service the platform sells — its category, how long it takes, its base price, the skills a
technician needs for it, and the add-ons a client may take with it (a wax, an interior clean). Edited by
admins through the catalogue callables (audited); every active user reads the active ones.
"""

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from curbside.domain.documents.base import Document, Money, Skill, UtcDatetime
from curbside.domain.enums import ServiceCategory

Minutes = Annotated[int, Field(ge=5, le=24 * 60)]


class AddOn(BaseModel):
    """One optional extra of a service; its id is unique within the service."""

    model_config = ConfigDict(extra="forbid")

    add_on_id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
    name: Annotated[str, Field(min_length=1, max_length=80)]
    price: Money
    duration_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 0


class Service(Document):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    category: ServiceCategory
    description: Annotated[str, Field(max_length=1000)] | None = None
    estimated_duration_minutes: Minutes
    base_price: Money
    required_skills: Annotated[list[Skill], Field(max_length=10)] = Field(default_factory=list)
    add_ons: Annotated[list[AddOn], Field(max_length=20)] = Field(default_factory=list)
    is_active: bool = True
    service_reminder_months: Annotated[int, Field(ge=1, le=60)] | None = None
    """Months after this service that a vehicle's next is due; unset: `SERVICE_REMINDER_MONTHS`."""
    created_date: UtcDatetime
    updated_date: UtcDatetime

    @model_validator(mode="after")
    def _add_ons_unique(self) -> Self:
        ids = [add_on.add_on_id for add_on in self.add_ons]
        if len(ids) != len(set(ids)):
            raise ValueError("add_ons: each add_on_id must be unique within the service")
        if len(self.required_skills) != len(set(self.required_skills)):
            raise ValueError("required_skills: each skill once")
        return self

    def add_on(self, add_on_id: str) -> AddOn | None:
        return next((a for a in self.add_ons if a.add_on_id == add_on_id), None)
