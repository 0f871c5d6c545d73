"""The people of the demo: one admin, car owners and technicians, each living at a real suburb of one city.

Planning (who is who, where, in which tier or verification state) is separate from building documents, so
the jobs can pick their client and nearest free technician from the plans, and the documents that depend on
the jobs (total_requests, where a busy technician is) are built afterwards from one source.

Phone numbers come from the Australian regulator's range reserved for fiction (0491 570 006-159), so a demo
that really sends SMS can never reach a real person; emails are `{uid}@example.com`, easy to sign in with.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from curbside.domain.documents import (
    ClientProfile,
    ClientProfilePrivate,
    DispatcherLocation,
    DispatcherProfile,
    DispatcherProfilePrivate,
    Document,
    NotificationPreferences,
    PointsLedgerEntry,
    TechnicianCalendar,
    User,
    UserPrivate,
    ledger_entry_id,
)
from curbside.domain.documents.calendars import HoursBlock
from curbside.domain.enums import (
    AccountStatus,
    LoyaltyTier,
    PointsReason,
    StepStatus,
    UserRole,
    UserType,
    VerificationStatus,
)
from curbside.domain.geo import haversine_m
from curbside.domain.name_search import name_prefixes
from seed.geography import CITIES, City, Suburb, jittered
from seed.records import SeedDoc, private, public
from seed.sampling import apportion, days_before, minutes, plate

ADMIN_ID = "admin-001"
CLIENT_COUNT = 30
DISPATCHER_COUNT = 120
SHADOW_BANNED_COUNT = 2

TIER_FLOORS: tuple[tuple[int, LoyaltyTier], ...] = (
    (6000, LoyaltyTier.PLATINUM), (3000, LoyaltyTier.GOLD), (1000, LoyaltyTier.SILVER), (0, LoyaltyTier.BRONZE),
)
"""Spec section 7: bronze 0-999, silver 1000-2999, gold 3000-5999, platinum 6000+ points."""

TIER_MIX: tuple[tuple[LoyaltyTier, float], ...] = (
    (LoyaltyTier.BRONZE, 0.4), (LoyaltyTier.SILVER, 0.3), (LoyaltyTier.GOLD, 0.2), (LoyaltyTier.PLATINUM, 0.1),
)
TIER_POINTS: dict[LoyaltyTier, tuple[int, int]] = {
    LoyaltyTier.BRONZE: (100, 999), LoyaltyTier.SILVER: (1000, 2999),
    LoyaltyTier.GOLD: (3000, 5999), LoyaltyTier.PLATINUM: (6000, 12000),
}
POINTS_PER_PAST_JOB = 400
"""About what one past job earned (10 points per euro, ~EUR 40 a job): turns a balance into a job history."""

VERIFICATION_MIX: tuple[tuple[VerificationStatus, float], ...] = (
    (VerificationStatus.VERIFIED, 98), (VerificationStatus.PENDING, 8),
    (VerificationStatus.UNDER_REVIEW, 8), (VerificationStatus.REJECTED, 6),
)
ONLINE_SHARE = 0.55
"""Share of verified, working technicians online at the anchor."""

REJECTIONS: dict[str, tuple[str, str]] = {
    "identity_verification_status": (
        "The passport photo is unreadable; please upload a sharper image.", "Passport image blurred."),
    "vehicle_verification_status": (
        "The vehicle insurance certificate has expired; please upload a current one.", "Insurance expired."),
    "background_check_status": (
        "The background check could not be completed with the details given.", "Check returned no match."),
}
"""Per rejected step: the reason shown to the technician, and the admin's internal note."""

