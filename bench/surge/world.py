"""The simulated city: suburbs, technicians, demand, roads and how technicians answer offers.

Everything is drawn from a seeded generator, so a run is repeatable and every policy faces the same day: the
same jobs at the same moments, the same technicians on the same shifts, the same drives, and the same
answer from a given technician to a given job (`Answers`: drawn once per pair, so a policy cannot be lucky
with acceptances another one was not offered).

- **Suburbs**: `SUBURBS` points around the metro area's centre, spread like `bench/australia.py` places its
  people (a normal spread of the area's size, a sixth on a wider ring), each with a population drawn from a
  log-normal (a few large suburbs, many small ones).
- **Demand**: Poisson arrivals per suburb in proportion to its population, following a daily profile
  (`HOURLY_SHARE`: nothing overnight, a morning and an afternoon peak), multiplied by `storm.multiplier`
  during the storm's hours. A tenth of jobs are urgent (the priority bonus).
- **Technicians**: a home near a suburb drawn by population, a rating like the dispatch benchmark's, a shift
  of 8-10 hours starting between 06:00 and 14:00, the production capacity (the current job and the next).
  Nobody works overnight and there is no next day: a job still waiting when the last shift ends is never
  served. A storm day may add **storm-day shifts** (`Scenario.storm_shifts`, the case study's "scale during
  hail season": technicians called in when hail is forecast): the same kind of technicians, whose 8-10 hour
  shifts start in the hour before the storm.
- **Roads**: the true drive is the straight line times a detour drawn per trip (1.15-1.6, mean about 1.35)
  at a speed drawn per trip around `URBAN_SPEED_KMH` (slower in the storm: hail, crashes, water), plus two
  minutes to set off — noisier than the production road-speed model, whose error against it is reported.
- **Service**: a gamma-distributed duration, mean `SERVICE_MEAN_MIN`.
- **Answers**: `ANSWER_SHARE` of offers are answered (the rest expire after 60 s), after 4-50 s; an answered
  offer is accepted with a probability that falls with the pickup distance (`accept_probability`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from bench.australia import OUTER_FACTOR, OUTER_SHARE, URBAN_AREAS, Town
from curbside.domain.arrival import SETTING_OFF, URBAN_SPEED_KMH
from curbside.domain.geo import haversine_m, offset

DAY = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
"""Midnight of the simulated day (times are seconds after it)."""
SUBURBS = 60
HOURLY_SHARE = (0, 0, 0, 0, 0, 0, 2, 5, 8, 9, 9, 8, 8, 8, 9, 9, 8, 6, 5, 3, 2, 1, 0, 0)
"""Relative demand by hour of the day (it sums to 100: a share in per cent)."""
SERVICE_MEAN_MIN = 50.0
SERVICE_SHAPE = 4.0
URGENT_SHARE = 0.1
ANSWER_SHARE = 0.88
"""Offers answered at all; the rest run out their 60 seconds (phone in a pocket, app killed)."""
STORM_SLOWDOWN = 0.8
"""Driving speeds during the storm, relative to a normal day's."""


@dataclass(frozen=True)
class Storm:
    start_h: float = 13.0
    hours: float = 3.0
    multiplier: float = 10.0

    def covers(self, at_s: float) -> bool:
        return self.start_h * 3600 <= at_s < (self.start_h + self.hours) * 3600


@dataclass(frozen=True)
class Scenario:
    city: str
    jobs_per_day: float
    """Expected jobs on a normal day."""
    technicians: int
    """The regular fleet, on the day's usual shifts."""
    storm: Storm | None
    storm_shifts: int = 0
    """Technicians called in for the storm, on shifts starting in the hour before it."""

    def __post_init__(self) -> None:
        if self.storm_shifts and self.storm is None:
            raise ValueError("storm-day shifts need a storm")

    @property
    def name(self) -> str:
        if self.storm is None:
            return f"{self.city}, normal day"
        return f"{self.city}, storm day" + (f" with {self.storm_shifts} storm-day shifts" if self.storm_shifts else "")


@dataclass(frozen=True)
class Suburb:
    lat: float
    lng: float
    people: float


@dataclass(frozen=True)
class Technician:
    uid: str
    home: tuple[float, float]
    rating: float
    shift_start_s: float
    shift_end_s: float


@dataclass(frozen=True)
class Job:
    id: str
    at_s: float
    lat: float
    lng: float
    urgent: bool
    service_s: float


@dataclass(frozen=True)
class World:
    scenario: Scenario
    suburbs: tuple[Suburb, ...]
    technicians: tuple[Technician, ...]
    jobs: tuple[Job, ...]
    seed: int


def town(name: str) -> Town:
    return next(area for area in URBAN_AREAS if area.name == name)


