"""Merchant orders (issue 21 item 6, D115-D118): the terms of an order and the month statement's keys. Pure.

A merchant's completed orders are billed on one statement per calendar month, in the platform's time zone:
`MerchantStatements/{merchant_id}~{YYYY-MM}`. The monthly schedule issues last month's statements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from curbside.domain.errors import InvalidInput
from curbside.domain.money import from_minor


@dataclass(frozen=True)
class OrderTerms:
    """What a merchant names for its customer's job besides the place and time."""

    sku_code: str
    customer_name: str
    customer_phone: str | None = None
    customer_email: str | None = None

    def __post_init__(self) -> None:
        if not self.customer_phone and not self.customer_email:
            raise InvalidInput("customer_phone or customer_email: give a way to reach your customer (the "
                               "technician calls them on the day).")


def sku_id(merchant_id: str, sku_code: str) -> str:
    return f"{merchant_id}~{sku_code}"


def month_of(at: dt.datetime, zone: str) -> str:
    """The statement month (YYYY-MM) a moment falls in, read in `zone`."""
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


def previous_month(at: dt.datetime, zone: str) -> str:
    """The month before the one `at` falls in: the one the monthly schedule issues."""
    local = at.astimezone(ZoneInfo(zone))
    return (local.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def statement_id(merchant_id: str, month: str) -> str:
    return f"{merchant_id}~{month}"


@dataclass(frozen=True)
class StatementLine:
    request_id: str
    sku_code: str
    customer_name: str
    completed_on: str
    amount_minor: int


def statement_text(business_name: str, month: str, currency: str, lines: list[StatementLine],
                   total_minor: int) -> str:
    """The statement e-mail's body: one line per completed order, and the total (which the lines sum to)."""
    rows = [f"{line.completed_on}  {line.request_id}  {line.sku_code}  {line.customer_name}  "
            f"{from_minor(line.amount_minor, currency)} {currency}" for line in lines]
    total: Decimal = from_minor(total_minor, currency)
    return "\n".join([f"{business_name}: your Curbside statement for {month}", "", *rows, "",
                      f"{len(lines)} job(s), total {total} {currency}, payable within 14 days."])
