"""The service catalogue through the deployed callables (issue 21, D106-D109): admins save, edit and deactivate
services (audited, validated whole, nothing written when refused); a request names a service and its add-ons
and is priced, timed and matched from them; only technicians with the service's skills are offered or take
the job; the invoice shows the service, add-on, discount and parts, and the technician's ABN."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from curbside.domain.enums import AuthorizationStatus, PayoutStatus, RequestStatus, RewardType, RuleType
from curbside.services import invoices, outbox
from curbside.services.dispatch_queue import start_dispatch
from curbside.store.collections import Collection
from main import (
    accept_job,
    admin_deactivate_service,
    admin_save_service,
    admin_set_technician_skills,
    create_request,
    list_available_jobs,
    list_services,
    quote_price,
    set_abn,
)
from tests.factories import (
    CLIENT_ID,
    DISPATCHER_ID,
    make_job_completion,
    make_job_payment,
    make_outbox_entry,
    make_pricing_rule,
    put,
)
from tests.request_world import (
    NEAR_CBD,
    OUTSIDE_ZONES,
    add_client,
    add_dispatcher,
    add_job,
    add_redemption,
    everything,
    stored,
    upload_photo,
)
from tests.technicians import add_technician, north_of

ADMIN = "admin-1"
DETAIL: dict[str, Any] = {"name": "Full detail", "category": "detailing", "estimated_duration_minutes": 120,
          "base_price": 150.0, "required_skills": ["detailing"], "service_reminder_months": 12,
          "add_ons": [{"add_on_id": "wax", "name": "Hand wax", "price": 25.5, "duration_minutes": 30},
                      {"add_on_id": "interior", "name": "Interior clean", "price": 40.0, "duration_minutes": 45}]}
VALID_ABN = "51 824 753 556"
"""The ATO's own example of a valid ABN."""


def admin(call: Any, fn: Any, data: dict[str, Any]) -> Any:
    return call(fn, data, uid=ADMIN, admin=True)


@pytest.fixture
def service(db, call) -> str:
    saved = admin(call, admin_save_service, DETAIL)
    assert saved.status == 200 and saved.result["changed"], saved.body
    return str(saved.result["service_id"])


@pytest.fixture
def photos(db, bucket) -> list[str]:
    add_client(db)
    return [upload_photo(bucket, name="front.jpg")]


def booking(photos: list[str], service_id: str, **overrides: Any) -> dict[str, Any]:
    return {"car_model": "Mazda 3", "license_plate": "ABC-123", "location_address": "1 George St, Sydney",
            "location_lat": OUTSIDE_ZONES[0], "location_lng": OUTSIDE_ZONES[1], "car_location_images": photos,
            "service_id": service_id, "add_on_ids": ["wax"], **overrides}


def audit(db) -> list[dict[str, Any]]:
    return [snap.to_dict() or {} for snap in db.collection("AuditLog").stream()]


# --- the catalogue ------------------------------------------------------------------------------------------------


def test_a_service_is_created_edited_and_deactivated_each_change_audited_and_listed_for_the_apps(
        db, call, clock, service, photos):
    again = admin(call, admin_save_service, {**DETAIL, "service_id": service})
    edited = admin(call, admin_save_service, {**DETAIL, "service_id": service, "base_price": 160.0})
    listed = call(list_services, {}, uid=CLIENT_ID).result["services"]
    assert (again.result["changed"], edited.result["changed"]) == (False, True)
    assert [(s["service_id"], s["base_price"], [a["add_on_id"] for a in s["add_ons"]]) for s in listed] == [
        (service, 160.0, ["wax", "interior"])]

    gone = admin(call, admin_deactivate_service, {"service_id": service, "reason": "Detailing paused for winter."})
    assert gone.result == {"service_id": service, "changed": True}
    assert call(list_services, {}, uid=CLIENT_ID).result == {"services": []}
    assert [s["is_active"] for s in admin(call, list_services, {"include_inactive": True}).result["services"]] == [
        False]
    entries = audit(db)
    assert len(entries) == 3 and {e["actor_id"] for e in entries} == {ADMIN}
    assert sorted((e["action"], e["before"], e["after"]) for e in entries if e["before"]) == [
        ("deactivate_service", {"is_active": True}, {"is_active": False}),
        ("save_service", {"base_price": 150.0}, {"base_price": 160.0})]


