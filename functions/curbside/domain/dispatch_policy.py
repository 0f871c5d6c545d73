"""The dispatch policy: who is offered which job, when, and in which order (spec section 2, D40, D42).

The one definition of it. The functions run it (`services.dispatch_queue`, `services.surge_windows`) and so
does the surge simulator (`bench/surge/`), so what the benchmark measures is the code that decides in
production, not a model of it. Everything here is pure: the services read the candidates and write the
offers.

- **Outside a surge, immediately**: a job is offered to its best-ranked candidate not yet offered it
  (`dispatch_scoring.rank`), one offer at a time, 60 seconds each (D19).
- **In a surge** — a region holding at least `SurgeSettings.pending_jobs` pending jobs — a job waits for the
  region's current window (`SurgeSettings.window`, a named Cloud Task per region and window) and the window's
  jobs are matched with their candidates at once (`match`): an optimal assignment on the score rather than
  each job grabbing the best technician for itself in arrival order, which under load sends technicians
  across town past jobs that were theirs to take (docs/benchmarks.md, "Hail storm").
- **A scheduled job's reserved technician first**: a job that reserved a technician's time at booking
  (`reserved_dispatcher_id`, D112) is offered to them before anyone else, online or not, while their calendar
  still holds it and they may take it (`reserved_offer`, D128); otherwise, or once they were offered it, the
  rules above.
- A **region** is the search cell of depth `REGION_DEPTH` containing the job: about 130 x 78 km in
  Australia, a metro area, so pending jobs are counted with one `count()` on the cells every job already
  stores (`search_cells`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from scipy.optimize import linear_sum_assignment

from curbside.domain.catalogue import qualified
from curbside.domain.dispatch_scoring import Contender, RankedCandidate, ScoringWeights, assignment_score
from curbside.domain.documents import DispatcherLocation, ServiceRequest, TechnicianCalendar
from curbside.domain.enums import AccountStatus
from curbside.domain.geo import haversine_m
from curbside.domain.search_cells import Cell

REGION_DEPTH = 16
"""Depth of the search cell that is a region (a metro area); within the index's depths (14-30)."""
WINDOW_JOB_LIMIT = 50
"""Most jobs one window matches, the longest waiting first (the rest wait for the next window)."""
WINDOW_CANDIDATES = 8
"""Candidates read per job of a window: the k of the ring search (D41). With at least as many candidates as
jobs the assignment is exactly the optimum over everyone; in a surge few technicians are free, so eight per
job nearly always reaches them all."""
_FORBIDDEN = -1e9
"""The score of a pair that may not be matched (not among the job's candidates, or no slot left): so low that
any assignment with more allowed pairs beats every one with fewer."""

EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
"""Windows are counted from here, so every function instance numbers them alike."""


@dataclass(frozen=True)
class SurgeSettings:
    pending_jobs: int = 20
    """A region with at least this many pending jobs is in a surge (`SURGE_PENDING_JOBS`)."""
    window: dt.timedelta = dt.timedelta(seconds=20)
    """How long jobs of a region in a surge wait to be matched together (`SURGE_WINDOW_S`)."""

    def __post_init__(self) -> None:
        if self.pending_jobs < 1:
            raise ValueError("the surge threshold is at least one pending job")
        if not dt.timedelta(seconds=1) <= self.window <= dt.timedelta(minutes=5):
            raise ValueError("a surge window lasts 1 s to 5 minutes (a job waits for it)")


class Route(StrEnum):
    IMMEDIATE = "immediate"
    WINDOW = "window"


def region_of(lat: float, lng: float) -> str:
    """The region of a point: the token of its search cell at `REGION_DEPTH`."""
    return Cell.containing(lat, lng, REGION_DEPTH).token


def route(pending_in_region: int, surge: SurgeSettings) -> Route:
    """How a job of a region with this many pending jobs (itself included) is dispatched."""
    return Route.WINDOW if pending_in_region >= surge.pending_jobs else Route.IMMEDIATE


@dataclass(frozen=True)
class Window:
    region: str
    index: int
    closes_at: dt.datetime

    @property
    def key(self) -> str:
        """Names the window's task: one per region and window, whoever asks for it and how often."""
        return f"surge-{self.region}-{self.index}"


def window_for(region: str, now: dt.datetime, surge: SurgeSettings) -> Window:
    """The window of a region that is open at `now` (it closes at the end of its period)."""
    index = math.floor((now - EPOCH) / surge.window)
    return Window(region, index, EPOCH + (index + 1) * surge.window)


def best_offer(ranked: Sequence[RankedCandidate]) -> RankedCandidate | None:
    """Outside a surge the job goes to its best candidate (the queue is already without those offered it)."""
    return ranked[0] if ranked else None


