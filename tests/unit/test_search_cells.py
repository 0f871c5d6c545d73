"""Search cells agree with geohashes, and a disc's cover never misses a point inside the disc."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.domain.geo import EARTH_RADIUS_M, geohash_encode, haversine_m
from curbside.domain.search_cells import (
    MAX_DEPTH,
    MIN_DEPTH,
    QUERY_VALUES_LIMIT,
    Cell,
    cover_disc,
    search_cell_tokens,
)

FIFTY_MILES_M = 50 * 1609.344
CAPITALS = {
    "Sydney": (-33.8688, 151.2093), "Melbourne": (-37.8136, 144.9631), "Brisbane": (-27.4698, 153.0251),
    "Perth": (-31.9523, 115.8613), "Adelaide": (-34.9285, 138.6007), "Hobart": (-42.8821, 147.3272),
    "Darwin": (-12.4634, 130.8456), "Canberra": (-35.2809, 149.1300),
}


def destination(lat: float, lng: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """The point `distance_m` along a great circle from (lat, lng) at `bearing_deg` from north."""
    phi, lam, theta = math.radians(lat), math.radians(lng), math.radians(bearing_deg)
    delta = distance_m / EARTH_RADIUS_M
    phi2 = math.asin(math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta))
    lam2 = lam + math.atan2(math.sin(theta) * math.sin(delta) * math.cos(phi),
                            math.cos(delta) - math.sin(phi) * math.sin(phi2))
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


def disc_area_m2(radius_m: float) -> float:
    return 2 * math.pi * EARTH_RADIUS_M**2 * (1 - math.cos(radius_m / EARTH_RADIUS_M))


latitudes = st.floats(min_value=-85, max_value=85)
longitudes = st.floats(min_value=-180, max_value=180, exclude_max=True)


@pytest.mark.parametrize(("lat", "lng"), [(-27.4698, 153.0251), (57.64911, 10.40744), (0.0, 0.0), (-89.9, 179.9)])
def test_a_whole_character_cell_is_the_geohash_prefix(lat, lng):
    for chars in range(3, MAX_DEPTH // 5 + 1):
        assert Cell.containing(lat, lng, chars * 5).token == geohash_encode(lat, lng, chars)


def test_a_token_spells_the_bits_beyond_whole_characters():
    cell = Cell.containing(-27.4698, 153.0251, 22)
    assert cell.token == geohash_encode(-27.4698, 153.0251, 4) + ":" + format(cell.bits & 0b11, "02b")


@given(latitudes, longitudes, st.integers(min_value=1, max_value=MAX_DEPTH))
def test_a_point_s_geohash_lies_in_the_geohash_range_of_its_cells(lat, lng, depth):
    low, high = Cell.containing(lat, lng, depth).geohash_range()

    assert low <= geohash_encode(lat, lng) < high


@given(latitudes, longitudes, st.integers(min_value=1, max_value=MAX_DEPTH))
def test_a_cell_contains_its_point_and_nests_in_its_parent(lat, lng, depth):
    cell = Cell.containing(lat, lng, depth)
    box, parent = cell.box(), cell.parent_at(depth - 1).box()

    assert box.south <= lat <= box.north and box.west <= lng <= box.east
    assert parent.south <= box.south and box.north <= parent.north
    assert parent.west <= box.west and box.east <= parent.east
    assert cell in cell.parent_at(depth - 1).children()


def test_a_technician_stores_one_cell_per_depth_each_inside_the_last():
    tokens = search_cell_tokens(-33.8688, 151.2093)

    assert len(tokens) == len(set(tokens)) == MAX_DEPTH - MIN_DEPTH + 1
    finest = Cell.containing(-33.8688, 151.2093, MAX_DEPTH)
    assert tokens == [finest.parent_at(depth).token for depth in range(MIN_DEPTH, MAX_DEPTH + 1)]


@settings(max_examples=150, deadline=None)
@given(latitudes, longitudes, st.floats(min_value=1_000, max_value=300_000),
       st.floats(min_value=0, max_value=360), st.floats(min_value=0, max_value=1))
def test_every_point_within_the_radius_shares_a_cell_with_the_cover(lat, lng, radius_m, bearing, fraction):
    point = destination(lat, lng, bearing, radius_m * fraction)
    if haversine_m(lat, lng, *point) > radius_m:  # rounding at the rim: the search would drop it too
        return

    cover = {cell.token for cell in cover_disc(lat, lng, radius_m)}

    assert cover & set(search_cell_tokens(*point))


@settings(max_examples=60, deadline=None)
@given(latitudes, longitudes, st.floats(min_value=2_000, max_value=150_000))
def test_a_cover_is_disjoint_touches_the_disc_and_fits_one_query(lat, lng, radius_m):
    """One query, unless the coarsest cells alone are too many (near a pole, where they are narrow): then
    only coarsest cells, and the caller splits the query (`cover_disc`'s docstring)."""
    cover = cover_disc(lat, lng, radius_m)

    assert len(cover) <= QUERY_VALUES_LIMIT or all(cell.depth == MIN_DEPTH for cell in cover)
    assert all(MIN_DEPTH <= cell.depth <= MAX_DEPTH for cell in cover)
    assert all(cell.box().min_distance_m(lat, lng) <= radius_m + 1 for cell in cover)
    for cell in cover:
        ancestors = {cell.parent_at(depth) for depth in range(MIN_DEPTH, cell.depth)}
        assert not ancestors & set(cover), "a cell and its ancestor would read the same technicians twice"


@pytest.mark.parametrize("city", CAPITALS)
def test_the_default_cover_overhangs_the_disc_by_a_quarter_at_most(city):
    lat, lng = CAPITALS[city]

    cover = cover_disc(lat, lng, FIFTY_MILES_M)

    assert sum(cell.box().area_m2() for cell in cover) / disc_area_m2(FIFTY_MILES_M) < 1.25


def test_the_cover_is_deterministic_and_refuses_a_non_positive_radius():
    assert cover_disc(-33.8688, 151.2093, FIFTY_MILES_M) == cover_disc(-33.8688, 151.2093, FIFTY_MILES_M)
    with pytest.raises(ValueError, match="positive"):
        cover_disc(-33.8688, 151.2093, 0)


def test_a_disc_too_large_for_one_query_is_still_covered():
    cover = cover_disc(-25.0, 134.0, 2_000_000)

    assert len(cover) > QUERY_VALUES_LIMIT
    tokens = {cell.token for cell in cover}
    assert tokens & set(search_cell_tokens(*destination(-25.0, 134.0, 45, 1_990_000)))


def test_cells_outside_their_range_are_refused():
    with pytest.raises(ValueError, match="not a cell"):
        Cell(MAX_DEPTH + 1, 0)
    with pytest.raises(ValueError, match="not a cell"):
        Cell(3, 8)
