"""Merchant orders (issue 21 item 6, D115-D118) through the deployed callables: an admin sets up a merchant and
its SKU (audited); the merchant orders a job for its customer's car with no card, the job is dispatched,
worked and completed like any other, the technician is paid at localstripe, and the price goes once on the
merchant's month statement, which the monthly schedule e-mails once. Bad orders and a merchant acting on another
merchant's order are refused and write nothing; four completions at once all count on the statement."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from curbside.domain.enums import RequestStatus
from curbside.services import card_holds, merchant_orders, requests
from curbside.store.collections import Collection, doc_path
from main import (
    accept_offer,
    admin_upsert_merchant,
    admin_upsert_merchant_sku,
    cancel_merchant_order,
    complete_job,
    create_merchant_order,
    review_dispatcher,
    send_message,
    update_job_status,
)
from tests.entrypoints.test_completions import completion_payload, transfers_to
from tests.factories import DISPATCHER_ID, make_user, put
from tests.payment_world import (
    assert_ledger_balanced,
    complete,
    ledger_sums,
    payment_of,
    technician_with_account,
    upload_completion_photos,
)
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored
from tests.technicians import add_technician, north_of

MERCHANT, OTHER_MERCHANT, ADMIN = "uid-dealer", "uid-fleet", "uid-admin"
SKU = "PDR-COROLLA-1"
PRICE_MINOR, FEE_MINOR = 12000, 1800
"""The SKU's 120.00, and the platform's 15 % of it."""
STATEMENT = f"{MERCHANT}~2026-11"
ORDER = {"sku_code": SKU, "customer_name": "Carol Customer", "customer_phone": "+61412345678",
         "car_model": "Toyota Corolla", "license_plate": "XYZ-987", "location_address": "1 George St, Sydney NSW",
         "location_lat": NEAR_CBD[0], "location_lng": NEAR_CBD[1]}


def set_up_merchant(call, uid: str, *, active: bool = True) -> None:
    made = call(admin_upsert_merchant, {"merchant_id": uid, "business_name": f"Dealer {uid}", "billing_email":
                                        f"accounts@{uid}.example", "is_active": active,
                                        "reason": "Signed the fleet agreement"}, uid=ADMIN, admin=True)
    assert made.status == 200, made.body
    sku = call(admin_upsert_merchant_sku, {"merchant_id": uid, "sku_code": SKU, "brand": "Toyota", "model": "Corolla",
                                           "service_name": "Paintless dent repair, one panel", "price": "120.00",
                                           "estimated_duration_minutes": 90, "reason": "Agreed price list"},
               uid=ADMIN, admin=True)
    assert sku.status == 200, sku.body


@pytest.fixture
def merchant(db, call) -> str:
    for uid in (MERCHANT, OTHER_MERCHANT):
        put(db, make_user(id=uid, uid=uid, full_name=f"Dealer {uid}", user_type=None))
        set_up_merchant(call, uid)
    return MERCHANT


def order(call, uid: str = MERCHANT, **changes: Any) -> Any:
    return call(create_merchant_order, {**ORDER, **changes}, uid=uid)


def test_an_admin_sets_up_a_merchant_audited_and_nobody_else_can(db, call, merchant):
    user = stored(db, Collection.USERS, MERCHANT)
    record = stored(db, Collection.MERCHANTS, MERCHANT)
    sku = stored(db, Collection.MERCHANT_SKUS, f"{MERCHANT}~{SKU}")
    assert (user["user_type"], record["is_active"], sku["price"], sku["brand"]) == ("merchant", True, 120.0, "Toyota")
    actions = sorted(entry.to_dict()["action"] for entry in db.collection(Collection.AUDIT_LOG).stream())
    assert actions == ["upsert_merchant"] * 2 + ["upsert_merchant_sku"] * 2
    add_client(db, "uid-client")
    before = everything(db)
    as_client = call(admin_upsert_merchant, {"merchant_id": "uid-client", "business_name": "Sneaky", "billing_email":
                                             "a@b.example", "reason": "trying my luck"}, uid="uid-client")
    client_account = call(admin_upsert_merchant, {"merchant_id": "uid-client", "business_name": "Sneaky",
                                                  "billing_email": "a@b.example", "reason": "a client account"},
                          uid=ADMIN, admin=True)
    assert as_client.error == "PERMISSION_DENIED"
    assert client_account.error == "FAILED_PRECONDITION" and "merchant needs an account" in client_account.message
    assert everything(db) == before


def test_an_order_is_dispatched_worked_and_paid_like_any_job_and_billed_once_to_the_merchant(
        db, call, bucket, stripe_deps, localstripe, *, merchant):
    account = technician_with_account(db, call, localstripe)
    add_technician(db, DISPATCHER_ID, at=north_of(NEAR_CBD, 500), fixed_at=stripe_deps.clock.now())

    created = order(call)
    assert created.status == 200, created.body
    job = created.result["request_id"]
    request = stored(db, Collection.SERVICE_REQUESTS, job)
    assert (request["job_type"], request["client_id"], request["merchant_id"], request["final_price"]) == (
        "merchant", MERCHANT, MERCHANT, 120.0)
    assert (request["client_name"], request["customer_phone"], request["estimated_duration_minutes"]) == (
        "Carol Customer", "+61412345678", 90)
    assert requests.request_created(stripe_deps, job) == "dispatch_started"
    assert call(accept_offer, {"offer_id": f"{job}:1"}, uid=DISPATCHER_ID).status == 200
    assert card_holds.follow_request(stripe_deps, job) == "billed_to_merchant"  # no card to hold
    assert stored(db, Collection.JOB_CONTACTS, job)["client_phone"] == "+61412345678"  # the customer's
    for move in ("en_route", "arrived", "in_progress"):  # setting off needs no card hold
        moved = call(update_job_status, {"request_id": job, "status": move, "lat": NEAR_CBD[0],
                                         "lng": NEAR_CBD[1]}, uid=DISPATCHER_ID)
        assert moved.status == 200, moved.body
    chat = call(send_message, {"request_id": job, "message_type": "text", "message": "Here"}, uid=MERCHANT)
    assert chat.error == "PERMISSION_DENIED"  # the merchant follows statuses; the technician phones the customer

    photos = upload_completion_photos(bucket, job)
    done = call(complete_job, completion_payload(photos, request_id=job), uid=DISPATCHER_ID)
    again = call(complete_job, completion_payload(photos, request_id=job), uid=DISPATCHER_ID)
    assert done.status == again.status == 200, done.body

    statement = stored(db, Collection.MERCHANT_STATEMENTS, STATEMENT)
    assert (statement["total_minor"], statement["job_count"], statement["month"]) == (PRICE_MINOR, 1, "2026-11")
    assert stored(db, Collection.MERCHANT_STATEMENT_LINES, job)["amount_minor"] == PRICE_MINOR
    payment = payment_of(db, job)
    assert (payment["merchant_billed_minor"], payment["held_minor"], payment["captured_minor"]) == (
        PRICE_MINOR, PRICE_MINOR, 0)
    assert localstripe.get("/v1/payment_intents")["data"] == []  # nobody's card was touched

    reviewed = call(review_dispatcher, {"request_id": job, "rating": 5}, uid=MERCHANT)
    assert reviewed.status == 200, reviewed.body
    [transfer] = transfers_to(localstripe, account)
    assert transfer["amount"] == PRICE_MINOR - FEE_MINOR  # the platform advanced it: the merchant pays monthly
    assert ledger_sums(db, job) == {"merchant_billed": PRICE_MINOR, "fee": FEE_MINOR,
                                    "transfer": PRICE_MINOR - FEE_MINOR}
    assert_ledger_balanced(db, job)


@pytest.mark.parametrize(("changes", "caller", "code", "words"), [
    ({"sku_code": "NOPE-1"}, MERCHANT, "INVALID_ARGUMENT", "not one of your SKUs"),
    ({"customer_phone": None}, MERCHANT, "INVALID_ARGUMENT", "customer_phone or customer_email"),
    ({}, "uid-client", "PERMISSION_DENIED", "Only merchant accounts"),
    ({}, "inactive", "FAILED_PRECONDITION", "not active"),
])
def test_a_bad_order_is_refused_clearly_and_writes_nothing(db, call, merchant, *, changes, caller, code, words):
    add_client(db, "uid-client")
    put(db, make_user(id="inactive", uid="inactive", user_type=None))
    set_up_merchant(call, "inactive", active=False)
    before = everything(db)

    refused = order(call, caller, **changes)

    assert refused.error == code and words in refused.message, refused.body
    assert everything(db) == before


def test_a_merchant_cannot_cancel_another_merchants_order_but_cancels_its_own(db, call, merchant):
    job = order(call).result["request_id"]
    before = everything(db)

    by_other = call(cancel_merchant_order, {"request_id": job}, uid=OTHER_MERCHANT)

    assert by_other.error == "PERMISSION_DENIED" and "another merchant" in by_other.message
    assert everything(db) == before
    own = call(cancel_merchant_order, {"request_id": job, "reason": "customer sold the car"}, uid=MERCHANT)
    assert own.status == 200 and stored(db, Collection.SERVICE_REQUESTS, job)["status"] == "cancelled", own.body


def test_last_months_statement_is_emailed_once(db, deps, call, bucket, *, clock, mail_server, merchant):
    job = order(call).result["request_id"]
    db.document(doc_path(Collection.SERVICE_REQUESTS, job)).update(
        {"status": "in_progress", "dispatcher_id": DISPATCHER_ID, "dispatcher_name": "Sam"})
    add_technician(db, DISPATCHER_ID, at=NEAR_CBD, fixed_at=clock.now())
    complete(deps, bucket, job)
    clock.advance(dt.timedelta(days=12))  # 2 December: November's statements are due

    first = merchant_orders.issue_statements(deps)
    second = merchant_orders.issue_statements(deps)

    assert (first, second) == ([STATEMENT], [])
    [mail] = [m for m in mail_server.received if "statement" in m.subject]
    assert mail.to == (f"accounts@{MERCHANT}.example",)
    assert "Carol Customer" in mail.text and "total 120.00 EUR" in mail.text
    assert stored(db, Collection.MERCHANT_STATEMENTS, STATEMENT)["issued_at"] is not None


def test_four_orders_completed_at_once_all_count_on_the_statement(db, deps, bucket, clock, merchant):
    jobs = [f"order-{n}" for n in range(4)]
    for n, job in enumerate(jobs):
        add_technician(db, f"tech-{n}", at=NEAR_CBD, fixed_at=clock.now())
        add_job(db, RequestStatus.IN_PROGRESS, id=job, client_id=MERCHANT, dispatcher_id=f"tech-{n}",
                job_type="merchant", merchant_id=MERCHANT, merchant_sku=SKU, car_location_images=[],
                final_price=30 + n)
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def finish(n: int) -> None:
        try:
            start.wait()
            complete(deps, bucket, jobs[n], uid=f"tech-{n}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=finish, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statement = stored(db, Collection.MERCHANT_STATEMENTS, STATEMENT)
    assert (statement["total_minor"], statement["job_count"]) == (sum(3000 + 100 * n for n in range(4)), 4)
