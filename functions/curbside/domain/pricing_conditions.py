"""What a pricing rule's conditions say about a job: the shapes admins write, read the way every quote reads them.

Which rules are candidates: `is_active` ones; for a scheduled job only those with `applies_to_scheduled`
(`pricing.quote` then applies the highest `priority` of each `rule_type` that matches). The condition maps are
the shapes `seed/catalogue.py` writes (the admin tool must write the same):

- time_of_day:  time_conditions {"start": "17:00", "end": "19:00", "timezone"?: IANA} — local wall-clock
  time of the job (now, or the scheduled slot) in the job's time zone unless the rule pins one; start
  included, end excluded; end < start wraps past midnight.
- day_of_week:  time_conditions {"days": ["saturday", "sunday"], "timezone"?: IANA} — English day names.
- location_premium: demand_conditions {"zones": [{"name", "lat", "lng", "radius_km"}, ...]} — the job lies
  within `radius_km` (great circle) of a zone centre; the rule's `multiplier` is the premium (1.3).
- demand_surge: demand_conditions {"metric": "open_requests_per_online_dispatcher", "radius_km": 10,
  "thresholds": [{"min_ratio": 1.5, "multiplier": 1.1}, ...]} — open (pending) requests per available
  technician near the job; the threshold with the highest `min_ratio` not above the ratio gives the
  multiplier (no technician and some demand counts as above every threshold).
- dispatcher_availability: demand_conditions {"radius_km": 10, "max_available_dispatchers": 2} — applies
  its `multiplier` when at most that many technicians are available near the job.
- service_type: demand_conditions {"service_ids": [...], "categories": [...]} — the job's booked service is
  among the ids or its category among the categories (`catalogue.service_rule_matches`, D107); a job booked
  without a service matches none.

A rule whose map does not have its shape is skipped (and reported in `Quote.ignored_rules`, so the service
can log it): a typo in the admin tool must not stop every quote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from curbside.domain.catalogue import ServiceTerms, service_rule_matches
from curbside.domain.documents import PricingRule
from curbside.domain.enums import RuleType
from curbside.domain.geo import haversine_m
from curbside.domain.scheduling import is_time_zone

SURGE_METRIC = "open_requests_per_online_dispatcher"
DEFAULT_DEMAND_RADIUS_KM = 10.0
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def as_decimal(value: float | int | str | Decimal) -> Decimal:
    """A stored double as the decimal a person typed (1.15, not 1.149999...)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))

@dataclass(frozen=True)
class Job:
    """What a price depends on. `at` is the moment the work happens (now, or the scheduled slot); `zone` is
    the client's time zone, in which peak hours and weekends are read."""

    lat: float
    lng: float
    is_urgent: bool
    is_scheduled: bool
    at: dt.datetime
    zone: ZoneInfo
    service: ServiceTerms | None = None
    """The catalogue service booked (None: priced from the configured base price, as before services)."""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("a job's time must be timezone-aware")


@dataclass(frozen=True)
class Demand:
    """Near one job: requests waiting for a technician, and technicians online with no job."""

    open_requests: int
    available_dispatchers: int

    @property
    def ratio(self) -> Decimal:
        if self.available_dispatchers <= 0:
            return Decimal("Infinity") if self.open_requests > 0 else Decimal(0)
        return Decimal(self.open_requests) / Decimal(self.available_dispatchers)


class RuleConditionError(ValueError):
    """A PricingRule whose condition map does not have the shape of its type."""


# --- conditions -------------------------------------------------------------------------------------------


def _zone(conditions: Mapping[str, Any]) -> ZoneInfo | None:
    name = conditions.get("timezone")
    if name is None:
        return None
    if not isinstance(name, str) or not is_time_zone(name):
        raise RuleConditionError(f"timezone {name!r} is not an IANA time zone")
    return ZoneInfo(name)


def _clock_time(value: Any, key: str) -> dt.time:
    try:
        parsed = dt.time.fromisoformat(value) if isinstance(value, str) and len(value) == 5 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise RuleConditionError(f"{key} must be a time 'HH:MM', not {value!r}")
    return parsed


