"""Merchant orders (issue 21 item 6, D115-D118): admins set up merchants and their SKUs and read them back with
their statements (D136); a merchant orders a job for its customer's car and cancels its own orders; a monthly
schedule sends last month's statements."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Self

import phonenumbers
from firebase_functions import https_fn, logger, scheduler_fn
from pydantic import Field, StrictBool, field_validator, model_validator

from curbside import config, deps
from curbside.domain.documents.merchants import SkuCode
from curbside.domain.merchants import OrderTerms
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import AuditReason, CancelRequestPayload, DocId, JobPayload, StoragePath
from curbside.entrypoints.rewards import NoPayload
from curbside.services import merchant_orders, merchants, requests

Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Name = Annotated[str, Field(min_length=1, max_length=120)]


@on_call()
def admin_list_merchants(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, NoPayload, lambda caller, _: merchants.list_merchants(
        deps.get(), is_admin=caller.is_admin))


class MerchantPayload(Payload):
    merchant_id: DocId


@on_call()
def admin_get_merchant(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, MerchantPayload, lambda caller, p: merchants.merchant_account(
        deps.get(), is_admin=caller.is_admin, merchant_id=p.merchant_id))


class UpsertMerchantPayload(Payload):
    merchant_id: DocId
    """The uid of the business's signed-up account."""
    business_name: Annotated[str, Field(min_length=2, max_length=120)]
    billing_email: Email
    is_active: StrictBool = True
    reason: AuditReason


@on_call()
def admin_upsert_merchant(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UpsertMerchantPayload, lambda caller, p: merchants.upsert_merchant(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, merchant_id=p.merchant_id,
        fields=merchants.MerchantFields(p.business_name, p.billing_email, p.is_active), reason=p.reason),
        fresh_sign_in=True)


class UpsertMerchantSkuPayload(Payload):
    merchant_id: DocId
    sku_code: SkuCode
    brand: Annotated[str, Field(min_length=1, max_length=60)]
    model: Annotated[str, Field(min_length=1, max_length=60)]
    service_name: Annotated[str, Field(min_length=2, max_length=120)]
    price: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2, allow_inf_nan=False)]
    estimated_duration_minutes: Annotated[int, Field(strict=True, gt=0, le=24 * 60)] = 60
    is_active: StrictBool = True
    reason: AuditReason


@on_call()
def admin_upsert_merchant_sku(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UpsertMerchantSkuPayload, lambda caller, p: merchants.upsert_sku(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, merchant_id=p.merchant_id,
        fields=merchants.SkuFields(p.sku_code, p.brand, p.model, p.service_name, p.price,
                                   p.estimated_duration_minutes, p.is_active), reason=p.reason), fresh_sign_in=True)


class CreateMerchantOrderPayload(JobPayload):
    sku_code: SkuCode
    customer_name: Name
    customer_phone: Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$")] | None = None
    """E.164 (+61412345678): the technician calls the customer on the day."""
    customer_email: Email | None = None
    car_location_images: Annotated[list[StoragePath], Field(max_length=4)] = Field(default_factory=list)
    """Optional photos the merchant uploaded to its own `car_photos` folder."""

    @field_validator("customer_phone")
    @classmethod
    def _valid_number(cls, value: str | None) -> str | None:
        if value is not None and not phonenumbers.is_valid_number(phonenumbers.parse(value, None)):
            raise ValueError("not a valid phone number for its country")
        return value

    @model_validator(mode="after")
    def _a_way_to_reach_the_customer(self) -> Self:
        if self.customer_phone is None and self.customer_email is None:
            raise ValueError("give customer_phone or customer_email: the technician must reach the customer")
        return self

    def new_request(self) -> requests.NewRequest:
        return self.job(tuple(self.car_location_images), merchant_order=OrderTerms(
            self.sku_code, self.customer_name.strip(), self.customer_phone, self.customer_email))


@on_call()
def create_merchant_order(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CreateMerchantOrderPayload, lambda caller, p: requests.create_request(
        deps.get(), caller.uid, p.new_request()), fresh_sign_in=True)


@on_call()
def cancel_merchant_order(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, CancelRequestPayload, lambda caller, p: merchant_orders.cancel_order(
        deps.get(), caller.uid, p.request_id, p.reason), fresh_sign_in=True)


@scheduler_fn.on_schedule(schedule="0 6 1 * *", timezone=config.DEFAULT_TIME_ZONE)
def issue_merchant_statements(event: scheduler_fn.ScheduledEvent) -> None:
    """On the 1st of each month: last month's merchant statements are issued and e-mailed (once each)."""
    issued = merchant_orders.issue_statements(deps.get())
    logger.info("merchant_statements.issued", count=len(issued), statement_ids=issued[:50])
