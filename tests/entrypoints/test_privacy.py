"""The privacy rights (issue 15, D73-D74) through the deployed entry points, on the Firestore and Storage
emulators: the export archive behind a short-lived link, and deletion — refused (nothing written) while a job,
a dispute or money still binds the person; otherwise their name, e-mail and phone are found nowhere afterwards,
in any collection or in the bucket, the money records stay under their pseudonymous uid, and a second run
changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from decimal import Decimal

import pytest

from curbside import deps as deps_module
from curbside.domain.documents import OutboxEntry
from curbside.domain.enums import (
    AccountStatus,
    DisputeStatus,
    EffectStatus,
    NotificationType,
    OfferStatus,
    PayoutStatus,
    RequestStatus,
    UserType,
)
from curbside.domain.rate_limits import Limit
from curbside.services import outbox, privacy
from curbside.services.accounts import ACCOUNT_DELETED
from curbside.store.collections import Collection
from main import delete_my_account, export_my_data
from tests.factories import (
    DISPATCHER_ID,
    make_client_profile,
    make_client_profile_private,
    make_client_review,
    make_conversation,
    make_dispatcher_location,
    make_dispatcher_profile,
    make_dispatcher_profile_private,
    make_dispute,
    make_dispute_comment,
    make_job_completion,
    make_job_contact,
    make_job_offer,
    make_job_payment,
    make_message,
    make_notification,
    make_notification_preferences,
    make_outbox_entry,
    make_payment_ledger_entry,
    make_phone_verification,
    make_points_ledger_entry,
    make_quarantined_upload,
    make_review,
    make_service_request,
    make_support_message,
    make_support_ticket,
    make_user,
    make_user_private,
    put,
    put_private,
)
from tests.request_world import JPEG, add_dispatcher, everything, stored, upload_photo

BUSY = "uid-busy"
OTHER = "uid-other-client"
NAME, EMAIL, PHONE = "Morgan Quill", "morgan.quill@example.org", "+61400111222"
AS_CLIENT, AS_TECH = "job-as-client", "job-as-tech"


@pytest.fixture
def busy(db, bucket, clock) -> str:
    """A person who is both client and technician, with a finished job on each side and a trail in every part
    of the platform: chat, reviews both ways, a decided dispute, a ticket, points, payments, notices, uploads."""
    now = clock.now()
    earlier = now - dt.timedelta(days=20)
    put(db, make_user(id=BUSY, uid=BUSY, full_name=NAME, display_name="Morgan", email=EMAIL, phone_number=PHONE,
                      user_type=UserType.BOTH, fcm_tokens=["fcm-token-of-morgans-phone"]))
    put(db, make_client_profile(id=BUSY, user_id=BUSY, license_plate="QUILL-1",
                                car_images=[f"users/{BUSY}/car_photos/front.jpg"]))
    put_private(db, BUSY, make_client_profile_private(phone_number=PHONE, billing_address="7 Quill Lane, Sydney",
                                                      stripe_customer_id=None))  # Stripe's part: its own test
    put(db, make_dispatcher_profile(id=BUSY, user_id=BUSY, bio=f"I am {NAME}, call {PHONE}"))
    put_private(db, BUSY, make_dispatcher_profile_private(phone_number=PHONE, bank_details="IBAN of Morgan Quill",
                                                          passport_image_url=f"users/{BUSY}/verification_documents/p.jpg"))
    put(db, make_dispatcher_location(id=BUSY, dispatcher_id=BUSY, is_online=True, active_jobs=0))
    put(db, make_notification_preferences(id=BUSY, user_id=BUSY))
    put(db, make_phone_verification(id=BUSY, user_id=BUSY, phone_number=PHONE, started_at=[earlier]))
    add_dispatcher(db)
    put(db, make_user(id=OTHER, uid=OTHER, full_name="Olive Other", user_type=UserType.CLIENT))
    jobs = {AS_CLIENT: {"client_id": BUSY, "client_name": NAME, "dispatcher_id": DISPATCHER_ID,
                        "dispatcher_name": "Sam Tech", "notes": f"Ring {PHONE} at the gate"},
            AS_TECH: {"client_id": OTHER, "client_name": "Olive Other", "dispatcher_id": BUSY, "dispatcher_name": NAME}}
    for job_id, parties in jobs.items():
        put(db, make_service_request(id=job_id, status=RequestStatus.COMPLETED, completed_at=earlier,
                                     license_plate="QUILL-1" if job_id == AS_CLIENT else "OTHER-9", **parties))
        put(db, make_job_payment(id=job_id, request_id=job_id, client_id=parties["client_id"],
                                 dispatcher_id=parties["dispatcher_id"], payout_status=PayoutStatus.PAID,
                                 amount_minor=5600, captured_minor=5600, paid_out_minor=4760, refunded_minor=0,
                                 held_minor=0, refunds={}, stripe_refund_ids=[]))
        put(db, make_conversation(id=job_id, request_id=job_id, client_id=parties["client_id"],
                                  dispatcher_id=parties["dispatcher_id"], last_message=f"Thanks, {NAME} here",
                                  last_sender_id=BUSY))
        put(db, make_message(id=f"msg-{job_id}", request_id=job_id, sender_id=BUSY, sender_name=NAME,
                             message=f"My number is {PHONE}", image_url=f"users/{BUSY}/chat_images/{job_id}/a.jpg"))
        put(db, make_job_contact(id=job_id, request_id=job_id, client_id=parties["client_id"],
                                 dispatcher_id=parties["dispatcher_id"], client_name=parties["client_name"],
                                 dispatcher_name=parties["dispatcher_name"], client_phone=PHONE,
                                 dispatcher_phone=PHONE))
    put(db, make_job_offer(id=f"offer-{AS_TECH}", request_id=AS_TECH, dispatcher_id=BUSY, dispatcher_name=NAME,
                           offer_status=OfferStatus.ACCEPTED))
    put(db, make_job_completion(id=AS_TECH, request_id=AS_TECH, client_id=OTHER, dispatcher_id=BUSY,
                                completion_images=[f"users/{BUSY}/completion_photos/{AS_TECH}/{n}.jpg"
                                                   for n in range(4)]))
    put(db, make_payment_ledger_entry(id=f"payout:{AS_TECH}", request_id=AS_TECH, dispatcher_id=BUSY,
                                      amount_minor=4760, amount=Decimal("47.60")))
    put(db, make_review(id=AS_CLIENT, request_id=AS_CLIENT, reviewer_id=BUSY, reviewee_id=DISPATCHER_ID,
                        comment=f"Great work, {NAME}"))
    put(db, make_client_review(id=AS_TECH, request_id=AS_TECH, reviewer_id=BUSY, reviewee_id=OTHER,
                               reviewer_name=NAME, comment="Lovely client"))
    put(db, make_client_review(id=AS_CLIENT, request_id=AS_CLIENT, reviewer_id=DISPATCHER_ID, reviewee_id=BUSY,
                               reviewer_name="Sam Tech", comment="Friendly", applied=True))
    put(db, make_client_review(id="review-not-yet-applied", request_id="another-job", reviewer_id=DISPATCHER_ID,
                               reviewee_id=BUSY, reviewer_name="Sam Tech", comment="Not yet visible", applied=False))
    put(db, make_dispute(id="dispute-busy", request_id=AS_CLIENT, job_completion_id=AS_CLIENT, client_id=BUSY,
                         dispatcher_id=DISPATCHER_ID, raised_by_user_id=BUSY, raised_by_name=NAME,
                         description=f"{NAME} here: the dent is still there, call {PHONE}",
                         status=DisputeStatus.CLOSED, evidence_urls=[f"users/{BUSY}/dispute_evidence/x.jpg"]))
    put(db, make_dispute_comment(id="comment-busy", dispute_id="dispute-busy", user_id=BUSY, user_name=NAME,
                                 comment=f"Email me at {EMAIL}"))
    put(db, make_support_ticket(id="ticket-busy", user_id=BUSY, user_name=NAME, user_email=EMAIL,
                                subject=f"Refund for {NAME}"))
    put(db, make_support_message(id="support-msg-busy", ticket_id="ticket-busy", sender_id=BUSY, sender_name=NAME,
                                 message=f"Call me: {PHONE}"))
    put(db, make_points_ledger_entry(id=f"job:{AS_CLIENT}", client_id=BUSY, points=56, request_id=AS_CLIENT))
    put(db, make_notification(id="notice-busy", user_id=BUSY, type=NotificationType.JOB_COMPLETED,
                              title=f"Hi {NAME}", body="Your job is done", request_id=AS_CLIENT))
    # What the platform told the other side of the technician's job, naming them (job_moves: "{name} is on the way").
    put(db, make_notification(id="notice-other", user_id=OTHER, type=NotificationType.DISPATCHER_EN_ROUTE,
                              title="Your technician is on the way", body=f"{NAME} is on the way",
                              request_id=AS_TECH))
    put(db, make_quarantined_upload(id="quarantine-busy", owner_id=BUSY, object_name=f"users/{BUSY}/car_photos/x.jpg",
                                    quarantine_name=f"quarantine/users/{BUSY}/car_photos/x.jpg"))
    bucket.blob(f"quarantine/users/{BUSY}/car_photos/x.jpg").upload_from_string(f"{NAME}".encode())
    put(db, make_outbox_entry(id=f"start_background_check:{BUSY}:1", kind="start_background_check", key=f"{BUSY}:1",
                              payload={"uid": BUSY, "attempt": 1, "email": EMAIL, "full_name": NAME},
                              status=EffectStatus.DONE))
    for path in (f"users/{BUSY}/car_photos/front.jpg", f"users/{BUSY}/chat_images/{AS_CLIENT}/a.jpg",
                 f"users/{BUSY}/verification_documents/p.jpg", f"users/{BUSY}/dispute_evidence/x.jpg"):
        bucket.blob(path).upload_from_string(JPEG, content_type="image/jpeg")
    upload_photo(bucket, OTHER, name="theirs.jpg")
    return BUSY


def traces(db, bucket) -> list[str]:
    """Every place — document (any collection, private parts included) or stored file — that still holds the
    person's name, e-mail or phone number, and every file of theirs (their folder, their quarantined uploads)."""
    found = [path for path, data in everything(db).items()
             if any(needle.lower() in json.dumps(data, default=str).lower() for needle in (NAME, EMAIL, PHONE))]
    for blob in bucket.list_blobs():
        content = blob.download_as_bytes()
        if f"users/{BUSY}/" in blob.name or any(needle.encode() in content for needle in (NAME, EMAIL, PHONE)):
            found.append(f"gs://{blob.name}")
    return found


