"""The search index follows the documents eligibility depends on — in the same commit as their change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
import threading
import time

import pytest

from curbside.domain.enums import AccountStatus, RequestStatus, VerificationStatus
from curbside.domain.errors import LostRace, NotAllowed
from curbside.domain.tracking import LocationFix
from curbside.services import work
from curbside.services.candidates import JobSite, find_candidates
from curbside.services.dispatcher_index import refresh_dispatcher_index
from curbside.services.locations import set_availability, update_location
from curbside.store.codec import encode_value
from curbside.store.collections import Collection, doc_path, private_doc_path
from curbside.store.repositories import evolve
from curbside.store.transactions import retry_lost_races
from tests.factories import make_service_request, make_user, put
from tests.technicians import SYDNEY, add_technician, entry_of, north_of, stored_entry

pytestmark = pytest.mark.emulator


def candidate_ids(deps) -> list[str]:
    return [c.dispatcher_id for c in work.reading(deps, lambda uow: find_candidates(uow, JobSite(*SYDNEY))).candidates]


def test_a_refresh_rebuilds_the_entry_from_the_sources(db, deps, clock):
    add_technician(db, "sam", fixed_at=clock.now(), rating=4.2)
    db.document(doc_path(Collection.DISPATCHER_PROFILES, "sam")).update({"rating": 4.9})
    put(db, make_service_request(id="job-1", dispatcher_id="sam", status=RequestStatus.ACCEPTED))
    put(db, make_service_request(id="job-2", dispatcher_id="sam", status=RequestStatus.EN_ROUTE))
    put(db, make_service_request(id="job-3", dispatcher_id="sam", status=RequestStatus.COMPLETED))

    entry = refresh_dispatcher_index(deps, "sam")

    assert entry == entry_of(db, "sam")
    assert entry is not None and (entry.rating, entry.active_jobs, entry.capacity) == (4.9, 2, 2)
    assert not entry.searchable and entry.search_cells == [], "two active jobs fill the default capacity"
    assert candidate_ids(deps) == []


@pytest.mark.parametrize(("source", "change"), [
    ("private", {"account_status": AccountStatus.SHADOW_BANNED.value}),
    ("private", {"account_status": AccountStatus.BANNED.value}),
    ("profile", {"verification_status": VerificationStatus.REJECTED.value}),
])
def test_a_refresh_after_a_change_committed_elsewhere_takes_the_technician_out(db, deps, clock, source, change):
    add_technician(db, "sam", fixed_at=clock.now())
    assert candidate_ids(deps) == ["sam"]
    path = private_doc_path(Collection.USERS, "sam") if source == "private" \
        else doc_path(Collection.DISPATCHER_PROFILES, "sam")
    db.document(path).update(change)

    refresh_dispatcher_index(deps, "sam")

    assert candidate_ids(deps) == []


def test_a_user_who_is_no_technician_has_no_entry_to_refresh(db, deps):
    put(db, make_user(id="alex"))

    assert refresh_dispatcher_index(deps, "alex") is None
    assert entry_of(db, "alex") is None


def ban(deps, uid: str) -> None:
    """An admin's ban as any use case writes it: through the unit of work, naming only the account status."""

    def decide(uow) -> None:
        uow.user_private.save(uid, evolve(uow.user_private.get_or_default(uid), account_status=AccountStatus.BANNED))

    work.transaction(deps, decide)


def test_a_ban_and_leaving_the_index_are_one_commit(db, deps, clock):
    add_technician(db, "sam", fixed_at=clock.now())
    private = db.document(private_doc_path(Collection.USERS, "sam"))

    ban(deps, "sam")

    entry_snap = db.document(doc_path(Collection.DISPATCHER_LOCATIONS, "sam")).get()
    assert entry_snap.update_time == private.get().update_time, "written by the same commit"
    assert entry_snap.get("searchable") is False and entry_snap.get("search_cells") == []


def test_a_job_change_moves_the_workload_in_the_same_commit(db, deps, clock):
    one_job = dataclasses.replace(deps, settings=dataclasses.replace(
        deps.settings, dispatch=dataclasses.replace(deps.settings.dispatch, capacity=1)))
    add_technician(db, "sam", fixed_at=clock.now(), capacity=1)
    job = make_service_request(id="job-1", status=RequestStatus.PENDING)
    put(db, job)

    def move(to: RequestStatus) -> None:
        def decide(uow) -> None:
            stored = uow.requests.get(job.id)
            uow.requests.save(evolve(stored, status=to, dispatcher_id="sam"))

        work.transaction(one_job, decide)

    move(RequestStatus.ACCEPTED)
    assert (stored_entry(db, "sam").active_jobs, candidate_ids(deps)) == (1, [])
    move(RequestStatus.CANCELLED)
    assert (stored_entry(db, "sam").active_jobs, candidate_ids(deps)) == (0, ["sam"])


