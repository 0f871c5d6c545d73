"""list_nearby_technicians (issue 20 item 6, D92) through the deployed callable: the technicians dispatch could
send, with their public record and a distance in whole kilometres — never a position; shadow-banned, offline,
unverified and stale technicians are not listed; the reads are the dispatch search's, bounded."""

from __future__ import annotations

import datetime as dt
import json

from curbside.domain.enums import AccountStatus, VerificationStatus
from curbside.services import work
from curbside.services.candidates import JobSite, find_candidates
from curbside.store.collections import Collection, doc_path
from main import list_nearby_technicians
from tests.request_world import NEAR_CBD, add_client, everything
from tests.technicians import add_technician, north_of

HERE = {"lat": NEAR_CBD[0], "lng": NEAR_CBD[1]}


def test_a_client_sees_who_could_come_and_how_far_but_never_where(db, call, clock):
    add_client(db)
    now = clock.now()
    add_technician(db, "near", at=north_of(NEAR_CBD, 2_400), fixed_at=now, rating=4.9)
    add_technician(db, "busy", at=north_of(NEAR_CBD, 6_600), fixed_at=now, active_jobs=1)
    add_technician(db, "shadow", at=north_of(NEAR_CBD, 300), fixed_at=now, account_status=AccountStatus.SHADOW_BANNED)
    add_technician(db, "offline", at=north_of(NEAR_CBD, 300), fixed_at=now, online=False)
    add_technician(db, "unverified", at=north_of(NEAR_CBD, 300), fixed_at=now,
                   verification=VerificationStatus.PENDING)
    add_technician(db, "stale", at=north_of(NEAR_CBD, 300), fixed_at=now - dt.timedelta(hours=6))
    add_technician(db, "far", at=north_of(NEAR_CBD, 200_000), fixed_at=now)
    db.document(doc_path(Collection.DISPATCHER_PROFILES, "near")).update({
        "created_date": now - dt.timedelta(days=3 * 366), "total_jobs": 212,
        "profile_image_url": "https://cdn.example/near.jpg"})

    response = call(list_nearby_technicians, HERE, uid="uid-client")

    assert response.status == 200, response.body
    listed = response.result["technicians"]
    assert [(t["dispatcher_id"], t["distance_km"], t["available_now"]) for t in listed] == [
        ("near", 2, True), ("busy", 7, False)]
    assert listed[0] == {"dispatcher_id": "near", "first_name": "Tech", "photo_url": "https://cdn.example/near.jpg",
                         "rating": 4.9, "jobs_completed": 212, "years_on_platform": 3, "available_now": True,
                         "distance_km": 2}
    assert all(set(t) == set(listed[0]) for t in listed) and set(response.result) == {"technicians", "radius_km"}
    answer = json.dumps(response.result)
    assert "-33." not in answer and "151." not in answer  # no coordinate, whatever its key


def test_the_search_reads_are_bounded_and_a_refused_caller_writes_nothing(db, call, deps, clock):
    add_client(db)
    for n in range(12):
        add_technician(db, f"t{n:02}", at=north_of(NEAR_CBD, 500 + 150 * n), fixed_at=clock.now())
    before = everything(db)

    with work.metering() as meter:
        response = call(list_nearby_technicians, {**HERE, "limit": 2}, uid="uid-client")

    assert [t["dispatcher_id"] for t in response.result["technicians"]] == ["t00", "t01"]
    search = work.reading(deps, lambda uow: find_candidates(uow, JobSite(*NEAR_CBD, client_id="uid-client"), k=2))
    # the account gate, the caller's status and profile, one dispatch search, a profile and a user per listed
    assert (meter.writes, meter.reads) == (0, 1 + 2 + search.reads + 2 * 2)
    assert call(list_nearby_technicians, HERE, uid="t00").error == "PERMISSION_DENIED"  # technicians only
    assert call(list_nearby_technicians, {"lat": 91, "lng": 0}, uid="uid-client").error == "INVALID_ARGUMENT"
    assert call(list_nearby_technicians, HERE, uid=None).error == "UNAUTHENTICATED"
    assert everything(db) == before
