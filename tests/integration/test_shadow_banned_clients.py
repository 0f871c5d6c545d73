"""A shadow-banned client (spec section 15, "requests receive no offers, eventually timeout"): their job is
accepted and stays pending, is offered to nobody (auto-dispatch, the feed, accept_job), and is cancelled as
"no technician available" when the wait ends — exactly what a client in an area without technicians sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from curbside.domain.enums import AccountStatus, RequestStatus
from curbside.domain.errors import WrongState
from curbside.services import jobs_feed, offers
from curbside.services.dispatch_queue import start_dispatch
from curbside.store.collections import Collection
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored
from tests.technicians import MELBOURNE, add_technician, north_of

SHADOW = "client-shadow"
LONELY = "client-lonely"
WAIT = dt.timedelta(minutes=30)


@pytest.fixture
def jobs(db, clock) -> tuple[str, str]:
    """A shadow-banned client's job among free technicians in Sydney, and an active client's job in Melbourne,
    where no technician works."""
    add_client(db, SHADOW, account_status=AccountStatus.SHADOW_BANNED)
    add_client(db, LONELY)
    add_technician(db, "near", at=north_of(NEAR_CBD, 300), fixed_at=clock.now())
    same = {"created_date": clock.now(), "car_location_images": ["users/someone/car_photos/front.jpg"]}
    shadowed = add_job(db, RequestStatus.PENDING, id="job-shadowed", client_id=SHADOW, **same)
    lonely = add_job(db, RequestStatus.PENDING, id="job-lonely", client_id=LONELY, location_lat=MELBOURNE[0],
                     location_lng=MELBOURNE[1], **same)
    return shadowed.id, lonely.id


def as_seen_by_client(db, request_id: str, client_id: str) -> dict[str, Any]:
    """What the client's app can read of the job and its notices, without what differs by construction (ids,
    place)."""
    request = stored(db, Collection.SERVICE_REQUESTS, request_id)
    mine = {key: value for key, value in request.items()
            if key not in {"id", "client_id", "location_lat", "location_lng", "search_cells"}}
    notices = sorted((note["type"], note["title"], note["body"])
                     for note in (snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream())
                     if note["user_id"] == client_id)
    return {"request": mine, "notices": notices}


def test_the_job_is_offered_to_nobody_and_reads_like_one_in_an_empty_area(db, deps, jobs):
    shadowed, lonely = jobs
    assert start_dispatch(deps, shadowed) is True
    assert start_dispatch(deps, lonely) is True

    assert not list(db.collection(Collection.JOB_OFFERS).stream())
    assert as_seen_by_client(db, shadowed, SHADOW) == as_seen_by_client(db, lonely, LONELY)
    assert stored(db, Collection.SERVICE_REQUESTS, shadowed)["status"] == "pending"


def test_no_technician_sees_it_in_the_feed_or_can_take_it(db, deps, jobs):
    shadowed, _ = jobs
    before = everything(db)
    assert jobs_feed.list_available_jobs(deps, "near", tab=jobs_feed.FeedTab.MOST_RECENT) == {"jobs": []}
    with pytest.raises(WrongState, match="already been taken"):
        offers.accept_job(deps, "near", shadowed)
    assert everything(db) == before


def test_both_time_out_alike_when_the_wait_ends_and_not_a_second_earlier(db, deps, clock, jobs):
    shadowed, lonely = jobs
    start_dispatch(deps, shadowed)
    start_dispatch(deps, lonely)

    clock.advance(WAIT - dt.timedelta(seconds=1))
    offers.retry_dispatch(deps)
    assert {stored(db, Collection.SERVICE_REQUESTS, job)["status"] for job in jobs} == {"pending"}

    clock.advance(dt.timedelta(seconds=1))
    offers.retry_dispatch(deps)
    for job in jobs:
        request = stored(db, Collection.SERVICE_REQUESTS, job)
        assert (request["status"], request["cancelled_by_type"], request["cancellation_reason"],
                request["refund_amount"], request["cancellation_fee"]) == (
            "cancelled", "system", "no_technician_available", 56.0, 0.0)
    seen = as_seen_by_client(db, shadowed, SHADOW)
    assert seen == as_seen_by_client(db, lonely, LONELY)
    assert ("job_cancelled", "No technician available") in [(kind, title) for kind, title, _ in seen["notices"]]

    after = everything(db)
    offers.retry_dispatch(deps)  # a second sweep: nothing more
    assert everything(db) == after


def test_an_active_clients_job_among_technicians_is_offered_as_before(db, deps, clock, jobs):
    add_client(db, "client-active")
    job = add_job(db, RequestStatus.PENDING, id="job-active", client_id="client-active", created_date=clock.now())
    start_dispatch(deps, job.id)
    assert stored(db, Collection.JOB_OFFERS, f"{job.id}:1")["dispatcher_id"] == "near"
