"""The assignment score of spec section 2, and the order in which technicians are offered a job.

    score = rating_weight x rating - distance_weight x km + availability_bonus (no active job)
            + priority_bonus (urgent job, or the client redeemed a priority_booking reward)

The weights are configuration (`Settings.dispatch.search`); with the defaults one star of
rating is worth 10 km of driving and being free is worth 5 km. The priority bonus is the same for every
technician scored for one job, so it never reorders them: it raises the job's `assignment_score`, which is
what compares one job's offer with another's (the offer work ranks competing jobs by it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from curbside.domain.enums import RewardType

METRES_PER_MILE = 1609.344


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
    active_jobs: int


@dataclass(frozen=True)
class RankedCandidate:
    dispatcher_id: str
    rating: float
    distance_km: float
    active_jobs: int
    score: float


def is_high_priority(*, is_urgent: bool, reward_type: RewardType | None) -> bool:
    """Urgent jobs and jobs booked with a `priority_booking` reward get the priority bonus."""
    return is_urgent or reward_type is RewardType.PRIORITY_BOOKING


def assignment_score(weights: ScoringWeights, contender: Contender, *, high_priority: bool) -> float:
    return (weights.rating * contender.rating
            - weights.distance_per_km * contender.distance_km
            + (weights.availability_bonus if contender.active_jobs == 0 else 0.0)
            + (weights.priority_bonus if high_priority else 0.0))


def rank(contenders: Iterable[Contender], weights: ScoringWeights, *, high_priority: bool) -> list[RankedCandidate]:
    """Highest score first; ties go to the nearer technician, then the better rated, then the id, so the same
    inputs always give the same queue. The order is taken before the job's priority bonus is added, so that
    the bonus cannot reorder technicians even where floating-point addition would round a difference away."""
    ordered = sorted(contenders, key=lambda c: (-assignment_score(weights, c, high_priority=False), c.distance_km,
                                                -c.rating, c.dispatcher_id))
    return [RankedCandidate(c.dispatcher_id, c.rating, c.distance_km, c.active_jobs,
                            assignment_score(weights, c, high_priority=high_priority)) for c in ordered]
