"""One simulated day under one dispatch policy, in simulated time (an event queue; no wall clock, no
Firestore). The decisions are the production policy's (`curbside.domain.dispatch_policy`): what the
simulator adds is the world they act in — technicians who move, answer or not, accept or decline, and work.

- **greedy** — every job offered at once to its best candidate, one offer at a time (the policy outside a
  surge, applied always: the behaviour before issue 19);
- **batched** — production: immediate outside a surge, and in a surge (a region holding
  `SurgeSettings.pending_jobs` pending jobs) the region's waiting jobs matched per window (`match` on the
  `WINDOW_CANDIDATES` best candidates of each job, `jobs_for_window`'s longest waiting first), exactly as
  `services.surge_windows` runs them; expiry, rejection and the 2-minute `retry_dispatch` sweep as in
  production;
- **oracle** — the yardstick for pickup distance: every window, every waiting job matched by the same
  `match` on distance alone (`ORACLE_WEIGHTS`: the least total pickup km among the matchings placing the most
  jobs) with full knowledge — all eligible technicians in range, only those who would accept, and the answer
  is instant; **oracle on the score** is the same with the production score instead of distance, so the gap
  between the two oracles is what the score's rating and availability terms cost in pickup km, and the gap
  between it and batched is what knowledge and waiting cost.

Candidates are ranked by the production score (`dispatch_scoring.rank`, which the ring search reproduces:
D41) on straight-line distance from where the technician is at that moment; a technician is a candidate
while on shift with room for another job (the production capacity: the current job and the next) within the
dispatch radius, and not offered the job before — the rules of the dispatch index. A technician with a job
is scored as `services.candidates` scores them from their index entry (`contender_at`, D123): from where and
when their jobs should end, estimated as the unit of work estimates `free_at` — when a job is taken or ends —
except under greedy, which keeps the spec's score from where they stand.

A job nobody took is cancelled as production cancels it: the sweep (`retry_dispatch`, every 2 minutes)
cancels every pending job past `request_lifecycle.unmatched_deadline` — computed by that function on the job
as a `ServiceRequest`, with the settings' `unmatched_request_timeout` (30 minutes) — withdrawing its open offer,
under every policy alike (the oracles' jobs too: what their matching did not place in time is cancelled).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

import numpy as np

from bench.surge.world import DAY, SERVICE_MEAN_MIN, Answer, Job, Technician, World, answer, drive_s
from curbside.domain.arrival import JobAhead, free_from, road_leg
from curbside.domain.dispatch_policy import (
    WINDOW_CANDIDATES,
    Route,
    SurgeSettings,
    WaitingJob,
    best_offer,
    jobs_for_window,
    match,
    region_of,
    route,
    window_for,
)
from curbside.domain.dispatch_scoring import (
    Contender,
    RankedCandidate,
    ScoringWeights,
    SearchSettings,
    contender_at,
    rank,
)
from curbside.domain.documents import ServiceRequest
from curbside.domain.documents.locations import DEFAULT_CAPACITY
from curbside.domain.enums import RequestStatus
from curbside.domain.geo import EARTH_RADIUS_M
from curbside.domain.request_lifecycle import unmatched_deadline
from curbside.settings import Settings

OFFER_TTL_S = 60.0
RETRY_EVERY_S = 120.0
"""`retry_dispatch`'s schedule."""
ORACLE_WEIGHTS = ScoringWeights(rating=0.0, distance_per_km=1.0, availability_bonus=0.0, priority_bonus=0.0)
ESTIMATED_WORK = dt.timedelta(minutes=SERVICE_MEAN_MIN)
"""`estimated_duration_minutes` of every simulated job: the mean of the service times drawn."""
HORIZON_S = 36 * 3600.0
"""Jobs neither accepted nor cancelled by the next day's noon are counted as never served."""


