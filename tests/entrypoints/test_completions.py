"""complete_job, review_dispatcher and the hourly auto-approval, through the deployed callables with the
production Stripe gateway against a real localstripe, on the Firestore and Storage emulators.

Every scenario ends with the ledger identity: captured - refunded = paid out + fee - loss + held."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from curbside.deps import Deps
from curbside.domain.clock import FixedClock
from curbside.domain.enums import DisputeReason, RequestStatus, ResolutionAction
from curbside.services import card_holds, completions, dispute_resolution, disputes
from curbside.store.collections import Collection
from main import complete_job, review_dispatcher
from tests.factories import CLIENT_ID, DISPATCHER_ID
from tests.payment_world import (
    add_job_in_progress,
    assert_ledger_balanced,
    client_with_saved_card,
    earnings_of,
    ledger_sums,
    payment_of,
    technician_with_account,
    upload_completion_photos,
)
from tests.payments_server import LocalStripe
from tests.request_world import JPEG, NEAR_CBD, SYDNEY_CBD, add_client, add_dispatcher, add_job, everything, stored
from tests.request_world import upload_photo as upload_file

pytestmark = pytest.mark.usefixtures("stripe_deps")

JOB = "job-1"
PRICE_MINOR = 5600
"""request_world's jobs cost 56.00."""
FEE_MINOR = 840
"""15 % of 56.00."""
STRANGER = "uid-stranger"
OTHER_TECH = "uid-other-tech"


@pytest.fixture
def account(db, call, localstripe: LocalStripe) -> str:
    """A client with a saved card, an onboarded technician (their Connect account id), and an in-progress job
    whose card hold was placed when it was accepted (what on_request_updated does)."""
    client_with_saved_card(db, call, localstripe)
    account_id = technician_with_account(db, call, localstripe)
    add_job_in_progress(db, JOB)
    return account_id


@pytest.fixture
def held(stripe_deps: Deps, account: str) -> str:
    assert card_holds.follow_request(stripe_deps, JOB) == "authorization_authorized"
    return account


def completion_payload(photos: tuple[str, ...] | list[str], at: tuple[float, float] = NEAR_CBD,
                       request_id: str = JOB) -> dict[str, Any]:
    return {"request_id": request_id, "completion_images": list(photos), "lat": at[0], "lng": at[1]}


def intent_of(localstripe: LocalStripe, db, request_id: str = JOB) -> dict[str, Any]:
    return localstripe.get(f"/v1/payment_intents/{payment_of(db, request_id)['payment_intent_id']}")


def transfers_to(localstripe: LocalStripe, account_id: str) -> list[dict[str, Any]]:
    return [t for t in localstripe.get("/v1/transfers")["data"] if t["destination"] == account_id]


def captures_of(localstripe: LocalStripe) -> list[dict[str, Any]]:
    """Capture requests that Stripe actually ran (replays of an idempotency key excluded)."""
    return [entry for entry in localstripe.requests_log() if entry["path"].endswith("/capture")]


def complete_at_job(call, bucket, request_id: str = JOB, at: tuple[float, float] = NEAR_CBD) -> Any:
    response = call(complete_job, completion_payload(upload_completion_photos(bucket, request_id), at,
                                                     request_id), uid=DISPATCHER_ID)
    assert response.status == 200, response.body
    return response.result


# --- complete_job -------------------------------------------------------------------------------------------


def test_completing_records_the_proof_captures_the_card_and_holds_the_money(db, call, *, bucket, clock, held,
        localstripe):
    photos = upload_completion_photos(bucket, JOB)

    response = call(complete_job, completion_payload(photos), uid=DISPATCHER_ID)

    assert response.status == 200
    due = clock.now() + dt.timedelta(hours=48)
    assert response.result == {
        "job_completion_id": JOB, "payment_status": "pending_review",
        "auto_approve_at": due.isoformat().replace("+00:00", "Z"), "location_verified": True,
        "location_distance_meters": 0.0}
    completion = stored(db, Collection.JOB_COMPLETIONS, JOB)
    assert completion["completion_images"] == list(photos)
    assert (completion["dispatcher_id"], completion["client_id"]) == (DISPATCHER_ID, CLIENT_ID)
    assert completion["completed_at"] == clock.now() and completion["auto_approve_at"] == due
    assert completion["payment_status"] == "pending_review" and completion["location_verified"] is True
    assert completion["client_reviewed"] is False and completion["auto_approved"] is False
    assert stored(db, Collection.SERVICE_REQUESTS, JOB)["status"] == RequestStatus.COMPLETED.value

    intent = intent_of(localstripe, db)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", PRICE_MINOR)
    payment = payment_of(db, JOB)
    assert payment["authorization_status"] == "captured" and payment["payout_status"] == "held"
    assert (payment["captured_minor"], payment["held_minor"], payment["paid_out_minor"]) == (PRICE_MINOR,
                                                                                           PRICE_MINOR, 0)
    earnings = earnings_of(db)
    assert (earnings["pending_minor"], earnings["paid_minor"]) == (PRICE_MINOR - FEE_MINOR, 0)
    assert earnings["pending_payments"] == 47.60 and earnings["total_earnings"] == 47.60
    assert ledger_sums(db, JOB) == {"authorization": PRICE_MINOR, "capture": PRICE_MINOR}
    assert_ledger_balanced(db, JOB)


