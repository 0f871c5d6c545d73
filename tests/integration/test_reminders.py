"""The scheduled-job reminder an hour before the slot (services/reminders.py): both parties, once, and only
for jobs still booked."""

from __future__ import annotations

import datetime as dt

from curbside.domain.enums import NotificationType, RequestStatus
from curbside.services import reminders
from curbside.services.notifications import notification_id
from curbside.store.collections import Collection
from devstack.doubles import RecordingPush
from tests.factories import CLIENT_ID, DISPATCHER_ID
from tests.request_world import add_client, add_dispatcher, add_job, stored

REMINDER = NotificationType.SCHEDULED_JOB_REMINDER


def booked(db, clock, *, status: RequestStatus = RequestStatus.ACCEPTED, in_minutes: int = 50) -> str:
    return add_job(db, status, is_scheduled=True, car_model="Mazda 3",
                   scheduled_datetime=clock.now() + dt.timedelta(minutes=in_minutes)).id


def test_both_parties_are_reminded_once_an_hour_before_the_slot(deps, db, clock, push: RecordingPush):
    add_client(db)
    add_dispatcher(db)
    job = booked(db, clock)

    assert reminders.send_due(deps) == [job]
    assert reminders.send_due(deps) == []

    for uid in (CLIENT_ID, DISPATCHER_ID):
        note = stored(db, Collection.NOTIFICATIONS, notification_id(REMINDER, job, uid))
        assert note["type"] == REMINDER.value and note["expires_at"] == clock.now() + dt.timedelta(minutes=50)
    assert len(push.sent) == 2
    assert stored(db, Collection.SERVICE_REQUESTS, job)["reminder_sent_at"] == clock.now()


def test_a_job_not_yet_taken_reminds_the_client_only(deps, db, clock):
    add_client(db)
    job = booked(db, clock, status=RequestStatus.PENDING)

    reminders.send_due(deps)

    assert stored(db, Collection.NOTIFICATIONS, notification_id(REMINDER, job, CLIENT_ID))
    assert not db.document(f"Notifications/{notification_id(REMINDER, job, DISPATCHER_ID)}").get().exists


def test_jobs_further_ahead_and_cancelled_ones_are_not_reminded(deps, db, clock):
    add_client(db)
    later = booked(db, clock, in_minutes=90)
    cancelled = booked(db, clock, status=RequestStatus.CANCELLED)

    assert reminders.send_due(deps) == []
    assert stored(db, Collection.SERVICE_REQUESTS, later)["reminder_sent_at"] is None
    assert stored(db, Collection.SERVICE_REQUESTS, cancelled)["reminder_sent_at"] is None