FIRST_NAMES = (
    "Olivia", "Jack", "Charlotte", "Noah", "Amelia", "William", "Isla", "Oliver", "Mia", "Thomas", "Ava",
    "James", "Grace", "Lucas", "Chloe", "Henry", "Zoe", "Ethan", "Ruby", "Liam", "Sienna", "Mason", "Harper",
    "Leo", "Priya", "Wei", "Mei", "Arjun", "Sofia", "Mohammed", "Aisha", "Tama", "Hannah", "Daniel", "Emily",
)
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson", "Martin", "White",
    "Anderson", "Walker", "Thompson", "Thomas", "Lee", "Ryan", "Chen", "Kelly", "King", "Harris", "Wang",
    "Singh", "Patel", "Murphy", "O'Brien", "Papadopoulos", "Rossi", "Tran", "Kaur", "Mitchell",
)
CARS = (
    "Toyota Corolla", "Mazda CX-5", "Toyota RAV4", "Hyundai i30", "Ford Ranger", "Toyota HiLux", "Kia Sportage",
    "Mitsubishi Outlander", "Tesla Model 3", "Volkswagen Golf", "Subaru Forester", "Mazda 3", "Kia Cerato",
)
SERVICE_VEHICLES = (
    "Toyota HiAce", "Ford Transit Custom", "Volkswagen Transporter", "Toyota HiLux", "Isuzu D-Max",
    "Hyundai Staria Load", "Renault Trafic", "Mercedes-Benz Vito", "Ford Ranger",
)
COLOURS = ("white", "silver", "black", "grey", "blue", "red")
STREETS = (
    "Station St", "Church St", "High St", "Park Rd", "George St", "King St", "Victoria St", "Albert St",
    "Queen St", "Railway Pde", "Elizabeth St", "William St",
)
BIOS = (
    "Mobile mechanic, {years} years on the tools around {city}.",
    "Detailing and quick fixes at your kerb, anywhere in {city}.",
    "Qualified auto electrician covering greater {city}.",
    "Tyres, batteries and servicing — I come to you ({city}).",
)


def tier_for(points: int) -> LoyaltyTier:
    """The tier of a points total, by the spec's thresholds."""
    return next(tier for floor, tier in TIER_FLOORS if points >= floor)


@dataclass(frozen=True)
class Member:
    """What every seeded person has: identity, contact and a home in one city."""

    uid: str
    full_name: str
    phone: str
    city: City
    suburb: Suburb
    lat: float
    lng: float
    joined: datetime

    @property
    def email(self) -> str:
        return f"{self.uid}@example.com"

    def address(self, rng: random.Random) -> str:
        return f"{rng.randint(1, 240)} {rng.choice(STREETS)}, {self.suburb.name} {self.city.state}"


@dataclass(frozen=True)
class ClientPlan:
    member: Member
    points: int
    past_jobs: int
    reviews: int
    rating: float
    car_model: str
    license_plate: str
    billing_address: str

    @property
    def tier(self) -> LoyaltyTier:
        return tier_for(self.points)


@dataclass(frozen=True)
class DispatcherPlan:
    member: Member
    verification: VerificationStatus
    steps: dict[str, StepStatus]
    rejected_step: str | None
    submitted: datetime | None
    decided: datetime | None
    shadow_banned: bool
    online: bool
    rating: float
    total_jobs: int
    total_reviews: int
    vehicle: str
    vehicle_year: str
    vehicle_colour: str
    vehicle_plate: str
    bio: str

    @property
    def can_work(self) -> bool:
        """Receives offers: verified and not shadow-banned (seeded jobs go to honest technicians)."""
        return self.verification is VerificationStatus.VERIFIED and not self.shadow_banned


@dataclass
class Population:
    admin: Member
    clients: list[ClientPlan] = field(default_factory=list)
    dispatchers: list[DispatcherPlan] = field(default_factory=list)


def _phone(index: int) -> str:
    """The index-th number of the fictional range 0491 570 006-159, in E.164."""
    if not 0 <= index <= 153:
        raise ValueError("the fictional phone range has 154 numbers; seed fewer people or add a range")
    return f"+61491570{6 + index:03d}"


