"""`monitor_fraud` (issue 15): each of the five history-based checks raises its alert on the pattern and nothing
just below its threshold; a run reads only what came after the watermark, and running again — in the same
hour, or after a run cut short before it moved the watermark — adds nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from curbside.domain.enums import FraudAlertType, RequestActor, RequestStatus, UserRole
from curbside.services import fraud_monitor
from curbside.store.collections import Collection
from main import monitor_fraud
from tests.factories import (
    CLIENT_ID,
    DISPATCHER_ID,
    make_dispute,
    make_job_completion,
    make_service_request,
    make_user,
    make_user_private,
    put,
    put_private,
)
from tests.schedules import run_as_scheduled

ADMIN = "uid-admin-1"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def now(db, deps, clock) -> dt.datetime:
    """The last activity the run reads (the clock less the settle time); an admin to tell."""
    put(db, make_user(id=ADMIN, uid=ADMIN, role=UserRole.ADMIN))
    last: dt.datetime = clock.now() - deps.settings.fraud.settle
    return last


def alerts(db) -> list[dict[str, Any]]:
    return [snap.to_dict() for snap in db.collection(Collection.FRAUD_ALERTS).stream()]


def alert_types(db) -> list[tuple[str, str, str]]:
    return sorted((alert["user_id"], alert["user_type"], alert["alert_type"]) for alert in alerts(db))


def completions(db, ends: list[dt.datetime], *, amount: str = "33.00", took: dt.timedelta | None = None,
                technician: str = DISPATCHER_ID, prefix: str = "job") -> list[str]:
    ids = []
    for number, end in enumerate(ends):
        ids.append(put(db, make_job_completion(
            id=f"{prefix}-{number:02d}", request_id=f"{prefix}-{number:02d}", dispatcher_id=technician,
            completed_at=end, started_at=end - (took or dt.timedelta(minutes=30 + 7 * number)),
            amount=Decimal(amount), completion_image_hashes=[f"md5-{prefix}-{number}-{side}" for side in "ab"])))
    return ids


def every(step: dt.timedelta, count: int, last: dt.datetime) -> list[dt.datetime]:
    return [last - step * (count - 1 - number) for number in range(count)]


def test_more_than_ten_completions_in_under_two_hours_raise_one_alert_and_tell_the_admins(db, deps, now):
    jobs = completions(db, every(11 * MINUTE, 11, now - MINUTE))  # 11 within 110 minutes, the last one new

    run = fraud_monitor.monitor_fraud(deps)

    assert [finding.alert_type for finding in run.findings] == [FraudAlertType.HIGH_VOLUME_SHORT_JOBS]
    [alert] = alerts(db)
    assert (alert["user_id"], alert["alert_type"], alert["severity"], alert["status"]) == (
        DISPATCHER_ID, "high_volume_short_jobs", "high", "active")
    assert sorted(alert["related_jobs"]) == jobs
    assert alert["alert_details"]["occurrences"][0]["completions"] == 11
    told = [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream()]
    assert [(note["user_id"], note["type"], note["data"]["alert_id"]) for note in told] == [
        (ADMIN, "fraud_alert", alert["id"])]


def test_ten_completions_in_two_hours_or_eleven_over_more_raise_nothing(db, deps, now):
    completions(db, every(12 * MINUTE, 10, now - MINUTE))
    completions(db, every(12 * MINUTE, 11, now - MINUTE), technician="uid-other-tech", prefix="other")  # 120 min

    assert fraud_monitor.monitor_fraud(deps).findings == ()
    assert alerts(db) == []


def test_earnings_up_more_than_200_percent_on_a_real_base_are_flagged(db, deps, now):
    day = dt.timedelta(days=1)
    completions(db, every(day, 2, now - 8 * day), amount="60.00", prefix="before")  # 120.00 the week before
    completions(db, every(day, 7, now - MINUTE), amount="60.00", prefix="after")  # 420.00: +250 %
    completions(db, every(day, 2, now - 8 * day), amount="60.00", technician="uid-steady", prefix="steady-before")
    completions(db, every(day, 6, now - MINUTE), amount="60.00", technician="uid-steady", prefix="steady")  # +200 %
    completions(db, every(day, 1, now - 8 * day), amount="60.00", technician="uid-new", prefix="new-before")
    completions(db, every(day, 7, now - MINUTE), amount="60.00", technician="uid-new", prefix="new")  # base 60

    fraud_monitor.monitor_fraud(deps)

    assert alert_types(db) == [(DISPATCHER_ID, "dispatcher", "rapid_earnings_increase")]
    [alert] = alerts(db)
    assert {key: alert["alert_details"]["occurrences"][0][key]
            for key in ("last_7_days", "previous_7_days", "increase_percent")} == {
        "last_7_days": "420.00", "previous_7_days": "120.00", "increase_percent": "250"}


def test_the_same_duration_on_a_technicians_last_five_jobs_is_a_suspicious_pattern(db, deps, now):
    hour = dt.timedelta(hours=1)
    jobs = completions(db, every(3 * hour, 5, now - MINUTE), took=dt.timedelta(minutes=30))
    varied = every(3 * hour, 5, now - MINUTE)
    completions(db, varied[:4], took=dt.timedelta(minutes=30), technician="uid-honest", prefix="honest")
    completions(db, varied[4:], took=dt.timedelta(minutes=32), technician="uid-honest", prefix="honest-last")

    fraud_monitor.monitor_fraud(deps)

    assert alert_types(db) == [(DISPATCHER_ID, "dispatcher", "suspicious_completion_pattern")]
    [alert] = alerts(db)
    assert sorted(alert["related_jobs"]) == jobs
    assert alert["alert_details"]["occurrences"][0]["duration_minutes"] == 30


def test_a_completion_photo_with_the_bytes_of_another_jobs_photo_is_a_suspicious_pattern(db, deps, now):
    put(db, make_job_completion(id="old-job", request_id="old-job", dispatcher_id="uid-someone",
                                completed_at=now - dt.timedelta(days=20), completion_image_hashes=["aaa", "bbb"]))
    put(db, make_job_completion(id="new-job", request_id="new-job", completed_at=now - MINUTE,
                                completion_image_hashes=["bbb", "ccc"]))
    put(db, make_job_completion(id="fresh-job", request_id="fresh-job", dispatcher_id="uid-honest",
                                completed_at=now - MINUTE, completion_image_hashes=["ddd", "eee"]))

    fraud_monitor.monitor_fraud(deps)

    [alert] = alerts(db)
    assert (alert["user_id"], alert["alert_type"], alert["related_jobs"]) == (
        DISPATCHER_ID, "suspicious_completion_pattern", ["new-job", "old-job"])
    assert alert["alert_details"]["occurrences"][0]["shared_with"] == {"old-job": 1}


def cancelled(db, by: str, actor: RequestActor, ends: list[dt.datetime], prefix: str) -> None:
    for number, end in enumerate(ends):
        put(db, make_service_request(id=f"{prefix}-{number}", status=RequestStatus.CANCELLED, cancelled_at=end,
                                     cancelled_by=by, cancelled_by_type=actor, cancellation_reason="Changed my mind"))


def test_more_than_five_cancellations_in_a_day_by_either_side_are_flagged(db, deps, now):
    hour = dt.timedelta(hours=1)
    cancelled(db, CLIENT_ID, RequestActor.CLIENT, every(4 * hour, 6, now - MINUTE), "client")  # 6 in 20 h
    cancelled(db, DISPATCHER_ID, RequestActor.DISPATCHER, every(4 * hour, 6, now - MINUTE), "tech")
    cancelled(db, "uid-careful", RequestActor.CLIENT, every(4 * hour, 5, now - MINUTE), "careful")  # 5
    cancelled(db, "uid-slow", RequestActor.CLIENT, every(5 * hour, 6, now - MINUTE), "slow")  # 6 in 25 h
    cancelled(db, "uid-admin-2", RequestActor.ADMIN, every(hour, 6, now - MINUTE), "admin")  # not a party

    fraud_monitor.monitor_fraud(deps)

    assert alert_types(db) == [(CLIENT_ID, "client", "rapid_cancellations"),
                               (DISPATCHER_ID, "dispatcher", "rapid_cancellations")]


def test_more_than_three_disputes_in_thirty_days_flag_the_person_on_either_side(db, deps, now):
    day = dt.timedelta(days=1)
    for number, opened in enumerate(every(9 * day, 4, now - MINUTE)):  # 4 in 27 days, with four clients
        put(db, make_dispute(id=f"dispute-{number}", request_id=f"job-{number}", client_id=f"uid-client-{number}",
                             opened_at=opened, last_activity_at=opened))
    for number, opened in enumerate(every(9 * day, 3, now - MINUTE)):  # 3: not more than three
        put(db, make_dispute(id=f"calm-{number}", request_id=f"calm-{number}", client_id="uid-calm",
                             dispatcher_id=f"uid-tech-{number}", opened_at=opened, last_activity_at=opened))

    fraud_monitor.monitor_fraud(deps)

    assert alert_types(db) == [(DISPATCHER_ID, "dispatcher", "multiple_disputes")]
    [alert] = alerts(db)
    assert sorted(alert["related_jobs"]) == ["job-0", "job-1", "job-2", "job-3"]


def snapshot(db) -> dict[str, Any]:
    """What a run may create or change: alerts and notices."""
    return {collection: {snap.id: snap.to_dict() for snap in db.collection(collection).stream()}
            for collection in (Collection.FRAUD_ALERTS, Collection.NOTIFICATIONS)}


def test_a_second_run_in_the_hour_and_a_retried_run_add_nothing(db, deps, clock, now):
    completions(db, every(11 * MINUTE, 11, now - MINUTE))
    cancelled(db, CLIENT_ID, RequestActor.CLIENT, every(MINUTE, 6, now - MINUTE), "client")
    first = fraud_monitor.monitor_fraud(deps)
    assert len(first.findings) == 2
    after_first = snapshot(db)

    clock.advance(10 * MINUTE)  # the same hour: only the last ten minutes are new, and nothing happened
    second = fraud_monitor.monitor_fraud(deps)
    assert first.span is not None and second.span is not None
    assert second.span.after == first.span.until and second.findings == ()
    assert snapshot(db) == after_first

    db.document(f"{Collection.MONITOR_WATERMARKS}/fraud").delete()  # a run cut short before it moved the mark
    retried = fraud_monitor.monitor_fraud(deps)
    assert len(retried.findings) == 2  # the same patterns, seen again...
    assert snapshot(db) == after_first  # ...add nothing


def test_activity_before_the_watermark_is_not_read_again_and_a_new_job_joins_the_alert(db, deps, clock, now):
    jobs = completions(db, every(11 * MINUTE, 11, now - MINUTE))
    fraud_monitor.monitor_fraud(deps)

    clock.advance(10 * MINUTE)
    assert fraud_monitor.monitor_fraud(deps).findings == ()  # the burst is older than the watermark

    later = completions(db, [now + 15 * MINUTE], prefix="late")  # 11 in under two hours again, with it
    clock.advance(10 * MINUTE)
    fraud_monitor.monitor_fraud(deps)
    [alert] = alerts(db)
    assert (alert["occurrences"], set(alert["related_jobs"])) == (2, set(jobs + later))
    assert alert["alert_details"]["occurrences"][1]["request_id"] == later[0]
    assert len(list(db.collection(Collection.NOTIFICATIONS).stream())) == 1  # the admins were told once


def test_a_pattern_an_admin_called_a_false_positive_stays_quiet(db, deps, now):
    quiet = {FraudAlertType.HIGH_VOLUME_SHORT_JOBS.value: now + dt.timedelta(days=20)}
    put_private(db, DISPATCHER_ID, make_user_private(fraud_quiet_until=quiet))
    completions(db, every(11 * MINUTE, 11, now - MINUTE))

    assert len(fraud_monitor.monitor_fraud(deps).findings) == 1
    assert alerts(db) == []


def test_thresholds_are_settings(db, deps, now):
    completions(db, every(11 * MINUTE, 4, now - MINUTE))
    strict = dataclasses.replace(deps.settings.fraud, short_jobs=3)
    fraud_monitor.monitor_fraud(dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, fraud=strict)))
    assert alert_types(db) == [(DISPATCHER_ID, "dispatcher", "high_volume_short_jobs")]


def test_the_deployed_hourly_schedule_runs_the_monitor(db, deps, clock, now):
    completions(db, every(11 * MINUTE, 11, now - MINUTE))

    answer = run_as_scheduled(monitor_fraud, "monitor_fraud", clock)

    assert answer.status_code == 200
    assert alert_types(db) == [(DISPATCHER_ID, "dispatcher", "high_volume_short_jobs")]
    assert db.document(f"{Collection.MONITOR_WATERMARKS}/fraud").get().get("until") == now
