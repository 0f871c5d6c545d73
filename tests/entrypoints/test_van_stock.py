"""Van stock through the deployed callables (issue 21): the parts list, deliveries once per receipt, parts used
with complete_job in the completion's own commit, refusals that write nothing, the reorder notice, and two
jobs finishing at once with the last part."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from curbside.domain.enums import NotificationType, RequestStatus, UserRole
from curbside.store.collections import Collection
from main import complete_job, receive_van_stock, set_van_part
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_user, put
from tests.payment_world import add_job_in_progress, upload_completion_photos
from tests.request_world import NEAR_CBD, add_client, add_dispatcher, everything, stored

ADMIN = "uid-admin"
PADS = f"{DISPATCHER_ID}~PAD-01"


@pytest.fixture
def van(db, call) -> str:
    """A technician with brake pads on their parts list (reorder at 2), four delivered; an admin."""
    add_client(db)
    add_dispatcher(db)
    put(db, make_user(id=ADMIN, uid=ADMIN, role=UserRole.ADMIN))
    listed = call(set_van_part, {"sku": "PAD-01", "name": "Brake pads", "unit_cost": "42.50", "minimum": 2},
                  uid=DISPATCHER_ID)
    assert listed.status == 200, listed.body
    delivered = call(receive_van_stock, {"sku": "PAD-01", "quantity": 4, "receipt_key": "delivery-1"},
                     uid=DISPATCHER_ID)
    assert delivered.status == 200 and delivered.result["quantity"] == 4, delivered.body
    return PADS


def job_done_with(call, bucket, db, job: str, parts: list[dict[str, Any]]) -> Any:
    add_job_in_progress(db, job)
    photos = upload_completion_photos(bucket, job)
    return call(complete_job, {"request_id": job, "completion_images": list(photos), "lat": NEAR_CBD[0],
                               "lng": NEAR_CBD[1], "parts_used": parts}, uid=DISPATCHER_ID)


def stock_notices(db) -> list[dict[str, Any]]:
    return [n for snap in db.collection(Collection.NOTIFICATIONS).stream()
            if (n := snap.to_dict() or {})["type"] == NotificationType.STOCK_LOW]


def test_a_delivery_counts_once_per_receipt_key(db, call, van):
    again = call(receive_van_stock, {"sku": "PAD-01", "quantity": 4, "receipt_key": "delivery-1"}, uid=DISPATCHER_ID)

    assert again.status == 200 and again.result["quantity"] == 4
    item = stored(db, Collection.VAN_STOCK, van)
    assert (item["quantity"], item["received_total"]) == (4, 4)


def test_parts_used_leave_the_van_with_the_completion_and_reaching_the_minimum_tells_once(db, call, bucket, van):
    first = job_done_with(call, bucket, db, "job-1", [{"sku": "PAD-01", "quantity": 2}])

    assert first.status == 200, first.body
    item = stored(db, Collection.VAN_STOCK, van)
    assert (item["quantity"], item["used_total"], item["received_total"]) == (2, 2, 4)
    [part] = stored(db, Collection.JOB_COMPLETIONS, "job-1")["parts_used"]
    assert (part["sku"], part["quantity"], part["name"]) == ("PAD-01", 2, "Brake pads")
    assert stored(db, Collection.VAN_STOCK_MOVEMENTS, f"{van}~use~job-1")["quantity_after"] == 2
    assert sorted(n["user_id"] for n in stock_notices(db)) == sorted([DISPATCHER_ID, ADMIN])

    second = job_done_with(call, bucket, db, "job-2", [{"sku": "PAD-01", "quantity": 1}])

    assert second.status == 200 and stored(db, Collection.VAN_STOCK, van)["quantity"] == 1
    assert len(stock_notices(db)) == 2  # already below the minimum: no second alert for the same crossing


@pytest.mark.parametrize(("parts", "code", "words"), [
    ([{"sku": "PAD-01", "quantity": 5}], "FAILED_PRECONDITION", "Only 4 of Brake pads left in your van"),
    ([{"sku": "WAX-9", "quantity": 1}], "INVALID_ARGUMENT", "parts_used[0].sku: 'WAX-9' is not on your van"),
    ([{"sku": "PAD-01", "quantity": 0}], "INVALID_ARGUMENT", "quantity"),
])
def test_a_completion_with_parts_the_van_cannot_give_is_refused_and_writes_nothing(db, call, bucket, van, *, parts,
                                                                                   code, words):
    add_job_in_progress(db, "job-1")
    photos = upload_completion_photos(bucket, "job-1")
    before = everything(db)

    response = call(complete_job, {"request_id": "job-1", "completion_images": list(photos), "lat": NEAR_CBD[0],
                                   "lng": NEAR_CBD[1], "parts_used": parts}, uid=DISPATCHER_ID)

    assert response.error == code and words in response.message, response.body
    assert everything(db) == before
    assert stored(db, Collection.SERVICE_REQUESTS, "job-1")["status"] == RequestStatus.IN_PROGRESS


def test_only_technicians_keep_van_stock_and_bad_parts_are_refused(db, call, van):
    before = everything(db)

    as_client = call(set_van_part, {"sku": "PAD-02", "name": "Pads", "unit_cost": "1.00"}, uid=CLIENT_ID)
    bad_sku = call(set_van_part, {"sku": "pad/../x", "name": "Pads", "unit_cost": "1.00"}, uid=DISPATCHER_ID)
    unlisted = call(receive_van_stock, {"sku": "NOPE", "quantity": 1, "receipt_key": "d2"}, uid=DISPATCHER_ID)

    assert as_client.error == "PERMISSION_DENIED" and "Only technicians" in as_client.message
    assert bad_sku.error == "INVALID_ARGUMENT" and "sku" in bad_sku.message
    assert unlisted.error == "INVALID_ARGUMENT" and "'NOPE' is not on your van's parts list" in unlisted.message
    assert everything(db) == before


def test_two_jobs_finishing_at_once_with_the_last_parts_complete_only_one(db, call, bucket, van):
    jobs = ["job-1", "job-2"]
    payloads = {}
    for job in jobs:
        add_job_in_progress(db, job)
        payloads[job] = {"request_id": job, "completion_images": list(upload_completion_photos(bucket, job)),
                         "lat": NEAR_CBD[0], "lng": NEAR_CBD[1], "parts_used": [{"sku": "PAD-01", "quantity": 3}]}
    start = threading.Barrier(len(jobs))

    def finish(job: str) -> str:
        start.wait()
        for _ in range(10):  # a lost transaction is ABORTED: the app tries again
            response = call(complete_job, payloads[job], uid=DISPATCHER_ID)
            if response.status == 200:
                return "ok"
            if response.error != "ABORTED":
                return str(response.error)
        return "ABORTED"

    with ThreadPoolExecutor(len(jobs)) as pool:
        outcomes = sorted(pool.map(finish, jobs))

    assert outcomes == ["FAILED_PRECONDITION", "ok"]
    assert stored(db, Collection.VAN_STOCK, van)["quantity"] == 1
    done = [job for job in jobs if stored(db, Collection.SERVICE_REQUESTS, job)["status"] == RequestStatus.COMPLETED]
    assert len(done) == 1