class Policy(StrEnum):
    GREEDY = "greedy"
    BATCHED = "batched"
    ORACLE_SCORE = "oracle on the score"
    ORACLE = "oracle"

    @property
    def knows_all(self) -> bool:
        return self in (Policy.ORACLE, Policy.ORACLE_SCORE)

    @property
    def weighs_waiting(self) -> bool:
        """Scores a busy technician from where and when their work should end (production since D123); greedy is
        dispatch as it was before issue 19, the spec's score from where the technician stands, and the oracle
        on distance is distance alone."""
        return self in (Policy.BATCHED, Policy.ORACLE_SCORE)


@dataclass
class JobState:
    job: Job
    region: str
    deadline_s: float
    """When the sweep cancels the job if nobody has taken it (`unmatched_deadline`)."""
    offered: set[str] = field(default_factory=set)
    open_offer: str | None = None
    offers: int = 0
    expired: int = 0
    accepted_s: float | None = None
    arrival_s: float | None = None
    pickup_km: float | None = None
    drive_s: float | None = None
    eta_error_at_accept_s: float | None = None
    eta_error_setting_off_s: float | None = None
    cancelled_s: float | None = None
    """When the sweep cancelled it as unmatched ("no technician available")."""

    @property
    def pending(self) -> bool:
        return self.accepted_s is None and self.cancelled_s is None


@dataclass
class Leg:
    depart_s: float
    arrive_s: float
    ends_s: float
    origin: tuple[float, float]
    destination: tuple[float, float]
    estimate_s: float
    """The arrival estimate production gave the job at acceptance."""


@dataclass
class TechnicianState:
    legs: list[Leg] = field(default_factory=list)
    """Accepted jobs not finished yet, in order."""
    position: tuple[float, float] = (0.0, 0.0)
    """Where the technician is when idle (home at first, then the last job's site)."""
    free: tuple[dt.datetime, tuple[float, float]] | None = None
    """The index entry's `free_at` and site: estimated, as production does, when a job is taken or ends."""

    def at(self, now: float) -> tuple[float, float]:
        for leg in self.legs:
            if now < leg.depart_s:
                return leg.origin
            if now < leg.arrive_s:
                share = (now - leg.depart_s) / (leg.arrive_s - leg.depart_s)
                return (leg.origin[0] + share * (leg.destination[0] - leg.origin[0]),
                        leg.origin[1] + share * (leg.destination[1] - leg.origin[1]))
            if now < leg.ends_s:
                return leg.destination
        return self.position


@dataclass(frozen=True)
class Outcome:
    policy: Policy
    world: World
    jobs: list[JobState]


