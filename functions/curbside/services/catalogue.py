"""The service catalogue (issue 21, D106): admins create, edit and deactivate `Services` and set technicians'
skills (each change audited in its own commit, D48); the apps list the active services; `create_request` and
`quote_price` book one through `bookable`.

A service is saved whole and validated whole (the model: name, category, duration, base price, skills,
add-ons with unique ids), so an edit never leaves a half-written service. Jobs copy what they need of the
service when booked (`ServiceRequest.service_*`), so an edit prices the next booking, never a booked job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from curbside.deps import Deps
from curbside.domain.catalogue import Booking, book
from curbside.domain.documents import Service
from curbside.domain.errors import InvalidInput, NotFound
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.verification_review import require_admin
from curbside.store import queries
from curbside.store.codec import encode_value
from curbside.store.collections import Collection, new_document_id
from curbside.store.uow import UnitOfWork

SAVE_SERVICE = "save_service"
DEACTIVATE_SERVICE = "deactivate_service"
SET_SKILLS = "set_technician_skills"
"""The audit trail's names for the actions."""
LISTED = 200
"""Services listed at once: a catalogue holds dozens."""
EDITABLE = ("name", "category", "description", "estimated_duration_minutes", "base_price", "required_skills",
            "add_ons", "is_active", "service_reminder_months")


def _stored(service: Service) -> dict[str, Any]:
    """The editable fields as Firestore holds them (money as doubles), so `150` and `150.00` compare equal."""
    return dict(encode_value(service.model_dump(include=set(EDITABLE))))


def _listed(service: Service) -> dict[str, Any]:
    return {"service_id": service.id, **service.model_dump(include=set(EDITABLE))}


def list_services(deps: Deps, uid: str, *, is_admin: bool, include_inactive: bool) -> dict[str, Any]:
    """The active services by category and name (admins may ask for the inactive ones too)."""
    if include_inactive:
        require_admin(is_admin)

    def look(uow: UnitOfWork) -> list[Service]:
        require_usable_account(uow, uid)
        if include_inactive:
            return uow.services.find(queries.ALL_SERVICES, limit=LISTED)
        return uow.services.find(queries.ACTIVE_SERVICES, limit=LISTED, is_active=True)

    found = sorted(work.reading(deps, look), key=lambda s: (s.category.value, s.name.casefold(), s.id))
    return {"services": [_listed(service) for service in found]}


def save_service(deps: Deps, *, admin_uid: str, is_admin: bool, service_id: str | None,
                 fields: dict[str, Any]) -> dict[str, Any]:
    """Create (no `service_id`) or replace a service, whole; saving what is stored already changes and records
    nothing. `fields` were validated by the entry point's payload; the model checks them again as a whole."""
    require_admin(is_admin)

    def decide(uow: UnitOfWork) -> dict[str, Any]:
        existing = uow.services.get(service_id) if service_id is not None else None
        if service_id is not None and existing is None:
            raise NotFound(f"service_id: there is no service {service_id}; leave service_id out to create one.")
        try:
            service = Service(id=existing.id if existing else new_document_id(), **fields,
                              created_date=existing.created_date if existing else uow.now, updated_date=uow.now)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "service"
            raise InvalidInput(f"{where}: {first['msg']}.") from None
        return _record(uow, admin_uid, existing, service, action=SAVE_SERVICE, reason=None)

    return work.transaction(deps, decide)


def deactivate_service(deps: Deps, *, admin_uid: str, is_admin: bool, service_id: str,
                       reason: str) -> dict[str, Any]:
    """Take a service out of the catalogue: no new booking names it; booked jobs keep what they copied."""
    require_admin(is_admin)

    def decide(uow: UnitOfWork) -> dict[str, Any]:
        existing = uow.services.get(service_id)
        if existing is None:
            raise NotFound(f"service_id: there is no service {service_id}.")
        service = existing.model_copy(update={"is_active": False, "updated_date": uow.now})
        return _record(uow, admin_uid, existing, service, action=DEACTIVATE_SERVICE, reason=reason)

    return work.transaction(deps, decide)


def _record(uow: UnitOfWork, admin_uid: str, existing: Service | None, service: Service, *, action: str,
            reason: str | None) -> dict[str, Any]:
    before, after = (_stored(existing) if existing else {}), _stored(service)
    changed = [name for name in after if before.get(name) != after[name]]
    if existing is not None and not changed:
        return {"service_id": service.id, "changed": False}
    uow.services.put(service)
    uow.audit.record(actor_id=admin_uid, action=action, target=Collection.SERVICES, target_id=service.id,
                     before={name: before.get(name) for name in changed if existing},
                     after={name: after[name] for name in changed}, reason=reason)
    return {"service_id": service.id, "changed": True}


def set_skills(deps: Deps, *, admin_uid: str, is_admin: bool, dispatcher_id: str, skills: Sequence[str],
               reason: str) -> dict[str, Any]:
    """An admin sets what a technician is qualified for; their dispatch-index entry copies it in the same
    commit (`store.derived`), so the next candidate search sees it."""
    require_admin(is_admin)
    wanted = sorted(set(skills))

    def decide(uow: UnitOfWork) -> dict[str, Any]:
        profile = uow.dispatcher_profiles.get(dispatcher_id)
        if profile is None:
            raise NotFound(f"dispatcher_id: there is no technician {dispatcher_id}.")
        if sorted(profile.skills) == wanted:
            return {"dispatcher_id": dispatcher_id, "skills": wanted, "changed": False}
        uow.audit.record(actor_id=admin_uid, action=SET_SKILLS, target=Collection.DISPATCHER_PROFILES,
                         target_id=dispatcher_id, before={"skills": list(profile.skills)}, after={"skills": wanted},
                         reason=reason)
        profile.skills = wanted
        profile.updated_date = uow.now
        uow.dispatcher_profiles.save(profile)
        return {"dispatcher_id": dispatcher_id, "skills": wanted, "changed": True}

    return work.transaction(deps, decide)


def bookable(uow: UnitOfWork, service_id: str, add_on_ids: Sequence[str]) -> Booking:
    """In a booking's reads: the service named, active, with the add-ons named (errors name the field)."""
    service = uow.services.get(service_id)
    if service is None:
        raise NotFound(f"service_id: there is no service {service_id}; list_services shows what can be booked.")
    return book(service, add_on_ids)
