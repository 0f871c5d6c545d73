"""Service requests in every status, each one a coherent moment of the job workflow (spec section 3).

A job's timestamps are laid out backwards from the moment its last step happened (`ago` before the anchor),
with realistic gaps (accepting takes minutes, the drive takes distance / 30 km/h, the work its estimated
duration), so the fields of the steps it passed are set and those of later steps are null. Jobs that have a
technician take the nearest free verified one of the client's city, and a technician on an active job is
online, counts one active job, and is where the job says: at home when just accepted, on the road between
home and the car while en route (as far along as the elapsed time says), next to the car once arrived.

Prices stay simple until the pricing engine exists: base EUR 33.00, plus the urgency premium (50 % of base)
and the location premium (30 % of base, inside a high-demand zone) added on the base, as in the spec's price
breakdown; no time, day or surge rule and no reward is applied.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from curbside.domain.documents import JobCompletion, ServiceRequest
from curbside.domain.enums import PaymentStatus, RequestActor, RequestStatus
from curbside.domain.geo import haversine_m, offset
from curbside.store.codec import CENT
from seed.catalogue import BASE_PRICE
from seed.geography import PREMIUM_ZONES, Suburb, jittered
from seed.population import STREETS, ClientPlan, DispatcherPlan, Population, Whereabouts, nearest
from seed.sampling import minutes

URGENCY_MULTIPLIER = 1.5
LOCATION_MULTIPLIER = 1.3
AUTO_APPROVE_AFTER = timedelta(hours=48)
AVAILABLE_BEFORE = timedelta(hours=24)
"""A scheduled job becomes available (pending) 24 hours before its appointment."""
DRIVING_SPEED_KMH = 30
STEPS = ("accepted_at", "en_route_at", "arrived_at", "started_at", "completed_at")
REACHED = {
    RequestStatus.SCHEDULED: 0, RequestStatus.PENDING: 0, RequestStatus.CANCELLED: 0,
    RequestStatus.ACCEPTED: 1, RequestStatus.EN_ROUTE: 2, RequestStatus.ARRIVED: 3,
    RequestStatus.IN_PROGRESS: 4, RequestStatus.COMPLETED: 5,
}
"""How many of STEPS a job in each status has passed."""
ACTIVE = frozenset({RequestStatus.ACCEPTED, RequestStatus.EN_ROUTE, RequestStatus.ARRIVED,
                    RequestStatus.IN_PROGRESS})
NOTIFIED = ("client_notified_accepted", "client_notified_en_route", "client_notified_arrived",
            "client_notified_started", "client_notified_completed")
NOTES = (
    None, "Silver hatchback on level 2 of the car park.", "Parked on the street outside the cafe.",
    "Keys are at reception.", "Underground car park, bay 14 — call when you arrive.", None,
)


@dataclass(frozen=True)
class Scenario:
    """One seeded job: its status, how long ago its last step happened, and what makes it particular."""

    status: RequestStatus
    ago: timedelta
    urgent: bool = False
    appointment: tuple[int, str] | None = None
    """Scheduled jobs: (days ahead of the anchor, local "HH:MM")."""
    available_for: timedelta | None = None
    """A scheduled job that is pending already: how long ago it became available."""
    payment: PaymentStatus = PaymentStatus.PENDING_REVIEW
    accepted_before_cancel: bool = False

    @property
    def passed(self) -> int:
        """How many of STEPS the job has passed (a job has a technician once it passed one)."""
        return 1 if self.accepted_before_cancel else REACHED[self.status]


def _m(count: float) -> timedelta:
    return timedelta(minutes=count)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(RequestStatus.SCHEDULED, timedelta(days=1), appointment=(2, "09:00")),
    Scenario(RequestStatus.SCHEDULED, _m(50), appointment=(3, "13:30")),
    Scenario(RequestStatus.SCHEDULED, timedelta(days=2), appointment=(6, "16:00")),
    Scenario(RequestStatus.PENDING, _m(2), urgent=True),
    Scenario(RequestStatus.PENDING, _m(7)),
    Scenario(RequestStatus.PENDING, timedelta(days=3), available_for=timedelta(hours=4)),
    Scenario(RequestStatus.ACCEPTED, _m(3), urgent=True),
    Scenario(RequestStatus.ACCEPTED, _m(9)),
    Scenario(RequestStatus.ACCEPTED, _m(14)),
    Scenario(RequestStatus.EN_ROUTE, _m(2)),
    Scenario(RequestStatus.EN_ROUTE, _m(6), urgent=True),
    Scenario(RequestStatus.EN_ROUTE, _m(11)),
    Scenario(RequestStatus.ARRIVED, _m(1)),
    Scenario(RequestStatus.ARRIVED, _m(4)),
    Scenario(RequestStatus.ARRIVED, _m(8), urgent=True),
    Scenario(RequestStatus.IN_PROGRESS, _m(5)),
    Scenario(RequestStatus.IN_PROGRESS, _m(18), urgent=True),
    Scenario(RequestStatus.IN_PROGRESS, _m(32)),
    Scenario(RequestStatus.COMPLETED, timedelta(hours=3)),
    Scenario(RequestStatus.COMPLETED, timedelta(hours=30), urgent=True),
    Scenario(RequestStatus.COMPLETED, timedelta(days=4), payment=PaymentStatus.COMPLETED),
    Scenario(RequestStatus.CANCELLED, _m(50)),
    Scenario(RequestStatus.CANCELLED, timedelta(days=1), urgent=True),
    Scenario(RequestStatus.CANCELLED, timedelta(days=2), accepted_before_cancel=True),
)


@dataclass
class Jobs:
    requests: list[ServiceRequest] = field(default_factory=list)
    completions: list[JobCompletion] = field(default_factory=list)
    whereabouts: dict[str, Whereabouts] = field(default_factory=dict)
    """Technicians whose position and availability an active job decides."""
    per_client: Counter[str] = field(default_factory=Counter)


def price_of(lat: float, lng: float, urgent: bool) -> tuple[float, float, Decimal]:
    """(urgency multiplier, location multiplier, price): premiums added on the base, rounded to cents."""
    in_zone = any(haversine_m(lat, lng, zone.lat, zone.lng) <= zone.radius_km * 1000 for zone in PREMIUM_ZONES)
    urgency = URGENCY_MULTIPLIER if urgent else 1.0
    location = LOCATION_MULTIPLIER if in_zone else 1.0
    factor = 1 + (Decimal(str(urgency)) - 1) + (Decimal(str(location)) - 1)
    return urgency, location, (BASE_PRICE * factor).quantize(CENT, rounding=ROUND_HALF_UP)


def _near(lat: float, lng: float, rng: random.Random) -> tuple[float, float]:
    """A point 5-40 m from (lat, lng): where a technician stands next to the car."""
    distance, bearing = rng.uniform(5, 40), rng.uniform(0, 2 * math.pi)
    north, east = distance * math.cos(bearing), distance * math.sin(bearing)
    new_lat, new_lng = offset(lat, lng, north, east)
    return round(new_lat, 6), round(new_lng, 6)


def _appointment(client: ClientPlan, anchor: datetime, days: int, local_time: str) -> datetime:
    zone = ZoneInfo(client.member.city.timezone)
    day = anchor.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, time.fromisoformat(local_time), zone)


def _schedule(scenario: Scenario, client: ClientPlan, anchor: datetime) -> dict[str, Any]:
    """The scheduling fields of a scheduled job (none for an immediate one); the appointment's date and
    time are the client's local wall-clock values, as the app shows them."""
    if scenario.appointment is not None:
        appointment = _appointment(client, anchor, *scenario.appointment)
    elif scenario.available_for is not None:
        appointment = anchor - scenario.available_for + AVAILABLE_BEFORE
    else:
        return {}
    local = appointment.astimezone(ZoneInfo(client.member.city.timezone))
    return {"is_scheduled": True, "scheduled_date": local.date().isoformat(),
            "scheduled_time": local.strftime("%H:%M"), "scheduled_datetime": appointment,
            "becomes_available_at": appointment - AVAILABLE_BEFORE}


