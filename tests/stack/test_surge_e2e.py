"""A surge over the local stack running the real `functions/main.py`: jobs written in a region in a surge
ask for their window's task on the stack's real local Cloud Tasks queue (through firebase-admin, as in
production); when the stack's clock passes the window's end the queue runs `match_surge_window`, which
offers the jobs together."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest

from curbside.domain.dispatch_policy import region_of
from devstack.clock import ManualClock
from devstack.polling import poll
from devstack.stack import LocalStack, Ports
from tests.factories import make_service_request, put
from tests.request_world import NEAR_CBD, add_client
from tests.stack.conftest import running
from tests.technicians import add_technician, north_of


@pytest.fixture(scope="module")
def surge_stack() -> Iterator[LocalStack]:
    """The stack with `SURGE_PENDING_JOBS=1` (set as the param's environment variable, as
    functions/.env.<project> would): every region is in a surge."""
    saved = os.environ.get("SURGE_PENDING_JOBS")
    os.environ["SURGE_PENDING_JOBS"] = "1"
    try:
        yield from running(LocalStack(ports=Ports(0, 0, 0), clock=ManualClock()))
    finally:
        if saved is None:
            os.environ.pop("SURGE_PENDING_JOBS", None)
        else:
            os.environ["SURGE_PENDING_JOBS"] = saved


def test_jobs_in_a_surge_are_offered_together_when_their_window_closes(surge_stack: LocalStack) -> None:
    stack = surge_stack
    clock = stack.clock
    assert isinstance(clock, ManualClock)
    admin = stack.admin_db()
    add_client(admin, "surge-client")
    add_technician(admin, "surge-a", at=north_of(NEAR_CBD, 500), fixed_at=clock.now())
    add_technician(admin, "surge-b", at=north_of(NEAR_CBD, 3_000), fixed_at=clock.now())

    # given two jobs written in a surge: each created trigger asks for the same window task, no offer yet
    jobs = [make_service_request(client_id="surge-client", status="pending", location_lat=north_of(NEAR_CBD, m)[0],
                                 location_lng=NEAR_CBD[1], created_date=clock.now(), updated_date=clock.now())
            for m in (0, 2_500)]
    for job in jobs:
        put(admin, job)
    requests = [admin.document(f"ServiceRequests/{job.id}") for job in jobs]
    poll(lambda: all(doc.get().get("dispatch_started_at") for doc in requests), what="the hand-overs")
    windows = [task for task in stack.tasks.pending() if task.fn.name == "match_surge_window"]
    region = region_of(*NEAR_CBD).replace(":", "-")
    assert len(windows) == 1 and windows[0].task_id.startswith(f"surge-{region}-")
    assert not any(admin.document(f"JobOffers/{job.id}:1").get().exists for job in jobs)

    # when the window closes, the queue runs it and both jobs are offered, each to one technician
    clock.advance(dt.timedelta(seconds=21))
    offers = [admin.document(f"JobOffers/{job.id}:1") for job in jobs]
    poll(lambda: all(offer.get().exists for offer in offers), what="the window's offers")
    assert {offer.get().get("dispatcher_id") for offer in offers} == {"surge-a", "surge-b"}
