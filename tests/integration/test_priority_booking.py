"""Rewards that change the job rather than its price (issue 16): a `priority_booking` job is dispatched before
the other pending jobs and listed first in technicians' priority tab; a `special_perk` is shown to the
technician with the job. create_request marks both from the redeemed reward."""

from __future__ import annotations

import datetime as dt

from curbside.domain.enums import RequestStatus, RewardType
from curbside.services import jobs_feed, offers, requests
from curbside.services.requests import NewRequest, Placement
from curbside.store.collections import Collection
from tests.factories import CLIENT_ID
from tests.request_world import NEAR_CBD, OUTSIDE_ZONES, add_client, add_job, add_redemption, stored, upload_photo
from tests.technicians import add_technician, north_of

S = RequestStatus


def test_a_priority_booking_is_listed_first_in_the_priority_tab(db, deps, clock):
    add_client(db)
    add_technician(db, "tech", at=north_of(NEAR_CBD, 100), fixed_at=clock.now())
    urgent = add_job(db, S.PENDING, is_urgent=True)
    booked = add_job(db, S.PENDING, priority_booking=True, location_lat=north_of(NEAR_CBD, 3_000)[0],
                     special_perk="Free wax")

    jobs = jobs_feed.list_available_jobs(deps, "tech", tab=jobs_feed.FeedTab.PRIORITY)["jobs"]

    assert [job.request_id for job in jobs] == [booked.id, urgent.id]
    assert (jobs[0].priority_booking, jobs[0].special_perk) == (True, "Free wax")


def test_the_retry_sweep_dispatches_priority_bookings_before_other_pending_jobs(db, deps, clock):
    add_client(db)
    add_technician(db, "tech", at=north_of(NEAR_CBD, 100), fixed_at=clock.now())
    # first by id: the order the sweep met jobs in before; both asked for just now (not yet due to be cancelled)
    plain = add_job(db, S.PENDING, id="aaa-plain", created_date=clock.now())
    booked = add_job(db, S.PENDING, id="zzz-booked", priority_booking=True, special_perk="Free wax",
                     created_date=clock.now())

    assert offers.retry_dispatch(deps) == [booked.id, plain.id]

    offer = stored(db, Collection.JOB_OFFERS, f"{booked.id}:1")
    assert offer["dispatcher_id"] == "tech" and offer["offered_at"] == clock.now()
    assert (offer["job_details"]["priority_booking"], offer["job_details"]["special_perk"]) == (True, "Free wax")


def test_create_request_marks_the_job_from_the_redeemed_reward(db, deps, bucket, clock):
    add_client(db)
    photos = (upload_photo(bucket, name="front.jpg"),)
    placement = Placement(lat=OUTSIDE_ZONES[0], lng=OUTSIDE_ZONES[1], is_urgent=False, is_scheduled=False)
    made = {}
    for reward_type in (RewardType.PRIORITY_BOOKING, RewardType.SPECIAL_PERK):
        redemption = add_redemption(db, reward_type=reward_type, amount=None, id=f"r-{reward_type}",
                                    expires_at=clock.now() + dt.timedelta(days=3))  # its title: "Reward"
        created = requests.create_request(deps, CLIENT_ID, NewRequest(
            car_model="Mazda 3", license_plate="ABC-123", location_address="1 George St, Sydney",
            placement=placement, car_location_images=photos, notes=None, reward_redemption_id=redemption))
        made[reward_type] = stored(db, Collection.SERVICE_REQUESTS, created.request_id)

    assert (made[RewardType.PRIORITY_BOOKING]["priority_booking"],
            made[RewardType.PRIORITY_BOOKING]["special_perk"]) == (True, None)
    assert (made[RewardType.SPECIAL_PERK]["priority_booking"],
            made[RewardType.SPECIAL_PERK]["special_perk"]) == (False, "Reward")
