"""Technician verification through the deployed callables (spec section 11): each step's submission and its
checks, resubmission after a rejection, the admin's review and read model, and what becoming — or ceasing to
be — verified does to dispatch. Every refusal is shown to write nothing."""

from __future__ import annotations

import datetime as dt
import urllib.request
from typing import Any

import pytest

from curbside.domain.enums import RequestStatus, StepStatus
from curbside.domain.verification import local_today
from curbside.store.collections import Collection, doc_path, private_doc_path
from main import (
    accept_job,
    accept_offer,
    admin_get_verification,
    admin_list_verification_queue,
    admin_review_verification,
    list_available_jobs,
    set_availability,
    submit_verification_step,
    update_location,
)
from tests.factories import CLIENT_ID, make_job_offer, put
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored
from tests.technicians import add_technician, north_of, stored_entry
from tests.verification_world import (
    ADMIN,
    APPLICANT,
    CONSENT,
    PDF,
    add_applicant,
    identity_payload,
    upload,
    vehicle_payload,
)

Call = Any


@pytest.fixture
def today(deps) -> dt.date:
    return local_today(deps.clock.now(), deps.settings.default_time_zone)


@pytest.fixture
def applicant(db) -> str:
    return add_applicant(db)


def profile_of(db, uid: str = APPLICANT) -> dict[str, Any]:
    return stored(db, Collection.DISPATCHER_PROFILES, uid)


def private_of(db, uid: str = APPLICANT) -> dict[str, Any]:
    return db.document(private_doc_path(Collection.DISPATCHER_PROFILES, uid)).get().to_dict() or {}


def review(call: Call, step: str, decision: str, uid: str = APPLICANT, **extra: Any) -> Any:
    return call(admin_review_verification, {"dispatcher_id": uid, "step": step, "decision": decision, **extra},
                uid=ADMIN, admin=True)


def verify_everything(call: Call, db, bucket, today: dt.date, uid: str = APPLICANT) -> None:
    """Identity and vehicle submitted and approved, and the background check marked clear by its provider."""
    assert call(submit_verification_step, identity_payload(bucket, uid), uid=uid).result
    assert call(submit_verification_step, vehicle_payload(bucket, today, uid), uid=uid).result
    assert call(submit_verification_step, CONSENT, uid=uid).result
    db.document(private_doc_path(Collection.DISPATCHER_PROFILES, uid)).update(
        {"background_check_report_id": "rep_1", "background_check_report_status": "complete",
         "background_check_result": "clear"})
    for step in ("identity", "vehicle", "background_check"):
        assert review(call, step, "approved", uid).result["step_status"] == "approved"


# --- submitting each step ------------------------------------------------------------------------------------


def test_the_identity_step_goes_under_review_with_its_documents_kept_for_admins(db, call, bucket, clock, applicant):
    payload = identity_payload(bucket)

    answer = call(submit_verification_step, payload, uid=APPLICANT)

    assert answer.result == {"verification_status": "under_review", "step_status": "under_review"}
    profile, private = profile_of(db), private_of(db)
    assert (profile["identity_verification_status"], profile["identity_submitted_at"]) == ("under_review",
                                                                                          clock.now())
    assert profile["awaiting_review_since"] == clock.now() and profile["passport_verified"] is False
    assert (private["identity_document_type"], private["passport_image_url"], private["identity_document_back_url"],
            private["drivers_license_url"]) == ("national_id", payload["identity_document_front"],
                                                payload["identity_document_back"], payload["drivers_license"])
    assert "passport_image_url" not in profile, "documents stay in the admin-only private part"


def test_a_passport_needs_no_back(db, call, bucket, applicant):
    payload = identity_payload(bucket, identity_document_type="passport")
    del payload["identity_document_back"]

    assert call(submit_verification_step, payload, uid=APPLICANT).result["step_status"] == "under_review"
    assert private_of(db)["identity_document_back_url"] is None


