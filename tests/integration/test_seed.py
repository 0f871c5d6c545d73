"""The seed against the emulator: the expected documents, a second run that changes nothing, refusal of any
target that is not a demo emulator, and a world that is geographically and logically plausible."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from curbside.domain.enums import AccountStatus, RequestStatus
from curbside.store.collections import PRIVATE_SUBCOLLECTION, Collection
from devstack.emulators import FirestoreEmulator
from seed import Outcome, SeedRefused, build_world, seed_firestore
from seed.__main__ import main

NOW = datetime(2026, 11, 20, 9, 17, tzinfo=UTC)

EXPECTED = {
    "Rewards": 20, "PricingRules": 4, "DentRepairMatrices": 1,
    "Users": 151, "Users/private": 151, "NotificationPreferences": 151,
    "ClientProfiles": 30, "ClientProfiles/private": 30, "PointsLedger": 30,
    "DispatcherProfiles": 120, "DispatcherProfiles/private": 120, "DispatcherLocations": 120,
    "TechnicianCalendars": 120,
    "ServiceRequests": 24, "JobCompletions": 3, "DailyStats": 30,
}

Dump = dict[str, tuple[dict[str, Any], Any]]


def dump(db: firestore.Client) -> Dump:
    """Every document of the database: path -> (data, update_time). Equal update times prove that nothing
    was even rewritten with the same content."""
    snaps = [snap for collection in db.collections() for snap in collection.stream()]
    snaps += list(db.collection_group(PRIVATE_SUBCOLLECTION).stream())
    return {snap.reference.path: (snap.to_dict(), snap.update_time) for snap in snaps}


def label_of(path: str) -> str:
    parts = path.split("/")
    return parts[0] if len(parts) == 2 else f"{parts[0]}/{parts[2]}"


@pytest.fixture(scope="module")
def seeded(firestore_emulator: FirestoreEmulator, _admin_client: firestore.Client) -> Dump:
    """One seeded database for the read-only checks (captured, so later tests may wipe it)."""
    firestore_emulator.clear()
    seed_firestore(_admin_client, seed=7, now=NOW)
    return dump(_admin_client)


def docs_of(seeded: Dump, collection: Collection) -> dict[str, dict[str, Any]]:
    return {path.split("/")[1]: data for path, (data, _) in seeded.items() if label_of(path) == collection}


def test_the_cli_seeds_every_collection_and_a_second_run_changes_nothing(db: firestore.Client):
    # given an empty emulator, when the CLI seeds it
    assert main(["--now", NOW.isoformat()]) == 0
    first = dump(db)

    # then each collection holds the expected number of documents
    assert Counter(label_of(path) for path in first) == EXPECTED

    # when seeding again (later in the same hour)
    report = seed_firestore(db, seed=7, now=NOW.replace(minute=59))

    # then everything is reported unchanged and the database is exactly the same, update times included
    assert {label: row[Outcome.UNCHANGED] for label, row in report.counts.items()} == EXPECTED
    assert report.written == 0 and report.total(Outcome.KEPT) == 0
    assert dump(db) == first


def test_a_later_run_keeps_what_the_app_changed_unless_asked_to_refresh(db: firestore.Client):
    # given a seeded database where the app has since moved a pending job on
    seed_firestore(db, seed=7, now=NOW)
    request = db.document("ServiceRequests/request-004")
    request.update({"status": "accepted"})

    # when seeding again, then the job is left as the app made it
    report = seed_firestore(db, seed=7, now=NOW)
    assert report.counts["ServiceRequests"][Outcome.KEPT] == 1 and report.written == 0
    assert request.get().get("status") == "accepted"

    # when seeding with refresh, then the seeded version is restored and only that document is written
    report = seed_firestore(db, seed=7, now=NOW, refresh=True)
    assert report.written == report.total(Outcome.UPDATED) == 1
    assert request.get().get("status") == "pending"


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["--project", "curbside-prod"], {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"},
         "Refusing to seed project 'curbside-prod': only emulator projects whose id starts with 'demo-'"),
        ([], {"GCLOUD_PROJECT": "curbside-prod", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"},
         "Refusing to seed project 'curbside-prod'"),
        ([], {"GCLOUD_PROJECT": "demo-curbside"}, "Refusing to seed: FIRESTORE_EMULATOR_HOST is not set"),
    ],
)
def test_the_cli_refuses_anything_but_a_demo_emulator(argv, environ, message, capsys):
    assert main(argv, environ) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_a_client_for_the_real_service_is_refused_before_any_call(monkeypatch):
    monkeypatch.delenv("FIRESTORE_EMULATOR_HOST", raising=False)
    real = firestore.Client(project="demo-curbside", credentials=AnonymousCredentials())
    with pytest.raises(SeedRefused, match="FIRESTORE_EMULATOR_HOST is not set"):
        seed_firestore(real, now=NOW)


def test_every_person_and_job_is_inside_their_city(seeded: Dump):
    city_of = build_world(7, NOW).city_of
    located = 0
    for uid, location in docs_of(seeded, Collection.DISPATCHER_LOCATIONS).items():
        if location["lat"] is not None:
            assert city_of[uid].bbox.contains(location["lat"], location["lng"]), uid
            located += 1
    for request_id, request in docs_of(seeded, Collection.SERVICE_REQUESTS).items():
        bbox = city_of[request["client_id"]].bbox
        assert bbox.contains(request["location_lat"], request["location_lng"]), request_id
        if request["dispatcher_id"]:
            assert city_of[request["dispatcher_id"]] == city_of[request["client_id"]], request_id
        if request["dispatcher_current_lat"] is not None:
            assert bbox.contains(request["dispatcher_current_lat"], request["dispatcher_current_lng"])
    assert located >= 90  # every verified technician has a position
    assert {city.name for city in city_of.values()} == {"Brisbane", "Sydney", "Melbourne"}


def test_jobs_cover_every_status_and_exactly_two_technicians_are_shadow_banned(seeded: Dump):
    statuses = Counter(r["status"] for r in docs_of(seeded, Collection.SERVICE_REQUESTS).values())
    assert set(statuses) == set(RequestStatus) and min(statuses.values()) >= 3

    banned = [path for path, (data, _) in seeded.items()
              if label_of(path) == "Users/private" and data["account_status"] == AccountStatus.SHADOW_BANNED]
    assert len(banned) == 2
    assert all(path.startswith("Users/dispatcher-") for path in banned)


def test_the_cli_says_so_when_no_emulator_answers(capsys):
    assert main([], {"GCLOUD_PROJECT": "demo-curbside", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"}) == 1
    assert capsys.readouterr().err.startswith("Nothing answers at FIRESTORE_EMULATOR_HOST=127.0.0.1:1")