@pytest.mark.parametrize(("change", "words"), [
    ({"category": "plumbing"}, "category"),
    ({"add_ons": [DETAIL["add_ons"][0], DETAIL["add_ons"][0]]}, "add_on_id must be unique"),
])
def test_a_bad_service_is_refused_naming_the_field_and_writes_nothing(db, call, *, change, words):
    before = everything(db)

    answer = admin(call, admin_save_service, {**DETAIL, **change})

    assert answer.error == "INVALID_ARGUMENT" and words in answer.message, answer.body
    assert everything(db) == before


def test_only_admins_edit_the_catalogue_or_list_inactive_services(db, call, service, photos):
    before = everything(db)
    assert call(admin_save_service, DETAIL, uid=CLIENT_ID).error == "PERMISSION_DENIED"
    assert call(list_services, {"include_inactive": True}, uid=CLIENT_ID).error == "PERMISSION_DENIED"
    assert everything(db) == before


# --- booking a service ------------------------------------------------------------------------------------------


def test_a_request_is_priced_timed_and_copied_from_its_service_and_add_ons(db, call, service, photos):
    quoted = call(quote_price, {"lat": OUTSIDE_ZONES[0], "lng": OUTSIDE_ZONES[1], "service_id": service,
                                "add_on_ids": ["wax"]}, uid=CLIENT_ID)
    created = call(create_request, booking(photos, service), uid=CLIENT_ID)

    assert created.status == 200, created.body
    assert quoted.result["base_price"] == 150.0 and quoted.result["final_price"] == 175.5
    assert created.result["breakdown"]["lines"] == [{"code": "add_on", "label": "Hand wax", "amount": 25.5}]
    job = stored(db, Collection.SERVICE_REQUESTS, created.result["request_id"])
    assert (job["service_id"], job["service_name"], job["service_category"], job["required_skills"]) == (
        service, "Full detail", "detailing", ["detailing"])
    assert (job["estimated_duration_minutes"], job["final_price"], job["service_reminder_months"]) == (150, 175.5, 12)
    assert [a["add_on_id"] for a in job["add_ons"]] == ["wax"]


def test_a_service_type_rule_prices_the_services_category(db, call, service, photos):
    put(db, make_pricing_rule(id="rule-detail", rule_name="Detailing demand", rule_type=RuleType.SERVICE_TYPE,
                              multiplier=1.1, time_conditions={}, demand_conditions={"categories": ["detailing"]}))

    with_service = call(quote_price, {"lat": OUTSIDE_ZONES[0], "lng": OUTSIDE_ZONES[1], "service_id": service},
                        uid=CLIENT_ID).result
    without = call(quote_price, {"lat": OUTSIDE_ZONES[0], "lng": OUTSIDE_ZONES[1]}, uid=CLIENT_ID).result

    assert with_service["lines"] == [{"code": "service_type", "label": "Detailing demand (10%)", "amount": 15.0}]
    assert without["lines"] == []


def test_an_unknown_service_an_inactive_one_and_a_foreign_add_on_are_refused_and_write_nothing(
        db, call, service, photos):
    other = admin(call, admin_save_service, {**DETAIL, "name": "Retired polish", "add_ons": []}).result["service_id"]
    admin(call, admin_deactivate_service, {"service_id": other, "reason": "No longer offered."})
    before = everything(db)

    unknown = call(create_request, booking(photos, "no-such-service"), uid=CLIENT_ID)
    inactive = call(create_request, booking(photos, other, add_on_ids=[]), uid=CLIENT_ID)
    foreign = call(create_request, booking(photos, service, add_on_ids=["wax", "tyres"]), uid=CLIENT_ID)
    orphan = call(create_request, {**booking(photos, service), "service_id": None}, uid=CLIENT_ID)

    assert (unknown.error, "service_id" in unknown.message) == ("NOT_FOUND", True), unknown.body
    assert (inactive.error, "no longer offered" in inactive.message) == ("INVALID_ARGUMENT", True), inactive.body
    assert (foreign.error, "'tyres' is not an add-on of Full detail" in foreign.message) == (
        "INVALID_ARGUMENT", True), foreign.body
    assert orphan.error == "INVALID_ARGUMENT" and "add_on_ids" in orphan.message
    assert everything(db) == before


