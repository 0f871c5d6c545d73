"""Search cells: how a technician's position is indexed so that a radius search reads only the documents of
technicians near the job, in one Firestore query.

A cell is a prefix of a point's geohash *bits* (longitude and latitude bits interleaved, longitude first, the
bisection `geo.geohash_encode` performs): each extra bit halves the parent cell along one axis, so cells
nest, and two cells are either nested or disjoint. A technician's `DispatcherLocations` document lists the
cell that contains them at every depth from `MIN_DEPTH` to `MAX_DEPTH` (`search_cells`, only while they may
receive offers). A search covers the disc around the job with at most `QUERY_VALUES_LIMIT` cells of mixed
depth — large cells inside the disc, small ones along its edge — and asks for documents whose
`search_cells` contain any of them: a single `array-contains-any` query, billed one read per technician it
returns (at least one). Because the cover follows the circle closely, the technicians it returns from outside
the radius are few (docs/decisions.md, "The dispatch search index", and docs/benchmarks.md have the numbers).

Depths 14-30 span cells from about 260 km x 156 km down to 1 km x 0.6 km in Australia, enough for radii from
a couple of kilometres to several hundred. Changing the depth range changes what every document must store,
so it is a constant, not configuration.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from curbside.domain.geo import EARTH_RADIUS_M, geohash_encode, haversine_m

MIN_DEPTH = 14
MAX_DEPTH = 30
QUERY_VALUES_LIMIT = 30
"""Firestore accepts at most 30 values in one `array-contains-any` filter: the cover's cell budget."""

_GEOHASH_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"
"""The geohash base32 alphabet (as in `geo.geohash_encode`; tests/unit/test_search_cells.py keeps them equal)."""

_EDGE_SLACK_M = 1.0
"""A cell closer than radius + this to the centre counts as touching the disc, so floating-point rounding can
only ever add a cell to a cover, never drop one a technician inside the radius sits in."""

_SAMPLES_PER_SIDE = 4
"""Sample grid used to estimate how much of a cell lies outside the disc (only orders refinement)."""


@dataclass(frozen=True)
class Box:
    """A latitude/longitude rectangle in degrees (the region of a cell)."""

    south: float
    west: float
    north: float
    east: float

    def area_m2(self) -> float:
        """Area on the sphere (exact for a lat/lng rectangle)."""
        band = math.sin(math.radians(self.north)) - math.sin(math.radians(self.south))
        return EARTH_RADIUS_M**2 * math.radians(self.east - self.west) * band

    def min_distance_m(self, lat: float, lng: float) -> float:
        """Great-circle distance from a point to the nearest point of the box (0 inside it).

        Inside the longitude span the nearest point lies on the same meridian. Outside it, distance along any
        parallel grows with the longitude gap, so the nearest point lies on one of the two bounding meridians,
        where the closest latitude is atan(tan(lat) / cos(gap)) clamped to the box (distance along a meridian
        has a single minimum); the meridian's end points are checked as well for gaps of 90 degrees or more.
        """
        if self.west <= lng <= self.east:
            return haversine_m(lat, lng, min(max(lat, self.south), self.north), lng)
        best = math.inf
        for edge in (self.west, self.east):
            candidates = [self.south, self.north]
            cos_gap = math.cos(math.radians(edge - lng))
            if cos_gap > 0:
                closest = math.degrees(math.atan(math.tan(math.radians(lat)) / cos_gap))
                candidates.append(min(max(closest, self.south), self.north))
            best = min(best, *(haversine_m(lat, lng, at, edge) for at in candidates))
        return best

    def max_distance_m(self, lat: float, lng: float) -> float:
        """Distance to the farthest point of the box: a corner, since distance along a parallel grows with the
        longitude gap and along a meridian has no interior maximum (for cells far narrower than a hemisphere)."""
        return max(haversine_m(lat, lng, at, on) for at in (self.south, self.north) for on in (self.west, self.east))

    def fraction_outside(self, lat: float, lng: float, radius_m: float) -> float:
        """Share of a grid of sample points of the box farther than `radius_m` from the point."""
        n = _SAMPLES_PER_SIDE
        outside = sum(
            haversine_m(lat, lng, self.south + (self.north - self.south) * (i + 0.5) / n,
                        self.west + (self.east - self.west) * (j + 0.5) / n) > radius_m
            for i in range(n) for j in range(n)
        )
        return outside / (n * n)


