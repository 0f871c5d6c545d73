"""DispatcherLocations: one document per technician, where they are and whether auto-dispatch may offer them
a job (implied by spec section 2).

The spec keeps a technician's live position only on the job being tracked; choosing whom to offer a *new*
job needs the position and standing of every technician near it, in one place a single query can search.
Server-owned; no app reads it, so technicians' positions and a shadow ban stay hidden.

Three kinds of fields:
- the technician's own state: `is_online` (set_availability) and the last stored fix `lat`, `lng`,
  `accuracy_m`, `location_updated_at` (update_location; the time the phone took the fix);
- copies of what eligibility depends on elsewhere, so that a location update and a search read this document
  only: `verified` (DispatcherProfiles.verification_status), `account_status` (Users/{uid}/private/data),
  `rating` (DispatcherProfiles.rating), `active_jobs` (the technician's accepted..in_progress jobs) and
  `capacity` (DISPATCH_CAPACITY). `services.dispatcher_index` rewrites them whenever the originals change;
  with the active jobs, `free_at`, `free_lat`, `free_lng`: when and where a busy technician should be done
  with them (`dispatch_index.free_at`, estimated when a job is taken or ends; D123), which the score weighs;
- fields derived from the two above and stored only so Firestore can query them: `geohash`, `searchable`
  and `search_cells`. The model computes them every time it is built and ignores any value passed in or
  read back, so no writer (service, seed, factory) can put an ineligible technician in the search index,
  or file one under a cell they are not in.

Freshness is not stored: it is a matter of time passing, so the search filters `location_updated_at`.
"""

from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator

from curbside.domain.documents.base import (
    AverageStars,
    Count,
    DerivesFields,
    Latitude,
    Longitude,
    UserKeyedDocument,
    UtcDatetime,
)
from curbside.domain.enums import AccountStatus
from curbside.domain.geo import geohash_encode
from curbside.domain.ring_search import index_tokens

DEFAULT_CAPACITY = 2
"""Active jobs a technician may hold and still be offered more: the current job and the next one (the spec's
availability bonus favours the free, so a busy technician must remain a candidate)."""


class DispatcherLocation(UserKeyedDocument, DerivesFields):
    """DispatcherLocations/{uid}."""

    key_field = "dispatcher_id"
    derived_fields: ClassVar[frozenset[str]] = frozenset({"geohash", "searchable", "search_cells"})

    dispatcher_id: str
    is_online: bool = False
    lat: Latitude | None = None
    lng: Longitude | None = None
    accuracy_m: Annotated[float, Field(ge=0)] | None = None
    location_updated_at: UtcDatetime | None = None
    verified: bool = False
    account_status: AccountStatus = AccountStatus.ACTIVE
    rating: AverageStars = 5.0
    active_jobs: Count = 0
    capacity: Count = DEFAULT_CAPACITY
    skills: list[str] = Field(default_factory=list)
    """A copy of the profile's `skills` (issue 21): the candidate search offers a job only to technicians
    holding every skill its service requires."""
    free_at: UtcDatetime | None = None
    """When the active jobs should be done (None: no active job); estimated when one is taken or ends."""
    free_lat: Latitude | None = None
    free_lng: Longitude | None = None
    """Where the last active job is: where the technician sets off from once free."""
    geohash: str | None = None
    """Derived: the position's geohash (`geo.GEOHASH_PRECISION` characters), for tools that range-query it."""
    searchable: bool = False
    """Derived: may be offered a job, freshness aside — online, verified, an active account (a shadow-banned
    one is not, and never learns it), a known position, and room for another job."""
    search_cells: list[str] = Field(default_factory=list)
    """Derived: the cells the candidate search matches — plain, and within the technician's score class
    (`ring_search.index_tokens`) — empty unless `searchable`, so the search index holds eligible technicians
    only."""

    @model_validator(mode="after")
    def _derive(self) -> Self:
        if len({self.lat is None, self.lng is None, self.location_updated_at is None}) > 1:
            raise ValueError("lat, lng and location_updated_at are stored together or not at all")
        position = self.position
        searchable = (position is not None and self.is_online and self.verified
                      and self.account_status is AccountStatus.ACTIVE and self.active_jobs < self.capacity)
        # Written past validate_assignment on purpose: these are outputs of validation, not inputs to it.
        self.__dict__.update(
            geohash=geohash_encode(*position) if position else None,
            searchable=searchable,
            search_cells=index_tokens(*position, self.rating, self.active_jobs) if position and searchable else [],
        )
        return self

    @property
    def free(self) -> tuple[UtcDatetime, tuple[float, float]] | None:
        """(`free_at`, where) for a technician with active jobs."""
        if self.free_at is None or self.free_lat is None or self.free_lng is None:
            return None
        return self.free_at, (self.free_lat, self.free_lng)

    @property
    def position(self) -> tuple[float, float] | None:
        """(lat, lng) of the stored fix, if any."""
        return (self.lat, self.lng) if self.lat is not None and self.lng is not None else None
