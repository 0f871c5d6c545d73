"""The job chat through its callables (send_message, mark_messages_read, mark_messages_delivered): the
summary and unread counts, read and delivery receipts, the other party's push, and every refusal writing
nothing — including twenty messages sent at the same moment."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.domain.enums import RequestStatus
from curbside.store.collections import Collection
from devstack.doubles import RecordingPush
from main import mark_messages_delivered, mark_messages_read, send_message
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_dispatcher_profile, make_notification_preferences, put
from tests.request_world import add_client, add_dispatcher, add_job, everything, stored, upload_photo


@pytest.fixture
def job(db) -> str:
    add_client(db)
    add_dispatcher(db)
    for uid in (CLIENT_ID, DISPATCHER_ID):
        put(db, make_notification_preferences(id=uid))
    return add_job(db, RequestStatus.EN_ROUTE, client_name="Alex", dispatcher_name="Sam").id


def text(request_id: str, message: str = "I'm at the blue car.", **extra: Any) -> dict[str, Any]:
    return {"request_id": request_id, "message_type": "text", "message": message, **extra}


def conversation(db, request_id: str) -> dict[str, Any]:
    return stored(db, Collection.CONVERSATIONS, request_id)


def messages(db, request_id: str) -> list[dict[str, Any]]:
    query = db.collection(Collection.MESSAGES).where(filter=FieldFilter("request_id", "==", request_id))
    return sorted((snap.to_dict() or {} for snap in query.stream()), key=lambda m: m["id"])


def test_a_message_is_stored_summarised_counted_and_pushed_to_the_other_party(db, call, job, push: RecordingPush):
    sent = call(send_message, text(job), uid=CLIENT_ID)

    [message] = messages(db, job)
    assert message["id"] == sent.result["message_id"]
    assert message["sender_id"] == CLIENT_ID and message["sender_type"] == "client" and message["sender_name"] == "Alex"
    assert conversation(db, job) == {
        "id": job, "request_id": job, "client_id": CLIENT_ID, "dispatcher_id": DISPATCHER_ID,
        "last_message": "I'm at the blue car.", "last_message_at": message["created_date"],
        "last_sender_id": CLIENT_ID, "unread": {DISPATCHER_ID: 1}}
    [pushed] = push.sent
    assert pushed.message.title == "New message from Alex" and pushed.message.collapse_key == job
    assert pushed.message.data["message_id"] == message["id"] and pushed.message.data["screen"] == "chat"
    # the push was handed to FCM: the sender sees the message delivered
    assert messages(db, job)[0]["delivered"] is True


def test_the_reader_marks_the_other_partys_messages_read_and_their_count_goes_to_zero(db, call, job):
    for n in range(3):
        call(send_message, text(job, f"message {n}"), uid=CLIENT_ID)
    call(send_message, text(job, "on my way"), uid=DISPATCHER_ID)

    read = call(mark_messages_read, {"request_id": job}, uid=DISPATCHER_ID)

    assert read.result == {"unread": 0}
    by_sender = {(m["sender_id"], m["read"]) for m in messages(db, job)}
    assert by_sender == {(CLIENT_ID, True), (DISPATCHER_ID, False)}
    assert all(m["read_at"] is not None for m in messages(db, job) if m["sender_id"] == CLIENT_ID)
    assert conversation(db, job)["unread"] == {DISPATCHER_ID: 0, CLIENT_ID: 1}


def test_the_recipients_app_can_report_messages_delivered_without_a_push(db, call, job, push: RecordingPush):
    put(db, make_notification_preferences(id=DISPATCHER_ID, push_notifications=False))
    call(send_message, text(job), uid=CLIENT_ID)
    assert messages(db, job)[0]["delivered"] is False

    answer = call(mark_messages_delivered, {"request_id": job}, uid=DISPATCHER_ID)

    assert answer.result == {"delivered": 1} and messages(db, job)[0]["delivered"] is True


def test_a_photo_message_points_into_the_senders_chat_folder_for_the_job(db, call, job, bucket):
    path = upload_photo(bucket, CLIENT_ID, folder=f"chat_images/{job}", name="dent.jpg")

    sent = call(send_message, {"request_id": job, "message_type": "image", "image_url": path}, uid=CLIENT_ID)

    assert sent.status == 200 and messages(db, job)[0]["image_url"] == path
    assert conversation(db, job)["last_message"] == "Photo"


def test_a_message_sent_again_with_its_key_is_stored_once(db, call, job, push: RecordingPush):
    first = call(send_message, text(job, client_message_id="tap-0001"), uid=CLIENT_ID)
    again = call(send_message, text(job, client_message_id="tap-0001"), uid=CLIENT_ID)

    assert first.result == again.result
    assert len(messages(db, job)) == 1 and conversation(db, job)["unread"] == {DISPATCHER_ID: 1}
    assert len(push.sent) == 1


@pytest.mark.parametrize(("payload", "uid", "code"), [
    (lambda job: text(job, ""), CLIENT_ID, "INVALID_ARGUMENT"),
    (lambda job: text(job, "x" * 2001), CLIENT_ID, "INVALID_ARGUMENT"),
    (lambda job: text(job, image_url=f"users/{CLIENT_ID}/chat_images/{job}/a.jpg"), CLIENT_ID, "INVALID_ARGUMENT"),
    (lambda job: {"request_id": job, "message_type": "image", "image_url": f"users/{DISPATCHER_ID}/chat_images/"
                  f"{job}/theirs.jpg"}, CLIENT_ID, "INVALID_ARGUMENT"),
    (lambda job: {"request_id": job, "message_type": "image", "image_url": f"users/{CLIENT_ID}/car_photos/a.jpg"},
     CLIENT_ID, "INVALID_ARGUMENT"),
    (lambda job: {"request_id": job, "message_type": "video", "message": "hi"}, CLIENT_ID, "INVALID_ARGUMENT"),
    (text, "someone-else", "NOT_FOUND"),
    (lambda job: text("no-such-job"), CLIENT_ID, "NOT_FOUND"),
], ids=["empty", "too-long", "text-with-image", "foreign-image", "other-folder", "unknown-type", "not-a-party",
        "no-job"])
def test_bad_messages_are_refused_and_write_nothing(db, call, job, bucket, *, payload, uid, code):
    upload_photo(bucket, DISPATCHER_ID, folder=f"chat_images/{job}", name="theirs.jpg")
    upload_photo(bucket, CLIENT_ID, name="a.jpg")
    before = everything(db)

    refused = call(send_message, payload(job), uid=uid)

    assert refused.error == code
    assert everything(db) == before


@pytest.mark.parametrize(("status", "says"), [(RequestStatus.PENDING, "opens when a technician accepts"),
                                              (RequestStatus.COMPLETED, "has ended")])
def test_the_chat_is_open_from_acceptance_until_the_job_ends(db, call, status, says):
    add_client(db)
    add_dispatcher(db)
    request_id = add_job(db, status, dispatcher_id=DISPATCHER_ID).id
    before = everything(db)

    refused = call(send_message, text(request_id), uid=CLIENT_ID)

    assert refused.error == "FAILED_PRECONDITION" and says in refused.message
    assert everything(db) == before


def test_a_technician_whose_verification_lapsed_cannot_post(db, call, job):
    put(db, make_dispatcher_profile(user_id=DISPATCHER_ID, verification_status="rejected"))
    before = everything(db)

    refused = call(send_message, text(job), uid=DISPATCHER_ID)

    assert refused.error == "PERMISSION_DENIED" and everything(db) == before


def test_sending_faster_than_the_limit_is_refused(db, call, job, deps):
    limit = deps.settings.chat_messages_per_minute
    for n in range(limit):
        assert call(send_message, text(job, f"m{n}"), uid=CLIENT_ID).status == 200
    before = everything(db)

    refused = call(send_message, text(job, "one more"), uid=CLIENT_ID)

    assert refused.error == "RESOURCE_EXHAUSTED" and everything(db) == before


def test_twenty_messages_sent_at_once_are_all_counted_and_each_pushed_once(db, call, job, push: RecordingPush):
    # given both parties sending ten messages each at the same moment
    barrier = threading.Barrier(20)
    answers: list[Any] = []

    def send(uid: str, n: int) -> None:
        barrier.wait()
        answers.append(call(send_message, text(job, f"{uid} {n}", client_message_id=f"{uid[:8]}-{n:04d}"), uid=uid))

    threads = [threading.Thread(target=send, args=(uid, n)) for uid in (CLIENT_ID, DISPATCHER_ID) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every message is stored, each side's unread count is exactly the other side's messages, and each
    # message was pushed once to the other party
    assert sorted(answer.status for answer in answers) == [200] * 20
    assert len(messages(db, job)) == 20
    assert conversation(db, job)["unread"] == {CLIENT_ID: 10, DISPATCHER_ID: 10}
    pushed = sorted(sent.message.data["message_id"] for sent in push.sent)
    assert pushed == sorted(m["id"] for m in messages(db, job))


def test_the_photo_of_a_chat_message_is_a_real_upload(db, call, job, bucket):
    missing = f"users/{CLIENT_ID}/chat_images/{job}/never-uploaded.jpg"
    refused = call(send_message, {"request_id": job, "message_type": "image", "image_url": missing}, uid=CLIENT_ID)
    assert refused.error == "INVALID_ARGUMENT" and "no uploaded file" in refused.message
