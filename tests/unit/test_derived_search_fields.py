"""Derived search fields: a DispatcherLocations entry indexes only eligible technicians, and a job is filed
under the cells of its location, whatever a writer passes in."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from curbside.domain.documents import DispatcherLocation, ServiceRequest
from curbside.domain.enums import AccountStatus
from curbside.domain.geo import geohash_encode
from curbside.domain.ring_search import class_token, index_tokens, score_class
from curbside.domain.search_cells import search_cell_tokens
from curbside.store.codec import from_document, to_document
from tests.factories import make_dispatcher_location, make_service_request


def test_an_eligible_technician_is_filed_under_the_cells_of_their_position():
    entry = make_dispatcher_location(lat=-33.8688, lng=151.2093)

    assert entry.searchable
    assert entry.search_cells == index_tokens(-33.8688, 151.2093, entry.rating, entry.active_jobs)
    assert entry.search_cells[:17] == search_cell_tokens(-33.8688, 151.2093)
    assert entry.geohash == geohash_encode(-33.8688, 151.2093)


@pytest.mark.parametrize(("rating", "active_jobs", "klass"), [
    (5.0, 0, "49f"), (4.9, 1, "49b"), (4.89, 0, "48f"), (4.7, 0, "46f"), (4.3, 1, "43b"), (4.0, 0, "40f"),
    (3.99, 0, "10f"), (1.0, 1, "10b"),
])
def test_a_technician_is_also_filed_under_their_score_class(rating, active_jobs, klass):
    entry = make_dispatcher_location(lat=-33.8688, lng=151.2093, rating=rating, active_jobs=active_jobs)

    assert score_class(rating, active_jobs) == klass
    assert entry.search_cells[17:] == [class_token(token, klass) for token in search_cell_tokens(-33.8688, 151.2093)]


def test_the_score_class_follows_a_new_rating_and_workload():
    entry = make_dispatcher_location(rating=4.95, active_jobs=0)
    entry.rating, entry.active_jobs = 4.5, 1

    assert all(token.endswith("/43b") for token in entry.search_cells[17:])


@pytest.mark.parametrize("changes", [
    {"is_online": False},
    {"verified": False},
    {"account_status": AccountStatus.SHADOW_BANNED},
    {"account_status": AccountStatus.SUSPENDED},
    {"account_status": AccountStatus.BANNED},
    {"active_jobs": 2, "capacity": 2},
    {"lat": None, "lng": None, "location_updated_at": None},
], ids=["offline", "unverified", "shadow_banned", "suspended", "banned", "at_capacity", "no_position"])
def test_an_ineligible_technician_is_not_in_the_index(changes):
    entry = make_dispatcher_location(**changes)

    assert not entry.searchable
    assert entry.search_cells == []


def test_a_busy_technician_with_room_for_another_job_stays_in_the_index():
    assert make_dispatcher_location(active_jobs=1, capacity=2).searchable


def test_search_fields_given_by_a_writer_are_ignored():
    entry = make_dispatcher_location(lat=-33.8688, lng=151.2093, is_online=False, searchable=True,
                                     search_cells=["r3gx"], geohash="zzzz")

    assert (entry.searchable, entry.search_cells) == (False, [])
    assert entry.geohash == geohash_encode(-33.8688, 151.2093)


def test_search_fields_follow_an_assignment():
    entry = make_dispatcher_location()
    entry.lat, entry.lng = -27.4698, 153.0251

    assert entry.search_cells == index_tokens(-27.4698, 153.0251, entry.rating, entry.active_jobs)


def test_stored_search_fields_are_recomputed_on_read():
    stored = to_document(make_dispatcher_location()) | {"search_cells": ["stale"], "searchable": False}

    read = from_document(DispatcherLocation, stored)

    assert read.searchable and read.search_cells != ["stale"]


def test_a_position_is_stored_with_its_time_or_not_at_all():
    with pytest.raises(ValidationError, match="together"):
        make_dispatcher_location(location_updated_at=None)
    with pytest.raises(ValidationError, match="together"):
        make_dispatcher_location(lng=None)


def test_a_job_is_filed_under_the_cells_of_its_location_whatever_a_writer_passes():
    job = make_service_request(location_lat=-33.8688, location_lng=151.2093, search_cells=["elsewhere"])
    stored = to_document(job) | {"search_cells": ["stale"]}

    assert job.search_cells == search_cell_tokens(-33.8688, 151.2093)
    assert from_document(ServiceRequest, stored).search_cells == job.search_cells