@dataclass(frozen=True, order=True)
class Cell:
    """The first `depth` bits of a geohash, as an integer."""

    depth: int
    bits: int

    def __post_init__(self) -> None:
        if not 0 <= self.depth <= MAX_DEPTH or not 0 <= self.bits < (1 << self.depth):
            raise ValueError(f"not a cell: depth {self.depth}, bits {self.bits}")

    @classmethod
    def containing(cls, lat: float, lng: float, depth: int = MAX_DEPTH) -> Cell:
        """The cell of a point at `depth`, read off its geohash so that cells and stored geohashes agree."""
        chars = geohash_encode(lat, lng, precision=max(1, math.ceil(depth / 5)))
        value = 0
        for char in chars:
            value = (value << 5) | _GEOHASH_ALPHABET.index(char)
        return cls(depth, value >> (len(chars) * 5 - depth))

    def parent_at(self, depth: int) -> Cell:
        """The cell at a shallower (or equal) depth that contains this one."""
        if depth > self.depth:
            raise ValueError(f"depth {depth} is finer than the cell's {self.depth}")
        return Cell(depth, self.bits >> (self.depth - depth))

    def children(self) -> tuple[Cell, Cell]:
        return Cell(self.depth + 1, self.bits << 1), Cell(self.depth + 1, (self.bits << 1) | 1)

    @property
    def token(self) -> str:
        """How the cell is written in `search_cells`: its whole geohash characters, then any remaining bits
        after a colon (depth 22 -> "r3gx:10"), so a token reads as "inside geohash r3gx"."""
        whole, rest = divmod(self.depth, 5)
        head = self.bits >> rest
        chars = "".join(_GEOHASH_ALPHABET[(head >> (5 * (whole - 1 - i))) & 31] for i in range(whole))
        return f"{chars}:{self.bits & ((1 << rest) - 1):0{rest}b}" if rest else chars

    def geohash_range(self) -> tuple[str, str]:
        """The geohash strings of the points in the cell: from the first (inclusive) to the second
        (exclusive), for range queries on a stored `geohash` (such as a benchmark's)."""
        rest = self.depth % 5
        prefix = self.token.split(":")[0]
        if not rest:
            return prefix, prefix + "~"
        first = (self.bits & ((1 << rest) - 1)) << (5 - rest)
        after = first + (1 << (5 - rest))
        return prefix + _GEOHASH_ALPHABET[first], prefix + (_GEOHASH_ALPHABET[after] if after < 32 else "~")

    def box(self) -> Box:
        """The cell's rectangle: the same bisection as the geohash encoder (midpoints of dyadic intervals are
        exact in binary floating point, so the edges are exactly the encoder's)."""
        south, west, north, east = -90.0, -180.0, 90.0, 180.0
        for i in range(self.depth):
            upper = (self.bits >> (self.depth - 1 - i)) & 1
            if i % 2 == 0:
                middle = (west + east) / 2
                west, east = (middle, east) if upper else (west, middle)
            else:
                middle = (south + north) / 2
                south, north = (middle, north) if upper else (south, middle)
        return Box(south, west, north, east)


def search_cell_tokens(lat: float, lng: float) -> list[str]:
    """Every cell containing the point from `MIN_DEPTH` to `MAX_DEPTH`: what a searchable technician's
    document stores, so that a cover cell of any of those depths matches it."""
    finest = Cell.containing(lat, lng, MAX_DEPTH)
    return [finest.parent_at(depth).token for depth in range(MIN_DEPTH, MAX_DEPTH + 1)]


def cover_disc(lat: float, lng: float, radius_m: float, max_cells: int = QUERY_VALUES_LIMIT) -> list[Cell]:
    """Cells of depth `MIN_DEPTH`..`MAX_DEPTH` whose union contains every point within `radius_m` of the
    centre, chosen to keep the area outside the disc small with at most `max_cells` cells.

    Greedy refinement: the cells touching the disc at `MIN_DEPTH` are split, the one with the most estimated
    area outside the disc first, into their children that still touch it, while the budget allows (a split
    that leaves one child is free). Cells wholly inside the disc are never split. When the disc is so large
    that `MIN_DEPTH` alone needs more than `max_cells` cells, all of them are returned and the caller issues
    several queries. Sorted, so the same search always sends the same query.
    """
    if radius_m <= 0:
        raise ValueError("the radius must be positive")

    def touches(cell: Cell) -> bool:
        return cell.box().min_distance_m(lat, lng) <= radius_m + _EDGE_SLACK_M

    def settled(cell: Cell) -> bool:
        return cell.depth >= MAX_DEPTH or cell.box().max_distance_m(lat, lng) <= radius_m

    frontier = [Cell(0, 0)]
    while frontier[0].depth < MIN_DEPTH:
        frontier = [child for cell in frontier for child in cell.children() if touches(child)]

    final: list[Cell] = []
    pending: list[tuple[float, Cell]] = []

    def place(cell: Cell) -> None:
        if settled(cell):
            final.append(cell)
        else:
            box = cell.box()
            heapq.heappush(pending, (-box.area_m2() * box.fraction_outside(lat, lng, radius_m), cell))

    for cell in frontier:
        place(cell)
    while pending:
        _, cell = heapq.heappop(pending)
        children = [child for child in cell.children() if touches(child)]
        if len(final) + len(pending) + len(children) > max_cells:
            final.append(cell)
            continue
        for child in children:
            place(child)
    return sorted(final)
