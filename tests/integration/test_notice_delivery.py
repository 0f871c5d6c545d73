"""The fan-out of notices to push, e-mail and SMS (services/notice_delivery.py) against the Firestore emulator,
a real SMTP server (aiosmtpd) and the FCM and Twilio doubles: each preference, quiet hours and their end, token
pruning, retries that send nothing twice, and a job offer's time-to-live."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from curbside.deps import Deps
from curbside.domain.enums import NotificationType
from curbside.services import notice_delivery, notifications, work
from curbside.services.notifications import notify
from curbside.store.collections import Collection
from devstack.doubles import RecordingPush, RecordingSms
from devstack.mail import MailServer
from tests.factories import make_notification, make_notification_preferences, make_user, put
from tests.request_world import stored

T = NotificationType
UID = "person-1"
JOB = "job-1"


def given_person(db, *, tokens: tuple[str, ...] = ("token-a", "token-b"), phone_verified: bool = True,
                 **preferences: Any) -> None:
    put(db, make_user(id=UID, uid=UID, email="person@example.com", fcm_tokens=list(tokens),
                      phone_number="+61412345678", phone_verified=phone_verified))
    put(db, make_notification_preferences(id=UID, **preferences))


def write_notice(deps: Deps, kind: T = T.JOB_ACCEPTED, *, expires_at: dt.datetime | None = None,
                 key: str | None = None) -> str:
    return work.transaction(deps, lambda uow: notify(
        uow, user_id=UID, kind=kind, title="Technician on the way", body="Sam accepted your job.", request_id=JOB,
        expires_at=expires_at, key=key))


def notice(db, notice_id: str) -> dict[str, Any]:
    return stored(db, Collection.NOTIFICATIONS, notice_id)


def test_a_notice_is_pushed_to_every_device_right_after_its_commit(deps: Deps, db, push: RecordingPush):
    given_person(db)

    notice_id = write_notice(deps)

    [sent] = push.sent
    assert sent.tokens == ("token-a", "token-b")
    assert sent.message.title == "Technician on the way" and sent.message.collapse_key == JOB
    assert sent.message.data == {"screen": "job_details", "type": "job_accepted", "request_id": JOB,
                                 "notification_id": notice_id}
    assert sent.message.badge == 1 and sent.message.sound is True and not sent.message.urgent
    stored_notice = notice(db, notice_id)
    assert stored_notice["delivery_status"] == "done" and stored_notice["delivered_via"] == ["push"]


def test_the_badge_is_the_count_of_unread_notices_kept_on_the_person(deps: Deps, db, push: RecordingPush):
    # given a person with three notices, one of which they read, and one written before the count existed
    given_person(db)
    first, _, _ = (write_notice(deps, key=f"earlier-{n}") for n in range(3))
    notifications.mark_read(deps, UID, [first])
    put(db, make_notification(user_id=UID, read=False))

    # when a fourth notice is pushed
    write_notice(deps)

    # then its badge counts the counted unread ones, this one included, as their Users document does
    assert push.sent[-1].message.badge == 3
    assert stored(db, Collection.USERS, UID)["unread_notifications"] == 3


def test_e_mail_goes_through_smtp_when_the_person_turned_it_on(deps: Deps, db, mail_server: MailServer):
    given_person(db, email_notifications=True)

    write_notice(deps)

    [mail] = mail_server.received
    assert mail.to == ("person@example.com",) and mail.subject == "Technician on the way"
    assert "Sam accepted your job." in mail.text and "Sam accepted your job." in mail.html
    assert "Notification Settings" in mail.text


def test_sms_goes_to_a_verified_number_only(deps: Deps, db, sms: RecordingSms):
    given_person(db, sms_notifications=True, phone_verified=False)
    write_notice(deps, key="first")
    assert sms.sent == []

    given_person(db, sms_notifications=True)
    write_notice(deps, key="second")
    [text] = sms.sent
    assert text.to == "+61412345678" and text.body.startswith("Curbside: Technician on the way.")


def test_a_muted_type_and_do_not_disturb_stay_in_app(deps: Deps, db, push: RecordingPush):
    given_person(db, job_accepted=False)
    muted = write_notice(deps, key="muted")
    given_person(db, do_not_disturb=True)
    quiet = write_notice(deps, key="dnd")

    assert push.sent == []
    assert notice(db, muted)["delivery_note"] == "muted: job_accepted"
    assert notice(db, quiet)["delivery_note"] == "do_not_disturb"
    assert notice(db, muted)["delivery_status"] == notice(db, quiet)["delivery_status"] == "done"


def test_a_declined_card_reaches_the_client_whatever_their_settings(deps: Deps, db, push: RecordingPush,
                                                                    mail_server: MailServer):
    given_person(db, do_not_disturb=True, push_notifications=False, email_notifications=False)

    write_notice(deps, T.PAYMENT_ACTION_REQUIRED)

    assert len(push.sent) == 1 and len(mail_server.received) == 1
    assert "whatever your notification settings say" in mail_server.received[0].text


def test_quiet_hours_hold_a_notice_until_they_end_then_the_sweep_sends_it_once(deps: Deps, db, clock,
                                                                               push: RecordingPush):
    # given quiet hours 19:00-07:00 in Sydney; it is 20:00 there (09:00 UTC)
    given_person(db, quiet_hours_enabled=True, quiet_hours_start="19:00", quiet_hours_end="07:00")

    notice_id = write_notice(deps, T.JOB_COMPLETED)

    held = notice(db, notice_id)
    assert push.sent == [] and held["delivery_status"] == "pending" and held["delivery_note"] == "quiet hours"
    assert held["deliver_after"] == dt.datetime(2026, 11, 20, 20, tzinfo=dt.UTC)
    # when the sweep runs during the night, nothing goes; at 07:00 Sydney it goes, once
    clock.advance(dt.timedelta(hours=5))
    assert notice_delivery.sweep(deps) == {}
    clock.advance(dt.timedelta(hours=6, minutes=5))
    assert notice_delivery.sweep(deps) == {"sent": 1}
    assert notice_delivery.sweep(deps) == {}
    assert len(push.sent) == 1 and notice(db, notice_id)["delivery_status"] == "done"


def test_tokens_fcm_says_are_gone_are_removed(deps: Deps, db, push: RecordingPush):
    given_person(db, tokens=("token-alive", "token-uninstalled"))
    push.dead.add("token-uninstalled")

    write_notice(deps)

    assert push.sent[0].tokens == ("token-alive",)
    assert stored(db, Collection.USERS, UID)["fcm_tokens"] == ["token-alive"]


def test_an_fcm_outage_leaves_the_notice_for_the_sweep_which_sends_it_once(deps: Deps, db, clock,
                                                                          push: RecordingPush):
    given_person(db)
    push.down = True
    notice_id = write_notice(deps)
    failed = notice(db, notice_id)
    assert failed["delivery_status"] == "pending" and failed["delivery_attempts"] == 1

    push.down = False
    assert notice_delivery.sweep(deps) == {}  # not due yet: a pause after each failed attempt
    clock.advance(dt.timedelta(minutes=2))
    assert notice_delivery.sweep(deps) == {"sent": 1}
    assert len(push.sent) == 1 and notice(db, notice_id)["delivered_via"] == ["push"]


def test_a_channel_already_used_is_not_used_again_when_another_failed(deps: Deps, db, clock, push: RecordingPush,
                                                                       sms: RecordingSms):
    given_person(db, sms_notifications=True)
    sms.down = True
    notice_id = write_notice(deps)
    assert len(push.sent) == 1 and notice(db, notice_id)["delivered_via"] == ["push"]

    sms.down = False
    clock.advance(dt.timedelta(minutes=2))
    notice_delivery.sweep(deps)

    assert len(push.sent) == 1 and len(sms.sent) == 1
    assert notice(db, notice_id)["delivered_via"] == ["push", "sms"]


def test_sweeps_running_at_once_send_a_due_notice_once(deps: Deps, db, clock, push: RecordingPush):
    # given a notice whose first attempt failed, now due again
    given_person(db)
    push.down = True
    write_notice(deps)
    push.down = False
    clock.advance(dt.timedelta(minutes=2))

    # when eight sweeps run at the same moment
    barrier = threading.Barrier(8)

    def sweep() -> None:
        barrier.wait()
        notice_delivery.sweep(deps)

    threads = [threading.Thread(target=sweep) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly one of them sent it
    assert len(push.sent) == 1


def test_a_job_offer_push_is_urgent_and_lives_only_as_long_as_the_offer(deps: Deps, db, clock,
                                                                         push: RecordingPush):
    given_person(db)
    ends = clock.now() + dt.timedelta(seconds=60)

    write_notice(deps, T.NEW_JOB_OFFER, expires_at=ends, key="offer-1")

    message = push.sent[0].message
    assert message.urgent and message.time_to_live == dt.timedelta(seconds=60)


def test_an_offer_whose_countdown_ran_out_before_the_retry_is_not_pushed(deps: Deps, db, clock,
                                                                          push: RecordingPush):
    given_person(db)
    push.down = True
    notice_id = write_notice(deps, T.NEW_JOB_OFFER, expires_at=clock.now() + dt.timedelta(seconds=60))
    push.down = False

    clock.advance(dt.timedelta(minutes=2))
    notice_delivery.sweep(deps)

    assert push.sent == []
    assert notice(db, notice_id)["delivery_status"] == "done" and notice(db, notice_id)["delivery_note"] == "expired"


@pytest.mark.parametrize("kind", list(NotificationType))
def test_every_notice_type_is_deliverable(deps: Deps, db, kind: T, push: RecordingPush):
    given_person(db)

    write_notice(deps, kind, expires_at=deps.clock.now() + dt.timedelta(seconds=60))

    assert [sent.message.data["type"] for sent in push.sent] == [kind.value]


def test_a_notice_written_with_nobody_to_reach_is_done_in_app_only(deps: Deps, db, push: RecordingPush):
    given_person(db, tokens=())

    notice_id = write_notice(deps)

    assert push.sent == [] and notice(db, notice_id)["delivery_status"] == "done"
    assert notice(db, notice_id)["delivery_note"] == "no channel on"


@pytest.mark.parametrize("preferences", [{}, {"do_not_disturb": True}], ids=["pushed", "in-app-only"])
def test_the_fan_out_costs_its_recipients_two_documents_and_one_write(deps: Deps, db, preferences):
    # given a person with a device
    given_person(db, **preferences)

    # when a notice is written and fanned out
    with work.metering() as meter:
        write_notice(deps)

    # then the notice's commit wrote the notice and added to its person's unread count, reading nothing, and
    # the fan-out read the preferences and the user — whose count is the badge — and wrote the outcome once
    notice_commit, *fan_out = meter.units
    assert notice_commit == (0, 2)
    assert (sum(reads for reads, _ in fan_out), sum(writes for _, writes in fan_out)) == (2, 1)


def test_a_person_who_turned_sounds_off_gets_silent_pushes(deps: Deps, db, push: RecordingPush):
    given_person(db, sound_enabled=False)

    write_notice(deps)

    assert push.sent[0].message.sound is False
