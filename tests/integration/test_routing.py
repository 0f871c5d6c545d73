"""The Routes API gateway (`gateways.maps.GoogleRoutes`) against a local server playing Google's
`computeRoutes`: what it sends, what it reads back, and that an estimate never fails because Google did — an
error, a timeout, a malformed answer or no route fall back to the road-speed model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from curbside.domain.arrival import road_leg
from curbside.domain.geo import offset
from curbside.gateways.maps import FIELD_MASK, GoogleRoutes, RoadSpeedModel
from devstack.doubles import RoutesApiDouble

SYDNEY = (-33.8688, 151.2093)
PARRAMATTA = offset(*SYDNEY, 3_000.0, -20_000.0)


@pytest.fixture
def google() -> Iterator[RoutesApiDouble]:
    double = RoutesApiDouble(duration_s=1_534.5, distance_m=23_410).start()
    yield double
    double.stop()


def test_a_drive_asks_for_a_traffic_aware_route_with_only_duration_and_distance(google):
    route = GoogleRoutes(api_key="key-1", api_base=google.url).drive(SYDNEY, PARRAMATTA)

    assert route.source == "google_routes"
    assert (route.leg.distance_m, route.leg.duration) == (23_410, dt.timedelta(seconds=1_534.5))
    [(headers, body)] = google.requests
    assert headers["x-goog-api-key"] == "key-1" and headers["x-goog-fieldmask"] == FIELD_MASK
    assert body == {"origin": {"location": {"latLng": {"latitude": SYDNEY[0], "longitude": SYDNEY[1]}}},
                    "destination": {"location": {"latLng": {"latitude": PARRAMATTA[0],
                                                            "longitude": PARRAMATTA[1]}}},
                    "travelMode": "DRIVE", "routingPreference": "TRAFFIC_AWARE"}


@pytest.mark.parametrize(("status", "body"), [
    (500, '{"error": {"code": 500}}'),
    (403, '{"error": {"code": 403, "status": "PERMISSION_DENIED"}}'),
    (200, "{}"),  # Google's answer when there is no route
    (200, '{"routes": []}'),
    (200, '{"routes": [{"duration": "-5s"}]}'),
    (200, '{"routes": [{"duration": 12}]}'),
    (200, "not json"),
])
def test_a_bad_answer_falls_back_to_the_road_speed_model(google, status, body):
    google.status, google.body = status, body

    route = GoogleRoutes(api_key="key-1", api_base=google.url).drive(SYDNEY, PARRAMATTA)

    assert route.source == "road_model" and route.leg == road_leg(SYDNEY, PARRAMATTA)
    assert len(google.requests) == 1


def test_a_slow_answer_is_not_waited_for(google):
    google.delay_s = 1.0

    route = GoogleRoutes(api_key="key-1", api_base=google.url, timeout_s=0.2).drive(SYDNEY, PARRAMATTA)

    assert route.source == "road_model"


def test_without_a_key_google_is_not_called(google):
    assert GoogleRoutes(api_key="", api_base=google.url).drive(SYDNEY, PARRAMATTA) == \
        RoadSpeedModel().drive(SYDNEY, PARRAMATTA)
    assert google.requests == []
