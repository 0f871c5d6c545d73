"""When the technician will be at the car: `estimated_arrival_time` (spec: ServiceRequests), set when a job is
accepted and refreshed as the technician moves (D43).

The estimate is the moment the technician is free — now, or when the work on the jobs they took before this
one is done — plus the drive from where they will be then. The drive comes from the routing gateway (Google's
Routes API in production); `road_leg` is its local fallback and the local stack's model: the straight line
lengthened by a detour factor and driven at an urban average speed, plus a fixed time to set off. The surge
simulator reports how far such estimates fall from its own, noisier travel (docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from curbside.domain.geo import haversine_m

ROAD_DETOUR = 1.3
"""Road distance over straight-line distance in Australian cities (measured circuity is about 1.2-1.4)."""
URBAN_SPEED_KMH = 33.0
"""Average door-to-door driving speed in a metro area, lights and traffic included."""
SETTING_OFF = dt.timedelta(minutes=2)
"""Walking to the van and pulling out; parking at the other end."""


@dataclass(frozen=True)
class Leg:
    distance_m: float
    duration: dt.timedelta


def road_leg(origin: tuple[float, float], destination: tuple[float, float]) -> Leg:
    """The road-speed model's drive between two points."""
    road_m = haversine_m(*origin, *destination) * ROAD_DETOUR
    return Leg(road_m, SETTING_OFF + dt.timedelta(hours=road_m / 1000 / URBAN_SPEED_KMH))


@dataclass(frozen=True)
class JobAhead:
    """A job the technician does before this one."""

    location: tuple[float, float]
    work_starts: dt.datetime | None
    """When the work there started, or is expected to start (its own arrival estimate); None while it has no
    estimate yet (just accepted): after the road model's drive there."""
    duration: dt.timedelta
    """`estimated_duration_minutes`."""


def free_from(now: dt.datetime, position: tuple[float, float],
              ahead: Sequence[JobAhead]) -> tuple[dt.datetime, tuple[float, float]]:
    """When and where the technician sets off for the next job: after the jobs ahead, done in turn (a job
    whose work should have ended by now is taken to end now: it is evidently still going on)."""
    at, where = now, position
    for job in ahead:
        if job.work_starts is None:
            begins = at + road_leg(where, job.location).duration
        else:
            begins = job.work_starts if job.work_starts <= now else max(at, job.work_starts)
        at, where = max(at, begins + job.duration), job.location
    return at, where