# --- export -------------------------------------------------------------------------------------------------------


def test_the_export_is_one_archive_of_everything_behind_a_short_lived_link(db, call, busy, clock):
    put_private(db, BUSY, make_user_private(account_status=AccountStatus.SHADOW_BANNED,
                                            account_status_reason="admin-only reason"))

    response = call(export_my_data, {}, uid=busy)

    assert response.status == 200, response.body
    link = response.result["download_url"]
    assert "X-Goog-Expires=900" in link and "X-Goog-Signature=" in link
    assert response.result["path"].startswith(f"users/{BUSY}/exports/")
    with urllib.request.urlopen(link, timeout=5) as answer:
        archive = json.loads(answer.read())
    held = archive["collections"]
    assert [doc["id"] for doc in held["ServiceRequests"]] == [AS_CLIENT, AS_TECH]
    assert {doc["id"] for doc in held["Messages"]} == {f"msg-{AS_CLIENT}", f"msg-{AS_TECH}"}
    # Written and received, a received one once it is applied (as the app shows it).
    assert {doc["id"] for doc in held["ClientReviews"]} == {AS_CLIENT, AS_TECH}
    assert [doc["id"] for doc in held["Reviews"]] == [AS_CLIENT]
    assert [doc["id"] for doc in held["Disputes"]] == ["dispute-busy"]  # found twice (raiser, client), once here
    assert {doc["id"] for doc in held["JobPayments"]} == {AS_CLIENT, AS_TECH}
    assert [doc["id"] for doc in held["SupportTickets"]] == ["ticket-busy"]
    assert [doc["id"] for doc in held["PointsLedger"]] == [f"job:{AS_CLIENT}"]
    assert [doc["id"] for doc in held["Notifications"]] == ["notice-busy"]  # not the other client's
    assert held["Users"][0]["email"] == EMAIL
    assert archive["private"]["ClientProfiles"] == {"phone_number": PHONE, "billing_address": "7 Quill Lane, Sydney"}
    assert response.result["documents"] == sum(len(docs) for docs in held.values())
    text = json.dumps(archive)
    # Nothing only admins see, and nothing a shadow-banned person could tell from.
    for secret in ("shadow_banned", "admin-only reason", "account_status", "cus_busy", "JobContacts"):
        assert secret not in text
    assert "Olive Other" not in json.dumps(held["Notifications"])


