"""The service catalogue's rules (issue 21, D106-D107): which add-ons a booking may take, what it takes in time,
what pricing knows of it, which `service_type` pricing rules match it, and who is qualified for it.

Pure: the services read the `Services` document and hand it here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from curbside.domain.documents import AddOn, Service
from curbside.domain.enums import ServiceCategory
from curbside.domain.errors import InvalidInput

SERVICE_CONDITIONS = frozenset({"service_ids", "categories"})
"""A `service_type` rule's `demand_conditions` keys: the services it prices, by id, by category, or both."""


@dataclass(frozen=True)
class ServiceTerms:
    """What pricing needs of a booked service: its base price replaces the configured one, each add-on is a
    line at its own price, and `service_type` rules match its id or category."""

    service_id: str
    category: ServiceCategory
    base_price: Decimal
    add_ons: tuple[tuple[str, Decimal], ...] = ()
    """(name, price) of each add-on chosen, in the order chosen."""


@dataclass(frozen=True)
class Booking:
    """A service with the add-ons a client chose."""

    service: Service
    add_ons: tuple[AddOn, ...]

    @property
    def duration_minutes(self) -> int:
        return self.service.estimated_duration_minutes + sum(add_on.duration_minutes for add_on in self.add_ons)

    @property
    def terms(self) -> ServiceTerms:
        return ServiceTerms(self.service.id, self.service.category, self.service.base_price,
                            tuple((add_on.name, add_on.price) for add_on in self.add_ons))


def book(service: Service, add_on_ids: Sequence[str]) -> Booking:
    """The booking of an active `service` with the add-ons named, or InvalidInput naming the field at fault."""
    if not service.is_active:
        raise InvalidInput(f"service_id: {service.name} is no longer offered; choose another service.")
    if len(set(add_on_ids)) != len(add_on_ids):
        raise InvalidInput("add_on_ids: each add-on once.")
    chosen = []
    for add_on_id in add_on_ids:
        add_on = service.add_on(add_on_id)
        if add_on is None:
            offered = ", ".join(a.add_on_id for a in service.add_ons) or "none"
            raise InvalidInput(f"add_on_ids: {add_on_id!r} is not an add-on of {service.name} "
                               f"(its add-ons: {offered}).")
        chosen.append(add_on)
    return Booking(service, tuple(chosen))


def qualified(required_skills: Collection[str], skills: Collection[str]) -> bool:
    """A technician may be offered (or take) a job when they hold every skill its service requires."""
    return set(required_skills) <= set(skills)


def missing_skills(required_skills: Collection[str], skills: Collection[str]) -> list[str]:
    return sorted(set(required_skills) - set(skills))


def service_rule_matches(conditions: Mapping[str, Any], terms: ServiceTerms | None) -> bool:
    """Whether a `service_type` rule with these `demand_conditions` prices the job's service: its id is among
    `service_ids`, or its category among `categories` (D107). A job without a service matches none. Raises
    ValueError when the map does not have the shape (so a quote skips the rule and the editor refuses it)."""
    ids, categories = conditions.get("service_ids", []), conditions.get("categories", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise ValueError("service_ids must be a list of service ids")
    known = {category.value for category in ServiceCategory}
    if not isinstance(categories, list) or not all(c in known for c in categories):
        raise ValueError(f"categories must be a list of {', '.join(sorted(known))}")
    if not ids and not categories:
        raise ValueError("a service_type rule names service_ids, categories, or both")
    return terms is not None and (terms.service_id in ids or terms.category.value in categories)
