"""Google Maps Platform, behind small Protocols (DESIGN.md: `gateways/maps.py`): driving times from the Routes
API in production, the road-speed model without it; and places from the Geocoding API in production, the
shipped postcode table of the demo markets without it (issue 20's Messenger leads).

`GoogleRoutes` asks `computeRoutes` for a traffic-aware drive (only duration and distance: the field mask keeps
the call at the Routes API's basic price) with a short timeout. Arrival estimates must not fail because a
vendor did: without a key (the local stack, the tests) and whenever Google does not answer well — an error, a
timeout, no route — it answers from the road-speed model (`domain.arrival.road_leg`) and says so in `source`.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from firebase_functions import logger

from curbside import config
from curbside.domain.arrival import Leg, road_leg
from curbside.domain.leads import PlaceQuery
from curbside.gateways.au_places import PLACES, Place

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



class Geocoder(Protocol):
    def locate(self, query: PlaceQuery) -> Place | None:
        """Where an Australian postcode or suburb is; None when there is no such place."""


class PostcodeTable:
    """The local geocoder (and production's fallback): the shipped table of the demo markets' suburbs
    (`gateways.au_places`). A name matches a suburb's name, or the start of the words given ("Surry Hills
    please" is Surry Hills)."""

    def locate(self, query: PlaceQuery) -> Place | None:
        if query.postcode is not None:
            return next((place for place in PLACES if place.postcode == query.postcode), None)
        words = (query.name or "").casefold().split()
        for length in range(len(words), 0, -1):
            name = " ".join(words[:length])
            found = next((place for place in PLACES if place.name.casefold() == name), None)
            if found is not None:
                return found
        return None


GEOCODE_API = "https://maps.googleapis.com/maps/api/geocode/json"


class GoogleGeocoder:
    """Google's Geocoding API restricted to Australia (`components=country:AU`); without a key, or when Google
    does not answer well, the shipped table answers (a lead is never lost to an outage)."""

    def __init__(self, api_key: str | None = None, api_base: str | None = None, *,
                 timeout_s: float = TIMEOUT_S) -> None:
        self._api_key = api_key
        self._api_base = api_base
        self._timeout_s = timeout_s
        self._fallback = PostcodeTable()

    def locate(self, query: PlaceQuery) -> Place | None:
        api_key = self._api_key if self._api_key is not None else config.GEOCODING_API_KEY.value
        if not api_key:
            return self._fallback.locate(query)
        components = "country:AU" + (f"|postal_code:{query.postcode}" if query.postcode else "")
        params = {"components": components, "key": api_key, **({"address": query.name} if query.name else {})}
        url = (self._api_base or GEOCODE_API) + "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=self._timeout_s) as response:
                answer: Any = json.load(response)
            if answer.get("status") == "ZERO_RESULTS":
                return None
            if answer.get("status") != "OK":
                raise ValueError(f"geocoding status {answer.get('status')!r}")
            return _place(answer["results"][0], query)
        except (OSError, ValueError, LookupError, TypeError) as exc:
            logger.warn("geocoding.fallback", error=type(exc).__name__)
            return self._fallback.locate(query)


def _place(result: dict[str, Any], query: PlaceQuery) -> Place | None:
    """The place of Google's first result; None when it is not the postcode asked, or not a suburb or town at
    all (Google answers what it cannot find with the whole country or state, marked a partial match)."""
    parts = {kind: component for component in result.get("address_components", [])
             for kind in component.get("types", [])}
    if query.postcode and parts.get("postal_code", {}).get("long_name") != query.postcode:
        return None
    if not {"locality", "sublocality", "postal_code"} & parts.keys():
        return None
    location = result["geometry"]["location"]
    postcode = parts.get("postal_code", {}).get("long_name") or query.postcode or ""
    name = (parts.get("locality") or parts.get("sublocality") or {}).get("long_name") or query.name or postcode
    state = parts.get("administrative_area_level_1", {}).get("short_name", "")
    return Place(str(name), str(state), str(postcode), float(location["lat"]), float(location["lng"]))