def plan_jobs(population: Population, anchor: datetime, rng: random.Random) -> Jobs:
    """One request per scenario, each for a different client (a client has one job at a time)."""
    jobs = Jobs()
    taken: set[str] = set()
    clients = rng.sample(population.clients, len(SCENARIOS))
    for n, (scenario, client) in enumerate(zip(SCENARIOS, clients, strict=True), start=1):
        request_id = f"request-{n:03d}"
        suburb = rng.choice(client.member.city.suburbs)
        dispatcher = None
        if scenario.passed:
            free = [d for d in population.dispatchers if d.can_work and d.member.city == client.member.city
                    and d.member.uid not in taken]
            if not free:
                raise RuntimeError(f"no free verified technician left in {client.member.city.name}")
            dispatcher = nearest(free, suburb.lat, suburb.lng)
            taken.add(dispatcher.member.uid)
        request, completion, where = _job(request_id, scenario, client, dispatcher=dispatcher,
                                          suburb=suburb, anchor=anchor, rng=rng)
        jobs.requests.append(request)
        jobs.per_client[client.member.uid] += 1
        if completion is not None:
            jobs.completions.append(completion)
        if where is not None and dispatcher is not None:
            jobs.whereabouts[dispatcher.member.uid] = where
    return jobs


def _job(request_id: str, scenario: Scenario, client: ClientPlan, *, dispatcher: DispatcherPlan | None,
         suburb: Suburb, anchor: datetime,
         rng: random.Random) -> tuple[ServiceRequest, JobCompletion | None, Whereabouts | None]:
    """One request, its completion when completed, and where its technician is when the job is active."""
    lat, lng = jittered(suburb, rng)
    status = scenario.status
    reached = scenario.passed
    duration = rng.choice((30, 45, 60))
    travel = _m(8)
    if dispatcher is not None:
        km = haversine_m(dispatcher.member.lat, dispatcher.member.lng, lat, lng) / 1000
        travel = timedelta(seconds=round(min(50.0, max(6.0, 3 + km / DRIVING_SPEED_KMH * 60)) * 60))
    gaps = [minutes(rng, 1, 4), minutes(rng, 1, 5), travel, minutes(rng, 2, 6),
            minutes(rng, duration * 0.8, duration * 1.3)]
    settled = scenario.ago >= timedelta(hours=1)
    last = anchor - scenario.ago - minutes(rng, 0, 40 if settled else 1)  # no suspiciously round past times
    ended = last
    if status is RequestStatus.CANCELLED:
        last = ended - minutes(rng, 3, 12)
    created = last - sum(gaps[:reached], timedelta())
    steps = {name: created + sum(gaps[: i + 1], timedelta()) for i, name in enumerate(STEPS[:reached])}

    fields = _schedule(scenario, client, anchor)
    if fields and status is RequestStatus.PENDING:
        ended = max(created, fields["becomes_available_at"])
    elif fields:
        ended = created

    if status is RequestStatus.CANCELLED:
        fields |= {"cancelled_at": ended, "cancelled_by": client.member.uid, "cancelled_by_type": RequestActor.CLIENT,
                   "cancellation_reason": "Plans changed"}
    where: Whereabouts | None = None
    if dispatcher is not None and status in ACTIVE | {RequestStatus.COMPLETED}:
        where = _whereabouts(dispatcher, status, steps, travel=travel, car=(lat, lng), anchor=anchor, rng=rng)
        if status is not RequestStatus.ACCEPTED:
            fields |= {"dispatcher_current_lat": where.lat, "dispatcher_current_lng": where.lng,
                       "dispatcher_location_updated_at": where.updated_at}
    urgency, location, price = price_of(lat, lng, scenario.urgent)
    member = client.member
    request = ServiceRequest.model_validate(fields | {
        "id": request_id, "client_id": member.uid, "client_name": member.full_name,
        "client_rating": client.rating, "car_model": client.car_model, "license_plate": client.license_plate,
        "location_address": f"{rng.randint(1, 240)} {rng.choice(STREETS)}, {suburb.name} {member.city.state}",
        "location_lat": lat, "location_lng": lng,
        "car_location_images": [f"users/{member.uid}/requests/{request_id}/car-{k}.jpg"
                                for k in range(1, rng.randint(1, 4) + 1)],
        "status": status,
        "dispatcher_id": dispatcher.member.uid if dispatcher else None,
        "dispatcher_name": dispatcher.member.full_name if dispatcher else None,
        **steps,
        "estimated_arrival_time": created + gaps[0] + gaps[1] + travel if reached else None,
        "estimated_duration_minutes": duration, "base_price": BASE_PRICE, "price": price, "final_price": price,
        "is_urgent": scenario.urgent, "urgency_multiplier": urgency, "location_multiplier": location,
        "notes": rng.choice(NOTES), **dict.fromkeys(NOTIFIED[:reached], True),
        "created_date": created, "updated_date": ended,
    })
    completion = _completion(request, scenario, where, rng) if status is RequestStatus.COMPLETED else None
    return request, completion, (where if status in ACTIVE else None)


