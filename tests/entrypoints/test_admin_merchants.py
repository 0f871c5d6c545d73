"""The console's reading of merchants (D136) through the deployed callables: the merchants by business name, and one
merchant with its SKUs and its monthly statements, newest first; a non-admin, an unknown merchant and a malformed
payload are refused, and reading writes nothing."""

from __future__ import annotations

import datetime as dt

from curbside.domain.documents import MerchantStatement
from main import admin_get_merchant, admin_list_merchants
from tests.entrypoints.test_merchant_orders import ADMIN, MERCHANT, OTHER_MERCHANT, SKU, merchant  # noqa: F401
from tests.factories import put
from tests.request_world import everything

ISSUED = dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC)


def test_an_admin_reads_the_merchants_and_one_merchants_skus_and_statements(db, call, merchant):  # noqa: F811
    for month, issued in (("2026-10", ISSUED), ("2026-11", None)):
        put(db, MerchantStatement(id=f"{MERCHANT}~{month}", merchant_id=MERCHANT, month=month, currency="AUD",
                                  total_minor=24000, job_count=2, issued_at=issued))
    before = everything(db)

    listed = call(admin_list_merchants, {}, uid=ADMIN, admin=True)
    account = call(admin_get_merchant, {"merchant_id": MERCHANT}, uid=ADMIN, admin=True)

    assert listed.status == 200, listed.body
    assert [(m["merchant_id"], m["business_name"], m["is_active"]) for m in listed.result["merchants"]] == [
        (MERCHANT, f"Dealer {MERCHANT}", True), (OTHER_MERCHANT, f"Dealer {OTHER_MERCHANT}", True)]
    assert account.status == 200, account.body
    assert account.result["merchant"]["billing_email"] == f"accounts@{MERCHANT}.example"
    assert [(s["sku_code"], s["brand"], s["price"]) for s in account.result["skus"]] == [(SKU, "Toyota", 120.0)]
    assert [(s["month"], s["total_minor"], s["issued_at"] is not None) for s in account.result["statements"]] == [
        ("2026-11", 24000, False), ("2026-10", 24000, True)]
    assert everything(db) == before


def test_reading_merchants_is_for_admins_and_names_what_is_wrong(db, call, merchant):  # noqa: F811
    before = everything(db)
    as_merchant = call(admin_list_merchants, {}, uid=MERCHANT)
    other_account = call(admin_get_merchant, {"merchant_id": OTHER_MERCHANT}, uid=MERCHANT)
    unknown = call(admin_get_merchant, {"merchant_id": "uid-nobody"}, uid=ADMIN, admin=True)
    extra = call(admin_list_merchants, {"include_inactive": True}, uid=ADMIN, admin=True)
    no_id = call(admin_get_merchant, {}, uid=ADMIN, admin=True)

    assert (as_merchant.error, other_account.error) == ("PERMISSION_DENIED", "PERMISSION_DENIED")
    assert unknown.error == "NOT_FOUND" and "uid-nobody" in unknown.message
    assert extra.error == "INVALID_ARGUMENT" and "include_inactive" in extra.message
    assert no_id.error == "INVALID_ARGUMENT" and "merchant_id" in no_id.message
    assert everything(db) == before
