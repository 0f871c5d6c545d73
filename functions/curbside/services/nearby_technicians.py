"""Nearby technician discovery for clients (issue 20 item 6, D92): who could come, never where they are.

The list is the dispatch search's own (`candidates.find_candidates`, the nearest-first ring search over the
dispatch index), so it holds exactly the technicians auto-dispatch could offer a job here now — verified, an
active account (a shadow-banned technician is not in the index, and is never told), online with a fresh fix
and room for a job — and costs what one dispatch costs, plus two reads per technician listed (their profile
and user record, for the first name, photo and record). A technician's position never leaves the server: the
answer carries the distance rounded to the kilometre (at least 1), nothing else about where they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.errors import NotAllowed
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.candidates import JobSite, find_candidates
from curbside.store.uow import UnitOfWork

DEFAULT_LIMIT = 10
MAX_LIMIT = 20
DAYS_A_YEAR = 365.25


@dataclass(frozen=True)
class NearbyTechnician:
    dispatcher_id: str
    """For their public profile and reviews (`DispatcherProfiles`, `PublicReviews`)."""
    first_name: str | None
    photo_url: str | None
    rating: float
    jobs_completed: int
    years_on_platform: int
    """Whole years since they joined (0 in their first year)."""
    available_now: bool
    """Free now (no job in hand); otherwise they are finishing a job and have room for the next."""
    distance_km: int
    """Rounded to the kilometre, never less than 1: how far, not where."""


def first_name(full_name: str | None) -> str | None:
    """The first word of a name: a technician is introduced by first name only."""
    words = (full_name or "").split()
    return words[0] if words else None


def years_between(joined: dt.datetime, now: dt.datetime) -> int:
    return max(0, int((now - joined).days // DAYS_A_YEAR))


def list_nearby_technicians(deps: Deps, uid: str, lat: float, lng: float, *,
                            limit: int | None = None) -> dict[str, object]:
    """Technicians near (lat, lng) that dispatch could send now, nearest first (see the module docstring)."""
    most = min(limit or DEFAULT_LIMIT, MAX_LIMIT)

    def look(uow: UnitOfWork) -> list[NearbyTechnician]:
        require_usable_account(uow, uid)
        if uow.client_profiles.get(uid) is None:
            raise NotAllowed("Only clients look for technicians: choose 'client' or 'both' as your account type.")
        search = find_candidates(uow, JobSite(lat, lng, client_id=uid), k=most)
        listed = []
        for candidate in search.candidates:
            profile = uow.dispatcher_profiles.get(candidate.dispatcher_id)
            user = uow.users.get(candidate.dispatcher_id)
            if profile is None or user is None:
                continue  # the index lags a removed profile by nothing, but never show a half-known person
            listed.append(NearbyTechnician(
                dispatcher_id=candidate.dispatcher_id, first_name=first_name(user.full_name or user.display_name),
                photo_url=profile.profile_image_url or user.photo_url, rating=profile.rating,
                jobs_completed=profile.total_jobs, years_on_platform=years_between(profile.created_date, uow.now),
                available_now=candidate.active_jobs == 0,
                distance_km=max(1, round(candidate.distance_km))))
        return sorted(listed, key=lambda technician: (technician.distance_km, -technician.rating))

    radius_km = round(deps.settings.dispatch.search.radius_m / 1000)
    return {"technicians": work.reading(deps, look), "radius_km": radius_km}