def _whereabouts(dispatcher: DispatcherPlan, status: RequestStatus, steps: dict[str, datetime], *,
                 travel: timedelta, car: tuple[float, float], anchor: datetime,
                 rng: random.Random) -> Whereabouts:
    home = (dispatcher.member.lat, dispatcher.member.lng)
    reported = anchor - timedelta(seconds=rng.randint(2, 10))
    if status is RequestStatus.ACCEPTED:
        return Whereabouts(*home, reported)
    if status is RequestStatus.EN_ROUTE:
        progress = min(0.95, max(0.05, (anchor - steps["en_route_at"]) / travel))
        lat = home[0] + (car[0] - home[0]) * progress
        lng = home[1] + (car[1] - home[1]) * progress
        return Whereabouts(round(lat, 6), round(lng, 6), reported)
    lat, lng = _near(*car, rng)
    if status is RequestStatus.COMPLETED:
        return Whereabouts(lat, lng, steps["completed_at"])
    return Whereabouts(lat, lng, reported)


def _completion(request: ServiceRequest, scenario: Scenario, where: Whereabouts | None,
                rng: random.Random) -> JobCompletion:
    """The proof of work of a completed job; the payment is released by auto-approval 48 h later."""
    assert where is not None and request.completed_at is not None and request.dispatcher_id is not None
    auto_approve_at = request.completed_at + AUTO_APPROVE_AFTER
    released = scenario.payment is PaymentStatus.COMPLETED
    uid = request.dispatcher_id
    return JobCompletion(
        id=request.id, request_id=request.id, dispatcher_id=uid, client_id=request.client_id,
        completion_images=[f"users/{uid}/jobs/{request.id}/{side}.jpg" for side in ("front", "back", "left", "right")],
        completion_video_url=f"users/{uid}/jobs/{request.id}/walkaround.mp4" if rng.random() < 0.5 else None,
        completed_at=request.completed_at, completion_location_lat=where.lat, completion_location_lng=where.lng,
        location_verified=True,
        location_distance_meters=round(haversine_m(where.lat, where.lng, request.location_lat,
                                                   request.location_lng), 1),
        payment_status=scenario.payment, payment_release_time=auto_approve_at if released else None,
        auto_approve_at=auto_approve_at, auto_approved=released, amount=request.final_price,
        created_date=request.completed_at,
    )