def test_the_vehicle_step_records_the_vehicle_on_the_profile(db, call, bucket, today, applicant):
    payload = vehicle_payload(bucket, today)

    assert call(submit_verification_step, payload, uid=APPLICANT).result["step_status"] == "under_review"

    profile = profile_of(db)
    assert (profile["vehicle_make_model"], profile["vehicle_year"], profile["vehicle_color"],
            profile["vehicle_license_plate"], profile["vehicle_insurance_expiry"]) == (
        "Ford Transit", "2021", "white", "AB 12 CDE", payload["vehicle_insurance_expiry"])
    assert profile["vehicle_images"] == [payload["vehicle_photos"][side] for side in ("front", "back", "left", "right")]
    assert (private_of(db)["vehicle_registration_url"], private_of(db)["vehicle_insurance_url"]) == (
        payload["vehicle_registration"], payload["vehicle_insurance"])


def test_consenting_records_consent_and_asks_the_provider_through_the_outbox(db, call, clock, applicant):
    answer = call(submit_verification_step, CONSENT, uid=APPLICANT)

    assert answer.result == {"verification_status": "under_review", "step_status": "under_review"}
    profile = profile_of(db)
    assert (profile["background_check_consent"], profile["background_check_consent_date"]) == (True, clock.now())
    assert profile["awaiting_review_since"] is None, "the provider answers first; no admin is needed yet"
    entry = stored(db, Collection.OUTBOX, f"background_check:{APPLICANT}:1")
    assert entry["status"] == "pending" and "VendorUnavailable" in entry["last_error"], \
        "the provider is unreachable here: the call stays pending for the sweep"
    assert private_of(db)["background_check_attempts"] == 1


# --- bad input writes nothing ----------------------------------------------------------------------------------


def _bad_payloads(bucket: Any, today: dt.date) -> dict[str, tuple[dict[str, Any], str, str]]:
    mine = f"users/{APPLICANT}/verification_documents"
    theirs = upload(bucket, "users/someone-else/verification_documents/passport.jpg")
    text = upload(bucket, f"{mine}/notes.jpg", b"just some text, not an image", "image/jpeg")
    return {
        "another user's document": (identity_payload(bucket, identity_document_front=theirs), "INVALID_ARGUMENT",
                                    "identity_document_front[0]: upload the document to users/uid-applicant/"),
        "a missing file": (identity_payload(bucket, drivers_license=f"{mine}/never-uploaded.pdf"),
                           "INVALID_ARGUMENT", "there is no uploaded file"),
        "a file that is no image or PDF": (identity_payload(bucket, identity_document_back=text), "INVALID_ARGUMENT",
                                           "is not a JPEG, PNG, WebP or HEIC image or a PDF"),
        "a vehicle photo outside vehicle_photos/": (vehicle_payload(bucket, today, vehicle_photos={
            "front": upload(bucket, f"{mine}/front.jpg"), "back": f"users/{APPLICANT}/vehicle_photos/back.jpg",
            "left": f"users/{APPLICANT}/vehicle_photos/left.jpg",
            "right": f"users/{APPLICANT}/vehicle_photos/right.jpg"}),
            "INVALID_ARGUMENT", "vehicle_photos[0]"),
        "a vehicle from 1850": (vehicle_payload(bucket, today, vehicle_year=1850), "INVALID_ARGUMENT",
                                "vehicle_year: 1850 is not a year between 1980 and"),
        "a vehicle from the year after next": (vehicle_payload(bucket, today, vehicle_year=today.year + 2),
                                               "INVALID_ARGUMENT", "vehicle_year"),
        "an expired insurance": (vehicle_payload(bucket, today, vehicle_insurance_expiry=today.isoformat()),
                                 "INVALID_ARGUMENT", "vehicle_insurance_expiry: the insurance must be current"),
        "a plate that is no plate": (vehicle_payload(bucket, today, vehicle_license_plate="<script>"),
                                     "INVALID_ARGUMENT", "vehicle_license_plate"),
        "consent false": ({"step": "background_check", "background_check_consent": False}, "INVALID_ARGUMENT",
                          "runs only with your consent"),
        "no consent at all": ({"step": "background_check"}, "INVALID_ARGUMENT", "needs background_check_consent"),
        "a step that does not exist": ({"step": "criminal_record", "background_check_consent": True},
                                       "INVALID_ARGUMENT", "step: Input should be"),
        "another step's fields": ({**CONSENT, "vehicle_year": 2020}, "INVALID_ARGUMENT",
                                  "vehicle_year belong to another step"),
        "a national ID without its back": (identity_payload(bucket, identity_document_back=None), "INVALID_ARGUMENT",
                                           "a national ID needs identity_document_back"),
        "an unknown field": ({**CONSENT, "verification_status": "verified"}, "INVALID_ARGUMENT",
                             "verification_status: is not an accepted field"),
    }


