"""A busy technician is scored from where and when their work should end (D123): the index entry learns it in
the commit that gives them a job, and the candidate search weighs the wait like a drive."""

from __future__ import annotations

import datetime as dt

import pytest

from curbside.domain.arrival import road_leg
from curbside.domain.enums import RequestStatus
from curbside.services import work
from curbside.services.candidates import JobSite, find_candidates
from curbside.services.dispatcher_index import refresh_dispatcher_index
from curbside.store.repositories import evolve
from tests.factories import make_service_request, put
from tests.technicians import SYDNEY, add_technician, north_of, stored_entry

pytestmark = pytest.mark.emulator


def take(deps, request_id: str, uid: str, status: RequestStatus, **fields) -> None:
    """The commit that gives `uid` the job (the entry is rebuilt by the unit of work in it)."""

    def decide(uow) -> None:
        uow.requests.save(evolve(uow.requests.get(request_id), status=status, dispatcher_id=uid, **fields))

    work.transaction(deps, decide)


def test_the_entry_holds_when_and_where_the_work_should_end_while_the_technician_has_a_job(db, deps, clock):
    add_technician(db, "sam", fixed_at=clock.now())
    site = north_of(SYDNEY, 3_000)
    put(db, make_service_request(id="job-1", status=RequestStatus.PENDING, location_lat=site[0],
                                 location_lng=site[1], estimated_duration_minutes=45))

    take(deps, "job-1", "sam", RequestStatus.ACCEPTED, accepted_at=clock.now())
    entry = stored_entry(db, "sam")

    # no arrival estimate yet in the accept's commit: the road model's drive there, then the job's 45 minutes
    expected = clock.now() + road_leg(SYDNEY, site).duration + dt.timedelta(minutes=45)
    assert entry.free_at == pytest.approx(expected, abs=dt.timedelta(seconds=1))
    assert (entry.free_lat, entry.free_lng) == pytest.approx(site)

    take(deps, "job-1", "sam", RequestStatus.CANCELLED)
    entry = stored_entry(db, "sam")
    assert (entry.active_jobs, entry.free_at, entry.free_lat, entry.free_lng) == (0, None, None, None)


@pytest.mark.parametrize(("minutes_in", "first"), [(25, "sam"), (0, "fay")])
def test_a_technician_nearly_done_next_door_beats_a_free_one_far_away_and_one_with_the_job_ahead_does_not(
        db, deps, clock, minutes_in, first):
    add_technician(db, "sam", fixed_at=clock.now(), rating=4.8)
    add_technician(db, "fay", at=north_of(SYDNEY, -10_000), fixed_at=clock.now(), rating=4.8)
    put(db, make_service_request(id="job-1", status=RequestStatus.IN_PROGRESS, dispatcher_id="sam",
                                 location_lat=SYDNEY[0], location_lng=SYDNEY[1], estimated_duration_minutes=30,
                                 started_at=clock.now() - dt.timedelta(minutes=minutes_in)))
    refresh_dispatcher_index(deps, "sam")  # the entry learns of the job as the commit taking it would

    new_job = JobSite(*north_of(SYDNEY, 1_000))
    ranked = work.reading(deps, lambda uow: find_candidates(uow, new_job, k=2)).candidates

    # sam: 1 km once done, 5 or 30 minutes from now; fay: 11 km now, with the availability bonus
    assert [candidate.dispatcher_id for candidate in ranked] == [first, "sam" if first == "fay" else "fay"]
    sam = next(candidate for candidate in ranked if candidate.dispatcher_id == "sam")
    assert sam.waiting_minutes == pytest.approx(30 - minutes_in, abs=0.05)
    assert sam.distance_km == pytest.approx(1.0, abs=0.01)
