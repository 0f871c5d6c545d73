"""Merchants (issue 21 item 6, D115-D118; not in the spec): businesses that order jobs for their customers' cars.

Merchants/{uid}: the business behind a `merchant` account — its name, where its statements go, whether it may
order. Admin-only; written by `admin_upsert_merchant`.
MerchantSkus/{merchant_id}~{sku_code}: what a merchant orders by — a brand, a model and the SKU code it uses, the
service the code stands for and the agreed price. Written by `admin_upsert_merchant_sku` (a contract term, so
admins edit it); the merchant reads its own.
MerchantStatements/{merchant_id}~{YYYY-MM}: the month's bill — each completed order adds its price, by increment
in the completion's commit; `issued_at` once the monthly schedule sent it. Admin-only.
MerchantStatementLines/{request_id}: one completed order on a statement, created in the same commit as the
increment: its existence is what makes a replayed completion add nothing. Admin-only.
"""

from typing import Annotated

from pydantic import Field

from curbside.domain.documents.base import Count, Document, Money, UtcDatetime

SkuCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class Merchant(Document):
    business_name: Annotated[str, Field(min_length=2, max_length=120)]
    billing_email: Annotated[str, Field(min_length=3, max_length=254)]
    is_active: bool = True
    """False: the merchant may not order (existing orders go on and are billed)."""
    created_date: UtcDatetime
    updated_date: UtcDatetime


class MerchantSku(Document):
    merchant_id: str
    sku_code: SkuCode
    brand: Annotated[str, Field(min_length=1, max_length=60)]
    model: Annotated[str, Field(min_length=1, max_length=60)]
    service_name: Annotated[str, Field(min_length=2, max_length=120)]
    price: Money
    estimated_duration_minutes: Annotated[int, Field(gt=0, le=24 * 60)] = 60
    is_active: bool = True
    updated_date: UtcDatetime


class MerchantStatement(Document):
    merchant_id: str
    month: Month
    currency: str
    total_minor: Count = 0
    job_count: Count = 0
    issued_at: UtcDatetime | None = None
    """When the month's statement e-mail was asked for (the schedule's mark; the outbox sends it once)."""


class MerchantStatementLine(Document):
    merchant_id: str
    statement_id: str
    request_id: str
    sku_code: str
    customer_name: str
    amount_minor: Count
    currency: str
    completed_at: UtcDatetime