BAD = ["another user's document", "a missing file", "a file that is no image or PDF",
       "a vehicle photo outside vehicle_photos/", "a vehicle from 1850", "a vehicle from the year after next",
       "an expired insurance", "a plate that is no plate", "consent false", "no consent at all",
       "a step that does not exist", "another step's fields", "a national ID without its back", "an unknown field"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_with_a_clear_error_and_writes_nothing(db, call, bucket, *, today, applicant, case):
    payload, code, message = _bad_payloads(bucket, today)[case]
    before = everything(db)

    refused = call(submit_verification_step, payload, uid=APPLICANT)

    assert (refused.error, message in refused.message) == (code, True), refused.message
    assert everything(db) == before


def test_only_a_signed_in_technician_submits(db, call, bucket):
    add_client(db)
    payload = identity_payload(bucket, uid=CLIENT_ID)
    before = everything(db)

    assert call(submit_verification_step, payload, uid=CLIENT_ID).error == "PERMISSION_DENIED"
    assert call(submit_verification_step, payload).error == "UNAUTHENTICATED"
    assert everything(db) == before


def test_a_step_under_review_or_approved_cannot_be_submitted_again(db, call, bucket, applicant):
    assert call(submit_verification_step, identity_payload(bucket), uid=APPLICANT).result
    before = everything(db)
    again = call(submit_verification_step, identity_payload(bucket), uid=APPLICANT)
    assert (again.error, "being reviewed" in again.message) == ("FAILED_PRECONDITION", True)
    assert everything(db) == before

    assert review(call, "identity", "approved").result["step_status"] == "approved"
    before = everything(db)
    again = call(submit_verification_step, identity_payload(bucket), uid=APPLICANT)
    assert (again.error, "approved and cannot be changed" in again.message) == ("FAILED_PRECONDITION", True)
    assert everything(db) == before


# --- review, rejection and resubmission ----------------------------------------------------------------------------


def test_a_rejected_step_shows_its_reason_and_can_be_resubmitted(db, call, bucket, clock, applicant):
    call(submit_verification_step, identity_payload(bucket), uid=APPLICANT)

    rejected = review(call, "identity", "rejected", rejection_reason="The licence photo is blurred.",
                      notes="Licence unreadable; name matches.")

    assert rejected.result == {"verification_status": "rejected", "step_status": "rejected"}
    profile = profile_of(db)
    assert (profile["identity_rejection_reason"], profile["rejection_reason"], profile["awaiting_review_since"]) == (
        "The licence photo is blurred.", "Identity: The licence photo is blurred.", None)
    private = private_of(db)
    assert private["verification_notes"] == "Licence unreadable; name matches."
    assert private["step_reviews"]["identity"]["reviewed_by"] == ADMIN
    notices = [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream()]
    assert [(n["user_id"], n["type"], n["title"]) for n in notices] == [
        (APPLICANT, "verification_update", "Identity needs attention")]
    assert "The licence photo is blurred." in notices[0]["body"]

    clock.advance(dt.timedelta(hours=1))
    again = call(submit_verification_step, identity_payload(bucket), uid=APPLICANT)

    assert again.result == {"verification_status": "under_review", "step_status": "under_review"}
    profile = profile_of(db)
    assert (profile["identity_rejection_reason"], profile["rejection_reason"], profile["awaiting_review_since"]) == (
        None, None, clock.now())


def test_only_admins_review_and_nothing_is_written_otherwise(db, call, bucket, applicant):
    call(submit_verification_step, identity_payload(bucket), uid=APPLICANT)
    before = everything(db)
    data = {"dispatcher_id": APPLICANT, "step": "identity", "decision": "approved"}

    assert call(admin_review_verification, data, uid=APPLICANT).error == "PERMISSION_DENIED"
    assert call(admin_review_verification, data, uid="someone", admin="yes").error == "PERMISSION_DENIED"
    assert call(admin_list_verification_queue, {}, uid=APPLICANT).error == "PERMISSION_DENIED"
    assert call(admin_get_verification, {"dispatcher_id": APPLICANT}, uid=APPLICANT).error == "PERMISSION_DENIED"
    no_reason = review(call, "identity", "rejected")
    assert (no_reason.error, "rejection_reason" in no_reason.message) == ("INVALID_ARGUMENT", True)
    assert review(call, "identity", "approved", uid="nobody").error == "NOT_FOUND"
    assert review(call, "passport", "approved").error == "INVALID_ARGUMENT"
    not_submitted = review(call, "vehicle", "approved")
    assert (not_submitted.error, not_submitted.message) == (
        "FAILED_PRECONDITION", "A vehicle step that is pending cannot become approved.")
    assert everything(db) == before


def test_an_admin_cannot_approve_what_is_not_ready(db, call, bucket, today, applicant):
    call(submit_verification_step, CONSENT, uid=APPLICANT)
    call(submit_verification_step, vehicle_payload(bucket, today), uid=APPLICANT)
    db.document(doc_path(Collection.DISPATCHER_PROFILES, APPLICANT)).update(
        {"vehicle_insurance_expiry": (today - dt.timedelta(days=1)).isoformat()})
    before = everything(db)

    waiting = review(call, "background_check", "approved")
    lapsed = review(call, "vehicle", "approved")

    assert (waiting.error, "has not finished its report" in waiting.message) == ("FAILED_PRECONDITION", True)
    assert (lapsed.error, "insurance has expired" in lapsed.message) == ("FAILED_PRECONDITION", True)
    assert everything(db) == before


# --- becoming verified, and losing it --------------------------------------------------------------------------


def test_three_approvals_verify_the_technician_who_may_then_go_online_and_be_found(db, call, bucket, *, clock, today,
                                                                                  applicant):
    assert call(set_availability, {"online": True}, uid=APPLICANT).error == "FAILED_PRECONDITION"

    verify_everything(call, db, bucket, today)

    profile = profile_of(db)
    assert (profile["verification_status"], profile["passport_verified"], profile["verification_completed_date"]) == (
        "verified", True, clock.now())
    entry = db.document(doc_path(Collection.DISPATCHER_LOCATIONS, APPLICANT)).get()
    assert entry.to_dict()["verified"] is True, "the dispatch index follows in the approval's commit"
    assert call(set_availability, {"online": True}, uid=APPLICANT).result == {"online": True}
    fix = {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "accuracy_m": 10.0,
           "recorded_at": clock.now().isoformat().replace("+00:00", "Z")}
    assert call(update_location, fix, uid=APPLICANT).result == {"accepted": True}
    assert stored_entry(db, APPLICANT).searchable
    titles = [snap.to_dict()["title"] for snap in db.collection(Collection.NOTIFICATIONS).stream()]
    assert "You are verified" in titles


def test_losing_verification_takes_the_technician_out_of_dispatch_in_the_same_commit(db, call, clock, *, bucket,
                                                                                    today, applicant):
    verify_everything(call, db, bucket, today)
    call(set_availability, {"online": True}, uid=APPLICANT)
    call(update_location, {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "accuracy_m": 10.0,
                           "recorded_at": clock.now().isoformat().replace("+00:00", "Z")}, uid=APPLICANT)
    add_client(db)
    job = add_job(db, RequestStatus.PENDING, location_lat=NEAR_CBD[0], location_lng=NEAR_CBD[1])
    other = add_job(db, RequestStatus.PENDING, location_lat=NEAR_CBD[0], location_lng=NEAR_CBD[1])
    put(db, make_job_offer(id=f"{job.id}:1", request_id=job.id, dispatcher_id=APPLICANT, offered_at=clock.now(),
                           expires_at=clock.now() + dt.timedelta(seconds=60)))
    add_technician(db, "uid-next", at=north_of(NEAR_CBD, 700), fixed_at=clock.now())
    assert [row["request_id"] for row in call(list_available_jobs, {}, uid=APPLICANT).result["jobs"]] != []

    revoked = review(call, "vehicle", "rejected", rejection_reason="The vehicle photos show another van.")

    assert revoked.result == {"verification_status": "rejected", "step_status": "rejected"}
    profile_snap = db.document(doc_path(Collection.DISPATCHER_PROFILES, APPLICANT)).get()
    entry_snap = db.document(doc_path(Collection.DISPATCHER_LOCATIONS, APPLICANT)).get()
    assert (entry_snap.to_dict()["searchable"], entry_snap.to_dict()["search_cells"]) == (False, [])
    assert entry_snap.update_time == profile_snap.update_time, "the entry changed in the rejection's commit"
    withdrawn = stored(db, Collection.JOB_OFFERS, f"{job.id}:1")
    assert (withdrawn["offer_status"], withdrawn["rejection_reason"]) == ("expired", "technician_not_verified")
    assert "location_address" not in withdrawn["job_details"]
    assert stored(db, Collection.JOB_OFFERS, f"{job.id}:2")["dispatcher_id"] == "uid-next", "offered on at once"
    note = stored(db, Collection.NOTIFICATIONS,
                  f"verification_update:vehicle:{int(clock.now().timestamp() * 1000)}:rejected:{APPLICANT}")
    assert "You receive no job offers until it is approved again." in note["body"]
    # and the technician gets no feed, cannot take the offer or a job from the feed
    assert call(list_available_jobs, {}, uid=APPLICANT).result == {"jobs": []}
    assert call(accept_offer, {"offer_id": f"{job.id}:1"}, uid=APPLICANT).error == "FAILED_PRECONDITION"
    taken = call(accept_job, {"request_id": other.id}, uid=APPLICANT)
    assert (taken.error, taken.message) == ("PERMISSION_DENIED", "Finish your verification before accepting jobs.")
    assert call(set_availability, {"online": True}, uid=APPLICANT).error == "FAILED_PRECONDITION"


# --- the admin read model --------------------------------------------------------------------------------------


def test_the_queue_lists_technicians_waiting_for_an_admin_oldest_first(db, call, bucket, clock, today):
    for uid in ("uid-late", "uid-early", "uid-waiting-on-provider"):
        add_applicant(db, uid, name=f"Tech {uid}")
    call(submit_verification_step, identity_payload(bucket, "uid-early"), uid="uid-early")
    clock.advance(dt.timedelta(minutes=30))
    call(submit_verification_step, CONSENT, uid="uid-waiting-on-provider")
    call(submit_verification_step, vehicle_payload(bucket, today, "uid-late"), uid="uid-late")

    queue = call(admin_list_verification_queue, {}, uid=ADMIN, admin=True).result

    assert [row["dispatcher_id"] for row in queue["technicians"]] == ["uid-early", "uid-late"]
    assert queue["waiting"] == 2
    assert queue["technicians"][1]["steps"] == {"identity": "pending", "vehicle": "under_review",
                                                "background_check": "pending"}
    assert queue["technicians"][0]["full_name"] == "Tech uid-early"


def test_an_admin_sees_the_documents_through_short_lived_links(db, call, bucket, today, applicant):
    identity = identity_payload(bucket)
    call(submit_verification_step, identity, uid=APPLICANT)
    call(submit_verification_step, vehicle_payload(bucket, today), uid=APPLICANT)

    file = call(admin_get_verification, {"dispatcher_id": APPLICANT}, uid=ADMIN, admin=True).result

    names = [document["name"] for document in file["documents"]]
    assert names == ["identity_document_front", "identity_document_back", "drivers_license", "vehicle_registration",
                     "vehicle_insurance", "vehicle_photo_front", "vehicle_photo_back", "vehicle_photo_left",
                     "vehicle_photo_right"]
    licence = next(document for document in file["documents"] if document["name"] == "drivers_license")
    assert "X-Goog-Expires=900" in licence["url"] and "X-Goog-Signature=" in licence["url"]
    with urllib.request.urlopen(licence["url"], timeout=5) as answer:
        assert answer.read() == PDF
    assert file["steps"]["identity"]["status"] == "under_review" and file["vehicle"]["license_plate"] == "AB 12 CDE"


def test_an_upload_of_a_pdf_vehicle_photo_is_refused(db, call, bucket, today, applicant):
    photos = {side: upload(bucket, f"users/{APPLICANT}/vehicle_photos/{side}.jpg") for side in
              ("front", "back", "left")}
    photos["right"] = upload(bucket, f"users/{APPLICANT}/vehicle_photos/right.pdf", PDF, "application/pdf")
    before = everything(db)

    refused = call(submit_verification_step, vehicle_payload(bucket, today, vehicle_photos=photos), uid=APPLICANT)

    assert (refused.error, "vehicle_photos[3]" in refused.message) == ("INVALID_ARGUMENT", True)
    assert everything(db) == before
    assert StepStatus(profile_of(db)["vehicle_verification_status"]) is StepStatus.PENDING
