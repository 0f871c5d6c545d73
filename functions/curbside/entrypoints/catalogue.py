"""The service catalogue (services/catalogue.py): the apps list the active services; admins create, edit and
deactivate them and set technicians' skills (audited); a technician records their ABN for their invoices."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from firebase_functions import https_fn
from pydantic import AfterValidator, Field, StrictBool, StrictInt

from curbside import deps
from curbside.domain.documents.base import Skill
from curbside.domain.enums import ServiceCategory
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import AddOnId, AuditReason, DocId
from curbside.services import catalogue, invoices

Price = Annotated[Decimal, Field(ge=0, le=100_000, decimal_places=2, allow_inf_nan=False),
                  AfterValidator(lambda amount: amount.quantize(Decimal("0.01")))]
"""An amount in cents, held as `150.00` whatever the app sent (`150`, `150.0`), so an unchanged save compares
equal to what is stored."""


class ListServicesPayload(Payload):
    include_inactive: StrictBool = False
    """Admins only: the deactivated services too."""


@on_call()
def list_services(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ListServicesPayload, lambda caller, p: catalogue.list_services(
        deps.get(), caller.uid, is_admin=caller.is_admin, include_inactive=p.include_inactive))


class AddOnPayload(Payload):
    add_on_id: AddOnId
    name: Annotated[str, Field(min_length=1, max_length=80)]
    price: Price
    duration_minutes: Annotated[StrictInt, Field(ge=0, le=24 * 60)] = 0


class SaveServicePayload(Payload):
    """A service whole, as the console saves it; `service_id` none for a new one."""

    service_id: DocId | None = None
    name: Annotated[str, Field(min_length=1, max_length=80)]
    category: ServiceCategory
    description: Annotated[str, Field(max_length=1000)] | None = None
    estimated_duration_minutes: Annotated[StrictInt, Field(ge=5, le=24 * 60)]
    base_price: Price
    required_skills: Annotated[list[Skill], Field(max_length=10)] = Field(default_factory=list)
    add_ons: Annotated[list[AddOnPayload], Field(max_length=20)] = Field(default_factory=list)
    is_active: StrictBool = True
    service_reminder_months: Annotated[StrictInt, Field(ge=1, le=60)] | None = None

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude={"service_id"})


@on_call()
def admin_save_service(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SaveServicePayload, lambda caller, p: catalogue.save_service(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, service_id=p.service_id, fields=p.fields()),
        fresh_sign_in=True)


class DeactivateServicePayload(Payload):
    service_id: DocId
    reason: AuditReason


@on_call()
def admin_deactivate_service(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DeactivateServicePayload, lambda caller, p: catalogue.deactivate_service(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, service_id=p.service_id, reason=p.reason),
        fresh_sign_in=True)


class SetSkillsPayload(Payload):
    dispatcher_id: DocId
    skills: Annotated[list[Skill], Field(max_length=30)]
    reason: AuditReason


@on_call()
def admin_set_technician_skills(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetSkillsPayload, lambda caller, p: catalogue.set_skills(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, dispatcher_id=p.dispatcher_id, skills=p.skills,
        reason=p.reason), fresh_sign_in=True)


class SetAbnPayload(Payload):
    abn: Annotated[str, Field(min_length=11, max_length=14)] | None
    """Eleven digits, spaces allowed (`51 824 753 556`); null removes it."""


@on_call()
def set_abn(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetAbnPayload, lambda caller, p: invoices.set_abn(deps.get(), caller.uid, p.abn))
