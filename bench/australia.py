"""Where technicians (and jobs) are: Australia's urban areas in their real proportions, plus the country.

Urban areas are ABS Significant Urban Areas (2021 census, rounded to thousands); a person is placed around
the area's centre with a normal spread of the area's size (a sixth of them on a wider ring, the outer
suburbs), and `RURAL_SHARE` of people live anywhere within a few hours' drive of a town. Points may fall in
the sea near the coast; that changes nothing the benchmark measures.

`PROBES` are four remote towns with nothing else within the dispatch radius. The benchmark gives each a
fixed cohort of technicians and keeps every other technician out of their radius, so that a search there
sees the same local population at every nationwide scale.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from curbside.domain.geo import haversine_m, offset


@dataclass(frozen=True)
class Town:
    name: str
    lat: float
    lng: float
    people_k: int
    """Population in thousands."""
    spread_km: float


URBAN_AREAS = (
    Town("Sydney", -33.84, 151.05, 4600, 20), Town("Melbourne", -37.84, 145.03, 4500, 20),
    Town("Brisbane", -27.49, 153.01, 2400, 16), Town("Perth", -31.95, 115.86, 2000, 16),
    Town("Adelaide", -34.90, 138.60, 1300, 12), Town("Gold Coast", -28.02, 153.40, 680, 10),
    Town("Newcastle", -32.90, 151.70, 500, 9), Town("Canberra", -35.28, 149.13, 460, 8),
    Town("Sunshine Coast", -26.68, 153.07, 350, 9), Town("Central Coast", -33.40, 151.38, 340, 8),
    Town("Wollongong", -34.42, 150.88, 300, 7), Town("Geelong", -38.15, 144.36, 290, 6),
    Town("Hobart", -42.88, 147.33, 220, 6), Town("Townsville", -19.26, 146.80, 180, 5),
    Town("Cairns", -16.92, 145.77, 155, 5), Town("Darwin", -12.43, 130.87, 140, 6),
    Town("Toowoomba", -27.56, 151.95, 140, 4), Town("Ballarat", -37.56, 143.85, 110, 4),
    Town("Bendigo", -36.76, 144.28, 100, 4), Town("Albury-Wodonga", -36.08, 146.92, 95, 4),
    Town("Launceston", -41.44, 147.14, 90, 4), Town("Mackay", -21.14, 149.19, 80, 4),
    Town("Rockhampton", -23.38, 150.51, 80, 4), Town("Bunbury", -33.33, 115.64, 75, 4),
    Town("Coffs Harbour", -30.30, 153.11, 72, 4), Town("Bundaberg", -24.87, 152.35, 72, 4),
    Town("Wagga Wagga", -35.11, 147.37, 57, 3), Town("Hervey Bay", -25.29, 152.85, 57, 3),
    Town("Mildura", -34.19, 142.16, 51, 3), Town("Shepparton", -36.38, 145.40, 51, 3),
    Town("Port Macquarie", -31.43, 152.91, 48, 3), Town("Gladstone", -23.84, 151.26, 45, 3),
    Town("Tamworth", -31.09, 150.93, 43, 3), Town("Traralgon", -38.20, 146.54, 42, 3),
    Town("Orange", -33.28, 149.10, 41, 3), Town("Busselton", -33.65, 115.35, 40, 3),
    Town("Bowral", -34.48, 150.42, 40, 3), Town("Dubbo", -32.25, 148.60, 38, 3),
    Town("Geraldton", -28.77, 114.61, 38, 3), Town("Nowra", -34.88, 150.60, 37, 3),
    Town("Bathurst", -33.42, 149.58, 37, 3), Town("Warrnambool", -38.38, 142.49, 35, 3),
    Town("Albany", -35.02, 117.88, 34, 3), Town("Warragul", -38.16, 145.93, 33, 3),
    Town("Devonport", -41.18, 146.35, 30, 3), Town("Mount Gambier", -37.83, 140.78, 28, 3),
    Town("Lismore", -28.81, 153.28, 28, 3), Town("Nelson Bay", -32.72, 152.14, 28, 3),
    Town("Ballina", -28.87, 153.56, 27, 3), Town("Burnie", -41.05, 145.91, 27, 3),
    Town("Maryborough", -25.54, 152.70, 27, 3), Town("Armidale", -30.51, 151.67, 24, 3),
    Town("Goulburn", -34.75, 149.72, 24, 3), Town("Whyalla", -33.03, 137.58, 22, 3),
    Town("Griffith", -34.29, 146.04, 20, 3), Town("Grafton", -29.69, 152.93, 19, 3),
    Town("Karratha", -20.74, 116.85, 17, 3), Town("Port Lincoln", -34.72, 135.86, 16, 2),
    Town("Horsham", -36.71, 142.20, 16, 2), Town("Port Hedland", -20.31, 118.60, 15, 2),
    Town("Emerald", -23.53, 148.16, 14, 2), Town("Broome", -17.96, 122.24, 14, 2),
    Town("Port Augusta", -32.49, 137.77, 13, 2), Town("Esperance", -33.86, 121.89, 12, 2),
    Town("Katherine", -14.47, 132.26, 10, 2),
)

PROBES = (
    Town("Alice Springs", -23.70, 133.88, 25, 4), Town("Broken Hill", -31.95, 141.45, 17, 4),
    Town("Mount Isa", -20.73, 139.49, 18, 4), Town("Kalgoorlie", -30.75, 121.47, 29, 4),
)

RURAL_SHARE = 0.09
RURAL_SPREAD_KM = 50.0
OUTER_SHARE = 1 / 6
OUTER_FACTOR = 2.5


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    town: str


def _around(town: Town, spread_km: float, rng: random.Random) -> Place:
    lat, lng = offset(town.lat, town.lng, rng.gauss(0, spread_km) * 1000, rng.gauss(0, spread_km) * 1000)
    return Place(lat, lng, town.name)


def places(rng: random.Random, *, keep_clear_of_probes_m: float) -> Iterator[Place]:
    """An endless stream of people's places across the country (none within the given distance of a probe)."""
    weights = list(itertools.accumulate(town.people_k for town in URBAN_AREAS))
    while True:
        town = rng.choices(URBAN_AREAS, cum_weights=weights)[0]
        if rng.random() < RURAL_SHARE:
            place = _around(town, RURAL_SPREAD_KM, rng)
            place = Place(place.lat, place.lng, f"rural {town.name}")
        else:
            place = _around(town, town.spread_km * (OUTER_FACTOR if rng.random() < OUTER_SHARE else 1.0), rng)
        if all(haversine_m(place.lat, place.lng, probe.lat, probe.lng) > keep_clear_of_probes_m for probe in PROBES):
            yield place


def probe_cohort(probe: Town, size: int, rng: random.Random) -> list[Place]:
    """The fixed technicians of one probe town."""
    return [_around(probe, probe.spread_km, rng) for _ in range(size)]
