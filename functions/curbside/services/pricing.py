"""Pricing against Firestore: the active PricingRules and the demand around a job, fed to the pure engine
(`curbside.domain.pricing`).

What a quote costs in Firestore reads: one query for the active rules (one read per active rule, a handful),
plus — only when an active demand rule applies to the job (never for scheduled jobs with the seeded rules) —
two `count()` aggregations per distinct radius (pending requests, free technicians), each billed one read
per 1000 index entries it matches. Counting never downloads the documents.

"Near the job" is a latitude/longitude box of the rule's radius around it, not a circle: range filters on
two fields are what an aggregation can use. The box's corners reach 1.41 x the radius, which only widens
the sample the ratio is taken from; boxes that would cross the antimeridian are not handled (no market is
there). The queries need the composite indexes listed in docs/api.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside import config
from curbside.deps import Deps
from curbside.domain.documents import PricingRule
from curbside.domain.enums import RequestStatus
from curbside.domain.pricing import Demand, Job, PricingSettings, Quote, RewardDiscount, demand_radii_km, quote
from curbside.store.codec import from_snapshot
from curbside.store.collections import Collection

KM_PER_DEGREE_LAT = 111.195


def configured_settings() -> PricingSettings:
    """The built-in pricing from the deployment's parameters (read at run time, never at import)."""
    return PricingSettings(
        base_price=Decimal(config.BASE_PRICE.value),
        urgency_multiplier=Decimal(config.URGENCY_MULTIPLIER.value),
        scheduled_multiplier=Decimal(config.SCHEDULED_MULTIPLIER.value),
        max_multiplier=Decimal(config.MAX_PRICE_MULTIPLIER.value),
        currency=config.CURRENCY.value,
    )


def active_rules(db: firestore.Client) -> list[PricingRule]:
    query = db.collection(Collection.PRICING_RULES).where(filter=FieldFilter("is_active", "==", True))
    return [from_snapshot(PricingRule, snap) for snap in query.stream()]


def _box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    d_lat = radius_km / KM_PER_DEGREE_LAT
    d_lng = min(180.0, d_lat / max(math.cos(math.radians(lat)), 1e-6))
    return lat - d_lat, lat + d_lat, lng - d_lng, lng + d_lng


def _count(query: firestore.Query) -> int:
    aggregation: Any = query.count()  # one aggregation read per 1000 matching index entries
    (results,) = aggregation.get()
    return int(results[0].value)


def count_demand(db: firestore.Client, lat: float, lng: float, radius_km: float) -> Demand:
    """Pending requests, and technicians who could be offered a job and have none, within the box of
    `radius_km` around a point."""
    south, north, west, east = _box(lat, lng, radius_km)
    requests = (
        db.collection(Collection.SERVICE_REQUESTS)
        .where(filter=FieldFilter("status", "==", RequestStatus.PENDING.value))
        .where(filter=FieldFilter("location_lat", ">=", south)).where(filter=FieldFilter("location_lat", "<=", north))
        .where(filter=FieldFilter("location_lng", ">=", west)).where(filter=FieldFilter("location_lng", "<=", east))
    )
    technicians = (  # `searchable`: online, verified, active account, room for a job (DispatcherLocation)
        db.collection(Collection.DISPATCHER_LOCATIONS)
        .where(filter=FieldFilter("searchable", "==", True)).where(filter=FieldFilter("active_jobs", "==", 0))
        .where(filter=FieldFilter("lat", ">=", south)).where(filter=FieldFilter("lat", "<=", north))
        .where(filter=FieldFilter("lng", ">=", west)).where(filter=FieldFilter("lng", "<=", east))
    )
    return Demand(open_requests=_count(requests), available_dispatchers=_count(technicians))


def price(deps: Deps, settings: PricingSettings, job: Job, reward: RewardDiscount | None = None,
          rules: Iterable[PricingRule] | None = None) -> Quote:
    """The quote for `job`: loads the active rules (unless given) and counts only the demand they need."""
    rule_list = active_rules(deps.db) if rules is None else list(rules)
    demand = {radius: count_demand(deps.db, job.lat, job.lng, radius) for radius in demand_radii_km(rule_list, job)}
    return quote(settings, job, rule_list, demand, reward)
