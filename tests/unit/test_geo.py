"""The geo helpers agree with the published geohash vectors and with known distances."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curbside.domain.geo import geohash_encode, haversine_m, offset


@pytest.mark.parametrize(
    ("lat", "lng", "precision", "expected"),
    [
        (42.6, -5.6, 5, "ezs42"),  # Wikipedia's worked example
        (57.64911, 10.40744, 11, "u4pruydqqvj"),  # geohash.org's reference point
        (-33.8688, 151.2093, 5, "r3gx2"),  # Sydney CBD
        (0.0, 0.0, 1, "s"),
    ],
)
def test_geohash_matches_reference_values(lat, lng, precision, expected):
    assert geohash_encode(lat, lng, precision) == expected


def test_default_precision_is_nine_and_bad_positions_are_refused():
    assert len(geohash_encode(-27.4698, 153.0251)) == 9
    with pytest.raises(ValueError, match="not a position"):
        geohash_encode(91.0, 0.0)


@given(st.floats(-89.9, 89.9), st.floats(-179.9, 179.9))
def test_a_longer_geohash_extends_the_shorter_one(lat, lng):
    assert geohash_encode(lat, lng, 9).startswith(geohash_encode(lat, lng, 5))


def test_haversine_and_offset_agree():
    # Sydney CBD to Melbourne CBD is about 713 km.
    assert haversine_m(-33.8688, 151.2093, -37.8136, 144.9631) == pytest.approx(713_000, rel=0.01)
    lat, lng = offset(-27.4698, 153.0251, north_m=300.0, east_m=-400.0)
    assert haversine_m(-27.4698, 153.0251, lat, lng) == pytest.approx(500.0, abs=0.5)
