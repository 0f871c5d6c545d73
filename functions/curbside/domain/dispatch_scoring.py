"""The assignment score of spec section 2, and the order in which technicians are offered a job.

    score = rating_weight x rating - distance_weight x reach_km + availability_bonus (no active job)
            + priority_bonus (urgent job, or the client redeemed a priority_booking reward)

`reach_km` is the spec's distance for a free technician. For one still on a job (D123) it is the drive from
where that job is plus the wait until it should be done, counted as the kilometres the road model drives in
that time (`KM_PER_WAITING_MINUTE`): time to arrival, in the score's unit. The spec scored a busy technician
by where they stand, so a technician with an hour of work left beat a free one 6 km farther, and storm jobs
queued behind jobs (D82).

The weights are configuration (`Settings.dispatch.search`); with the defaults one star of
rating is worth 10 km of driving and being free is worth 5 km. The priority bonus is the same for every
technician scored for one job, so it never reorders them: it raises the job's `assignment_score`, which is
what compares one job's offer with another's (the offer work ranks competing jobs by it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from curbside.domain.arrival import ROAD_DETOUR, URBAN_SPEED_KMH
from curbside.domain.enums import RewardType
from curbside.domain.geo import haversine_m

METRES_PER_MILE = 1609.344
KM_PER_WAITING_MINUTE = URBAN_SPEED_KMH / 60 / ROAD_DETOUR
"""Straight-line kilometres the road model covers in a minute (about 0.42): a minute spent waiting for a
technician to finish costs the score what a minute spent driving to the job does."""


@dataclass(frozen=True)
class ScoringWeights:
    rating: float = 10.0
    """Points per star of the technician's rating."""
    distance_per_km: float = 1.0
    """Points taken off per kilometre between technician and job."""
    availability_bonus: float = 5.0
    """Added when the technician has no active job."""
    priority_bonus: float = 10.0
    """Added for a high-priority job."""

    def __post_init__(self) -> None:
        if min(self.rating, self.distance_per_km, self.availability_bonus, self.priority_bonus) < 0:
            raise ValueError("scoring weights are not negative: a negative weight would invert the spec's ranking")


@dataclass(frozen=True)
class SearchSettings:
    """Whom the candidate search considers, and how it ranks them."""

    radius_m: float = 50 * METRES_PER_MILE
    """Technicians farther than this from a job are not offered it (the spec's 50 miles)."""
    max_location_age: dt.timedelta = dt.timedelta(minutes=10)
    """A technician whose last fix is older is not a candidate."""
    weights: ScoringWeights = field(default_factory=ScoringWeights)


@dataclass(frozen=True)
class Contender:
    """A technician who passed the eligibility checks, with what the score needs."""

    dispatcher_id: str
    rating: float
    distance_km: float
    """From where they set off for the job: where they are, or for a busy technician where their work ends."""
    active_jobs: int
    waiting_minutes: float = 0.0
    """Until they are free to set off (`waiting_minutes`); 0 for a free technician."""

    @property
    def reach_km(self) -> float:
        return self.distance_km + KM_PER_WAITING_MINUTE * self.waiting_minutes


@dataclass(frozen=True)
class RankedCandidate:
    dispatcher_id: str
    rating: float
    distance_km: float
    active_jobs: int
    score: float
    waiting_minutes: float = 0.0


def waiting_minutes(free_in: dt.timedelta, *, from_here_km: float, from_free_site_km: float) -> float:
    """How long a busy technician keeps the job waiting before setting off, in the score: until their work
    should be done (`DispatcherLocation.free_at`; an overrunning job counts as ending now), and never less than
    it takes to drive from where they are to where that work is. The floor keeps `reach_km` at least the
    distance from where they stand, the distance the ring search bounds scores with (D41), even when the
    estimate is behind the technician."""
    behind_km = max(0.0, from_here_km - from_free_site_km)
    return max(free_in.total_seconds() / 60, behind_km / KM_PER_WAITING_MINUTE, 0.0)


def is_high_priority(*, is_urgent: bool, reward_type: RewardType | None) -> bool:
    """Urgent jobs and jobs booked with a `priority_booking` reward get the priority bonus."""
    return is_urgent or reward_type is RewardType.PRIORITY_BOOKING


def contender_at(uid: str, rating: float, active_jobs: int, *, from_here_km: float, now: dt.datetime,
                 free: tuple[dt.datetime, tuple[float, float]] | None, site: tuple[float, float]) -> Contender:
    """A technician as a contender for the job at `site`: free, from where they are; busy (`free`: when and
    where their active jobs should be done), from there and after the wait (`waiting_minutes`)."""
    if free is None or active_jobs == 0:
        return Contender(uid, rating, from_here_km, active_jobs)
    from_free_site_km = haversine_m(*free[1], *site) / 1000
    wait = waiting_minutes(free[0] - now, from_here_km=from_here_km, from_free_site_km=from_free_site_km)
    return Contender(uid, rating, from_free_site_km, active_jobs, wait)


def assignment_score(weights: ScoringWeights, contender: Contender, *, high_priority: bool) -> float:
    return (weights.rating * contender.rating
            - weights.distance_per_km * contender.reach_km
            + (weights.availability_bonus if contender.active_jobs == 0 else 0.0)
            + (weights.priority_bonus if high_priority else 0.0))


def rank(contenders: Iterable[Contender], weights: ScoringWeights, *, high_priority: bool) -> list[RankedCandidate]:
    """Highest score first; ties go to the nearer technician, then the better rated, then the id, so the same
    inputs always give the same queue. The order is taken before the job's priority bonus is added, so that
    the bonus cannot reorder technicians even where floating-point addition would round a difference away."""
    ordered = sorted(contenders, key=lambda c: (-assignment_score(weights, c, high_priority=False), c.reach_km,
                                                -c.rating, c.dispatcher_id))
    return [RankedCandidate(c.dispatcher_id, c.rating, c.distance_km, c.active_jobs,
                            assignment_score(weights, c, high_priority=high_priority), c.waiting_minutes)
            for c in ordered]
