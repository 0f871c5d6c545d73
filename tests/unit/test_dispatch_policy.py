"""The dispatch policy's decisions on small worlds where the answer is known: the surge route and windows, the
immediate offer, and the window's assignment against a brute-force optimum."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.domain.dispatch_policy import (
    EPOCH,
    REGION_DEPTH,
    WINDOW_JOB_LIMIT,
    Route,
    SurgeSettings,
    WaitingJob,
    best_offer,
    jobs_for_window,
    match,
    may_offer_reserved,
    region_of,
    reserved_offer,
    route,
    window_for,
)
from curbside.domain.dispatch_scoring import (
    KM_PER_WAITING_MINUTE,
    Contender,
    RankedCandidate,
    ScoringWeights,
    assignment_score,
    rank,
)
from curbside.domain.documents import DispatcherLocation, ServiceRequest, TechnicianCalendar
from curbside.domain.documents.calendars import Reservation
from curbside.domain.enums import AccountStatus, RequestStatus
from curbside.domain.search_cells import Cell
from tests.factories import make_dispatcher_location, make_service_request, make_technician_calendar

WEIGHTS = ScoringWeights()
T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


def candidate(uid: str, km: float, *, rating: float = 4.5, jobs: int = 0, wait: float = 0.0) -> RankedCandidate:
    return RankedCandidate(uid, rating, km, jobs, assignment_score(WEIGHTS, Contender(uid, rating, km, jobs, wait),
                                                                   high_priority=False), wait)


def waiting(request_id: str, *candidates: RankedCandidate, minutes: int = 0, urgent: bool = False,
            work: int = 30) -> WaitingJob:
    return WaitingJob(request_id, T0 + dt.timedelta(minutes=minutes), urgent, tuple(candidates),
                      dt.timedelta(minutes=work))


def test_a_region_goes_into_a_surge_at_the_threshold():
    surge = SurgeSettings(pending_jobs=20)

    assert route(19, surge) is Route.IMMEDIATE
    assert route(20, surge) is Route.WINDOW


def test_a_region_is_the_metro_sized_cell_around_a_job():
    region = region_of(-27.4698, 153.0251)  # Brisbane CBD

    assert region == Cell.containing(-27.4698, 153.0251, REGION_DEPTH).token
    assert region_of(-27.55, 153.08) == region  # Mount Gravatt, same metro
    assert region_of(-33.8688, 151.2093) != region  # Sydney


def test_jobs_arriving_within_a_window_share_its_task_and_the_next_window_does_not():
    surge = SurgeSettings(window=dt.timedelta(seconds=20))
    opening = EPOCH + dt.timedelta(days=2000)

    first = window_for("r7hg", opening + dt.timedelta(seconds=1), surge)
    same = window_for("r7hg", opening + dt.timedelta(seconds=19.9), surge)
    later = window_for("r7hg", opening + dt.timedelta(seconds=20), surge)

    assert first == same and first.closes_at == opening + dt.timedelta(seconds=20)
    assert later.index == first.index + 1 and later.key != first.key
    assert window_for("r7hs", opening, surge).key != first.key


@pytest.mark.parametrize("bad", [{"pending_jobs": 0}, {"window": dt.timedelta(0)}, {"window": dt.timedelta(hours=1)}])
def test_unworkable_surge_settings_are_refused(bad):
    with pytest.raises(ValueError, match="surge"):
        SurgeSettings(**bad)


def test_outside_a_surge_the_job_goes_to_its_best_ranked_candidate():
    ranked = rank([Contender("far", 5.0, 12.0, 0), Contender("near", 4.5, 1.0, 0)], WEIGHTS, high_priority=False)

    assert best_offer(ranked) == ranked[0] and ranked[0].dispatcher_id == "near"
    assert best_offer([]) is None


def test_greedy_order_is_beaten_by_the_window_assignment():
    # Job A (older) is 1 km from T1 and 3 km from T2; job B is 1.5 km from T1 only. Greedy gives T1 to A and
    # leaves B without anyone; the window serves both.
    a = waiting("a", candidate("t1", 1.0), candidate("t2", 3.0))
    b = waiting("b", candidate("t1", 1.5), minutes=1)

    assignments = {item.request_id: item.candidate.dispatcher_id for item in match([a, b], WEIGHTS, capacity=1)}

    assert assignments == {"a": "t2", "b": "t1"}


def test_a_technician_with_room_for_two_takes_two_and_the_second_waits_without_the_availability_bonus():
    a = waiting("a", candidate("t1", 1.0), work=40)
    b = waiting("b", candidate("t1", 2.0), minutes=1, work=25)

    assignments = match([a, b], WEIGHTS, capacity=2)

    assert sorted(item.request_id for item in assignments) == ["a", "b"]
    # one of them gets the availability bonus; the other waits at least the window's shortest job (25 minutes)
    assert sum(item.candidate.score for item in assignments) == pytest.approx(
        (45.0 - 1.0) + (45.0 - 2.0) + 5.0 - 25 * KM_PER_WAITING_MINUTE)


def test_a_busy_technician_nearly_done_beats_a_free_one_far_away_but_not_one_with_an_hour_to_go():
    # Both 1 km away once free; the free technician is 12 km away now.
    soon = waiting("a", candidate("busy", 1.0, jobs=1, wait=5), candidate("free", 12.0))
    late = waiting("a", candidate("busy", 1.0, jobs=1, wait=60), candidate("free", 12.0))

    assert [item.candidate.dispatcher_id for item in match([soon], WEIGHTS, capacity=2)] == ["busy"]
    assert [item.candidate.dispatcher_id for item in match([late], WEIGHTS, capacity=2)] == ["free"]


def test_a_window_sends_the_free_technician_to_the_job_that_would_wait_longest_for_the_busy_one():
    # One free technician, one busy for 20 more minutes; both jobs are near both. Whoever waits, waits the same,
    # so the free technician goes where the busy one's drive would be longer.
    a = waiting("a", candidate("busy", 8.0, jobs=1, wait=20), candidate("free", 2.0))
    b = waiting("b", candidate("busy", 1.0, jobs=1, wait=20), candidate("free", 3.0), minutes=1)

    assignments = {item.request_id: item.candidate.dispatcher_id for item in match([a, b], WEIGHTS, capacity=2)}

    assert assignments == {"a": "free", "b": "busy"}


def test_an_urgent_job_wins_a_scarce_technician():
    calm = waiting("calm", candidate("t1", 1.0))
    urgent = waiting("urgent", candidate("t1", 1.0), minutes=5, urgent=True)

    assert [item.request_id for item in match([calm, urgent], WEIGHTS, capacity=1)] == ["urgent"]


def test_a_window_takes_the_longest_waiting_jobs_first():
    jobs = [waiting(f"j{n:03d}", minutes=-n) for n in range(WINDOW_JOB_LIMIT + 5)]

    chosen = jobs_for_window(jobs)

    assert len(chosen) == WINDOW_JOB_LIMIT
    assert chosen[0].request_id == f"j{WINDOW_JOB_LIMIT + 4:03d}" and "j000" not in {job.request_id for job in chosen}


def test_nothing_to_match_gives_nothing():
    assert match([], WEIGHTS, capacity=2) == []
    assert match([waiting("a")], WEIGHTS, capacity=2) == []


# --- against brute force ------------------------------------------------------------------------------------


def brute_force(jobs: list[WaitingJob], capacity: int) -> tuple[int, float]:
    """The best (jobs served, total score) over every way to give each job one of its candidates or nobody. A
    technician's second job of the window waits for the shortest job of the window first (the policy's rule)."""
    best = (0, 0.0)
    shortest = min(job.work for job in jobs).total_seconds() / 60
    choices = [[None, *job.candidates] for job in jobs]
    for picks in itertools.product(*choices):
        load: dict[str, int] = {}
        total = 0.0
        feasible = True
        for pick in picks:
            if pick is None:
                continue
            taken = load.get(pick.dispatcher_id, 0)
            if pick.active_jobs + taken >= capacity:
                feasible = False
                break
            load[pick.dispatcher_id] = taken + 1
        if not feasible:
            continue
        # Within one technician the free slot goes first, so the availability bonus counts once at most.
        for uid in load:
            assigned = [(job, pick) for job, pick in zip(jobs, picks, strict=True)
                        if pick and pick.dispatcher_id == uid]
            best_for_tech = max(
                sum(assignment_score(WEIGHTS, Contender(uid, pick.rating, pick.distance_km, pick.active_jobs + slot,
                                                        pick.waiting_minutes + slot * shortest),
                                     high_priority=job.high_priority) for slot, (job, pick) in enumerate(order))
                for order in itertools.permutations(assigned))
            total += best_for_tech
        served = sum(pick is not None for pick in picks)
        if (served, total) > (best[0], best[1] + 1e-9):
            best = (served, total)
    return best


technician_ids = ["t1", "t2", "t3"]


@st.composite
def small_windows(draw: st.DrawFn) -> tuple[list[WaitingJob], int]:
    capacity = draw(st.integers(1, 2))
    workload = {uid: draw(st.integers(0, capacity - 1)) for uid in technician_ids}
    ratings = {uid: draw(st.sampled_from([3.0, 4.2, 4.8, 5.0])) for uid in technician_ids}
    # a busy technician is free again in 0-90 minutes (busy soon, or not so soon)
    waits = {uid: draw(st.floats(0, 90)) if workload[uid] else 0.0 for uid in technician_ids}
    jobs = []
    for n in range(draw(st.integers(1, 4))):
        offered = draw(st.lists(st.sampled_from(technician_ids), unique=True, max_size=3))
        jobs.append(waiting(f"j{n}", *(candidate(uid, draw(st.floats(0, 40)), rating=ratings[uid],
                                                 jobs=workload[uid], wait=waits[uid]) for uid in offered),
                            minutes=n, urgent=draw(st.booleans()), work=draw(st.integers(15, 120))))
    return jobs, capacity


@settings(max_examples=300, deadline=None)
@given(small_windows())
def test_the_window_assignment_is_the_brute_force_optimum(window):
    jobs, capacity = window

    assignments = match(jobs, WEIGHTS, capacity=capacity)

    load: dict[str, int] = {}
    for item in assignments:
        job = next(job for job in jobs if job.request_id == item.request_id)
        assert item.candidate.dispatcher_id in {c.dispatcher_id for c in job.candidates}
        load[item.candidate.dispatcher_id] = load.get(item.candidate.dispatcher_id, 0) + 1
    assert all(load[uid] + next(c.active_jobs for job in jobs for c in job.candidates if c.dispatcher_id == uid)
               <= capacity for uid in load)
    assert len({item.request_id for item in assignments}) == len(assignments)
    served, total = brute_force(jobs, capacity)
    assert len(assignments) == served
    assert sum(item.candidate.score for item in assignments) == pytest.approx(total)


# --- a scheduled job's reserved technician (D128) -------------------------------------------------------------


def _reserved_world(**entry: object) -> tuple[ServiceRequest, DispatcherLocation, TechnicianCalendar]:
    """A scheduled job that reserved `tech-r`, whose calendar (based 3 km north) still holds it, and their
    index entry: offline, verified, active, no job."""
    job = make_service_request(id="job-r", status=RequestStatus.PENDING, reserved_dispatcher_id="tech-r",
                               location_lat=-33.8688, location_lng=151.2093, required_skills=["pdr"])
    held = Reservation(request_id="job-r", start=T0 + dt.timedelta(hours=20), end=T0 + dt.timedelta(hours=21))
    calendar = make_technician_calendar(id="tech-r", dispatcher_id="tech-r", base_lat=-33.8688 + 3 / 111.195,
                                        base_lng=151.2093, reservations=[held], skills=["pdr"])
    return job, make_dispatcher_location(**{"dispatcher_id": "tech-r", "is_online": False, "verified": True,
                                            "skills": ["pdr"], **entry}), calendar


def test_the_reserved_technician_is_offered_the_job_first_online_or_not():
    job, entry, calendar = _reserved_world()
    first = reserved_offer(job, set(), entry, calendar, WEIGHTS, high_priority=False)
    assert first is not None and first.dispatcher_id == "tech-r" and first.distance_km == pytest.approx(3, abs=0.01)
    assert first.score == assignment_score(WEIGHTS, Contender("tech-r", entry.rating, first.distance_km, 0),
                                           high_priority=False)


@pytest.mark.parametrize("change", [
    {"offered": {"tech-r"}},  # they were offered it once (declined, or let it expire): the search decides
    {"entry": {"verified": False}},
    {"entry": {"account_status": AccountStatus.SUSPENDED}},
    {"entry": {"account_status": AccountStatus.SHADOW_BANNED}},
    {"entry": {"active_jobs": 2, "capacity": 2}},
    {"entry": {"skills": []}},
    {"released": True},  # their calendar no longer holds the job
    {"no_entry": True},
    {"unreserved": True},
])
def test_the_reserved_technician_is_passed_over_when_they_may_not_take_it(change):
    job, entry, calendar = _reserved_world(**change.get("entry", {}))
    if change.get("released"):
        calendar = calendar.model_copy(update={"reservations": []})
    if change.get("unreserved"):
        job = job.model_copy(update={"reserved_dispatcher_id": None})
    assert reserved_offer(job, change.get("offered", set()), None if change.get("no_entry") else entry, calendar,
                          WEIGHTS, high_priority=False) is None
    assert may_offer_reserved(entry, job.required_skills) is ("entry" not in change)
