"""Marking notices read through `mark_notifications_read`, and the badge count it moves: `Users.unread_notifications`
goes up in each notice's commit and down by exactly what the notices marked read added — under concurrent marks,
the same notice marked twice at once, a notice sent again while unread, and notices older than the count."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest
from google.cloud import firestore

from curbside.deps import Deps
from curbside.domain.enums import NotificationType
from curbside.services import work
from curbside.services.notifications import notify
from curbside.store.collections import Collection, doc_path
from main import mark_notifications_read
from tests.factories import CLIENT_ID, make_notification, make_notification_preferences, put
from tests.request_world import add_client, everything, stored

OTHER = "client-other"
pytestmark = pytest.mark.usefixtures("people")


@pytest.fixture
def people(db) -> None:
    for uid in (CLIENT_ID, OTHER):
        add_client(db, uid)
        put(db, make_notification_preferences(id=uid))


def send(deps: Deps, key: str, uid: str = CLIENT_ID) -> str:
    return work.transaction(deps, lambda uow: notify(
        uow, user_id=uid, kind=NotificationType.REWARDS_EARNED, title="Points earned", body="You earned 50 points.",
        request_id=None, key=key))


def unread_count(db, uid: str = CLIENT_ID) -> Any:
    return stored(db, Collection.USERS, uid).get("unread_notifications")


def notice(db, notice_id: str) -> dict[str, Any]:
    return stored(db, Collection.NOTIFICATIONS, notice_id)


def test_named_notices_become_read_and_the_count_drops_by_exactly_them(db, call, deps):
    # given three notices for the client and one for someone else
    first, second, third = (send(deps, f"n{n}") for n in range(3))
    send(deps, "n0", uid=OTHER)
    assert unread_count(db) == 3 and unread_count(db, OTHER) == 1

    # when the client marks two read, then one of them again
    marked = call(mark_notifications_read, {"notification_ids": [first, second]}, uid=CLIENT_ID)
    again = call(mark_notifications_read, {"notification_ids": [second]}, uid=CLIENT_ID)

    # then those two are read and counted no more; marking again changes nothing
    assert marked.result == {"marked": 2} and again.result == {"marked": 0}
    assert [(notice(db, n)["read"], notice(db, n)["counted_unread"]) for n in (first, second, third)] == [
        (True, 0), (True, 0), (False, 1)]
    assert notice(db, first)["read_at"] is not None
    assert unread_count(db) == 1 and unread_count(db, OTHER) == 1


def test_all_marks_every_unread_notice_of_the_caller_only(db, call, deps):
    for n in range(4):
        send(deps, f"n{n}")
    other = send(deps, "n0", uid=OTHER)

    marked = call(mark_notifications_read, {"all": True}, uid=CLIENT_ID)

    assert marked.result == {"marked": 4} and unread_count(db) == 0
    assert notice(db, other)["read"] is False and unread_count(db, OTHER) == 1


def test_a_notice_sent_again_counts_each_sending_until_it_is_read(db, call, deps):
    # given a notice sent twice before it was read (the same event happened again: one entry, two pushes)
    notice_id = send(deps, "same")
    send(deps, "same")
    assert unread_count(db) == 2 and notice(db, notice_id)["counted_unread"] == 2

    # when it is read, then sent a third time
    call(mark_notifications_read, {"notification_ids": [notice_id]}, uid=CLIENT_ID)
    assert unread_count(db) == 0
    send(deps, "same")

    # then it counts once again, unread
    assert unread_count(db) == 1 and notice(db, notice_id)["read"] is False


def test_a_notice_written_before_the_count_existed_takes_nothing_off(db, call, deps):
    # given an unread notice stored without `counted_unread`, and a person whose Users has no count yet
    legacy = make_notification(user_id=CLIENT_ID, read=False)
    put(db, legacy)
    db.document(doc_path(Collection.NOTIFICATIONS, legacy.id)).update({"counted_unread": firestore.DELETE_FIELD})
    db.document(doc_path(Collection.USERS, CLIENT_ID)).update({"unread_notifications": firestore.DELETE_FIELD})

    # when it is marked read
    marked = call(mark_notifications_read, {"all": True}, uid=CLIENT_ID)

    # then it is read and the missing count (0) did not go below zero
    assert marked.result == {"marked": 1} and notice(db, legacy.id)["read"] is True
    assert unread_count(db) is None


@pytest.mark.parametrize(("payload", "code"), [
    ({}, "INVALID_ARGUMENT"),
    ({"all": True, "notification_ids": ["x"]}, "INVALID_ARGUMENT"),
    ({"notification_ids": []}, "INVALID_ARGUMENT"),
    ({"notification_ids": [f"n{n}" for n in range(101)]}, "INVALID_ARGUMENT"),
    ({"notification_ids": ["Users/client-other"]}, "INVALID_ARGUMENT"),
    ({"all": "yes"}, "INVALID_ARGUMENT"),
    ({"notification_ids": ["rewards_earned:n0:client-other"]}, "NOT_FOUND"),
    ({"notification_ids": ["no-such-notice"]}, "NOT_FOUND"),
], ids=["nothing", "both", "empty", "too-many", "a-path", "all-not-bool", "someone-elses", "missing"])
def test_bad_requests_are_refused_and_write_nothing(db, call, deps, payload, code):
    # given an unread notice of the caller's and one of someone else's
    mine = send(deps, "n0")
    send(deps, "n0", uid=OTHER)
    payload = {**payload, **({"notification_ids": [mine, *payload["notification_ids"]]}
                             if code == "NOT_FOUND" else {})}
    before = everything(db)

    refused = call(mark_notifications_read, payload, uid=CLIENT_ID)

    assert refused.error == code and everything(db) == before


def test_signed_out_callers_are_refused(db, call):
    assert call(mark_notifications_read, {"all": True}).error == "UNAUTHENTICATED"


def test_concurrent_marks_keep_the_count_exact_and_never_below_zero(db, call, deps):
    # given eight unread notices
    ids = [send(deps, f"n{n}") for n in range(8)]

    # when six different notices are marked at once, and the seventh by four calls at the same moment
    # (an app retrying, two devices); a call told "try again" tries again, as the app does
    calls = [[notice_id] for notice_id in ids[:6]] + [[ids[6]]] * 4
    barrier, answers, lock = threading.Barrier(len(calls)), [], threading.Lock()

    def mark(notice_ids: list[str]) -> None:
        barrier.wait()
        for attempt in range(8):  # the app's retry: a growing, jittered pause, so the contenders spread out
            answer = call(mark_notifications_read, {"notification_ids": notice_ids}, uid=CLIENT_ID)
            if answer.status == 200 or answer.error != "ABORTED":
                break
            time.sleep(random.uniform(0.02, 0.06) * (attempt + 1))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=mark, args=(notice_ids,)) for notice_ids in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every call succeeded, the seventh notice was taken off once, and only the eighth is still counted
    assert all(answer.status == 200 for answer in answers)
    assert sum(answer.result["marked"] for answer in answers) == 7
    assert unread_count(db) == 1
    assert sum(notice(db, notice_id)["counted_unread"] for notice_id in ids) == 1
