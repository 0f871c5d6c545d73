"""The service-request flow over HTTP through the local stack running the real `functions/main.py`: the apps'
callables (quote, create, cancel, the technician's moves), the created trigger delivered by the Firestore
emulator, the every-5-minutes activator fired by moving the stack's clock, and the client reading its job
under `firestore.rules`.

The stack is the package's `curbside_stack` (real functions); it hands its clock to the services, so time
travel reaches them as it reaches the scheduler.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.bootstrap import default_files
from devstack.client import CallableClient
from devstack.clock import ManualClock
from devstack.polling import poll
from devstack.stack import LocalStack
from tests.factories import (
    make_client_profile_private,
    make_dispatcher_profile,
    make_job_payment,
    make_service_request,
    make_user,
    put,
    put_private,
)
from tests.request_world import JPEG, NEAR_CBD, add_spec_rules
from tests.technicians import add_calendar

CLIENT = "e2e-client"
TECHNICIAN = "e2e-technician"
PHOTO = f"users/{CLIENT}/car_photos/front.jpg"
SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.fixture(scope="module")
def real_stack(curbside_stack: LocalStack) -> LocalStack:
    return curbside_stack


@pytest.fixture(scope="module")
def app(real_stack: LocalStack) -> CallableClient:
    """A signed-up client with an uploaded car photo, the spec's pricing rules, and a technician."""
    admin = real_stack.admin_db()
    admin.document(f"Users/{CLIENT}").set({"email": "e2e@example.com", "full_name": "Erin Client"})
    real_stack.activity.wait_for(lambda run: run.name == "on_user_created" and CLIENT in run.detail, 20)
    callables = CallableClient(real_stack.functions_url, real_stack.project)
    assert callables.call("set_user_type", {"user_type": "client"}, uid=CLIENT).result == {"user_type": "client"}
    put_private(admin, CLIENT, make_client_profile_private(stripe_customer_id="cus_e2e", payment_method="pm_e2e"))
    bucket = storage.Client(project=real_stack.project, credentials=AnonymousCredentials()).bucket(
        default_files(real_stack.project).bucket_name)
    bucket.blob(PHOTO).upload_from_string(JPEG, content_type="image/jpeg")
    add_spec_rules(admin)
    put(admin, make_user(id=TECHNICIAN, uid=TECHNICIAN, full_name="Tess Tech", user_type="dispatcher"))
    put(admin, make_dispatcher_profile(user_id=TECHNICIAN))
    add_calendar(admin, "e2e-calendar", at=NEAR_CBD)  # a scheduled job reserves a free technician (D112)
    return callables


def request_data(**overrides: Any) -> dict[str, Any]:
    return {"car_model": "Mazda 3", "license_plate": "E2E-1", "location_address": "1 George St, Sydney",
            "location_lat": NEAR_CBD[0], "location_lng": NEAR_CBD[1], "car_location_images": [PHOTO],
            "is_urgent": True, "is_scheduled": False, **overrides}


def test_quote_create_dispatch_hand_over_and_cancel_over_http(real_stack: LocalStack, app: CallableClient):
    quote = app.call("quote_price", {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "is_urgent": True}, uid=CLIENT).result
    assert {line["code"]: line["amount"] for line in quote["lines"]}.items() >= {
        "urgency": 16.5, "location_premium": 9.9}.items()

    created = app.call("create_request", request_data(), uid=CLIENT).result
    request_id = created["request_id"]
    assert created["status"] == "pending" and created["final_price"] == quote["final_price"]

    # the emulator delivers the created event; the trigger hands the job to dispatch once
    real_stack.activity.wait_for(lambda run: run.name == "on_request_created" and request_id in run.detail, 20)
    admin = real_stack.admin_db()
    assert admin.document(f"ServiceRequests/{request_id}").get().get("dispatch_started_at") is not None

    # the client's app reads its job live, under the security rules
    seen = real_stack.as_user(CLIENT).get(f"ServiceRequests/{request_id}")
    assert seen.ok and seen.body["status"] == "pending" and seen.body["final_price"] == created["final_price"]

    cancelled = app.call("cancel_request", {"request_id": request_id, "reason": "Fixed it myself"}, uid=CLIENT)
    assert cancelled.result == {"status": "cancelled", "refund_amount": created["final_price"],
                                "cancellation_fee": 0.0, "currency": "EUR"}
    assert app.call("cancel_request", {"request_id": request_id}, uid=TECHNICIAN).error_status == "NOT_FOUND"