def _member(uid: str, index: int, city: City, joined: datetime, rng: random.Random) -> Member:
    suburb = rng.choice(city.suburbs)
    lat, lng = jittered(suburb, rng)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return Member(uid=uid, full_name=name, phone=_phone(index), city=city, suburb=suburb, lat=lat, lng=lng,
                  joined=joined)


def _plan_client(member: Member, tier: LoyaltyTier, rng: random.Random) -> ClientPlan:
    points = rng.randint(*TIER_POINTS[tier])
    past_jobs = max(1, round(points / POINTS_PER_PAST_JOB))
    reviews = rng.randint(0, past_jobs)
    rating = round(rng.triangular(3.5, 5.0, 4.8), 1) if reviews else 5.0
    return ClientPlan(member=member, points=points, past_jobs=past_jobs, reviews=reviews, rating=rating,
                      car_model=rng.choice(CARS), license_plate=plate(member.city.plate_pattern, rng),
                      billing_address=member.address(rng))


def _plan_dispatcher(member: Member, verification: VerificationStatus, anchor: datetime,
                     rng: random.Random) -> DispatcherPlan:
    steps = dict.fromkeys(REJECTIONS, StepStatus.PENDING)
    rejected_step = None
    submitted = decided = None
    if verification is not VerificationStatus.PENDING:
        submitted = min(member.joined + minutes(rng, 30, 2 * 24 * 60), anchor - timedelta(hours=1))
    if verification is VerificationStatus.VERIFIED:
        steps = dict.fromkeys(REJECTIONS, StepStatus.APPROVED)
    elif verification is VerificationStatus.UNDER_REVIEW:
        steps["identity_verification_status"] = rng.choice((StepStatus.PENDING, StepStatus.APPROVED))
    elif verification is VerificationStatus.REJECTED:
        rejected_step = rng.choice(tuple(REJECTIONS))
        steps = {step: StepStatus.REJECTED if step == rejected_step else StepStatus.APPROVED for step in REJECTIONS}
    if submitted and verification in (VerificationStatus.VERIFIED, VerificationStatus.REJECTED):
        decided = min(submitted + minutes(rng, 6 * 60, 4 * 24 * 60), anchor - timedelta(minutes=30))
    working = verification is VerificationStatus.VERIFIED
    total_jobs = rng.randint(3, 450) if working else 0
    return DispatcherPlan(
        member=member, verification=verification, steps=steps, rejected_step=rejected_step,
        submitted=submitted, decided=decided, shadow_banned=False,
        online=working and rng.random() < ONLINE_SHARE,
        rating=round(rng.triangular(3.5, 5.0, 4.7), 2) if working else 5.0,
        total_jobs=total_jobs, total_reviews=round(total_jobs * rng.uniform(0.5, 0.9)),
        vehicle=rng.choice(SERVICE_VEHICLES), vehicle_year=str(rng.randint(2014, 2024)),
        vehicle_colour=rng.choice(COLOURS), vehicle_plate=plate(member.city.plate_pattern, rng),
        bio=rng.choice(BIOS).format(years=rng.randint(2, 25), city=member.city.name),
    )


