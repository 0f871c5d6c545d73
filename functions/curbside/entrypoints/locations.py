"""Technician availability and position reports (the technician app calls these all day)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from firebase_functions import https_fn
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictBool

from curbside import config, deps
from curbside.domain.tracking import LocationFix
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.services import locations


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-21T09:00:00Z")
    return value


def _in_utc(value: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before the first representable instant
        raise ValueError("is outside the calendar's range") from None


IsoTimestamp = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_in_utc)]
"""A timestamp as the contract sends it: ISO-8601 text with its offset (no bare numbers, no local times)."""


class SetAvailabilityPayload(Payload):
    online: StrictBool


@on_call()
def set_availability(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetAvailabilityPayload,
                        lambda caller, p: locations.set_availability(deps.get(), caller.uid, p.online))


class UpdateLocationPayload(Payload):
    lat: Annotated[float, Field(strict=True, ge=-90, le=90)]
    lng: Annotated[float, Field(strict=True, ge=-180, le=180)]
    accuracy_m: Annotated[float, Field(strict=True, ge=0, le=100_000)] | None = None
    recorded_at: IsoTimestamp
    is_mock: StrictBool = False
    """What the phone says of the fix's provider (Android `Location.isMock()`); true is refused as `fake_gps`."""

    def fix(self) -> LocationFix:
        return LocationFix(self.lat, self.lng, self.accuracy_m, self.recorded_at, mock=self.is_mock)


@on_call(secrets=config.secrets(config.ROUTES_API_KEY))  # a stored position refreshes arrival estimates (D43)
def update_location(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UpdateLocationPayload,
                        lambda caller, p: locations.update_location(deps.get(), caller.uid, p.fix()))
