"""The audit trail (issue 15): every admin action writes exactly one entry — who, what, on what, before ->
after, why, when — in the commit of the action, and a refused action writes none."""

from __future__ import annotations

from typing import Any

from curbside.domain.enums import RequestStatus
from curbside.store.collections import Collection
from main import cancel_request, submit_verification_step
from tests.entrypoints.test_verification import review
from tests.request_world import add_client, add_job, everything
from tests.verification_world import ADMIN, APPLICANT, add_applicant, identity_payload

AUDITED = ("actor_id", "source", "action", "target_collection", "target_id", "before", "after", "reason")


def entries(db) -> list[dict[str, Any]]:
    return [{key: entry[key] for key in AUDITED}
            for entry in (snap.to_dict() for snap in db.collection(Collection.AUDIT_LOG).stream())]


def test_a_verification_review_is_audited_once(db, call, bucket, clock):
    add_applicant(db)
    call(submit_verification_step, identity_payload(bucket), uid=APPLICANT)
    review(call, "identity", "rejected", rejection_reason="The licence photo is blurred.")

    [entry] = [snap for snap in db.collection(Collection.AUDIT_LOG).stream()]
    assert entry.get("created_date") == clock.now()
    assert entries(db) == [{
        "actor_id": ADMIN, "source": "admin", "action": "review_verification",
        "target_collection": "DispatcherProfiles", "target_id": APPLICANT, "before": {"identity": "under_review"},
        "after": {"identity": "rejected"}, "reason": "The licence photo is blurred."}]
    profile = db.document(f"{Collection.DISPATCHER_PROFILES}/{APPLICANT}").get()
    assert profile.update_time == entry.update_time  # one commit with the decision


def test_an_admins_cancellation_is_audited_and_a_clients_is_not(db, call):
    add_client(db)
    by_admin = add_job(db, RequestStatus.PENDING, id="job-admin")
    by_client = add_job(db, RequestStatus.PENDING, id="job-client")

    call(cancel_request, {"request_id": by_admin.id, "reason": "Duplicate booking."}, uid=ADMIN, admin=True)
    call(cancel_request, {"request_id": by_client.id}, uid=by_client.client_id)

    assert entries(db) == [{
        "actor_id": ADMIN, "source": "admin", "action": "cancel_request", "target_collection": "ServiceRequests",
        "target_id": by_admin.id, "before": {"status": "pending"}, "after": {"status": "cancelled"},
        "reason": "Duplicate booking."}]


def test_a_refused_admin_action_leaves_no_entry(db, call, bucket):
    add_applicant(db)
    before = everything(db)
    assert review(call, "identity", "approved").error == "FAILED_PRECONDITION"  # nothing submitted yet
    assert everything(db) == before
