"""Technician calendars through the deployed callables (issue 21 item 2): hours and time off with their
refusals, the free slots near an address, booking one (reserved in the request's commit, given back when
the job is cancelled), fifty clients booking the last free slot at once, and the due job offered first to the
technician it reserved (their time given back when they decline)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from curbside.services import calendars, work
from curbside.store.collections import Collection
from curbside.store.repositories import evolve
from main import (
    accept_offer,
    activate_scheduled_jobs,
    book_recurring_jobs,
    cancel_request,
    create_recurring_booking,
    create_request,
    list_available_slots,
    reject_offer,
    set_calendar,
    set_time_off,
)
from tests.factories import CLIENT_ID, make_service, put
from tests.request_world import OUTSIDE_ZONES, add_client, everything, stored, upload_photo
from tests.schedules import run_as_scheduled
from tests.technicians import MELBOURNE, add_calendar, add_technician, north_of

TECH = "tech-cal"
MONDAY = "2026-11-23"  # the clock: Friday 20 Nov 2026, 20:00 in Sydney
MORNING = {"monday": [{"start": "08:00", "end": "12:00"}]}


def booking(photo: str, **overrides: Any) -> dict[str, Any]:
    return {"car_model": "Mazda 3", "license_plate": "ABC-123", "location_address": "1 Help St, Chatswood",
            "location_lat": OUTSIDE_ZONES[0], "location_lng": OUTSIDE_ZONES[1], "car_location_images": [photo],
            "is_scheduled": True, "scheduled_date": MONDAY, "scheduled_time": "10:30",
            "time_zone": "Australia/Sydney", "estimated_duration_minutes": 60, **overrides}


def slots_on(call, day: str = MONDAY, uid: str = CLIENT_ID, **extra: Any) -> list[str]:
    answer = call(list_available_slots, {"lat": OUTSIDE_ZONES[0], "lng": OUTSIDE_ZONES[1], "from_date": day,
                                         "to_date": day, "time_zone": "Australia/Sydney",
                                         "estimated_duration_minutes": 60, **extra}, uid=uid)
    assert answer.status == 200, answer.body
    return [f"{slot['scheduled_date']} {slot['scheduled_time']}" for slot in answer.result["slots"]]


@pytest.fixture
def world(db, bucket):
    """A client with a photo; a technician near them working Monday mornings with a job reserved 09:00-10:00
    (travel buffer 30 minutes); one in Melbourne free all week, too far to count."""
    add_client(db)
    add_calendar(db, TECH, at=OUTSIDE_ZONES, hours=MORNING, reservations=[
        {"request_id": "earlier-job", "start": "2026-11-22T22:00:00Z", "end": "2026-11-22T23:00:00Z"}])
    add_calendar(db, "tech-melbourne", at=MELBOURNE)
    return upload_photo(bucket)


def test_a_technician_sets_hours_and_time_off_and_bad_ones_change_nothing(db, call):
    add_technician(db, TECH, at=None, online=False)
    hours = {"time_zone": "Australia/Sydney", "base_lat": OUTSIDE_ZONES[0], "base_lng": OUTSIDE_ZONES[1],
             "working_hours": {"monday": [{"start": "13:00", "end": "17:00"}, {"start": "08:00", "end": "12:00"}]}}
    saved = call(set_calendar, hours, uid=TECH)
    assert saved.status == 200, saved.body
    assert saved.result["working_hours"] == {"monday": [{"start": "08:00", "end": "12:00"},
                                                        {"start": "13:00", "end": "17:00"}]}
    assert stored(db, Collection.TECHNICIAN_CALENDARS, TECH)["search_cells"]  # findable by the slot search
    add_client(db)
    before = everything(db)

    for payload, code, fragment in (
            ({**hours, "working_hours": {"mon": [{"start": "08:00", "end": "12:00"}]}}, "INVALID_ARGUMENT",
             "mon is not a weekday"),
            ({**hours, "working_hours": {"friday": [{"start": "17:00", "end": "08:00"}]}}, "INVALID_ARGUMENT",
             "17:00-08:00 ends before it starts"),
            ({**hours, "working_hours": {"friday": [{"start": "08:00", "end": "12:00"},
                                                    {"start": "11:00", "end": "13:00"}]}}, "INVALID_ARGUMENT",
             "overlaps the block before it"),
            ({**hours, "time_zone": "Mars/Olympus"}, "INVALID_ARGUMENT", "IANA time zone")):
        refused = call(set_calendar, payload, uid=TECH)
        assert (refused.error, fragment in refused.message) == (code, True), refused.body
    for periods, fragment in (
            ([{"start": "2026-11-25T00:00:00Z", "end": "2026-11-24T00:00:00Z"}], "ends before it starts"),
            ([{"start": "2026-11-24T00:00:00Z", "end": "2026-11-26T00:00:00Z"},
              {"start": "2026-11-25T00:00:00Z", "end": "2026-11-27T00:00:00Z"}], "overlaps another period"),
            ([{"start": "2026-11-01T00:00:00Z", "end": "2026-11-02T00:00:00Z"}], "already over")):
        refused = call(set_time_off, {"time_off": periods}, uid=TECH)
        assert (refused.error, fragment in refused.message) == ("INVALID_ARGUMENT", True), refused.body
    assert call(set_calendar, hours, uid=CLIENT_ID).error == "PERMISSION_DENIED"
    assert everything(db) == before

    off = call(set_time_off, {"time_off": [{"start": "2026-11-24T00:00:00+11:00", "end": "2026-11-25T00:00:00+11:00",
                                            "reason": "Dentist"}]}, uid=TECH)
    assert off.status == 200 and off.result["time_off"][0]["reason"] == "Dentist", off.body


def test_the_free_slots_are_those_a_nearby_technician_can_serve(call, world):
    # 08:00 would end as the reserved job starts (no time to drive); 09:30 overlaps it; 10:00 ends its buffer
    assert slots_on(call) == [f"{MONDAY} 10:30", f"{MONDAY} 11:00"]
    assert slots_on(call, "2026-11-24") == []  # Tuesday: nobody nearby works (Melbourne is out of range)
    too_long = call(list_available_slots, {"lat": OUTSIDE_ZONES[0], "lng": OUTSIDE_ZONES[1],
                                           "from_date": "2026-11-21", "to_date": "2026-12-31"}, uid=CLIENT_ID)
    assert too_long.error == "INVALID_ARGUMENT" and "at most 30 days" in too_long.message


def test_booking_reserves_the_slot_and_cancelling_gives_it_back_once(db, call, deps, world):
    booked = call(create_request, booking(world), uid=CLIENT_ID)
    assert booked.status == 200, booked.body
    request_id = booked.result["request_id"]
    job = stored(db, Collection.SERVICE_REQUESTS, request_id)
    assert (job["reserved_dispatcher_id"], job["estimated_duration_minutes"]) == (TECH, 60)
    held = stored(db, Collection.TECHNICIAN_CALENDARS, TECH)["reservations"]
    assert [entry["request_id"] for entry in held] == ["earlier-job", request_id]
    assert slots_on(call) == []

    assert call(cancel_request, {"request_id": request_id}, uid=CLIENT_ID).status == 200
    assert calendars.release_reservation(deps, request_id) == "released"  # what the update trigger runs
    assert calendars.release_reservation(deps, request_id) == "already_released"  # delivered twice
    assert slots_on(call) == [f"{MONDAY} 10:30", f"{MONDAY} 11:00"]


def test_a_slot_nobody_works_is_refused_with_the_next_free_slots_and_writes_nothing(db, call, world):
    before = everything(db)
    refused = call(create_request, booking(world, scheduled_time="13:00"), uid=CLIENT_ID)
    assert refused.error == "FAILED_PRECONDITION"
    assert refused.message == (f"No technician near you works at {MONDAY} 13:00. The next free slots: "
                               f"{MONDAY} 10:30, {MONDAY} 11:00, 2026-11-30 08:00, 2026-11-30 08:30, 2026-11-30 09:00.")
    far = call(create_request, booking(world, location_lat=-31.95, location_lng=115.86), uid=CLIENT_ID)  # Perth
    assert far.error == "FAILED_PRECONDITION" and "No technician near this address" in far.message
    assert everything(db) == before


def all_book_at_once(db, call, bucket, uids: list[str], scheduled_time: str) -> dict[str, Any]:
    """Each of these new clients books Monday at `scheduled_time` at the same moment; their answers by uid."""
    clients = [add_client(db, uid) for uid in uids]
    photos = {uid: upload_photo(bucket, uid) for uid in clients}
    barrier = threading.Barrier(len(clients))
    answers: dict[str, Any] = {}

    def book(uid: str) -> None:
        barrier.wait()
        answers[uid] = call(create_request, booking(photos[uid], scheduled_time=scheduled_time), uid=uid)

    threads = [threading.Thread(target=book, args=(uid,)) for uid in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_fifty_clients_booking_the_last_free_slot_at_once_reserve_it_exactly_once(db, call, bucket):
    """The technician's only Monday slot is 10:00-11:00; the next free one is on Tuesday, then a week on."""
    add_calendar(db, TECH, at=OUTSIDE_ZONES, hours={"monday": [{"start": "10:00", "end": "11:00"}],
                                                    "tuesday": [{"start": "14:00", "end": "15:00"}]})
    answers = all_book_at_once(db, call, bucket, [f"client-{n:02d}" for n in range(50)], "10:00")

    winners = [uid for uid, answer in answers.items() if answer.status == 200]
    assert len(answers) == 50 and len(winners) == 1
    for uid, answer in answers.items():
        if uid not in winners:
            assert answer.error in {"FAILED_PRECONDITION", "ABORTED"}, answer.body
            assert answer.message.startswith(f"The slot {MONDAY} 10:00 has just been booked by someone else. "
                                             "The next free slots: 2026-11-24 14:00, 2026-11-30 10:00,"), answer.body
    jobs = list(db.collection(Collection.SERVICE_REQUESTS).stream())
    assert [job.id for job in jobs] == [answers[winners[0]].result["request_id"]]
    held = stored(db, Collection.TECHNICIAN_CALENDARS, TECH)["reservations"]
    assert [entry["request_id"] for entry in held] == [jobs[0].id]