# --- skills -------------------------------------------------------------------------------------------------------


def test_only_technicians_with_the_services_skills_are_offered_see_or_take_its_job(db, call, deps, clock):
    add_client(db)
    near, far = north_of(NEAR_CBD, 500), north_of(NEAR_CBD, 3_000)
    add_technician(db, "unskilled", at=near, fixed_at=clock.now(), rating=5.0)
    add_technician(db, "skilled", at=far, fixed_at=clock.now(), rating=4.5)
    granted = admin(call, admin_set_technician_skills, {"dispatcher_id": "skilled", "skills": ["detailing", "pdr"],
                                                        "reason": "Certificate checked."})
    assert granted.result == {"dispatcher_id": "skilled", "skills": ["detailing", "pdr"], "changed": True}
    assert stored(db, Collection.DISPATCHER_LOCATIONS, "skilled")["skills"] == ["detailing", "pdr"]  # same commit

    job = add_job(db, RequestStatus.PENDING, service_name="Full detail", required_skills=["detailing"])
    start_dispatch(deps, job.id)

    assert stored(db, Collection.JOB_OFFERS, f"{job.id}:1")["dispatcher_id"] == "skilled"
    feed = {"lat": near[0], "lng": near[1], "tab": "highest_pay"}
    assert call(list_available_jobs, feed, uid="unskilled").result == {"jobs": []}
    refused = call(accept_job, {"request_id": job.id}, uid="unskilled")
    assert refused.error == "PERMISSION_DENIED" and "detailing" in refused.message


# --- the invoice --------------------------------------------------------------------------------------------------


def test_the_abn_is_checked_and_printed_on_the_invoice_with_the_service_add_on_discount_and_parts(
        db, call, deps, bucket, *, service, photos):
    add_dispatcher(db)
    assert call(set_abn, {"abn": "51 824 753 557"}, uid=DISPATCHER_ID).error == "INVALID_ARGUMENT"
    assert call(set_abn, {"abn": VALID_ABN}, uid=DISPATCHER_ID).result == {"abn": VALID_ABN}
    redemption = add_redemption(db, reward_type=RewardType.FIXED_DISCOUNT, amount="10.00")
    created = call(create_request, booking(photos, service, add_on_ids=["wax", "interior"],
                                           reward_redemption_id=redemption), uid=CLIENT_ID).result
    job_id, charged = created["request_id"], 20550  # 150.00 + 25.50 + 40.00 - 10.00
    db.document(f"ServiceRequests/{job_id}").update({"status": "completed", "dispatcher_id": DISPATCHER_ID})
    put(db, make_job_payment(id=job_id, request_id=job_id, amount_minor=charged, captured_minor=charged,
                             held_minor=charged, refunded_minor=0, refunds={}, stripe_refund_ids=[],
                             authorization_status=AuthorizationStatus.CAPTURED, payout_status=PayoutStatus.HELD))
    put(db, make_job_completion(id=job_id, request_id=job_id, parts_used=[
        {"sku": "MICRO-1", "name": "Microfibre cloth", "quantity": 2, "unit_cost": Decimal("3.00")}]))

    outbox.handlers()[invoices.INVOICE](deps, make_outbox_entry(
        id=f"invoice:{job_id}", kind="invoice", key=job_id, payload={"request_id": job_id}))

    invoice = stored(db, Collection.INVOICES, job_id)
    assert [(line["description"], line["amount_minor"]) for line in invoice["lines"]] == [
        ("Full detail", 15000), ("Hand wax", 2550), ("Interior clean", 4000), ("Reward discount", -1000)]
    assert invoice["total_minor"] == charged == sum(line["amount_minor"] for line in invoice["lines"])
    assert (invoice["issuer_abn"], invoice["service_name"]) == ("51824753556", "Full detail")
    assert invoice["parts"] == [{"sku": "MICRO-1", "name": "Microfibre cloth", "quantity": 2}]
    assert bucket.blob(invoice["pdf_path"]).download_as_bytes().startswith(b"%PDF")