def test_completing_without_an_earlier_hold_authorises_and_captures_at_once(db, call, bucket, account,
                                                                           localstripe):
    complete_at_job(call, bucket)

    assert intent_of(localstripe, db)["status"] == "succeeded"
    assert payment_of(db, JOB)["held_minor"] == PRICE_MINOR
    assert_ledger_balanced(db, JOB)


def bad_photo_lists(bucket: Any) -> dict[str, list[str]]:
    good = list(upload_completion_photos(bucket, JOB))
    folder = f"users/{DISPATCHER_ID}/completion_photos/{JOB}"
    return {
        "three photos": good[:3],
        "a duplicate": [*good[:3], good[0]],
        "another job's folder": [*good[:3], upload_file(bucket, DISPATCHER_ID, name="x.jpg",
                                                        folder="completion_photos/job-2")],
        "someone else's folder": [*good[:3], upload_file(bucket, STRANGER, name="x.jpg",
                                                         folder=f"completion_photos/{JOB}")],
        "the car photos folder": [*good[:3], upload_file(bucket, DISPATCHER_ID, name="x.jpg")],
        "not under users/": [*good[:3], f"public/{JOB}/x.jpg"],
        "a missing file": [*good[:3], f"{folder}/never-uploaded.jpg"],
        "not an image": [*good[:3], upload_file(bucket, DISPATCHER_ID, name="notes.jpg", data=b"just some text",
                                                folder=f"completion_photos/{JOB}")],
    }


CASES = ("three photos", "a duplicate", "another job's folder", "someone else's folder", "the car photos folder",
         "not under users/", "a missing file", "not an image")


@pytest.mark.parametrize("case", CASES)
def test_bad_completion_photos_are_invalid_and_write_nothing(db, call, *, bucket, held, localstripe, case):
    photos = bad_photo_lists(bucket)[case]
    before = everything(db)

    response = call(complete_job, completion_payload(photos), uid=DISPATCHER_ID)

    assert response.status == 400 and response.error == "INVALID_ARGUMENT", response.body
    assert everything(db) == before
    assert intent_of(localstripe, db)["status"] == "requires_capture"


def test_another_technician_gets_not_found_and_nothing_changes(db, call, bucket, held, localstripe):
    add_dispatcher(db, OTHER_TECH)
    photos = upload_completion_photos(bucket, JOB, OTHER_TECH)
    before = everything(db)

    response = call(complete_job, completion_payload(photos), uid=OTHER_TECH)

    assert response.status == 404 and response.error == "NOT_FOUND"
    assert everything(db) == before
    assert intent_of(localstripe, db)["status"] == "requires_capture"


def test_the_client_cannot_complete_their_own_job(db, call, bucket, held):
    photos = upload_completion_photos(bucket, JOB, CLIENT_ID)
    before = everything(db)

    response = call(complete_job, completion_payload(photos), uid=CLIENT_ID)

    assert response.error == "NOT_FOUND"
    assert everything(db) == before


def test_a_job_not_in_progress_cannot_be_completed(db, call, bucket, stripe_deps, localstripe):
    client_with_saved_card(db, call, localstripe)
    technician_with_account(db, call, localstripe)
    add_job(db, RequestStatus.ACCEPTED, id=JOB)
    card_holds.follow_request(stripe_deps, JOB)
    photos = upload_completion_photos(bucket, JOB)
    before = everything(db)

    response = call(complete_job, completion_payload(photos), uid=DISPATCHER_ID)

    assert response.status == 400 and response.error == "FAILED_PRECONDITION"
    assert everything(db) == before
    assert intent_of(localstripe, db)["status"] == "requires_capture"


def test_signed_out_is_unauthenticated(db, call, bucket, held):
    photos = upload_completion_photos(bucket, JOB)
    before = everything(db)

    response = call(complete_job, completion_payload(photos))

    assert response.status == 401 and response.error == "UNAUTHENTICATED"
    assert everything(db) == before


def test_completing_twice_answers_the_same_and_captures_once(db, call, *, bucket, clock, held, localstripe):
    photos = upload_completion_photos(bucket, JOB)
    first = call(complete_job, completion_payload(photos), uid=DISPATCHER_ID).result
    after_first = everything(db)
    clock.advance(dt.timedelta(minutes=5))

    second = call(complete_job, completion_payload(photos), uid=DISPATCHER_ID)

    assert second.status == 200 and second.result == first
    assert everything(db) == after_first
    assert len(captures_of(localstripe)) == 1
    assert intent_of(localstripe, db)["amount_received"] == PRICE_MINOR
    assert_ledger_balanced(db, JOB)


