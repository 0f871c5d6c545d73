"""Geography on the sphere: distances, small offsets and geohashes, in pure Python.

Auto-dispatch ranks technicians by distance and finds candidates with geohash prefix range queries on
`DispatcherLocations`; arrival and completion checks compare positions to the job (< 100 m). Every writer of
a geohash (the location service, the seed) must encode exactly the same way, so the one encoder lives here.
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), the usual choice for haversine distances."""

GEOHASH_PRECISION = 9
"""Characters stored in `DispatcherLocations.geohash`: a 9-character cell is about 4.8 m x 4.8 m, so any
shorter prefix a range query needs can be taken from it."""

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


def geohash_encode(lat: float, lng: float, precision: int = GEOHASH_PRECISION) -> str:
    """The standard (Niemeyer) base32 geohash of a point: bits alternate longitude/latitude, longitude first."""
    if not -90 <= lat <= 90 or not -180 <= lng <= 180:
        raise ValueError(f"not a position: ({lat}, {lng})")
    if precision < 1:
        raise ValueError("precision must be at least 1")
    lat_range, lng_range = [-90.0, 90.0], [-180.0, 180.0]
    chars: list[str] = []
    bits, value, even = 0, 0, True
    while len(chars) < precision:
        interval, coordinate = (lng_range, lng) if even else (lat_range, lat)
        middle = (interval[0] + interval[1]) / 2
        value <<= 1
        if coordinate >= middle:
            value |= 1
            interval[0] = middle
        else:
            interval[1] = middle
        even = not even
        bits += 1
        if bits == 5:
            chars.append(_BASE32[value])
            bits, value = 0, 0
    return "".join(chars)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine; well within a metre at city scale)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def offset(lat: float, lng: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point `north_m` metres north and `east_m` metres east of (lat, lng), on a locally flat Earth
    (accurate to centimetres over the few kilometres it is used for)."""
    d_lat = math.degrees(north_m / EARTH_RADIUS_M)
    d_lng = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return lat + d_lat, lng + d_lng
