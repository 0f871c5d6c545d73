"""Google Maps Platform, behind a small Protocol (DESIGN.md: `gateways/maps.py`): driving times from the Routes
API in production, the road-speed model without it.

`GoogleRoutes` asks `computeRoutes` for a traffic-aware drive (only duration and distance: the field mask keeps
the call at the Routes API's basic price) with a short timeout. Arrival estimates must not fail because a
vendor did: without a key (the local stack, the tests) and whenever Google does not answer well — an error, a
timeout, no route — it answers from the road-speed model (`domain.arrival.road_leg`) and says so in `source`.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from firebase_functions import logger

from curbside import config
from curbside.domain.arrival import Leg, road_leg

ROUTES_API = "https://routes.googleapis.com"
COMPUTE_ROUTES = "/directions/v2:computeRoutes"
FIELD_MASK = "routes.duration,routes.distanceMeters"
TIMEOUT_S = 5.0
"""An estimate is not worth a longer wait: the road-speed model answers instead."""


@dataclass(frozen=True)
class Route:
    leg: Leg
    source: str
    """`google_routes` or `road_model` (the fallback)."""


class Routing(Protocol):
    def drive(self, origin: tuple[float, float], destination: tuple[float, float]) -> Route:
        """The drive from `origin` to `destination`, leaving now."""


class RoadSpeedModel:
    """The local model: straight line x detour factor at an urban speed (no network)."""

    def drive(self, origin: tuple[float, float], destination: tuple[float, float]) -> Route:
        return Route(road_leg(origin, destination), "road_model")


class GoogleRoutes:
    """The production gateway. The key and address are read at the first call, never at import."""

    def __init__(self, api_key: str | None = None, api_base: str | None = None, *,
                 timeout_s: float = TIMEOUT_S) -> None:
        self._api_key = api_key
        self._api_base = api_base
        self._timeout_s = timeout_s
        self._fallback = RoadSpeedModel()

    def drive(self, origin: tuple[float, float], destination: tuple[float, float]) -> Route:
        api_key = self._api_key if self._api_key is not None else config.ROUTES_API_KEY.value
        if not api_key:
            return self._fallback.drive(origin, destination)
        base = self._api_base if self._api_base is not None else config.ROUTES_API_BASE.value
        try:
            leg = self._compute((base or ROUTES_API).rstrip("/") + COMPUTE_ROUTES, api_key, origin, destination)
        except (OSError, ValueError, LookupError, TypeError) as exc:  # HTTP errors, timeouts; no route
            logger.warn("routing.fallback", error=type(exc).__name__)
            return self._fallback.drive(origin, destination)
        return Route(leg, "google_routes")

    def _compute(self, url: str, api_key: str, origin: tuple[float, float], destination: tuple[float, float]) -> Leg:
        body = {"origin": _waypoint(origin), "destination": _waypoint(destination), "travelMode": "DRIVE",
                "routingPreference": "TRAFFIC_AWARE"}
        request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/json", "X-Goog-Api-Key": api_key, "X-Goog-FieldMask": FIELD_MASK})
        with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
            answer: Any = json.load(response)
        route = answer["routes"][0]
        duration = route["duration"]  # protobuf Duration in JSON: "612s", "3.5s"
        if not isinstance(duration, str) or not duration.endswith("s") or float(duration[:-1]) < 0:
            raise ValueError(f"not a duration: {duration!r}")
        return Leg(float(route.get("distanceMeters", 0)), dt.timedelta(seconds=float(duration[:-1])))


def _waypoint(point: tuple[float, float]) -> dict[str, Any]:
    return {"location": {"latLng": {"latitude": point[0], "longitude": point[1]}}}