def test_far_from_the_job_completes_but_is_not_location_verified(db, call, bucket, held):
    result = complete_at_job(call, bucket, at=SYDNEY_CBD)

    completion = stored(db, Collection.JOB_COMPLETIONS, JOB)
    assert result["location_verified"] is False and completion["location_verified"] is False
    assert completion["location_distance_meters"] == result["location_distance_meters"] > 100
    assert (completion["completion_location_lat"], completion["completion_location_lng"]) == SYDNEY_CBD
    assert stored(db, Collection.SERVICE_REQUESTS, JOB)["status"] == "completed"
    assert payment_of(db, JOB)["held_minor"] == PRICE_MINOR
    assert_ledger_balanced(db, JOB)


# --- review_dispatcher --------------------------------------------------------------------------------------


@pytest.fixture
def completed(db, call, bucket, held: str) -> str:
    complete_at_job(call, bucket)
    return held


def test_a_review_approves_the_completion_and_pays_the_technician_minus_the_fee(db, call, clock, completed,
                                                                              localstripe):
    response = call(review_dispatcher, {"request_id": JOB, "rating": 5, "comment": "Spotless."}, uid=CLIENT_ID)

    assert response.status == 200
    assert response.result == {"review_id": JOB, "apply_date": "2026-11-21"}  # 20:00 in Sydney: tomorrow there
    review = stored(db, Collection.REVIEWS, JOB)
    assert (review["rating"], review["comment"], review["applied"], review["apply_date"]) == (
        5, "Spotless.", False, "2026-11-21")
    assert (review["reviewer_id"], review["reviewee_id"], review["reviewer_type"]) == (CLIENT_ID, DISPATCHER_ID,
                                                                                       "client")
    completion = stored(db, Collection.JOB_COMPLETIONS, JOB)
    assert completion["client_reviewed"] is True and completion["client_reviewed_at"] == clock.now()
    assert completion["payment_status"] == "completed" and completion["payment_release_time"] == clock.now()

    [transfer] = transfers_to(localstripe, completed)
    assert (transfer["amount"], transfer["currency"]) == (PRICE_MINOR - FEE_MINOR, "eur")
    assert transfer["metadata"] == {"request_id": JOB} and transfer["transfer_group"] == JOB
    payment = payment_of(db, JOB)
    assert payment["payout_status"] == "paid" and payment["transfer_id"] == transfer["id"]
    assert (payment["held_minor"], payment["paid_out_minor"], payment["fee_minor"]) == (
        0, PRICE_MINOR - FEE_MINOR, FEE_MINOR)
    earnings = earnings_of(db)
    assert (earnings["pending_minor"], earnings["paid_minor"]) == (0, PRICE_MINOR - FEE_MINOR)
    assert earnings["completed_payments"] == 47.60
    assert localstripe.available(completed) == PRICE_MINOR - FEE_MINOR
    assert_ledger_balanced(db, JOB)


@pytest.mark.parametrize("rating", [0, 6, -1, 4.5, "5", True, None])
def test_a_rating_outside_one_to_five_whole_stars_is_invalid(db, call, completed, rating):
    before = everything(db)

    response = call(review_dispatcher, {"request_id": JOB, "rating": rating}, uid=CLIENT_ID)

    assert response.status == 400 and response.error == "INVALID_ARGUMENT"
    assert everything(db) == before


@pytest.mark.parametrize("who", [STRANGER, DISPATCHER_ID])
def test_only_the_jobs_client_may_review(db, call, completed, localstripe, who):
    add_client(db, STRANGER, name="Stranger")
    before = everything(db)

    response = call(review_dispatcher, {"request_id": JOB, "rating": 1}, uid=who)

    assert response.status == 404 and response.error == "NOT_FOUND"
    assert everything(db) == before
    assert transfers_to(localstripe, completed) == []


def test_reviewing_before_completion_is_a_failed_precondition(db, call, held, localstripe):
    before = everything(db)

    response = call(review_dispatcher, {"request_id": JOB, "rating": 5}, uid=CLIENT_ID)

    assert response.error == "FAILED_PRECONDITION"
    assert everything(db) == before
    assert transfers_to(localstripe, held) == []