class Simulation:
    """See the module docstring."""

    def __init__(self, world: World, policy: Policy, *, surge: SurgeSettings | None = None,
                 search: SearchSettings | None = None, capacity: int = DEFAULT_CAPACITY,
                 unmatched_wait: dt.timedelta | None = None) -> None:
        self.world, self.policy = world, policy
        self.surge = surge or SurgeSettings()
        self.search = search or SearchSettings()
        self.capacity = capacity
        wait = Settings().unmatched_request_timeout if unmatched_wait is None else unmatched_wait
        self.jobs = {job.id: JobState(job, region_of(job.lat, job.lng), _deadline_s(job, wait))
                     for job in world.jobs}
        self.techs = {tech.uid: TechnicianState(position=tech.home) for tech in world.technicians}
        self.roster = world.technicians
        self._events: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self._order = itertools.count()
        self._pending: dict[str, set[str]] = defaultdict(set)
        """Pending (not accepted) jobs by region, in dispatch's hands."""
        self.windows: set[str] = set()
        """The window tasks enqueued (named per region and window, as in production)."""
        self._answers: dict[tuple[str, str], Answer] = {}
        self._finishes = 0
        self._free_cache: tuple[tuple[float, int, int], list[Technician], np.ndarray] = (
            (-1.0, 0, 0), [], np.empty((0, 2)))
        self.acceptances: list[tuple[str, str, int]] = []
        """(job, technician, jobs the technician then holds), in order."""
        self.now = 0.0

    # --- the event queue -------------------------------------------------------------------------------------

    def at(self, when: float, action: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._events, (when, next(self._order), action, args))

    def run(self) -> Outcome:
        for state in self.jobs.values():
            self.at(state.job.at_s, self._created, state)
        if self.policy.knows_all:
            self.at(self.surge.window.total_seconds(), self._oracle_windows)
        self.at(RETRY_EVERY_S, self._retry_sweep)
        while self._events:
            when, _, action, args = heapq.heappop(self._events)
            if when > HORIZON_S:
                break
            self.now = when
            action(*args)
        return Outcome(self.policy, self.world, list(self.jobs.values()))

    # --- candidates ----------------------------------------------------------------------------------------

    def candidates(self, state: JobState, *, k: int | None, exclude: set[str],
                   would_accept: bool = False) -> list[RankedCandidate]:
        """The job's eligible technicians, ranked by the production score (the `k` best; None: all)."""
        eligible, where = self._free()
        if not eligible:
            return []
        km = _haversine_km(state.job.lat, state.job.lng, where[:, 0], where[:, 1])
        radius_km = self.search.radius_m / 1000
        contenders = [self._contender(tech, float(d), state) for tech, d in zip(eligible, km.tolist(), strict=True)
                      if d <= radius_km and tech.uid not in exclude]
        if would_accept:
            contenders = [c for c in contenders if self._answer(state.job, c.dispatcher_id).accepts(c.distance_km)]
        ranked = rank(contenders, self.search.weights, high_priority=state.job.urgent)
        return ranked if k is None else ranked[:k]

    def _contender(self, tech: Technician, from_here_km: float, state: JobState) -> Contender:
        """As `services.candidates` builds it from the index entry (greedy: as it did before D123)."""
        standing = self.techs[tech.uid]
        if not self.policy.weighs_waiting:
            return Contender(tech.uid, tech.rating, from_here_km, len(standing.legs))
        return contender_at(tech.uid, tech.rating, len(standing.legs), from_here_km=from_here_km,
                            now=_moment(self.now), free=standing.free, site=(state.job.lat, state.job.lng))

    def _free(self) -> tuple[list[Technician], np.ndarray]:
        """The technicians on shift with room for another job, and where they are (computed once per moment
        and change)."""
        key = (self.now, len(self.acceptances), self._finishes)
        if self._free_cache[0] != key:
            eligible = [tech for tech in self.roster if tech.shift_start_s <= self.now < tech.shift_end_s
                        and len(self.techs[tech.uid].legs) < self.capacity]
            where = np.array([self.techs[tech.uid].at(self.now) for tech in eligible]).reshape(-1, 2)
            self._free_cache = (key, eligible, where)
        return self._free_cache[1], self._free_cache[2]

    def _answer(self, job: Job, uid: str) -> Answer:
        if (job.id, uid) not in self._answers:
            self._answers[job.id, uid] = answer(self.world, job, uid)
        return self._answers[job.id, uid]

    # --- dispatch as production does it --------------------------------------------------------------------

    def _created(self, state: JobState) -> None:
        self._pending[state.region].add(state.job.id)
        if not self.policy.knows_all:
            self._dispatch(state)

    def _dispatch(self, state: JobState) -> None:
        """One step of `dispatch_queue._dispatch`: wait for the region's window in a surge, else offer now."""
        if not state.pending or state.open_offer is not None:
            return
        surge = self.policy is Policy.BATCHED and route(len(self._pending[state.region]), self.surge) is Route.WINDOW
        if surge:
            window = window_for(state.region, _moment(self.now), self.surge)
            if window.key not in self.windows:  # the named task: one per region and window
                self.windows.add(window.key)
                self.at((window.closes_at - DAY).total_seconds(), self._match_window, state.region)
            return
        best = best_offer(self.candidates(state, k=1, exclude=state.offered))
        if best is not None:
            self._offer(state, best)

    def _match_window(self, region: str) -> None:
        """`surge_windows.match_window`."""
        waiting = [state for uid in self._pending[region] if (state := self.jobs[uid]).open_offer is None]
        chosen = jobs_for_window([_waiting(state, ()) for state in waiting])
        jobs = [_waiting(self.jobs[job.request_id], tuple(self.candidates(
            self.jobs[job.request_id], k=WINDOW_CANDIDATES, exclude=self.jobs[job.request_id].offered)))
            for job in chosen]
        for assignment in match(jobs, self.search.weights, capacity=self.capacity):
            self._offer(self.jobs[assignment.request_id], assignment.candidate)

    def _retry_sweep(self) -> None:
        """`retry_dispatch`: cancel each pending job past its deadline, offer each one nobody holds an offer for
        (the oracles place theirs in their windows)."""
        for region in list(self._pending):
            for uid in sorted(self._pending[region]):
                state = self.jobs[uid]
                if self.now >= state.deadline_s:
                    self._cancel(state)
                elif state.open_offer is None and not self.policy.knows_all:
                    self._dispatch(state)
        if self._pending_anywhere() or self._events:
            self.at(self.now + RETRY_EVERY_S, self._retry_sweep)

    def _offer(self, state: JobState, candidate: RankedCandidate) -> None:
        uid = candidate.dispatcher_id
        state.offered.add(uid)
        state.open_offer = uid
        state.offers += 1
        reply = self._answer(state.job, uid)
        if reply.answers and reply.after_s < OFFER_TTL_S:
            self.at(self.now + reply.after_s, self._answered, state, uid, candidate.distance_km)
        else:
            self.at(self.now + OFFER_TTL_S, self._expired, state, uid)

    def _answered(self, state: JobState, uid: str, distance_km: float) -> None:
        if state.open_offer != uid:
            return
        reply = self._answer(state.job, uid)
        if not reply.accepts(distance_km):
            state.open_offer = None
            self._dispatch(state)  # rejected: `offer_next`
        elif len(self.techs[uid].legs) < self.capacity:
            self._accept(state, uid)
        else:  # the technician's capacity filled since the offer: the accept is refused and the offer runs out
            self.at(self.now + OFFER_TTL_S - reply.after_s, self._expired, state, uid)

    def _expired(self, state: JobState, uid: str) -> None:
        if state.open_offer != uid:
            return
        state.open_offer = None
        state.expired += 1
        self._dispatch(state)

    # --- the oracle ----------------------------------------------------------------------------------------

    def _oracle_windows(self) -> None:
        for region in list(self._pending):
            waiting = [self.jobs[uid] for uid in sorted(self._pending[region])]
            jobs = [_waiting(state, tuple(self.candidates(state, k=None, exclude=set(), would_accept=True)))
                    for state in waiting]
            weights = ORACLE_WEIGHTS if self.policy is Policy.ORACLE else self.search.weights
            for assignment in match(jobs, weights, capacity=self.capacity):
                state = self.jobs[assignment.request_id]
                state.offers += 1
                self._accept(state, assignment.candidate.dispatcher_id)
        if self._pending_anywhere() or any(state.accepted_s is None and state.job.at_s > self.now
                                           for state in self.jobs.values()):
            self.at(self.now + self.surge.window.total_seconds(), self._oracle_windows)

    def _cancel(self, state: JobState) -> None:
        """`job_moves.cancel_unmatched`: the job ends as "no technician available"; its open offer, if any, is
        withdrawn (an answer to it finds the job gone)."""
        state.cancelled_s = self.now
        state.open_offer = None
        self._pending[state.region].discard(state.job.id)

    def _pending_anywhere(self) -> bool:
        return any(self._pending.values())

    # --- work ----------------------------------------------------------------------------------------------

    def _accept(self, state: JobState, uid: str) -> None:
        tech = self.techs[uid]
        now_at = tech.at(self.now)
        ahead = [JobAhead(leg.destination, _moment(leg.arrive_s if leg.arrive_s <= self.now else leg.estimate_s),
                          ESTIMATED_WORK) for leg in tech.legs]
        sets_off, origin = free_from(_moment(self.now), now_at, ahead)
        estimate = (sets_off - DAY).total_seconds() + road_leg(origin, (state.job.lat, state.job.lng)
                                                                ).duration.total_seconds()  # as in production
        depart = max(self.now, tech.legs[-1].ends_s) if tech.legs else self.now
        start = tech.legs[-1].destination if tech.legs else now_at
        seconds, road_km = drive_s(self.world, f"{state.job.id}:{uid}", start, (state.job.lat, state.job.lng),
                                   depart)
        leg = Leg(depart, depart + seconds, depart + seconds + state.job.service_s, start,
                  (state.job.lat, state.job.lng), estimate)
        tech.legs.append(leg)
        tech.free = self._index_free(tech, now_at, taken=leg)
        self.acceptances.append((state.job.id, uid, len(tech.legs)))
        state.open_offer = None
        state.accepted_s = self.now
        state.arrival_s = leg.arrive_s
        state.pickup_km = road_km
        state.drive_s = seconds
        state.eta_error_at_accept_s = estimate - leg.arrive_s
        state.eta_error_setting_off_s = (depart + road_leg(start, leg.destination).duration.total_seconds()
                                         - leg.arrive_s)
        self._pending[state.region].discard(state.job.id)
        self.at(leg.ends_s, self._finished, uid, leg)

    def _finished(self, uid: str, leg: Leg) -> None:
        tech = self.techs[uid]
        tech.legs.remove(leg)
        self._finishes += 1
        if not tech.legs:
            tech.position = leg.destination  # free again: found by the next sweep or offer, as in production
        tech.free = self._index_free(tech, leg.destination, taken=None)

    def _index_free(self, tech: TechnicianState, position: tuple[float, float],
                    taken: Leg | None) -> tuple[dt.datetime, tuple[float, float]] | None:
        """`dispatch_index.free_at` in the commit that takes or ends a job, from what production knows then: a
        job's start once the technician is there, else its arrival estimate — none yet for the job being taken
        (the estimate comes after the commit: the road model's drive stands in) — and the estimated duration."""
        if not tech.legs:
            return None
        ahead = [JobAhead(leg.destination, None if leg is taken else _moment(
            leg.arrive_s if leg.arrive_s <= self.now else leg.estimate_s), ESTIMATED_WORK) for leg in tech.legs]
        return free_from(_moment(self.now), position, ahead)