def test_clients_rushing_three_free_technicians_book_each_once_and_the_rest_are_told_the_next_slots(db, call, bucket):
    """A lost race re-reads only the calendars found before the commit and tries another free one (D127)."""
    technicians = [add_calendar(db, f"tech-{n}", at=north_of(OUTSIDE_ZONES, 300 * n),
                                hours={"monday": [{"start": "10:00", "end": "11:00"}]}) for n in range(3)]
    answers = all_book_at_once(db, call, bucket, [f"client-{n}" for n in range(6)], "10:00")

    booked = {answer.result["request_id"] for answer in answers.values() if answer.status == 200}
    assert len(booked) == 3
    assert sorted(job for uid in technicians for job in reserved_in(db, uid)) == sorted(booked)  # one each
    for answer in answers.values():
        if answer.status != 200:
            assert answer.error == "FAILED_PRECONDITION", answer.body
            assert f"The slot {MONDAY} 10:00 has just been booked by someone else. The next free slots: 2026-11-30 " \
                "10:00" in answer.message, answer.body


def test_a_services_slots_need_its_skills_and_its_duration_with_the_add_ons(db, call, deps, world):
    service = put(db, make_service())  # 90 minutes, needs "pdr"; the wax adds 20 minutes
    add_calendar(db, "tech-pdr", at=north_of(OUTSIDE_ZONES, 5_000), skills=["pdr"],
                 hours={"monday": [{"start": "13:00", "end": "17:00"}]})
    assert slots_on(call, service_id=service, add_ons=["wax"]) == [f"{MONDAY} {t}" for t in (
        "13:00", "13:30", "14:00", "14:30", "15:00")]  # 110 minutes, by the one technician with the skill
    unknown = call(list_available_slots, {"lat": 0.0, "lng": 0.0, "from_date": MONDAY, "to_date": MONDAY,
                                          "service_id": "no-such-service"}, uid=CLIENT_ID)
    assert unknown.error == "NOT_FOUND" and "no-such-service" in unknown.message
    foreign = call(list_available_slots, {"lat": 0.0, "lng": 0.0, "from_date": MONDAY, "to_date": MONDAY,
                                          "service_id": service, "add_ons": ["tyres"]}, uid=CLIENT_ID)
    assert foreign.error == "INVALID_ARGUMENT" and "tyres is not an add-on" in foreign.message