def test_a_profile_change_is_mirrored(db, deps, clock):
    add_technician(db, "sam", fixed_at=clock.now(), verification=VerificationStatus.PENDING)

    def approve(uow) -> None:
        profile = uow.dispatcher_profiles.get("sam")
        uow.dispatcher_profiles.save(evolve(profile, verification_status=VerificationStatus.VERIFIED, rating=4.4))

    work.transaction(deps, approve)

    entry = entry_of(db, "sam")
    assert entry is not None and entry.verified and entry.rating == 4.4
    assert candidate_ids(deps) == ["sam"]


def race_going_online_against_a_ban(db, deps, uid: str) -> list[BaseException]:
    """Four `set_availability(online)` calls and one admin ban, released together; returns the refusals."""
    barrier = threading.Barrier(5)
    errors: list[BaseException] = []

    def go_online() -> None:
        barrier.wait()
        try:
            set_availability(deps, uid, True)
        except (NotAllowed, LostRace) as exc:  # refused once the ban won, or out-raced by the others
            errors.append(exc)

    def admin() -> None:
        barrier.wait()
        # the ban must get through for the check that follows: resent after lost races, as background work is
        retry_lost_races(lambda: ban(deps, uid), attempts=10)

    threads = [threading.Thread(target=go_online) for _ in range(4)] + [threading.Thread(target=admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.parametrize("attempt", range(3))
def test_going_online_racing_a_ban_never_leaves_a_banned_technician_searchable(db, deps, clock, attempt):
    add_technician(db, "sam", fixed_at=clock.now(), online=False)

    errors = race_going_online_against_a_ban(db, deps, "sam")

    entry = entry_of(db, "sam")
    assert entry is not None and entry.account_status is AccountStatus.BANNED and not entry.searchable
    assert all("banned" in str(error) for error in errors if isinstance(error, NotAllowed)), errors
    assert candidate_ids(deps) == []


@pytest.mark.timeout(600)  # eight writers on one document wait on the emulator's locks: ~10 s quiet, 2 min loaded
def test_concurrent_reports_never_move_a_technician_back_in_time(db, deps, clock):
    add_technician(db, "sam", fixed_at=clock.now() - dt.timedelta(minutes=5))
    # a drive north at 120 km/h, one report every 30 s (faster than roads allow would be refused as spoofed)
    fixes = [LocationFix(*north_of(SYDNEY, 1_000 * (n + 1)), accuracy_m=5.0,
                         recorded_at=clock.now() - dt.timedelta(seconds=240 - 30 * n)) for n in range(8)]
    barrier = threading.Barrier(len(fixes))
    failures: list[str] = []  # a thread's exception would not fail the test by itself: each one reports here

    def report(fix: LocationFix) -> None:
        """As the app does: a report that lost a race (ABORTED) is sent again after a jittered pause that
        doubles up to 2 s, until it gets through (under load the emulator's lock waits starve a fixed number
        of quick retries)."""
        barrier.wait()
        deadline = time.monotonic() + 300
        for attempt in itertools.count():
            try:
                update_location(deps, "sam", fix)
                return
            except LostRace:
                if time.monotonic() > deadline:
                    failures.append(f"the report of {fix.recorded_at} lost every race for 300 s")
                    return
                time.sleep(min(0.05 * 2 ** attempt, 2.0) * random.uniform(0.5, 1.5))
            except Exception as exc:  # any other answer fails the test, told in full
                failures.append(f"the report of {fix.recorded_at} failed: {exc!r}")
                return

    threads = [threading.Thread(target=report, args=(fix,)) for fix in fixes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    entry = entry_of(db, "sam")
    assert entry is not None
    assert entry.location_updated_at == fixes[-1].recorded_at
    assert (entry.lat, entry.lng) == (fixes[-1].lat, fixes[-1].lng)
    assert db.document(doc_path(Collection.DISPATCHER_LOCATIONS, "sam")).get().get("location_updated_at") \
        == encode_value(fixes[-1].recorded_at)