def test_a_new_export_replaces_the_last_and_exports_are_rate_limited(db, call, busy, clock, *, bucket, deps):
    deps_module.install(dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, rate_limits=(
        dataclasses.replace(deps.settings.rate_limits, export_my_data=Limit(
            "export_my_data", 2, dt.timedelta(days=1), "data exports"))))))
    first = call(export_my_data, {}, uid=busy).result["path"]
    clock.advance(dt.timedelta(minutes=1))
    second = call(export_my_data, {}, uid=busy).result["path"]
    assert [blob.name for blob in bucket.list_blobs(prefix=f"users/{BUSY}/exports/")] == [second] != [first]
    before = everything(db)

    refused = call(export_my_data, {}, uid=busy)

    assert refused.error == "RESOURCE_EXHAUSTED" and "at most 2 every 24 hours" in refused.message
    assert everything(db) == before


# --- deletion -------------------------------------------------------------------------------------------------------


def test_deleting_erases_the_person_everywhere_keeps_the_money_records_and_runs_once(db, call, busy, bucket, *, deps,
                                                                                      auth_admin):
    assert traces(db, bucket)  # the scan finds the seeded person before
    price = stored(db, Collection.SERVICE_REQUESTS, AS_CLIENT)["final_price"]

    response = call(delete_my_account, {}, uid=busy)

    assert response.status == 200, response.body
    assert traces(db, bucket) == []
    assert auth_admin.deleted == {BUSY}
    # Kept, under the uid alone: the payments, the payout ledger, the points, the jobs themselves.
    assert stored(db, Collection.JOB_PAYMENTS, AS_TECH)["paid_out_minor"] == 4760
    assert stored(db, Collection.PAYMENT_LEDGER, f"payout:{AS_TECH}")["dispatcher_id"] == BUSY
    assert stored(db, Collection.POINTS_LEDGER, f"job:{AS_CLIENT}")["points"] == 56
    job = stored(db, Collection.SERVICE_REQUESTS, AS_CLIENT)
    assert (job["client_id"], job["client_name"], job["notes"], job["final_price"]) == (BUSY, "Deleted user", None,
                                                                                        price)
    assert stored(db, Collection.USERS, BUSY)["fcm_tokens"] == []
    assert stored(db, Collection.NOTIFICATIONS, "notice-other")["body"] == "Deleted user is on the way"
    for gone in ((Collection.DISPATCHER_LOCATIONS, BUSY), (Collection.NOTIFICATIONS, "notice-busy"),
                 (Collection.JOB_CONTACTS, AS_CLIENT), (Collection.PHONE_VERIFICATIONS, BUSY),
                 (Collection.QUARANTINED_UPLOADS, "quarantine-busy")):
        assert stored(db, *gone) == {}
    assert [blob.name for blob in bucket.list_blobs()] == [f"users/{OTHER}/car_photos/theirs.jpg"]

    # Once: the account is refused everywhere (its ID token lives up to an hour), the use case answers the first
    # deletion's time, and the erasure run again (the sweep after a lost answer) writes nothing.
    after = everything(db)
    for function in (delete_my_account, export_my_data):
        refused = call(function, {}, uid=busy)
        assert (refused.error, refused.message) == ("PERMISSION_DENIED", ACCOUNT_DELETED)
    assert privacy.delete_my_account(deps, BUSY).deleted_at == dt.datetime.fromisoformat(
        response.result["deleted_at"])
    (entry_path,) = [path for path in after if path.startswith("Outbox/erase_account")]
    privacy.HANDLERS[privacy.ERASE_ACCOUNT](deps, OutboxEntry.model_validate(after[entry_path]))
    assert everything(db) == after