def _moment(seconds: float) -> dt.datetime:
    return DAY + dt.timedelta(seconds=seconds)


def _deadline_s(job: Job, wait: dt.timedelta) -> float:
    """The production deadline of the job, computed by `unmatched_deadline` on the job as Firestore holds it."""
    request = ServiceRequest(id=job.id, client_id="client", car_model="car", license_plate="SIM", location_address=
                             "simulated", location_lat=job.lat, location_lng=job.lng, car_location_images=["car.jpg"],
                             status=RequestStatus.PENDING, is_urgent=job.urgent, price=Decimal("33.00"),
                             final_price=Decimal("33.00"), created_date=_moment(job.at_s))
    return (unmatched_deadline(request, wait) - DAY).total_seconds()


def _waiting(state: JobState, candidates: tuple[RankedCandidate, ...]) -> WaitingJob:
    return WaitingJob(state.job.id, _moment(state.job.at_s), state.job.urgent, candidates, ESTIMATED_WORK)


def _haversine_km(lat: float, lng: float, lats: np.ndarray, lngs: np.ndarray) -> np.ndarray:
    phi1, phi2 = math.radians(lat), np.radians(lats)
    dphi, dlmb = phi2 - phi1, np.radians(lngs - lng)
    a = np.sin(dphi / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    km: np.ndarray = 2 * EARTH_RADIUS_M / 1000 * np.arcsin(np.sqrt(np.minimum(1.0, a)))
    return km


def simulate(world: World, policy: Policy, **options: Any) -> Outcome:
    return Simulation(world, policy, **options).run()
