"""Technician calendars and recurring bookings (issue 21 item 2; not in the spec; D110-D113).

TechnicianCalendars/{uid}: one technician's working hours per weekday, time off, travel buffer, where their
working day starts (`base_lat`/`base_lng`: where the slot search finds them) and the scheduled jobs reserved
with them in the 30-day booking window — everything one slot search needs about them in one document, and the
document a booking's commit is guarded by, so two bookings of one technician's time cannot both land.
Derived: `search_cells`, the base's cells as the dispatch index stores them (`ring_search.index_tokens`),
empty while the calendar has no working hours, so the slot search's ring search finds bookable calendars only.
Read by the technician; written by the functions (`set_calendar`, `set_time_off`, bookings).

RecurringBookings/{id}: a client's repeating booking (weekly, fortnightly, monthly) of the job a scheduled
request describes; the daily schedule books each occurrence once (`ServiceRequests/{id}~{date}`). Read by
its client; written by the functions.
"""

from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from curbside.domain.documents.base import (
    DateString,
    DerivesFields,
    Document,
    Latitude,
    Longitude,
    Skill,
    TimeString,
    UserKeyedDocument,
    UtcDatetime,
)
from curbside.domain.ring_search import index_tokens

DEFAULT_TRAVEL_BUFFER_MINUTES = 30


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HoursBlock(_Part):
    start: TimeString
    end: TimeString


class TimeOff(_Part):
    start: UtcDatetime
    end: UtcDatetime
    reason: Annotated[str, Field(max_length=200)] | None = None


class Reservation(_Part):
    """A scheduled job holding the technician's time: from its slot for its estimated duration."""

    request_id: str
    start: UtcDatetime
    end: UtcDatetime


class TechnicianCalendar(UserKeyedDocument, DerivesFields):
    key_field = "dispatcher_id"
    derived_fields: ClassVar[frozenset[str]] = frozenset({"search_cells"})

    dispatcher_id: str
    time_zone: str
    base_lat: Latitude
    base_lng: Longitude
    working_hours: dict[str, list[HoursBlock]] = Field(default_factory=dict)
    """Weekday name ("monday") -> blocks in the technician's local time; a day left out is a day off."""
    time_off: list[TimeOff] = Field(default_factory=list)
    travel_buffer_minutes: Annotated[int, Field(ge=0, le=180)] = DEFAULT_TRAVEL_BUFFER_MINUTES
    skills: list[Skill] = Field(default_factory=list)
    """A copy of `DispatcherProfiles.skills`, kept by the unit of work (`store.derived`), so the slot search
    keeps only technicians with a service's required skills without reading their profiles."""
    reservations: list[Reservation] = Field(default_factory=list)
    """Reserved scheduled jobs that have not ended (past ones are dropped whenever the calendar is written)."""
    search_cells: list[str] = Field(default_factory=list)
    updated_date: UtcDatetime

    @model_validator(mode="after")
    def _derive(self) -> Self:
        bookable = any(self.working_hours.values())
        self.__dict__["search_cells"] = index_tokens(self.base_lat, self.base_lng, 5.0, 0) if bookable else []
        return self


class RecurringBooking(Document):
    client_id: str
    template_request_id: str
    """The client's scheduled request the occurrences copy (car, place, photos, duration)."""
    frequency: Annotated[str, Field(pattern=r"^(weekly|fortnightly|monthly)$")]
    first_date: DateString
    scheduled_time: TimeString
    time_zone: str
    active: bool = True
    booked_dates: list[str] = Field(default_factory=list)
    """Occurrences a job was created for (the request `{id}~{date}`)."""
    skipped_dates: list[str] = Field(default_factory=list)
    """Occurrences nobody was free for: the client was told, once."""
    created_date: UtcDatetime
    updated_date: UtcDatetime
