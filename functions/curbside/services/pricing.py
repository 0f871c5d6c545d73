"""Pricing against Firestore: the active PricingRules and the demand around a job, fed to the pure engine
(`curbside.domain.pricing`).

What a quote costs in Firestore reads: one query for the active rules (one read per active rule, a handful),
plus — only when an active demand rule applies to the job (never for scheduled jobs with the seeded rules) —
two `count()` aggregations per distinct radius (pending requests, free technicians), each billed one read
per 1000 index entries it matches. Counting never downloads the documents.

"Near the job" is a latitude/longitude box of the rule's radius around it, not a circle: range filters on
two fields are what an aggregation can use. The box's corners reach 1.41 x the radius, which only widens
the sample the ratio is taken from; boxes that would cross the antimeridian are not handled (no market is
there). The queries are `store.queries.PENDING_JOBS_IN_BOX` and `FREE_TECHNICIANS_IN_BOX`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypedDict

from curbside.domain.documents import PricingRule
from curbside.domain.enums import RequestStatus
from curbside.domain.pricing import Quote, RewardDiscount, quote
from curbside.domain.pricing_conditions import Demand, Job, demand_radii_km
from curbside.store import queries
from curbside.store.uow import UnitOfWork

KM_PER_DEGREE_LAT = 111.195


def active_rules(uow: UnitOfWork) -> list[PricingRule]:
    return uow.pricing_rules.find(queries.ACTIVE_PRICING_RULES, is_active=True)


class Box(TypedDict):
    south: float
    north: float
    west: float
    east: float


def _box(lat: float, lng: float, radius_km: float) -> Box:
    d_lat = radius_km / KM_PER_DEGREE_LAT
    d_lng = min(180.0, d_lat / max(math.cos(math.radians(lat)), 1e-6))
    return Box(south=lat - d_lat, north=lat + d_lat, west=lng - d_lng, east=lng + d_lng)


def count_demand(uow: UnitOfWork, lat: float, lng: float, radius_km: float) -> Demand:
    """Pending requests, and technicians who could be offered a job and have none, within the box of
    `radius_km` around a point (`searchable`: online, verified, active account, room for a job)."""
    box = _box(lat, lng, radius_km)
    return Demand(
        open_requests=uow.requests.count(queries.PENDING_JOBS_IN_BOX, status=RequestStatus.PENDING, **box),
        available_dispatchers=uow.locations.count(queries.FREE_TECHNICIANS_IN_BOX, searchable=True, active_jobs=0,
                                                  **box))


def price(uow: UnitOfWork, job: Job, reward: RewardDiscount | None = None,
          rules: Iterable[PricingRule] | None = None) -> Quote:
    """The quote for `job` under the deployment's pricing: loads the active rules (unless given) and counts
    only the demand they need."""
    rule_list = active_rules(uow) if rules is None else list(rules)
    demand = {radius: count_demand(uow, job.lat, job.lng, radius) for radius in demand_radii_km(rule_list, job)}
    return quote(uow.settings.pricing_at(job.lat, job.lng), job, rule_list, demand, reward,
                 tax=uow.settings.tax_at(job.lat, job.lng))