def plan_population(anchor: datetime, rng: random.Random) -> Population:
    """Everyone, with fixed ids (`client-001`, `dispatcher-042`, `admin-001`) and seed-drawn attributes."""
    population = Population(admin=_member(ADMIN_ID, 0, CITIES[1], days_before(anchor, rng, 400, 500), rng))
    city_mix = [(city, city.weight) for city in CITIES]
    homes = apportion(city_mix, CLIENT_COUNT, rng)
    tiers = apportion(TIER_MIX, CLIENT_COUNT, rng)
    for n, (city, tier) in enumerate(zip(homes, tiers, strict=True), start=1):
        member = _member(f"client-{n:03d}", n, city, days_before(anchor, rng, 20, 700), rng)
        population.clients.append(_plan_client(member, tier, rng))
    homes = apportion(city_mix, DISPATCHER_COUNT, rng)
    states = apportion(VERIFICATION_MIX, DISPATCHER_COUNT, rng)
    for n, (city, state) in enumerate(zip(homes, states, strict=True), start=1):
        recent = state in (VerificationStatus.PENDING, VerificationStatus.UNDER_REVIEW)
        joined = days_before(anchor, rng, 1, 6) if recent else days_before(anchor, rng, 10, 900)
        member = _member(f"dispatcher-{n:03d}", CLIENT_COUNT + n, city, joined, rng)
        population.dispatchers.append(_plan_dispatcher(member, state, anchor, rng))
    verified = [i for i, plan in enumerate(population.dispatchers)
                if plan.verification is VerificationStatus.VERIFIED]
    for i in rng.sample(verified, SHADOW_BANNED_COUNT):
        population.dispatchers[i] = replace(population.dispatchers[i], shadow_banned=True)
    return population


def _account(member: Member, user_type: UserType | None, *, role: UserRole = UserRole.USER,
             status: AccountStatus = AccountStatus.ACTIVE, reason: str | None = None) -> list[SeedDoc]:
    """What every account has besides its profile: the user, its private part and default preferences."""
    user = User(
        id=member.uid, uid=member.uid, email=member.email, full_name=member.full_name,
        display_name=member.full_name, user_type=user_type, role=role, phone_number=member.phone,
        phone_verified=True, email_verified=True, onboarding_completed=True,
        fcm_tokens=[f"seed-{member.uid}-phone-0123456789"],  # one phone each, so the day's pushes reach someone
        created_time=member.joined, created_date=member.joined, updated_date=member.joined,
        search_prefixes=name_prefixes(member.full_name, member.full_name),
    )
    return [
        public(user),
        private(member.uid, UserPrivate(account_status=status, account_status_reason=reason)),
        public(NotificationPreferences(id=member.uid, user_id=member.uid)),
    ]


def admin_documents(admin: Member) -> list[SeedDoc]:
    """The admin's user documents. `role: admin` only mirrors the `admin: true` custom claim, which is
    what rules and functions trust; the seed cannot set claims, the caller's ID token must carry it."""
    return _account(admin, None, role=UserRole.ADMIN)


def client_documents(plan: ClientPlan, seeded_requests: int) -> list[SeedDoc]:
    """A client's documents; `seeded_requests` (the client's jobs in this seed) counts in total_requests."""
    member = plan.member
    account = _account(member, UserType.CLIENT)
    profile = ClientProfile(
        id=member.uid, user_id=member.uid, car_model=plan.car_model, license_plate=plan.license_plate,
        client_rating=plan.rating, total_requests=plan.past_jobs + seeded_requests,
        client_reviews_count=plan.reviews, loyalty_points=plan.points, loyalty_tier=plan.tier,
        total_points_earned=plan.points, created_date=member.joined, updated_date=member.joined,
    )
    opening = PointsLedgerEntry(
        id=ledger_entry_id(PointsReason.ADJUSTMENT, f"opening-{member.uid}"), client_id=member.uid,
        points=plan.points, reason=PointsReason.ADJUSTMENT, created_date=member.joined,
    )
    return [*account, public(profile), private(member.uid, ClientProfilePrivate(
        phone_number=member.phone, billing_address=plan.billing_address)), public(opening)]


