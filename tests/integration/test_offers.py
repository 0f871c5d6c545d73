"""Auto-dispatch offers against the emulator: the first offer, accept, reject, the countdown's expiry, the
retry sweep and the feed. Given a small world of technicians around a Sydney job, when dispatch runs, then
Firestore holds exactly the offers, notifications and assignments the spec asks for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from curbside.domain.enums import AccountStatus, NotificationType, OfferStatus, RequestStatus, VerificationStatus
from curbside.domain.errors import NotAllowed, NotFound, WrongState
from curbside.services import jobs_feed, offers, work
from curbside.services.dispatch_queue import EXPIRE_OFFER, start_dispatch
from curbside.services.notifications import notification_id
from curbside.store.codec import to_document
from curbside.store.collections import Collection, doc_path
from tests.factories import CLIENT_ID, make_service_request
from tests.request_world import NEAR_CBD, add_client, add_job, everything, stored
from tests.technicians import add_technician, north_of, stored_entry

S = RequestStatus
TTL = dt.timedelta(seconds=60)


@pytest.fixture
def world(db, clock):
    """A client's pending job and technicians around it: `best` (closest), `second`, and four who must never
    be offered anything."""
    fresh = {"fixed_at": clock.now()}
    add_client(db)
    add_technician(db, "best", at=north_of(NEAR_CBD, 500), **fresh)
    add_technician(db, "second", at=north_of(NEAR_CBD, 5_000), **fresh)
    add_technician(db, "shadow", at=north_of(NEAR_CBD, 100), account_status=AccountStatus.SHADOW_BANNED, **fresh)
    add_technician(db, "unverified", at=north_of(NEAR_CBD, 100), verification=VerificationStatus.PENDING, **fresh)
    add_technician(db, "offline", at=north_of(NEAR_CBD, 100), online=False, **fresh)
    add_technician(db, "stale", at=north_of(NEAR_CBD, 100), fixed_at=clock.now() - dt.timedelta(hours=1))
    return add_job(db, S.PENDING, client_name="Alex Client", created_date=clock.now())


def offer(db, request_id: str, n: int) -> dict[str, Any]:
    return stored(db, Collection.JOB_OFFERS, f"{request_id}:{n}")


def test_dispatch_offers_the_job_to_the_best_eligible_technician_once(db, deps, clock, tasks, world, *, push):
    assert start_dispatch(deps, world.id) is True
    after_first = everything(db)
    assert start_dispatch(deps, world.id) is False

    first = offer(db, world.id, 1)
    assert first["dispatcher_id"] == "best" and first["offer_status"] == "pending"
    assert first["expires_at"] == clock.now() + TTL and first["distance_km"] == pytest.approx(0.5, abs=0.01)
    assert first["job_details"]["location_address"] == "1 George St, Sydney"
    assert stored(db, Collection.NOTIFICATIONS, notification_id(
        NotificationType.NEW_JOB_OFFER, world.id, "best"))["type"] == "new_job_offer"
    assert stored(db, Collection.SERVICE_REQUESTS, world.id)["dispatch_started_at"] == clock.now()
    assert [(t.function_name, t.payload, t.at) for t in tasks.tasks] == [
        (EXPIRE_OFFER, {"offer_id": f"{world.id}:1"}, clock.now() + TTL)]
    assert ":" not in tasks.tasks[0].name
    assert everything(db) == after_first
    # and the replayed hand-over pushed nothing twice: one urgent push, living as long as the offer
    [pushed] = push.sent
    assert pushed.message.data["offer_id"] == f"{world.id}:1" and pushed.message.urgent
    assert pushed.message.time_to_live == TTL and "1 George St" not in pushed.message.body


def test_accepting_the_offer_assigns_the_job_and_withdraws_other_offers(db, deps, clock, world):
    start_dispatch(deps, world.id)
    clock.advance(dt.timedelta(seconds=59))
    assert offers.accept_offer(deps, "best", f"{world.id}:1") == offers.Accepted(world.id)

    job = stored(db, Collection.SERVICE_REQUESTS, world.id)
    assert (job["status"], job["dispatcher_id"], job["dispatcher_name"], job["accepted_at"]) == (
        "accepted", "best", "Tech best", clock.now())
    assert offer(db, world.id, 1)["offer_status"] == "accepted"
    contacts = stored(db, Collection.JOB_CONTACTS, world.id)
    assert (contacts["client_id"], contacts["dispatcher_id"]) == (CLIENT_ID, "best")
    assert stored_entry(db, "best").active_jobs == 1
    assert stored(db, Collection.NOTIFICATIONS, notification_id(
        NotificationType.JOB_ACCEPTED, world.id, CLIENT_ID))["type"] == "job_accepted"
    # accepting twice answers the same; the job's other technicians are told it is taken
    assert offers.accept_offer(deps, "best", f"{world.id}:1").request_id == world.id
    with pytest.raises(WrongState):
        offers.accept_job(deps, "second", world.id)


def test_an_offer_cannot_be_accepted_once_its_minute_is_up_or_by_someone_else(db, deps, clock, world):
    start_dispatch(deps, world.id)
    with pytest.raises(NotFound):
        offers.accept_offer(deps, "second", f"{world.id}:1")
    clock.advance(TTL)
    with pytest.raises(WrongState, match="expired"):
        offers.accept_offer(deps, "best", f"{world.id}:1")
    assert stored(db, Collection.SERVICE_REQUESTS, world.id)["status"] == "pending"


def test_expiry_moves_the_job_to_the_next_best_and_a_late_or_early_task_changes_nothing(db, deps, clock, world):
    start_dispatch(deps, world.id)
    early = everything(db)
    assert offers.expire_offer(deps, f"{world.id}:1") == "not_due"
    assert everything(db) == early

    clock.advance(TTL)
    assert offers.expire_offer(deps, f"{world.id}:1") == "expired"
    assert offer(db, world.id, 1)["offer_status"] == "expired"
    assert offer(db, world.id, 2)["dispatcher_id"] == "second"
    settled = everything(db)
    assert offers.expire_offer(deps, f"{world.id}:1") == "settled"
    assert offers.expire_offer(deps, "no-such-offer") == "missing"
    assert everything(db) == settled


def test_rejections_walk_the_ranking_then_the_client_hears_of_the_delay_once(db, deps, clock, world):
    start_dispatch(deps, world.id)
    assert offers.reject_offer(deps, "best", f"{world.id}:1", "too far").offer_status is OfferStatus.REJECTED
    first = offer(db, world.id, 1)
    assert (first["offer_status"], first["rejection_reason"], first["responded_at"]) == (
        "rejected", "too far", clock.now())
    assert offers.reject_offer(deps, "second", f"{world.id}:2").offer_status is OfferStatus.REJECTED

    delay_id = notification_id(NotificationType.DISPATCH_DELAYED, world.id, CLIENT_ID)
    assert stored(db, Collection.NOTIFICATIONS, delay_id)["type"] == "dispatch_delayed"
    assert offer(db, world.id, 3) == {} and stored(db, Collection.SERVICE_REQUESTS, world.id)["status"] == "pending"
    quiet = everything(db)
    assert offers.retry_dispatch(deps) == [] and everything(db) == quiet  # told once, nobody new

    add_technician(db, "newcomer", at=north_of(NEAR_CBD, 2_000), fixed_at=clock.now())
    assert offers.retry_dispatch(deps) == [world.id]
    assert offer(db, world.id, 3)["dispatcher_id"] == "newcomer"


def test_the_sweep_expires_an_offer_whose_countdown_task_was_lost(db, deps, clock, world):
    start_dispatch(deps, world.id)
    clock.advance(TTL + dt.timedelta(seconds=1))
    offers.retry_dispatch(deps)
    assert offer(db, world.id, 1)["offer_status"] == "expired"
    assert offer(db, world.id, 2)["dispatcher_id"] == "second"


# --- the feed ------------------------------------------------------------------------------------------------


def test_the_feed_lists_nearby_pending_jobs_for_each_tab(db, deps, clock, world):
    urgent = add_job(db, S.PENDING, is_urgent=True, final_price="40.00", created_date=clock.now())
    far = add_job(db, S.PENDING, location_lat=-37.8136, location_lng=144.9631)  # Melbourne
    add_job(db, S.ACCEPTED)

    def ids(tab: jobs_feed.FeedTab, uid: str = "best") -> list[str]:
        return [job.request_id for job in jobs_feed.list_available_jobs(deps, uid, tab=tab)["jobs"]]

    assert ids(jobs_feed.FeedTab.PRIORITY) == [urgent.id, world.id]
    assert ids(jobs_feed.FeedTab.HIGHEST_PAY) == [world.id, urgent.id]
    assert ids(jobs_feed.FeedTab.SCHEDULED) == []
    assert far.id not in ids(jobs_feed.FeedTab.MOST_RECENT)
    for hidden in ("shadow", "unverified", "offline", "stale"):
        assert ids(jobs_feed.FeedTab.PRIORITY, hidden) == []


def test_the_feed_finds_a_nearby_job_behind_a_nationwide_backlog(db, deps, world):
    # More pending jobs elsewhere than one feed query may read, stored ahead of the nearby job in id order:
    # a scan of the country's pending jobs would read FEED_READ_LIMIT of them and never reach it.
    store_pending(db, (make_service_request(id=f"melbourne-{n:04d}", status=S.PENDING, location_lat=-37.8136,
                                            location_lng=144.9631) for n in range(jobs_feed.FEED_READ_LIMIT + 20)))
    nearby = add_job(db, S.PENDING, id="sydney-last")

    jobs = jobs_feed.list_available_jobs(deps, "best", tab=jobs_feed.FeedTab.MOST_RECENT)

    assert sorted(job.request_id for job in jobs["jobs"]) == sorted([world.id, nearby.id])


def store_pending(db, jobs) -> None:
    """Many jobs in batched writes (setup, not what is tested)."""
    batch = db.batch()
    for count, job in enumerate(jobs, start=1):
        batch.set(db.document(doc_path(Collection.SERVICE_REQUESTS, job.id)), to_document(job))
        if count % 400 == 0:
            batch.commit()
            batch = db.batch()
    batch.commit()


def test_in_a_backlog_the_feed_lists_every_job_nearest_the_caller(db, deps, world):
    # More pending jobs 40 km away (inside the 50-mile radius) than one query may read, stored ahead of a job
    # 1 km away in id order: one capped query would hand back an arbitrary 500 of them and miss the near one.
    backlog = jobs_feed.FEED_READ_LIMIT + 20
    store_pending(db, (make_service_request(id=f"backlog-{n:04d}", status=S.PENDING,
                                            location_lat=north_of(NEAR_CBD, 40_000)[0],
                                            location_lng=NEAR_CBD[1]) for n in range(backlog)))
    nearby = add_job(db, S.PENDING, id="zz-near", location_lat=north_of(NEAR_CBD, 1_000)[0])
    here = north_of(NEAR_CBD, 500)

    jobs = jobs_feed.list_available_jobs(deps, "best", tab=jobs_feed.FeedTab.MOST_RECENT)
    near = work.reading(deps, lambda uow: jobs_feed.pending_jobs_near(uow, here[0], here[1], 80_000))

    assert sorted(job.request_id for job in jobs["jobs"]) == sorted([world.id, nearby.id])
    # the widest disc without the backlog: it ends short of 40 km, and the reads are the full query, the
    # counts and the narrowed query (the two jobs)
    assert 30_000 < near.reach_m < 40_000
    assert near.reads == jobs_feed.FEED_READ_LIMIT + jobs_feed.NARROWING_STEPS + 2


def test_technicians_who_may_not_work_cannot_take_a_job_from_the_feed_and_nothing_is_written(db, deps, world):
    before = everything(db)
    with pytest.raises(WrongState, match="taken"):  # spec section 15: looks like someone was quicker
        offers.accept_job(deps, "shadow", world.id)
    with pytest.raises(NotAllowed, match="verification"):
        offers.accept_job(deps, "unverified", world.id)
    with pytest.raises(NotAllowed, match="own job"):
        offers.accept_job(deps, CLIENT_ID, world.id)
    assert everything(db) == before


def test_when_more_jobs_wait_than_a_sweep_takes_the_longest_waiting_come_first(db, deps, clock):
    # given three jobs nobody took, past their deadline, whose ids run against their age
    add_client(db)
    late = clock.now() - dt.timedelta(hours=2)
    jobs = [add_job(db, S.PENDING, id=f"{name}-job", created_date=late + dt.timedelta(minutes=minutes))
            for name, minutes in (("c", 0), ("b", 1), ("a", 2))]

    # when a sweep that takes two runs
    offers.retry_dispatch(deps, limit=2)

    # then the two oldest were cancelled as unmatched and the newest waits for the next run
    assert [stored(db, Collection.SERVICE_REQUESTS, job.id)["status"] for job in jobs] == \
        [S.CANCELLED, S.CANCELLED, S.PENDING]