def _number(value: Any, key: str, *, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleConditionError(f"{key} must be a number, not {value!r}")
    number = as_decimal(value)
    if not number.is_finite() or (positive and number <= 0) or number < 0:
        raise RuleConditionError(f"{key} must be a {'positive' if positive else 'non-negative'} number")
    return number


def _radius_km(conditions: Mapping[str, Any]) -> float:
    return float(_number(conditions.get("radius_km", DEFAULT_DEMAND_RADIUS_KM), "radius_km", positive=True))


def _in_window(rule: PricingRule, job: Job) -> bool:
    conditions = rule.time_conditions
    start = _clock_time(conditions.get("start"), "start")
    end = _clock_time(conditions.get("end"), "end")
    local = job.at.astimezone(_zone(conditions) or job.zone).time().replace(tzinfo=None)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _on_day(rule: PricingRule, job: Job) -> bool:
    days = rule.time_conditions.get("days")
    if not isinstance(days, list) or not days or any(day not in DAY_NAMES for day in days):
        raise RuleConditionError(f"days must be a list of {', '.join(DAY_NAMES)}")
    local_day = job.at.astimezone(_zone(rule.time_conditions) or job.zone).weekday()
    return DAY_NAMES[local_day] in days


def _in_zone(rule: PricingRule, job: Job) -> bool:
    zones = rule.demand_conditions.get("zones")
    if not isinstance(zones, list) or not zones:
        raise RuleConditionError("zones must be a non-empty list of {name, lat, lng, radius_km}")
    inside = False
    for zone in map(_mapping, zones):
        lat, lng = _coordinate(zone.get("lat"), 90), _coordinate(zone.get("lng"), 180)
        radius_m = float(_number(zone.get("radius_km"), "radius_km", positive=True)) * 1000
        inside = inside or haversine_m(job.lat, job.lng, lat, lng) <= radius_m
    return inside


def _coordinate(value: Any, limit: int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
        raise RuleConditionError(f"a zone centre needs lat/lng in degrees, not {value!r}")
    return float(value)


def _surge_multiplier(rule: PricingRule, demand: Demand) -> Decimal | None:
    conditions = rule.demand_conditions
    if conditions.get("metric", SURGE_METRIC) != SURGE_METRIC:
        raise RuleConditionError(f"metric must be {SURGE_METRIC!r}")
    thresholds = conditions.get("thresholds")
    if not isinstance(thresholds, list) or not thresholds:
        raise RuleConditionError("thresholds must be a non-empty list of {min_ratio, multiplier}")
    steps = sorted(
        (_number(step.get("min_ratio"), "min_ratio"), _number(step.get("multiplier"), "multiplier", positive=True))
        for step in (_mapping(step) for step in thresholds)
    )
    reached = [multiplier for min_ratio, multiplier in steps if demand.ratio >= min_ratio]
    return reached[-1] if reached else None


def _mapping(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RuleConditionError(f"expected a map, not {value!r}")
    return value


def _scarce(rule: PricingRule, demand: Demand) -> bool:
    limit = rule.demand_conditions.get("max_available_dispatchers")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise RuleConditionError("max_available_dispatchers must be a whole number")
    return demand.available_dispatchers <= limit


# --- the engine -------------------------------------------------------------------------------------------

DEMAND_RULES = frozenset({RuleType.DEMAND_SURGE, RuleType.DISPATCHER_AVAILABILITY})


def candidates(rules: Iterable[PricingRule], job: Job) -> list[PricingRule]:
    """The rules that may apply to `job` at all: active, and for a scheduled job those that apply to one."""
    return [rule for rule in rules
            if rule.is_active and (rule.applies_to_scheduled or not job.is_scheduled)]


def demand_radii_km(rules: Iterable[PricingRule], job: Job) -> frozenset[float]:
    """The radii around the job within which the service must count demand (none: no read is needed)."""
    radii: set[float] = set()
    for rule in candidates(rules, job):
        if rule.rule_type in DEMAND_RULES:
            try:
                radii.add(_radius_km(rule.demand_conditions))
            except RuleConditionError:
                continue
    return frozenset(radii)


def multiplier_of(rule: PricingRule, job: Job, demand: Mapping[float, Demand]) -> Decimal | None:
    """The multiplier `rule` applies to `job` (1 for a fixed amount alone), or None when it does not match."""
    own = as_decimal(rule.multiplier) if rule.multiplier is not None else None
    if rule.rule_type in DEMAND_RULES:
        near = demand[_radius_km(rule.demand_conditions)]
        if rule.rule_type is RuleType.DEMAND_SURGE:
            return _surge_multiplier(rule, near)
        matched = _scarce(rule, near)
    elif rule.rule_type is RuleType.TIME_OF_DAY:
        matched = _in_window(rule, job)
    elif rule.rule_type is RuleType.DAY_OF_WEEK:
        matched = _on_day(rule, job)
    elif rule.rule_type is RuleType.LOCATION_PREMIUM:
        matched = _in_zone(rule, job)
    elif rule.rule_type is RuleType.SERVICE_TYPE:
        try:
            matched = service_rule_matches(rule.demand_conditions, job.service)
        except ValueError as exc:
            raise RuleConditionError(str(exc)) from None
    else:
        return None
    if own is None and rule.fixed_amount is None:
        raise RuleConditionError("the rule has neither a multiplier nor a fixed amount")
    return (own if own is not None else Decimal(1)) if matched else None


PROBE_JOB = Job(0.0, 0.0, False, False, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), ZoneInfo("UTC"))


def check_conditions(rule: PricingRule) -> None:
    """Run every check `rule`'s type makes on its condition maps, as a quote would, on a probe job: raises
    RuleConditionError for what a quote would skip (the admin editor saves only what quotes can read, D99)."""
    demand = {_radius_km(rule.demand_conditions): Demand(1, 1)} if rule.rule_type in DEMAND_RULES else {}
    multiplier_of(rule, PROBE_JOB, demand)