@pytest.fixture
def bound(db) -> str:
    """The person alone (what binds them is added by each case)."""
    put(db, make_user(id=BUSY, uid=BUSY, full_name=NAME, user_type=UserType.BOTH))
    put(db, make_dispatcher_profile(id=BUSY, user_id=BUSY))
    return BUSY


@pytest.mark.parametrize(("case", "message"), [
    ("pending job as client", "You have a job that is not finished"),
    ("job in progress as technician", "You have a job in progress as a technician"),
    ("open dispute", "A dispute about one of your jobs is still open"),
    ("payment held", "A payment for one of your jobs is still held"),
    ("payout not made", "Money for one of your jobs has not been paid out to you yet"),
])
def test_deletion_is_refused_while_something_binds_the_person_and_writes_nothing(db, call, bound, case, message):
    if case == "pending job as client":
        put(db, make_service_request(id="job-pending", client_id=BUSY, status=RequestStatus.PENDING))
    elif case == "job in progress as technician":
        put(db, make_service_request(id="job-live", client_id=OTHER, dispatcher_id=BUSY,
                                     status=RequestStatus.IN_PROGRESS))
    elif case == "open dispute":
        put(db, make_dispute(id="dispute-open", dispatcher_id=BUSY, status=DisputeStatus.UNDER_REVIEW))
    elif case == "payment held":
        put(db, make_job_payment(id="pay-held", client_id=BUSY, payout_status=PayoutStatus.HELD))
    else:
        put(db, make_job_payment(id="pay-owed", dispatcher_id=BUSY, payout_status=PayoutStatus.AWAITING_PAYOUT_ACCOUNT))
    before = everything(db)

    refused = call(delete_my_account, {}, uid=bound)

    assert refused.error == "FAILED_PRECONDITION" and refused.message.startswith(message)
    assert everything(db) == before


