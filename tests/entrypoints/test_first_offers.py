"""The first offer of a job is made by the created trigger's one transaction, not lost to the offers being made
for other jobs at the same moment (D133): jobs booked through `create_request` as the apps book them, handed
over together, each offered to the technician nearest all of them without a single lost race. Lost races are
counted (`work.metering`), not timed: before D133 the offers' transactions read the technician's `Users`
document, which each offer's notice adds to (D60), and queried the job's pending offers, a lock the emulator
takes on the whole collection, and every one of these hand-overs lost races to the others."""

from __future__ import annotations

import contextvars
import threading

from curbside.services import requests, work
from curbside.store.collections import Collection
from main import create_request
from tests.request_world import OUTSIDE_ZONES, add_client, add_spec_rules, stored, upload_photo
from tests.technicians import add_technician, north_of

JOBS = 5
"""As many as one client may book at once (D47's default: 5 per 10 minutes)."""


def test_jobs_booked_together_get_their_first_offers_without_a_lost_race(db, deps, call, bucket, clock):
    client = add_client(db)
    add_spec_rules(db)
    add_technician(db, "nearest", at=north_of(OUTSIDE_ZONES, 500), fixed_at=clock.now())
    add_technician(db, "farther", at=north_of(OUTSIDE_ZONES, 3_000), fixed_at=clock.now())
    photo = upload_photo(bucket)
    jobs = [call(create_request, {
        "car_model": "Mazda 3", "license_plate": f"ABC-{n}", "location_address": "Chatswood NSW",
        "location_lat": OUTSIDE_ZONES[0], "location_lng": OUTSIDE_ZONES[1], "car_location_images": [photo],
        "is_urgent": False, "is_scheduled": False}, uid=client).result["request_id"] for n in range(JOBS)]
    start = threading.Barrier(JOBS)
    outcomes: dict[str, str] = {}
    lost: dict[str, int] = {}

    def created_trigger(job: str) -> None:  # what on_request_created runs, for each job at the same moment
        with work.metering() as meter:
            start.wait()
            try:
                outcomes[job] = requests.request_created(deps, job)
            finally:
                lost[job] = meter.lost_races

    threads = [threading.Thread(target=contextvars.copy_context().run, args=(created_trigger, job)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert lost == dict.fromkeys(jobs, 0)
    assert outcomes == dict.fromkeys(jobs, "dispatch_started")
    for job in jobs:
        offer = stored(db, Collection.JOB_OFFERS, f"{job}:1")
        assert (offer["dispatcher_id"], offer["dispatcher_name"], offer["offer_status"]) == (
            "nearest", "Tech nearest", "pending")