def test_the_calendar_copies_the_technicians_skills_in_the_commit_that_changes_them(db, deps, world):
    def qualify(uow):
        profile = uow.dispatcher_profiles.get(TECH)
        uow.dispatcher_profiles.save(evolve(profile, skills=["pdr", "detailing"]))

    work.transaction(deps, qualify)
    assert stored(db, Collection.TECHNICIAN_CALENDARS, TECH)["skills"] == ["pdr", "detailing"]


def test_a_weekly_booking_books_each_occurrence_in_the_window_once_and_skips_a_taken_one(db, call, clock, world):
    first = call(create_request, booking(world), uid=CLIENT_ID).result["request_id"]
    held = stored(db, Collection.TECHNICIAN_CALENDARS, TECH)["reservations"]
    taken = {"request_id": "someone-else", "start": "2026-12-06T23:30:00Z", "end": "2026-12-07T00:30:00Z"}
    db.document(f"{Collection.TECHNICIAN_CALENDARS}/{TECH}").update({"reservations": [*held, taken]})
    made = call(create_recurring_booking, {"request_id": first, "frequency": "weekly",
                                           "time_zone": "Australia/Sydney"}, uid=CLIENT_ID)
    assert made.result == {"recurring_booking_id": first, "frequency": "weekly"}
    assert call(create_recurring_booking, {"request_id": first, "frequency": "monthly"}, uid="client-b").error \
        == "NOT_FOUND"

    run_as_scheduled(book_recurring_jobs, "book_recurring_jobs", clock)
    after_first_run = everything(db)
    run_as_scheduled(book_recurring_jobs, "book_recurring_jobs", clock)  # the schedule fires twice

    assert everything(db) == after_first_run
    booked = stored(db, Collection.RECURRING_BOOKINGS, first)
    assert booked["booked_dates"] == [MONDAY, "2026-11-30", "2026-12-14"]  # 21 Dec is past the 30 days
    assert booked["skipped_dates"] == ["2026-12-07"]
    for day in ("2026-11-30", "2026-12-14"):
        job = stored(db, Collection.SERVICE_REQUESTS, f"{first}~{day}")
        assert (job["status"], job["scheduled_time"], job["reserved_dispatcher_id"]) == ("scheduled", "10:30", TECH)
    reservations = [entry["request_id"] for entry in stored(db, Collection.TECHNICIAN_CALENDARS, TECH)["reservations"]]
    assert reservations == ["earlier-job", first, "someone-else", f"{first}~2026-11-30", f"{first}~2026-12-14"]
    notices = [doc for path, doc in after_first_run.items() if path.startswith(f"{Collection.NOTIFICATIONS}/")]
    assert [(n["user_id"], "2026-12-07" in n["body"]) for n in notices] == [(CLIENT_ID, True)]


