"""DispatcherLocations: where each technician is, for auto-dispatch (implied by section 2).

The spec keeps a technician's live position only on the job being tracked; choosing whom to offer a *new*
job needs the position and availability of every online technician, in one place that can be queried by
geohash. Server-owned (update_location / set_availability write it); no app reads it, so positions of
technicians are never exposed to clients.
"""

from typing import Annotated

from pydantic import Field

from curbside.domain.documents.base import Count, Latitude, Longitude, UserKeyedDocument, UtcDatetime


class DispatcherLocation(UserKeyedDocument):
    """DispatcherLocations/{uid}."""

    key_field = "dispatcher_id"

    dispatcher_id: str
    is_online: bool = False
    lat: Latitude | None = None
    lng: Longitude | None = None
    geohash: str | None = None
    accuracy_m: Annotated[float, Field(ge=0)] | None = None
    location_updated_at: UtcDatetime | None = None
    active_jobs: Count = 0
