"""Technicians for the dispatch tests: the user, profile, account status and DispatcherLocations entry of
one technician, written consistently (the entry's copies agree with the source documents)."""

from __future__ import annotations

import datetime as dt
import math

from google.cloud import firestore

from curbside.domain.documents import DispatcherLocation
from curbside.domain.enums import AccountStatus, UserType, VerificationStatus
from curbside.domain.geo import EARTH_RADIUS_M
from curbside.store.codec import from_snapshot
from curbside.store.collections import Collection, doc_path
from tests.factories import (
    make_dispatcher_location,
    make_dispatcher_profile,
    make_technician_calendar,
    make_user,
    make_user_private,
    put,
    put_private,
)

SYDNEY = (-33.8688, 151.2093)
MELBOURNE = (-37.8136, 144.9631)


def north_of(origin: tuple[float, float], distance_m: float) -> tuple[float, float]:
    """The point `distance_m` due north along the meridian (exact on the sphere haversine uses)."""
    return origin[0] + math.degrees(distance_m / EARTH_RADIUS_M), origin[1]


def add_technician(db: firestore.Client, uid: str, *, at: tuple[float, float] | None = SYDNEY,
                   fixed_at: dt.datetime | None = None, online: bool = True,
                   verification: VerificationStatus = VerificationStatus.VERIFIED,
                   account_status: AccountStatus = AccountStatus.ACTIVE, active_jobs: int = 0,
                   rating: float = 4.8, capacity: int = 2, with_entry: bool = True) -> str:
    """A technician; `at=None` for one who never reported a position, `with_entry=False` for one who never
    went online (no DispatcherLocations entry at all)."""
    put(db, make_user(id=uid, uid=uid, full_name=f"Tech {uid}", user_type=UserType.DISPATCHER))
    put(db, make_dispatcher_profile(user_id=uid, verification_status=verification, rating=rating))
    put_private(db, uid, make_user_private(account_status=account_status))
    if with_entry:
        position = {"lat": at[0], "lng": at[1], "location_updated_at": fixed_at} if at is not None else {}
        put(db, make_dispatcher_location(
            dispatcher_id=uid, is_online=online, verified=verification is VerificationStatus.VERIFIED,
            account_status=account_status, active_jobs=active_jobs, rating=rating, capacity=capacity,
            **({"lat": None, "lng": None, "location_updated_at": None} | position)))
    return uid


def entry_of(db: firestore.Client, uid: str) -> DispatcherLocation | None:
    snap = db.document(doc_path(Collection.DISPATCHER_LOCATIONS, uid)).get()
    return from_snapshot(DispatcherLocation, snap) if snap.exists else None


def stored_entry(db: firestore.Client, uid: str) -> DispatcherLocation:
    """The technician's entry, which the test expects to exist."""
    entry = entry_of(db, uid)
    assert entry is not None, f"{uid} has no DispatcherLocations entry"
    return entry


ALL_DAY = {day: [{"start": "00:00", "end": "23:59"}] for day in
           ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}


def add_calendar(db: firestore.Client, uid: str, *, at: tuple[float, float] = SYDNEY,
                 hours: dict[str, list[dict[str, str]]] | None = None, zone: str = "Australia/Sydney",
                 buffer_minutes: int = 30, with_technician: bool = True, **overrides: object) -> str:
    """A verified technician (offline: a calendar does not need them online) with a calendar based at `at`,
    working `hours` (every day, all day, by default)."""
    if with_technician:
        add_technician(db, uid, at=None, online=False)
    put(db, make_technician_calendar(id=uid, time_zone=zone, base_lat=at[0], base_lng=at[1],
                                     working_hours=ALL_DAY if hours is None else hours,
                                     travel_buffer_minutes=buffer_minutes, **overrides))
    return uid
