"""Insurance jobs (issue 20 item 5, D91) through the deployed callables, with the production Stripe gateway
against localstripe: create_request records the claim's terms (and refuses bad ones, writing nothing), the card
is held and charged only the excess, the platform advances the insurer's share so the technician is paid on the
whole price, the claim is recorded for admins, and admins move it (audited)."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from curbside.domain.enums import RequestStatus
from curbside.domain.errors import LostRace, WrongState
from curbside.domain.insurance import ClaimStatus
from curbside.services import card_holds, charges, insurance
from curbside.services.dispatch_queue import job_details
from curbside.services.payment_records import in_unit
from curbside.store.collections import Collection
from main import admin_update_insurance_claim, complete_job, create_request, list_available_jobs, review_dispatcher
from tests.entrypoints.test_completions import completion_payload, intent_of, transfers_to
from tests.entrypoints.test_requests_create import create_data
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_service_request
from tests.payment_world import (
    add_job_in_progress,
    client_with_saved_card,
    ledger_sums,
    payment_of,
    technician_with_account,
    upload_completion_photos,
)
from tests.request_world import (
    NEAR_CBD,
    OUTSIDE_ZONES,
    add_client,
    add_job,
    add_redemption,
    everything,
    stored,
    upload_photo,
)
from tests.technicians import add_technician, north_of

JOB = "job-ins"
PRICE_MINOR, EXCESS_MINOR = 5600, 1500
OWED_MINOR = PRICE_MINOR - EXCESS_MINOR
FEE_MINOR = 840
"""15 % of the whole price, 56.00."""
ADMIN_UID = "uid-admin"
INSURED = {"job_type": "insurance", "insurer": "NRMA Insurance", "claim_number": "HC-2026-00172",
           "excess_amount": 15.0}


def insured_job(db) -> None:
    add_job_in_progress(db, JOB, job_type="insurance", insurer="NRMA Insurance", claim_number="HC-2026-00172",
                        excess_amount=Decimal("15.00"))


def test_an_insurance_job_charges_the_excess_and_pays_the_technician_on_the_whole_price(
        db, call, bucket, stripe_deps, localstripe):
    client_with_saved_card(db, call, localstripe)
    account = technician_with_account(db, call, localstripe)
    insured_job(db)

    assert card_holds.follow_request(stripe_deps, JOB) == "authorization_authorized"
    assert intent_of(localstripe, db, JOB)["amount"] == EXCESS_MINOR  # the hold is the excess only
    done = call(complete_job, completion_payload(upload_completion_photos(bucket, JOB), request_id=JOB),
                uid=DISPATCHER_ID)
    assert done.status == 200, done.body

    intent = intent_of(localstripe, db, JOB)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", EXCESS_MINOR)
    payment = payment_of(db, JOB)
    assert (payment["captured_minor"], payment["insurer_share_minor"], payment["held_minor"]) == (
        EXCESS_MINOR, OWED_MINOR, PRICE_MINOR)
    claim = stored(db, Collection.INSURANCE_CLAIMS, JOB)
    assert (claim["status"], claim["insurer"], claim["claim_number"]) == ("open", "NRMA Insurance", "HC-2026-00172")
    assert (claim["amount_owed_minor"], claim["amount_owed"], claim["excess_amount"], claim["job_price"]) == (
        OWED_MINOR, 41.0, 15.0, 56.0)
    assert (claim["client_id"], claim["dispatcher_id"]) == (CLIENT_ID, DISPATCHER_ID)

    reviewed = call(review_dispatcher, {"request_id": JOB, "rating": 5}, uid=CLIENT_ID)
    assert reviewed.status == 200, reviewed.body
    [transfer] = transfers_to(localstripe, account)
    assert transfer["amount"] == PRICE_MINOR - FEE_MINOR  # more than the card paid: the platform advanced it
    payment = payment_of(db, JOB)
    assert (payment["payout_status"], payment["held_minor"], payment["fee_minor"]) == ("paid", 0, FEE_MINOR)
    sums = ledger_sums(db, JOB)
    assert (sums["capture"], sums["insurer_share"]) == (EXCESS_MINOR, OWED_MINOR)
    assert sums["capture"] + sums["insurer_share"] == sums["transfer"] + sums["fee"] + payment["held_minor"]


# --- create_request -------------------------------------------------------------------------------------------


@pytest.fixture
def photos(bucket) -> list[str]:
    return [upload_photo(bucket, name="front.jpg")]


def test_create_request_records_an_insurance_job(db, call, clock, photos):
    add_client(db)

    response = call(create_request, create_data(photos, **INSURED), uid=CLIENT_ID)

    assert response.status == 200, response.body
    request = stored(db, Collection.SERVICE_REQUESTS, response.result["request_id"])
    assert (request["job_type"], request["insurer"], request["claim_number"], request["excess_amount"]) == (
        "insurance", "NRMA Insurance", "HC-2026-00172", 15.0)
    assert request["final_price"] == response.result["final_price"]


def test_a_private_job_is_the_default(db, call, photos):
    add_client(db)

    response = call(create_request, create_data(photos), uid=CLIENT_ID)

    assert response.status == 200, response.body
    request = stored(db, Collection.SERVICE_REQUESTS, response.result["request_id"])
    assert (request["job_type"], request["insurer"], request["excess_amount"]) == ("private", None, None)


@pytest.mark.parametrize(("changes", "says"), [
    ({"excess_amount": 10_000.0}, "more than the job's price"),
    ({"excess_amount": -1.0}, "negative"),
    ({"excess_amount": 0.2}, "cannot be charged to a card"),
    ({"insurer": "   "}, "name the insurer"),
    ({"claim_number": "#1"}, "claim reference"),
    ({"insurer": None}, "needs insurer"),
    ({"job_type": "private"}, "only go with job_type 'insurance'"),
    ({"job_type": "fleet"}, "job_type"),
], ids=["excess_over_price", "negative_excess", "excess_below_card_minimum", "blank_insurer", "bad_claim_number",
        "no_insurer", "claim_on_a_private_job", "unknown_job_type"])
def test_bad_insurance_terms_are_invalid_and_write_nothing(db, call, photos, changes, says):
    add_client(db)
    data = {key: value for key, value in {**INSURED, **changes}.items() if value is not None}
    before = everything(db)

    response = call(create_request, create_data(photos, **data), uid=CLIENT_ID)

    assert (response.status, response.error) == (400, "INVALID_ARGUMENT"), response.body
    assert says in response.body["error"]["message"]
    assert everything(db) == before


def test_a_reward_cannot_pay_for_an_insurance_job(db, call, photos):
    add_client(db)
    redemption = add_redemption(db)
    before = everything(db)

    response = call(create_request, create_data(photos, reward_redemption_id=redemption, **INSURED), uid=CLIENT_ID)

    assert (response.status, response.error) == (400, "INVALID_ARGUMENT")
    assert "reward cannot be used on an insurance job" in response.body["error"]["message"]
    assert everything(db) == before


def test_technicians_see_the_job_type_in_the_feed(db, call, clock):
    add_client(db)
    add_technician(db, "tech-near", at=north_of(NEAR_CBD, 500), fixed_at=clock.now())
    add_job(db, RequestStatus.PENDING, id="job-private")
    add_job(db, RequestStatus.PENDING, id="job-insured", job_type="insurance", insurer="NRMA Insurance",
            claim_number="HC-1", excess_amount=Decimal("15.00"))

    jobs = call(list_available_jobs, {"tab": "most_recent"}, uid="tech-near").result["jobs"]

    assert sorted((job["request_id"], job["job_type"], job["price"]) for job in jobs) == [
        ("job-insured", "insurance", 56.0), ("job-private", "private", 56.0)]
    assert not any("claim_number" in job or "excess_amount" in job for job in jobs)


def test_technicians_see_the_job_type_in_an_offer():
    job = make_service_request(location_lat=OUTSIDE_ZONES[0], location_lng=OUTSIDE_ZONES[1], job_type="insurance",
                               insurer="NRMA Insurance", claim_number="HC-1", excess_amount=Decimal("15.00"))

    details = job_details(job, [])

    assert details["job_type"] == "insurance" and details["price"] == float(job.final_price)
    assert "claim_number" not in details and "excess_amount" not in details


# --- the claim --------------------------------------------------------------------------------------------------


@pytest.fixture
def claim(db, call, bucket, stripe_deps, localstripe) -> str:
    client_with_saved_card(db, call, localstripe)
    technician_with_account(db, call, localstripe)
    insured_job(db)
    done = call(complete_job, completion_payload(upload_completion_photos(bucket, JOB), request_id=JOB),
                uid=DISPATCHER_ID)
    assert done.status == 200, done.body
    return JOB


def move(call, status: str, uid: str = ADMIN_UID, **claims: Any) -> Any:
    return call(admin_update_insurance_claim, {"claim_id": JOB, "status": status, "note": "Lodged by phone."},
                uid=uid, **claims)


def test_an_admin_submits_the_claim_then_records_it_paid_audited(db, call, claim):
    assert move(call, "submitted", admin=True).result == {"claim_id": JOB, "status": "submitted"}
    assert move(call, "paid", admin=True).status == 200

    stored_claim = stored(db, Collection.INSURANCE_CLAIMS, JOB)
    assert (stored_claim["status"], stored_claim["updated_by"], stored_claim["status_note"]) == (
        "paid", ADMIN_UID, "Lodged by phone.")
    audit = [snap.to_dict() for snap in db.collection(Collection.AUDIT_LOG.value).stream()]
    assert sorted((entry["action"], entry["after"]["status"]) for entry in audit
                  if entry["target_id"] == JOB) == [("update_insurance_claim", "paid"),
                                                     ("update_insurance_claim", "submitted")]


def test_claim_moves_are_for_admins_and_follow_the_lifecycle(db, call, claim):
    before = everything(db)
    assert move(call, "submitted", uid=CLIENT_ID).error == "PERMISSION_DENIED"
    assert move(call, "paid", admin=True).error == "FAILED_PRECONDITION"  # never lodged
    missing = call(admin_update_insurance_claim, {"claim_id": "nope", "status": "submitted"}, uid=ADMIN_UID,
                   admin=True)
    assert missing.error == "NOT_FOUND"
    assert everything(db) == before
    assert stored(db, Collection.SERVICE_REQUESTS, JOB)["status"] == RequestStatus.COMPLETED.value


def test_the_capture_recorded_again_adds_no_second_share_and_one_of_racing_admins_moves_the_claim(
        db, stripe_deps, claim):
    payment = payment_of(db, JOB)
    before = everything(db)

    again = in_unit(stripe_deps, JOB, charges.captured_step(payment["payment_intent_id"], EXCESS_MINOR))

    assert again is False and everything(db) == before  # Stripe's webhook after the gateway's answer
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        barrier.wait()
        try:
            insurance.update_claim(stripe_deps, admin_uid=ADMIN_UID, is_admin=True, claim_id=JOB,
                                   status=ClaimStatus.SUBMITTED, note=None)
            outcomes.append("moved")
        except (WrongState, LostRace) as refused:
            outcomes.append(type(refused).__name__)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("moved") == 1 and len(outcomes) == 4
    audit = [snap.to_dict() for snap in db.collection(Collection.AUDIT_LOG.value).stream()]
    assert len([entry for entry in audit if entry["target_id"] == JOB]) == 1
