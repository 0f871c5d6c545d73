"""Auto-dispatch over the local stack running the real `functions/main.py`: a job written to Firestore fires
the created trigger, the first offer's countdown goes to the stack's real local task queue (through
firebase-admin, as in production), and moving the stack's clock past the minute runs `expire_offer`, which
offers the job to the next-best technician, who accepts it over HTTP."""

from __future__ import annotations

import datetime as dt

from devstack.client import CallableClient
from devstack.clock import ManualClock
from devstack.polling import poll
from devstack.stack import LocalStack
from tests.factories import make_service_request, put
from tests.request_world import NEAR_CBD, add_client
from tests.technicians import add_technician, north_of


def test_an_unanswered_offer_expires_on_the_queue_and_the_next_technician_takes_the_job(
        curbside_stack: LocalStack) -> None:
    stack = curbside_stack
    clock = stack.clock
    assert isinstance(clock, ManualClock)
    admin = stack.admin_db()
    add_client(admin, "offers-client")
    add_technician(admin, "offers-best", at=north_of(NEAR_CBD, 500), fixed_at=clock.now())
    add_technician(admin, "offers-next", at=north_of(NEAR_CBD, 4_000), fixed_at=clock.now())

    # given a pending job: the trigger offers it to the closest technician and queues the countdown
    job = make_service_request(client_id="offers-client", status="pending", location_lat=NEAR_CBD[0],
                               location_lng=NEAR_CBD[1], created_date=clock.now(), updated_date=clock.now())
    put(admin, job)
    first = admin.document(f"JobOffers/{job.id}:1")
    poll(lambda: first.get().exists, what="the first offer")
    assert first.get().get("dispatcher_id") == "offers-best"
    poll(lambda: [t.task_id for t in stack.tasks.pending()] == [f"expire-{job.id}-1"], what="the countdown task")

    # when the minute passes unanswered, the queue runs expire_offer and the job moves on
    clock.advance(dt.timedelta(seconds=61))
    second = admin.document(f"JobOffers/{job.id}:2")
    poll(lambda: second.get().exists, what="the second offer")
    assert first.get().get("offer_status") == "expired" and second.get().get("dispatcher_id") == "offers-next"

    # then the next technician accepts it over HTTP
    callables = CallableClient(stack.functions_url, stack.project)
    assert callables.call("accept_offer", {"offer_id": second.id}, uid="offers-next").result == {
        "request_id": job.id, "status": "accepted"}
    assert admin.document(f"ServiceRequests/{job.id}").get().get("dispatcher_id") == "offers-next"