def test_reviewing_twice_keeps_the_first_review_and_pays_once(db, call, clock, completed, localstripe):
    first = call(review_dispatcher, {"request_id": JOB, "rating": 4}, uid=CLIENT_ID).result
    after_first = everything(db)
    clock.advance(dt.timedelta(days=2))

    second = call(review_dispatcher, {"request_id": JOB, "rating": 1, "comment": "Changed my mind"}, uid=CLIENT_ID)

    assert second.status == 200 and second.result == first
    assert everything(db) == after_first
    assert stored(db, Collection.REVIEWS, JOB)["rating"] == 4
    assert len(transfers_to(localstripe, completed)) == 1
    assert_ledger_balanced(db, JOB)


# --- auto-approval ------------------------------------------------------------------------------------------


def test_nothing_is_auto_approved_before_the_48_hours(db, stripe_deps: Deps, clock: FixedClock, completed,
                                                      localstripe):
    clock.advance(dt.timedelta(hours=47, minutes=59))

    assert completions.auto_approve_completions(stripe_deps) == []

    completion = stored(db, Collection.JOB_COMPLETIONS, JOB)
    assert completion["payment_status"] == "pending_review" and completion["auto_approved"] is False
    assert payment_of(db, JOB)["payout_status"] == "held"
    assert transfers_to(localstripe, completed) == []
    assert_ledger_balanced(db, JOB)


def test_after_48_hours_without_a_review_the_completion_is_approved_and_paid(db, stripe_deps: Deps,
                                                                              clock: FixedClock, completed,
                                                                              localstripe):
    clock.advance(dt.timedelta(hours=48))

    assert completions.auto_approve_completions(stripe_deps) == [JOB]

    completion = stored(db, Collection.JOB_COMPLETIONS, JOB)
    assert completion["auto_approved"] is True and completion["payment_status"] == "completed"
    assert completion["payment_release_time"] == clock.now() and completion["client_reviewed"] is False
    [transfer] = transfers_to(localstripe, completed)
    assert transfer["amount"] == PRICE_MINOR - FEE_MINOR
    assert payment_of(db, JOB)["release_requested"] == "auto_approved"
    assert earnings_of(db)["paid_minor"] == PRICE_MINOR - FEE_MINOR
    assert completions.auto_approve_completions(stripe_deps) == []  # the next hour finds nothing to do
    assert len(transfers_to(localstripe, completed)) == 1
    assert_ledger_balanced(db, JOB)


def test_an_open_dispute_holds_the_money_and_its_resolution_refunds_part_and_pays_the_rest(
        db, stripe_deps: Deps, clock: FixedClock, completed, localstripe):
    dispute_id = disputes.raise_dispute(stripe_deps, CLIENT_ID, JOB, reason=DisputeReason.INCOMPLETE_SERVICE,
                                        description="Half the dents are still there.", evidence_urls=()).dispute_id
    clock.advance(dt.timedelta(hours=72))

    assert completions.auto_approve_completions(stripe_deps) == []

    assert stored(db, Collection.JOB_COMPLETIONS, JOB)["payment_status"] == "disputed"
    assert payment_of(db, JOB)["payout_status"] == "disputed"
    assert transfers_to(localstripe, completed) == []
    assert earnings_of(db)["pending_minor"] == PRICE_MINOR - FEE_MINOR
    assert_ledger_balanced(db, JOB)

    dispute_resolution.admin_resolve_dispute(stripe_deps, "admin-1", True, dispute_id, dispute_resolution.Decision(
        ResolutionAction.PARTIAL_REFUND, "Half the dents remained.", Decimal("16.00")))

    rest = PRICE_MINOR - 1600
    fee = 600  # 15 % of 40.00
    intent = intent_of(localstripe, db)
    [refund] = [r for r in localstripe.get("/v1/refunds")["data"] if r["payment_intent"] == intent["id"]]
    assert refund["amount"] == 1600
    [transfer] = transfers_to(localstripe, completed)
    assert transfer["amount"] == rest - fee
    payment = payment_of(db, JOB)
    assert payment["payout_status"] == "paid" and payment["dispute_open"] is False
    assert (payment["refunded_minor"], payment["held_minor"], payment["fee_minor"], payment["paid_out_minor"]) == (
        1600, 0, fee, rest - fee)
    assert stored(db, Collection.JOB_COMPLETIONS, JOB)["payment_status"] == "completed"
    earnings = earnings_of(db)
    assert (earnings["pending_minor"], earnings["paid_minor"]) == (0, rest - fee)
    assert_ledger_balanced(db, JOB)


def test_a_photo_with_a_jpeg_body_but_another_name_is_still_a_photo(db, call, bucket, held):
    """The bytes decide, not the name: the check is on content (a counterpart of the non-image case)."""
    good = list(upload_completion_photos(bucket, JOB))
    odd = upload_file(bucket, DISPATCHER_ID, name="side.jpeg", data=JPEG, folder=f"completion_photos/{JOB}")

    response = call(complete_job, completion_payload([*good[:3], odd]), uid=DISPATCHER_ID)

    assert response.status == 200, response.body
    assert_ledger_balanced(db, JOB)