def build(scenario: Scenario, seed: int) -> World:
    """The day's city. The suburbs and technicians depend on the city and seed only, so a normal and a storm
    day of one city have the same people; the storm adds jobs."""
    rng = random.Random(f"{seed}:{scenario.city}")
    area = town(scenario.city)
    suburbs = tuple(_suburb(area, rng) for _ in range(SUBURBS))
    weights = [suburb.people for suburb in suburbs]
    technicians = []
    for n in range(scenario.technicians + scenario.storm_shifts):
        base = rng.choices(suburbs, weights)[0]
        home = offset(base.lat, base.lng, rng.gauss(0, 1_500), rng.gauss(0, 1_500))
        start_h = rng.uniform(6, 14)
        if n >= scenario.technicians and scenario.storm is not None:  # called in for the storm
            start_h = scenario.storm.start_h - rng.random()
        technicians.append(Technician(f"tech-{n:04d}", home, round(rng.triangular(3.5, 5.0, 4.8), 2),
                                      start_h * 3600, (start_h + rng.uniform(8, 10)) * 3600))
    return World(scenario, suburbs, tuple(technicians), _jobs(scenario, suburbs, seed), seed)


def _suburb(area: Town, rng: random.Random) -> Suburb:
    spread = area.spread_km * (OUTER_FACTOR if rng.random() < OUTER_SHARE else 1.0) * 1000
    lat, lng = offset(area.lat, area.lng, rng.gauss(0, spread), rng.gauss(0, spread))
    return Suburb(lat, lng, rng.lognormvariate(0, 0.8))


def _jobs(scenario: Scenario, suburbs: Sequence[Suburb], seed: int) -> tuple[Job, ...]:
    """Poisson arrivals per suburb and hour (the rate is the city's day times the hour's share times the
    suburb's share of people, times the storm's multiplier in its hours)."""
    rng = random.Random(f"{seed}:{scenario.city}:jobs:{scenario.storm}")
    people = sum(suburb.people for suburb in suburbs)
    jobs: list[Job] = []
    for hour, share in enumerate(HOURLY_SHARE):
        for suburb in suburbs:
            rate_per_s = scenario.jobs_per_day * share / 100 * suburb.people / people / 3600
            at = hour * 3600.0
            while rate_per_s > 0:
                multiplier = scenario.storm.multiplier if scenario.storm and scenario.storm.covers(at) else 1.0
                at += rng.expovariate(rate_per_s * multiplier)
                if at >= (hour + 1) * 3600:
                    break
                lat, lng = offset(suburb.lat, suburb.lng, rng.gauss(0, 1_200), rng.gauss(0, 1_200))
                jobs.append(Job("", at, lat, lng, rng.random() < URGENT_SHARE,
                                rng.gammavariate(SERVICE_SHAPE, SERVICE_MEAN_MIN * 60 / SERVICE_SHAPE)))
    jobs.sort(key=lambda job: job.at_s)
    return tuple(Job(f"job-{n:05d}", job.at_s, job.lat, job.lng, job.urgent, job.service_s)
                 for n, job in enumerate(jobs))


def _unit(*key: object) -> float:
    """A uniform number in [0, 1) fixed by the key (the same for every policy that asks)."""
    digest = hashlib.blake2b(":".join(map(str, key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def drive_s(world: World, trip: str, origin: tuple[float, float], destination: tuple[float, float],
            at_s: float) -> tuple[float, float]:
    """The true drive (seconds, road km) of one trip, drawn for that trip."""
    detour = 1.15 + 0.45 * _unit(world.seed, "detour", trip) ** 1.5
    speed = URBAN_SPEED_KMH * math.exp(0.25 * _normal(world.seed, "speed", trip))
    if world.scenario.storm and world.scenario.storm.covers(at_s):
        speed *= STORM_SLOWDOWN
    road_km = haversine_m(*origin, *destination) / 1000 * detour
    return SETTING_OFF.total_seconds() + road_km / speed * 3600, road_km


def _normal(*key: object) -> float:
    u1, u2 = max(_unit(*key, 1), 1e-12), _unit(*key, 2)
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def accept_probability(pickup_km: float) -> float:
    """An answered offer is accepted with this probability: most near ones, few across town."""
    return 0.95 * math.exp(-pickup_km / 35)


@dataclass(frozen=True)
class Answer:
    answers: bool
    after_s: float
    draw: float
    """Accepts when this is below `accept_probability` of the pickup distance at the time."""

    def accepts(self, pickup_km: float) -> bool:
        return self.answers and self.draw < accept_probability(pickup_km)


def answer(world: World, job: Job, uid: str) -> Answer:
    """How this technician answers an offer of this job (the same whichever policy makes it)."""
    return Answer(_unit(world.seed, "answers", job.id, uid) < ANSWER_SHARE,
                  4 + 46 * _unit(world.seed, "delay", job.id, uid), _unit(world.seed, "accepts", job.id, uid))