def may_offer_reserved(entry: DispatcherLocation | None, required_skills: Collection[str]) -> bool:
    """Whether a technician may be offered the scheduled job they reserved, online or not (a job a day ahead
    needs no live position; the push reaches a closed app): what accepting an offer checks — verified, an
    active account (a shadow-banned one is not, as in the search index), room for another job — and the job's
    skills."""
    return (entry is not None and entry.verified and entry.account_status is AccountStatus.ACTIVE
            and entry.active_jobs < entry.capacity and qualified(required_skills, entry.skills))


def reserved_offer(job: ServiceRequest, offered: Collection[str], entry: DispatcherLocation | None,
                   calendar: TechnicianCalendar | None, weights: ScoringWeights, *,
                   high_priority: bool) -> RankedCandidate | None:
    """The job's next offer when it goes to the technician it reserved: they have not been offered it yet,
    their calendar still holds it (not released), and they may take it (`may_offer_reserved`). Scored from
    their calendar's base, where they planned to come from. None: the usual search decides."""
    uid = job.reserved_dispatcher_id
    if (uid is None or uid in offered or entry is None or calendar is None
            or not any(held.request_id == job.id for held in calendar.reservations)
            or not may_offer_reserved(entry, job.required_skills)):
        return None
    distance_km = haversine_m(job.location_lat, job.location_lng, calendar.base_lat, calendar.base_lng) / 1000
    contender = Contender(uid, entry.rating, distance_km, entry.active_jobs)
    return RankedCandidate(uid, entry.rating, distance_km, entry.active_jobs,
                           assignment_score(weights, contender, high_priority=high_priority))


@dataclass(frozen=True)
class WaitingJob:
    """A job in a window, with its candidates (`WINDOW_CANDIDATES` best, none offered it before)."""

    request_id: str
    created_at: dt.datetime
    high_priority: bool
    candidates: tuple[RankedCandidate, ...]
    work: dt.timedelta = dt.timedelta(minutes=30)
    """`estimated_duration_minutes`: how long a technician who takes it is kept from a second job."""


def jobs_for_window(jobs: Sequence[WaitingJob]) -> list[WaitingJob]:
    """The jobs a window matches: the `WINDOW_JOB_LIMIT` longest waiting."""
    return sorted(jobs, key=lambda job: (job.created_at, job.request_id))[:WINDOW_JOB_LIMIT]


@dataclass(frozen=True)
class Assignment:
    request_id: str
    candidate: RankedCandidate
    """With the score of this pairing: the job's priority bonus, and no availability bonus for a
    technician's second job of the window."""


def match(jobs: Sequence[WaitingJob], weights: ScoringWeights, *, capacity: int) -> list[Assignment]:
    """The window's offers: as many jobs as possible matched with a candidate of theirs, and among such
    matchings the highest total score (`scipy.optimize.linear_sum_assignment`). A technician with room for two
    more jobs appears as two slots, the second without the availability bonus and after a wait of the
    window's shortest job (they come to it after the first: a lower bound on that wait, D124), which makes the
    assignment the min-cost flow of technicians taking two jobs. A busy technician's slot is scored with the
    wait their candidate carries (`RankedCandidate.waiting_minutes`, D123)."""
    jobs = sorted(jobs, key=lambda job: (job.created_at, job.request_id))
    technicians: dict[str, RankedCandidate] = {}
    for job in jobs:
        for candidate in job.candidates:
            technicians.setdefault(candidate.dispatcher_id, candidate)
    slots = [(uid, taken) for uid in sorted(technicians)
             for taken in range(max(0, capacity - technicians[uid].active_jobs))]
    if not jobs or not slots:
        return []
    shortest_minutes = min(job.work for job in jobs).total_seconds() / 60
    scores = np.full((len(jobs), len(slots)), _FORBIDDEN)
    paired: dict[tuple[int, int], RankedCandidate] = {}
    for row, job in enumerate(jobs):
        offered = {candidate.dispatcher_id: candidate for candidate in job.candidates}
        for column, (uid, taken) in enumerate(slots):
            if (known := offered.get(uid)) is None:
                continue
            contender = Contender(uid, known.rating, known.distance_km, known.active_jobs + taken,
                                  known.waiting_minutes + taken * shortest_minutes)
            score = assignment_score(weights, contender, high_priority=job.high_priority)
            scores[row, column] = score
            paired[row, column] = replace(known, score=score)
    rows, columns = linear_sum_assignment(scores, maximize=True)
    return [Assignment(jobs[row].request_id, paired[row, column])
            for row, column in zip(rows.tolist(), columns.tolist(), strict=True) if (row, column) in paired]