def test_a_scheduled_job_is_activated_by_the_schedule_once(real_stack: LocalStack, app: CallableClient):
    clock = real_stack.clock
    assert isinstance(clock, ManualClock)
    day = (clock.now().astimezone(SYDNEY) + dt.timedelta(days=3)).date().isoformat()
    created = app.call("create_request", request_data(is_urgent=False, is_scheduled=True, scheduled_date=day,
                                                      scheduled_time="10:00"), uid=CLIENT).result
    request_id = created["request_id"]
    assert created["status"] == "scheduled"
    assert Decimal(str(created["final_price"])) < Decimal("33.00") + Decimal("9.90")  # the 15% shows
    real_stack.activity.wait_for(lambda run: run.name == "on_request_created" and request_id in run.detail, 20)
    admin = real_stack.admin_db()
    job = admin.document(f"ServiceRequests/{request_id}")
    assert job.get().get("status") == "scheduled"

    # two hours before the slot (whatever the time of day now) the every-5-minutes activator finds it due
    slot = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10, 0), tzinfo=SYDNEY)
    clock.advance(slot - dt.timedelta(hours=2) - clock.now())
    poll(lambda: job.get().get("status") == "pending" and job.get().get("dispatch_started_at") is not None,
         what="the activated job handed to dispatch")
    activated = job.get().to_dict() or {}

    # a duplicate run of the schedule changes nothing
    assert real_stack.run_schedule("activate_scheduled_jobs") == 200
    assert job.get().to_dict() == activated


def test_the_technicians_moves_over_http(real_stack: LocalStack, app: CallableClient):
    admin = real_stack.admin_db()
    job = make_service_request(client_id=CLIENT, status="accepted", dispatcher_id=TECHNICIAN,
                               dispatcher_name="Tess", location_lat=NEAR_CBD[0], location_lng=NEAR_CBD[1])
    put(admin, job)
    put(admin, make_job_payment(id=job.id, request_id=job.id, client_id=CLIENT, dispatcher_id=TECHNICIAN,
                                amount_minor=int(job.final_price * 100), payment_intent_id="pi_e2e",
                                authorization_status="authorized", authorized_at=real_stack.clock.now(),
                                payout_status="none", captured_minor=0, refunded_minor=0, held_minor=0,
                                refunds={}, stripe_refund_ids=[]))  # the card hold the acceptance placed
    move = {"request_id": job.id, "lat": NEAR_CBD[0] + 0.0027, "lng": NEAR_CBD[1]}  # about 300 m away

    assert app.call("update_job_status", {**move, "status": "en_route"}, uid=TECHNICIAN).result["status"] == "en_route"
    arrived = app.call("update_job_status", {**move, "status": "arrived"}, uid=TECHNICIAN).result
    assert arrived["warning"].startswith("You're not at the job location") and arrived["distance_meters"] > 100
    assert app.call("update_job_status", {**move, "status": "arrived"}, uid=CLIENT).error_status == "PERMISSION_DENIED"

    stored = admin.document(f"ServiceRequests/{job.id}").get().to_dict() or {}
    assert stored["client_notified_en_route"] is True and stored["client_notified_arrived"] is True
    notices = {snap.get("type") for snap in admin.collection("Notifications")
               .where(filter=FieldFilter("request_id", "==", job.id)).stream()}
    # the payments trigger also tells the client about the card (this job has none): not this test's subject
    assert notices - {"payment_action_required"} == {"dispatcher_en_route", "dispatcher_arrived"}
