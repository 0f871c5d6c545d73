"""The surge benchmark's tables, goals and charts (docs/benchmarks.md, "Hail storm")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.surge.measures import (
    SERVICE_LEVEL_MIN,
    Summary,
    arrival_minutes,
    capacity_share,
    hourly,
    mean_drive_s,
    storm_span,
    summarise,
)
from bench.surge.simulate import Outcome, Policy
from bench.surge.world import World

PICKUP_RATIO_NORMAL = 1.15
PICKUP_RATIO_STORM = 1.30
P95_SHARE_OF_GREEDY = 0.5
LEVEL_SHARE = 0.9
CHART_CAP_MIN = 24 * 60
"""Where the hourly chart draws a p95 that was never reached."""


@dataclass(frozen=True)
class Day:
    """One scenario's outcomes under every policy."""

    outcomes: dict[Policy, Outcome]

    @property
    def world(self) -> World:
        return self.outcomes[Policy.ORACLE].world

    @property
    def storm(self) -> bool:
        return self.world.scenario.storm is not None

    def judged(self, policy: Policy) -> Summary:
        """The figures goals are judged on: the whole normal day; the storm's hours of a storm day."""
        start, end = storm_span(self.world) if self.storm else (0.0, math.inf)
        return summarise(self.outcomes[policy], start_s=start, end_s=end)

    def capacity(self) -> float:
        start, end = storm_span(self.world) if self.storm else (0.0, math.inf)
        return capacity_share(self.world, mean_drive_s(self.outcomes[Policy.ORACLE]), start_s=start, end_s=end)


def _minutes(value: float) -> str:
    return "never" if math.isinf(value) else f"{value:.0f}"


def _p95(summary: Summary) -> str:
    served = f"{summary.arrival_p95_served_min:.0f} min among the jobs reached"
    missed = f"{summary.cancelled} cancelled unmatched, {summary.never_served} never served"
    p95 = "never" if math.isinf(summary.arrival_p95_min) else f"{summary.arrival_p95_min:.0f} min"
    return f"{p95} ({missed}; {served})"


COLUMNS = ("policy", "jobs", "pickup km/job", "÷ oracle on the score", "÷ oracle on distance",
           "accepted p50 / p95 (min)", "arrived p50 / p95 (min)", "arrived p95 among the reached (min)",
           f"within {SERVICE_LEVEL_MIN:.0f} min", "offers/job", "expired offers", "cancelled unmatched",
           "never served", "ETA error at accept p50 / p90 (min)", "ETA error setting off p50 / p90 (min)")


