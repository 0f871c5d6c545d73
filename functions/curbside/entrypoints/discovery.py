"""Clients discovering technicians near them (issue 20 item 6, D92)."""

from __future__ import annotations

from typing import Annotated, Any

from firebase_functions import https_fn
from pydantic import Field

from curbside import deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import Latitude, Longitude
from curbside.services import nearby_technicians


class NearbyTechniciansPayload(Payload):
    lat: Latitude
    lng: Longitude
    limit: Annotated[int, Field(strict=True, ge=1, le=nearby_technicians.MAX_LIMIT)] | None = None


@on_call()
def list_nearby_technicians(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, NearbyTechniciansPayload, lambda caller, p: nearby_technicians.list_nearby_technicians(
        deps.get(), caller.uid, p.lat, p.lng, limit=p.limit))
