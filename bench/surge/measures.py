"""What a simulated day is judged by: per policy, pickup km per job, time to acceptance and to arrival
(p50, p95), the share of jobs reached within the service level, offers per job, expired offers, jobs cancelled
as unmatched, jobs never served, and the production arrival estimate's error against the simulated drive; per
hour of the storm, the same pickup and waiting figures (for the charts); and about what capacity allows of the
service level."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.surge.simulate import Outcome
from bench.surge.world import SERVICE_MEAN_MIN, World

SERVICE_LEVEL_MIN = 90.0
"""A job is served within the service level when the technician arrives within this many minutes."""


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@dataclass(frozen=True)
class Summary:
    jobs: int
    pickup_km: float
    accept_p50_min: float
    accept_p95_min: float
    arrival_p50_min: float
    arrival_p95_min: float
    arrival_p95_served_min: float
    """The p95 among the jobs that were reached (leaving the never-served out)."""
    within_level: float
    """Share of all jobs (never-served ones count as missed) reached within `SERVICE_LEVEL_MIN`."""
    offers_per_job: float
    expired: int
    cancelled: int
    """Cancelled by the sweep as unmatched (`unmatched_deadline`): never reached."""
    never_served: int
    """Neither accepted nor cancelled by the horizon (still waiting when the last shift ended)."""
    eta_error_accept_min: tuple[float, float]
    """The production estimate made at acceptance minus the simulated arrival: median absolute and p90 absolute."""
    eta_error_setting_off_min: tuple[float, float]


def mean_drive_s(outcome: Outcome) -> float:
    """The mean simulated drive to the jobs reached (for `capacity_share`)."""
    drives = [s.drive_s for s in outcome.jobs if s.drive_s is not None]
    return statistics.fmean(drives) if drives else 0.0


def summarise(outcome: Outcome, *, start_s: float = 0.0, end_s: float = math.inf) -> Summary:
    """The figures of the jobs created in [start_s, end_s); jobs cancelled as unmatched or never served are in
    the times to acceptance and arrival as what they are: never reached (infinite)."""
    states = [s for s in outcome.jobs if start_s <= s.job.at_s < end_s]
    served = [s for s in states if s.arrival_s is not None]
    accept = [(s.accepted_s - s.job.at_s) / 60 for s in served if s.accepted_s is not None]
    arrival = [(s.arrival_s - s.job.at_s) / 60 for s in served if s.arrival_s is not None]
    missing = len(states) - len(served)
    arrival_all = arrival + [math.inf] * missing
    accept_all = accept + [math.inf] * missing
    errors_accept = [abs(s.eta_error_at_accept_s) / 60 for s in served if s.eta_error_at_accept_s is not None]
    errors_off = [abs(s.eta_error_setting_off_s) / 60 for s in served if s.eta_error_setting_off_s is not None]
    return Summary(
        jobs=len(states),
        pickup_km=statistics.fmean(s.pickup_km for s in served if s.pickup_km is not None) if served else math.nan,
        accept_p50_min=percentile(accept_all, 0.5), accept_p95_min=percentile(accept_all, 0.95),
        arrival_p50_min=percentile(arrival_all, 0.5), arrival_p95_min=percentile(arrival_all, 0.95),
        arrival_p95_served_min=percentile(arrival, 0.95),
        within_level=sum(value <= SERVICE_LEVEL_MIN for value in arrival) / len(states) if states else math.nan,
        offers_per_job=sum(s.offers for s in states) / len(states) if states else math.nan,
        expired=sum(s.expired for s in states), cancelled=sum(s.cancelled_s is not None for s in states),
        never_served=sum(s.pending for s in states),
        eta_error_accept_min=(percentile(errors_accept, 0.5), percentile(errors_accept, 0.9)),
        eta_error_setting_off_min=(percentile(errors_off, 0.5), percentile(errors_off, 0.9)))


def storm_span(world: World) -> tuple[float, float]:
    """The storm's hours (the busiest three of a normal day's afternoon when there is no storm)."""
    storm = world.scenario.storm
    if storm is None:
        return 13 * 3600.0, 16 * 3600.0
    return storm.start_h * 3600, (storm.start_h + storm.hours) * 3600


def capacity_share(world: World, drive_s: float, *, start_s: float, end_s: float) -> float:
    """About the most of the jobs created in [start_s, end_s) that the technicians could reach within the
    service level: a job so reached is started by `end_s` plus the service level, and in that span a
    technician on shift can start at most one job at once and one more per job's mean service time plus
    `drive_s` (the oracle's mean drive that day). Jobs of other hours competing for the same technicians are
    left out, so the real figure is lower. An estimate of what capacity allows, not a policy's result."""
    until = end_s + SERVICE_LEVEL_MIN * 60
    per_job_s = SERVICE_MEAN_MIN * 60 + drive_s
    starts = sum(1 + (min(until, tech.shift_end_s) - max(start_s, tech.shift_start_s)) / per_job_s
                 for tech in world.technicians if tech.shift_start_s < until and tech.shift_end_s > start_s)
    jobs = sum(start_s <= job.at_s < end_s for job in world.jobs)
    return min(1.0, starts / jobs) if jobs else math.nan


@dataclass(frozen=True)
class HourlyPoint:
    hour: int
    pickup_km: float
    arrival_p50_min: float
    arrival_p95_min: float


def hourly(outcome: Outcome, hours: range) -> list[HourlyPoint]:
    points = []
    for hour in hours:
        summary = summarise(outcome, start_s=hour * 3600.0, end_s=(hour + 1) * 3600.0)
        points.append(HourlyPoint(hour, summary.pickup_km, summary.arrival_p50_min, summary.arrival_p95_min))
    return points


def arrival_minutes(outcome: Outcome, *, start_s: float, end_s: float) -> list[float]:
    """Minutes from request to arrival of the jobs created in the span that were served."""
    return [(s.arrival_s - s.job.at_s) / 60 for s in outcome.jobs
            if start_s <= s.job.at_s < end_s and s.arrival_s is not None]
