"""The three demo markets: real suburb centres, the metro bounding boxes, and the high-demand zones.

People are placed at a suburb centre plus a small jitter. The centres were chosen inland, at least about
twice their jitter radius away from the harbour, the bays and the rivers, so a jittered point never lands
in the water; the bounding box of each city is a generous metro rectangle used by tests as a sanity check.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from curbside.domain.geo import offset


@dataclass(frozen=True)
class Suburb:
    name: str
    lat: float
    lng: float
    jitter_m: float = 600.0


@dataclass(frozen=True)
class BoundingBox:
    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lng <= self.east


@dataclass(frozen=True)
class City:
    name: str
    state: str
    timezone: str
    """IANA zone of the city: scheduled_date/scheduled_time are local wall-clock values."""
    weight: float
    """Share of the demo population (roughly the metro population)."""
    plate_pattern: str
    """The state's standard number-plate format: L a letter, D a digit."""
    bbox: BoundingBox
    suburbs: tuple[Suburb, ...]


@dataclass(frozen=True)
class PremiumZone:
    """A high-demand area of the location_premium pricing rule: a circle around a centre."""

    name: str
    city: str
    lat: float
    lng: float
    radius_km: float


BRISBANE = City(
    name="Brisbane", state="QLD", timezone="Australia/Brisbane", weight=0.2, plate_pattern="DDD LLL",
    bbox=BoundingBox(south=-27.75, west=152.80, north=-27.20, east=153.25),
    suburbs=(
        Suburb("Brisbane City", -27.4698, 153.0251, jitter_m=250),
        Suburb("Fortitude Valley", -27.4573, 153.0345, jitter_m=350),
        Suburb("Kelvin Grove", -27.4480, 153.0130),
        Suburb("Paddington", -27.4598, 152.9996),
        Suburb("Indooroopilly", -27.4997, 152.9733, jitter_m=400),
        Suburb("Chermside", -27.3854, 153.0308),
        Suburb("Kedron", -27.4030, 153.0290),
        Suburb("Carindale", -27.5040, 153.1010),
        Suburb("Mount Gravatt", -27.5386, 153.0806),
        Suburb("Sunnybank", -27.5800, 153.0600),
        Suburb("Stafford", -27.4100, 153.0100),
        Suburb("Brisbane Airport", -27.3942, 153.1218, jitter_m=250),
    ),
)

SYDNEY = City(
    name="Sydney", state="NSW", timezone="Australia/Sydney", weight=0.4, plate_pattern="LL DD LL",
    bbox=BoundingBox(south=-34.10, west=150.75, north=-33.60, east=151.35),
    suburbs=(
        Suburb("Sydney CBD", -33.8732, 151.2061, jitter_m=250),
        Suburb("Surry Hills", -33.8861, 151.2111, jitter_m=400),
        Suburb("Newtown", -33.8978, 151.1794),
        Suburb("North Sydney", -33.8390, 151.2070, jitter_m=250),
        Suburb("Chatswood", -33.7969, 151.1803),
        Suburb("Bondi Junction", -33.8915, 151.2480, jitter_m=400),
        Suburb("Randwick", -33.9140, 151.2410, jitter_m=400),
        Suburb("Strathfield", -33.8800, 151.0830),
        Suburb("Parramatta", -33.8150, 151.0011, jitter_m=400),
        Suburb("Ryde", -33.8150, 151.1030),
        Suburb("Bankstown", -33.9170, 151.0350),
        Suburb("Hurstville", -33.9670, 151.1020),
        Suburb("Blacktown", -33.7710, 150.9060),
        Suburb("Sydney Airport", -33.9335, 151.1798, jitter_m=250),
    ),
)

MELBOURNE = City(
    name="Melbourne", state="VIC", timezone="Australia/Melbourne", weight=0.4, plate_pattern="DLL DLL",
    bbox=BoundingBox(south=-38.10, west=144.60, north=-37.55, east=145.35),
    suburbs=(
        Suburb("Melbourne CBD", -37.8136, 144.9631, jitter_m=250),
        Suburb("Carlton", -37.8001, 144.9671, jitter_m=400),
        Suburb("Fitzroy", -37.7990, 144.9780, jitter_m=400),
        Suburb("Richmond", -37.8200, 144.9980, jitter_m=250),
        Suburb("South Yarra", -37.8400, 144.9920, jitter_m=300),
        Suburb("Brunswick", -37.7670, 144.9600),
        Suburb("Moonee Ponds", -37.7650, 144.9190),
        Suburb("Footscray", -37.8005, 144.8990, jitter_m=300),
        Suburb("Preston", -37.7420, 145.0000),
        Suburb("Camberwell", -37.8360, 145.0700),
        Suburb("Box Hill", -37.8190, 145.1220),
        Suburb("Glen Waverley", -37.8780, 145.1650),
        Suburb("Dandenong", -37.9870, 145.2150),
        Suburb("Melbourne Airport", -37.6690, 144.8410, jitter_m=250),
    ),
)

CITIES: tuple[City, ...] = (BRISBANE, SYDNEY, MELBOURNE)

PREMIUM_ZONES: tuple[PremiumZone, ...] = (
    PremiumZone("Brisbane CBD", "Brisbane", -27.4698, 153.0251, 1.5),
    PremiumZone("Brisbane Airport", "Brisbane", -27.3942, 153.1218, 3.0),
    PremiumZone("Sydney CBD", "Sydney", -33.8688, 151.2093, 2.0),
    PremiumZone("North Sydney business district", "Sydney", -33.8390, 151.2070, 1.0),
    PremiumZone("Parramatta CBD", "Sydney", -33.8150, 151.0011, 1.0),
    PremiumZone("Sydney Airport", "Sydney", -33.9399, 151.1753, 3.0),
    PremiumZone("Melbourne CBD", "Melbourne", -37.8136, 144.9631, 2.0),
    PremiumZone("Melbourne Airport", "Melbourne", -37.6690, 144.8410, 3.0),
)


def jittered(suburb: Suburb, rng: random.Random) -> tuple[float, float]:
    """A point uniformly spread over the disc of `jitter_m` around the suburb centre (6 decimals, ~0.1 m)."""
    distance = suburb.jitter_m * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    lat, lng = offset(suburb.lat, suburb.lng, distance * math.cos(bearing), distance * math.sin(bearing))
    return round(lat, 6), round(lng, 6)