def dispatcher_documents(plan: DispatcherPlan) -> list[SeedDoc]:
    """A technician's account, public profile and private part (identity documents once submitted)."""
    member, uid = plan.member, plan.member.uid
    account = (_account(member, UserType.DISPATCHER, status=AccountStatus.SHADOW_BANNED,
                        reason="Suspected fake GPS; jobs withheld while under review.")
               if plan.shadow_banned else _account(member, UserType.DISPATCHER))
    submitted = plan.submitted is not None
    profile = DispatcherProfile(
        id=uid, user_id=uid,
        passport_verified=plan.steps["identity_verification_status"] is StepStatus.APPROVED,
        verification_status=plan.verification, **plan.steps,
        vehicle_make_model=plan.vehicle, vehicle_year=plan.vehicle_year, vehicle_color=plan.vehicle_colour,
        vehicle_license_plate=plan.vehicle_plate,
        vehicle_images=[f"users/{uid}/vehicle/{side}.jpg" for side in ("front", "back")] if submitted else [],
        background_check_consent=submitted, background_check_consent_date=plan.submitted,
        verification_submitted_date=plan.submitted, verification_completed_date=plan.decided,
        rejection_reason=REJECTIONS[plan.rejected_step][0] if plan.rejected_step else None,
        rating=plan.rating, total_jobs=plan.total_jobs, total_reviews=plan.total_reviews, bio=plan.bio,
        created_date=member.joined, updated_date=plan.decided or plan.submitted or member.joined,
    )
    documents = (
        {name: f"users/{uid}/verification/{name.removesuffix('_url')}.jpg" for name in (
            "passport_image_url", "drivers_license_url", "vehicle_registration_url", "vehicle_insurance_url")}
        if submitted else {}
    )
    notes = (REJECTIONS[plan.rejected_step][1] if plan.rejected_step
             else "Waiting for the background check." if plan.verification is VerificationStatus.UNDER_REVIEW
             else None)
    return [*account, public(profile), private(uid, DispatcherProfilePrivate(
        phone_number=member.phone, verification_notes=notes, **documents))]


@dataclass(frozen=True)
class Whereabouts:
    """Where a technician is at the anchor, when a job decides it (busy technicians are online)."""

    lat: float
    lng: float
    updated_at: datetime


def location_document(plan: DispatcherPlan, anchor: datetime, rng: random.Random,
                      busy: Whereabouts | None) -> Document:
    """DispatcherLocations/{uid}: online ones reported seconds ago, offline ones hours or days ago; a
    technician who never finished verification has never reported a position."""
    member = plan.member
    if busy is not None:
        lat, lng, updated = busy.lat, busy.lng, busy.updated_at
    elif plan.verification is VerificationStatus.VERIFIED:
        lat, lng = member.lat, member.lng
        updated = anchor - (minutes(rng, 0.1, 4) if plan.online else minutes(rng, 3 * 60, 3 * 24 * 60))
    else:
        return DispatcherLocation(id=member.uid, dispatcher_id=member.uid, rating=plan.rating)
    return DispatcherLocation(
        id=member.uid, dispatcher_id=member.uid, is_online=busy is not None or plan.online, lat=lat, lng=lng,
        accuracy_m=round(rng.uniform(4, 20), 1), location_updated_at=updated,
        verified=True, rating=plan.rating,
        account_status=AccountStatus.SHADOW_BANNED if plan.shadow_banned else AccountStatus.ACTIVE,
        active_jobs=1 if busy is not None else 0,
    )


def nearest(dispatchers: Sequence[DispatcherPlan], lat: float, lng: float) -> DispatcherPlan:
    """The closest of the given technicians (what auto-dispatch would offer first, all else equal)."""
    return min(dispatchers, key=lambda plan: haversine_m(plan.member.lat, plan.member.lng, lat, lng))


WORKING_WEEK = {day: [HoursBlock(start="07:00", end="21:30")]
                for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")}
"""Seeded technicians take bookings Monday to Saturday across the picker's hours (and a 30-minute job after
its last slot)."""


def calendar_document(plan: DispatcherPlan, anchor: datetime) -> Document:
    """TechnicianCalendars/{uid}, based at home (D110): the working week for a technician who can work, no
    hours (not bookable) for the others."""
    member = plan.member
    return TechnicianCalendar(id=member.uid, dispatcher_id=member.uid, time_zone=member.city.timezone,
                              base_lat=member.lat, base_lng=member.lng,
                              working_hours=WORKING_WEEK if plan.can_work else {}, updated_date=anchor)