def reserved_in(db, uid: str) -> list[str]:
    return [entry["request_id"] for entry in stored(db, Collection.TECHNICIAN_CALENDARS, uid)["reservations"]]


def test_a_due_job_is_offered_first_to_the_technician_it_reserved_and_declining_gives_their_time_back(
        db, call, clock, deps, world):
    request_id = call(create_request, booking(world), uid=CLIENT_ID).result["request_id"]
    clock.advance(dt.timedelta(hours=38, minutes=30))  # Saturday 10:30 in Sydney: the job is 24 hours away
    add_technician(db, "tech-online", at=north_of(OUTSIDE_ZONES, 200), fixed_at=clock.now())

    run_as_scheduled(activate_scheduled_jobs, "activate_scheduled_jobs", clock)

    # TECH is offline and unknown to the live search: only the reservation makes them the first offer
    offers = {offer.id: offer.to_dict() for offer in db.collection(Collection.JOB_OFFERS).stream()}
    assert [(offer_id, offer["dispatcher_id"]) for offer_id, offer in offers.items()] == [(f"{request_id}:1", TECH)]
    assert stored(db, Collection.SERVICE_REQUESTS, request_id)["status"] == "pending"
    assert reserved_in(db, TECH) == ["earlier-job", request_id]

    assert call(reject_offer, {"offer_id": f"{request_id}:1"}, uid=TECH).result == {"offer_status": "rejected"}
    assert reserved_in(db, TECH) == ["earlier-job"]  # given back in the commit that closed the offer
    assert stored(db, Collection.JOB_OFFERS, f"{request_id}:2")["dispatcher_id"] == "tech-online"
    assert call(accept_offer, {"offer_id": f"{request_id}:2"}, uid="tech-online").result["status"] == "accepted"
    assert calendars.release_reservation(deps, request_id) == "already_released"  # the update trigger's run