def policy_table(day: Day) -> list[str]:
    scenario = day.world.scenario
    what = (f"jobs created during the storm ({scenario.storm.start_h:02.0f}:00, {scenario.storm.hours:g} h at "
            f"{scenario.storm.multiplier:g}x demand)" if scenario.storm else "the whole day")
    lines = [f"#### {scenario.name}: {len(day.world.jobs)} jobs, {len(day.world.technicians)} technicians",
             "", f"Figures over {what}; capacity allows about {day.capacity():.0%} within {SERVICE_LEVEL_MIN:.0f} "
                 "minutes (`measures.capacity_share`: the starts technicians on shift could make, at the mean "
                 "service time and the oracle's mean drive).", "",
             "| " + " | ".join(COLUMNS) + " |", "|---" + "|---:" * (len(COLUMNS) - 1) + "|"]
    score_km, distance_km = day.judged(Policy.ORACLE_SCORE).pickup_km, day.judged(Policy.ORACLE).pickup_km
    for policy in Policy:
        s = day.judged(policy)
        cells = [str(policy), str(s.jobs), f"{s.pickup_km:.1f}", f"{s.pickup_km / score_km:.2f}x",
                 f"{s.pickup_km / distance_km:.2f}x", f"{_minutes(s.accept_p50_min)} / {_minutes(s.accept_p95_min)}",
                 f"{_minutes(s.arrival_p50_min)} / {_minutes(s.arrival_p95_min)}", f"{s.arrival_p95_served_min:.0f}",
                 f"{s.within_level:.0%}", f"{s.offers_per_job:.2f}", str(s.expired), str(s.cancelled),
                 str(s.never_served), f"{s.eta_error_accept_min[0]:.1f} / {s.eta_error_accept_min[1]:.1f}",
                 f"{s.eta_error_setting_off_min[0]:.1f} / {s.eta_error_setting_off_min[1]:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


@dataclass(frozen=True)
class Goal:
    name: str
    measured: str
    verdict: str
    """PASS, FAIL, or n/a (with the reason in `measured`)."""


def goals(days: Sequence[Day]) -> list[Goal]:
    """Every goal on every day it applies to: pickup km on each day; the storm's p95 and service level on each
    storm day, the service level judged only where the capacity estimate allows it (n/a elsewhere, with the
    figures), the p95 n/a where neither policy reaches its 95th-percentile job (both never: capacity decides)."""
    result = []
    for day in days:
        name = day.world.scenario.name
        batched, greedy, oracle, nearest = (day.judged(p) for p in (Policy.BATCHED, Policy.GREEDY,
                                                                      Policy.ORACLE_SCORE, Policy.ORACLE))
        limit = PICKUP_RATIO_STORM if day.storm else PICKUP_RATIO_NORMAL
        ratio = batched.pickup_km / oracle.pickup_km
        result.append(Goal(
            f"{name}: pickup km within {limit:.2f}x of the oracle (on the score)", f"batched {ratio:.2f}x, greedy "
            f"{greedy.pickup_km / oracle.pickup_km:.2f}x (against the oracle on distance: batched "
            f"{batched.pickup_km / nearest.pickup_km:.2f}x, greedy {greedy.pickup_km / nearest.pickup_km:.2f}x)",
            "PASS" if ratio <= limit else "FAIL"))
        if not day.storm:
            continue
        both_never = math.isinf(batched.arrival_p95_min) and math.isinf(greedy.arrival_p95_min)
        result.append(Goal(f"{name}: p95 time to arrival at most half of greedy's",
                           f"batched {_p95(batched)}, greedy {_p95(greedy)}",
                           "n/a" if both_never else
                           "PASS" if batched.arrival_p95_min <= P95_SHARE_OF_GREEDY * greedy.arrival_p95_min
                           else "FAIL"))
        capacity = day.capacity()
        measured = (f"batched {batched.within_level:.0%}, greedy {greedy.within_level:.0%}, oracle on the score "
                    f"{oracle.within_level:.0%}; capacity allows {capacity:.0%}")
        verdict = ("n/a" if capacity < LEVEL_SHARE else "PASS" if batched.within_level >= LEVEL_SHARE else "FAIL")
        result.append(Goal(f"{name}: >= {LEVEL_SHARE:.0%} reached within {SERVICE_LEVEL_MIN:.0f} min where "
                           "capacity allows", measured, verdict))
    return result


def goals_table(found: Sequence[Goal]) -> list[str]:
    return ["| goal | measured | result |", "|---|---|---|"] + [
        f"| {goal.name} | {goal.measured} | {goal.verdict} |" for goal in found]


def _short(day: Day) -> str:
    scenario = day.world.scenario
    return f"{scenario.city}, storm, {len(day.world.technicians)} technicians"


def charts(days: Sequence[Day], directory: Path) -> list[Path]:
    """Two PNGs for the storm days: the distribution of minutes to arrival per policy, and pickup km and p95
    time to arrival by hour of the day."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    storms = [day for day in days if day.storm]
    if not storms:
        return []
    colours = {Policy.GREEDY: "tab:red", Policy.BATCHED: "tab:blue", Policy.ORACLE_SCORE: "tab:olive",
               Policy.ORACLE: "tab:green"}
    paths = [directory / "surge-arrival.png", directory / "surge-hourly.png"]

    figure, axes = plt.subplots(1, len(storms), figsize=(5 * len(storms), 4), squeeze=False)
    for axis, day in zip(axes[0], storms, strict=True):
        start, end = storm_span(day.world)
        for policy, outcome in day.outcomes.items():
            values = sorted(arrival_minutes(outcome, start_s=start, end_s=end))
            total = sum(start <= s.job.at_s < end for s in outcome.jobs)
            axis.step(values, [(n + 1) / total for n in range(len(values))], where="post", label=str(policy),
                      color=colours[policy])
        axis.axvline(SERVICE_LEVEL_MIN, color="grey", linestyle=":", label=f"{SERVICE_LEVEL_MIN:.0f} min")
        axis.set(title=f"{_short(day)}: jobs of the storm's hours", xlabel="minutes to arrival",
                 ylabel="share of jobs reached", ylim=(0, 1))
        axis.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(paths[0], dpi=110)
    plt.close(figure)

    figure, axes = plt.subplots(2, len(storms), figsize=(5 * len(storms), 7), squeeze=False)
    for column, day in enumerate(storms):
        storm = day.world.scenario.storm
        assert storm is not None
        hours = range(6, 23)
        for policy, outcome in day.outcomes.items():
            points = hourly(outcome, hours)
            axes[0][column].plot([p.hour for p in points], [p.pickup_km for p in points], marker="o",
                                 label=str(policy), color=colours[policy])
            axes[1][column].plot([p.hour for p in points], [min(p.arrival_p95_min, CHART_CAP_MIN) for p in points],
                                 marker="o", label=str(policy), color=colours[policy])
        for row in (0, 1):
            axes[row][column].axvspan(storm.start_h, storm.start_h + storm.hours, color="grey", alpha=0.15)
            axes[row][column].legend(loc="upper left")
        axes[0][column].set(title=_short(day), ylabel="pickup km per job")
        axes[1][column].set(xlabel="hour the job was requested",
                            ylabel=f"p95 minutes to arrival (never: {CHART_CAP_MIN})")
    figure.tight_layout()
    figure.savefig(paths[1], dpi=110)
    plt.close(figure)
    return paths