def test_a_pending_offer_is_withdrawn_and_handed_on_when_a_technician_deletes(db, call, busy):
    put(db, make_service_request(id="job-offered", client_id=OTHER, status=RequestStatus.PENDING))
    put(db, make_job_offer(id="offer-pending", request_id="job-offered", dispatcher_id=BUSY,
                           offer_status=OfferStatus.PENDING))

    assert call(delete_my_account, {}, uid=busy).status == 200

    assert stored(db, Collection.JOB_OFFERS, "offer-pending")["offer_status"] == "expired"
    assert stored(db, Collection.DISPATCHER_LOCATIONS, BUSY) == {}



def test_with_firebase_auth_down_the_sweep_finishes_the_erasure(db, call, bound, bucket, *, deps, auth_admin):
    upload_photo(bucket, BUSY, name="mine.jpg")
    auth_admin.down = True

    assert call(delete_my_account, {}, uid=bound).status == 200  # the account is marked: the rest is the outbox's

    entry = stored(db, Collection.OUTBOX, f"{privacy.ERASE_ACCOUNT}:{BUSY}")
    assert entry["status"] == "pending" and auth_admin.deleted == set()
    auth_admin.down = False
    deps.clock.advance(dt.timedelta(minutes=2))
    outbox.sweep(deps)
    assert stored(db, Collection.OUTBOX, f"{privacy.ERASE_ACCOUNT}:{BUSY}")["status"] == "done"
    assert auth_admin.deleted == {BUSY} and list(bucket.list_blobs(prefix=f"users/{BUSY}/")) == []
    assert stored(db, Collection.USERS, BUSY)["full_name"] == "Deleted user"


def test_simultaneous_deletions_mark_the_account_once(db, bound, deps):
    barrier = threading.Barrier(3)
    answers: list[privacy.AccountDeleted] = []

    def delete() -> None:
        barrier.wait()
        answers.append(privacy.delete_my_account(deps, BUSY))

    threads = [threading.Thread(target=delete) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert len(answers) == 3 and len({answer.deleted_at for answer in answers}) == 1
    outbox_entries = [snap.id for snap in db.collection(Collection.OUTBOX).stream()]
    assert outbox_entries == [f"{privacy.ERASE_ACCOUNT}:{BUSY}"]


def test_the_stripe_customer_with_the_e_mail_and_saved_cards_is_deleted_once(db, call, bound, *, stripe_deps,
                                                                             localstripe):
    customer = stripe_deps.payments.ensure_customer(BUSY, EMAIL, f"customer:{BUSY}")
    put_private(db, BUSY, make_client_profile_private(stripe_customer_id=customer))

    assert call(delete_my_account, {}, uid=bound).status == 200

    with pytest.raises(urllib.error.HTTPError) as gone:
        localstripe.get(f"/v1/customers/{customer}")
    assert gone.value.code == 404
    assert stored(db, Collection.OUTBOX, f"{privacy.ERASE_ACCOUNT}:{BUSY}")["status"] == "done"
    # run again (the sweep after a lost answer): the customer already gone counts as done
    entry = OutboxEntry.model_validate(stored(db, Collection.OUTBOX, f"{privacy.ERASE_ACCOUNT}:{BUSY}"))
    privacy.HANDLERS[privacy.ERASE_ACCOUNT](stripe_deps, entry)
