"""The job chat's server side (spec section 5, docs/decisions.md D32): sending, read receipts and delivery.

`send_message` is the only way to post (the rules allow no direct create), so every message is checked, cleaned
and rate-limited the same way. A message commits together with its job's `Conversations` summary — the last
message and the other party's unread count, added by increment so that concurrent senders never lose one —
and the other party's `new_message` notice, whose push marks the message delivered. `mark_messages_read`
marks the caller's unread messages read and sets their unread count to 0 in one transaction: a message sent
meanwhile changes the summary it read, so the transaction runs again and counts it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import Message, ServiceRequest
from curbside.domain.enums import MessageType, NotificationType, RequestStatus, SenderType
from curbside.domain.errors import NotAllowed, NotFound, TooManyRequests, WrongState
from curbside.domain.insurance import JobType
from curbside.domain.texts import t
from curbside.domain.uploads import Purpose
from curbside.services import work
from curbside.services.accounts import require_usable_account
from curbside.services.job_moves import require_current_technician
from curbside.services.notifications import notify
from curbside.services.uploads import require_own_uploads
from curbside.store import queries
from curbside.store.collections import retry_document_id
from curbside.store.engine import Add
from curbside.store.queries import QuerySpec
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

CHAT_OPEN = frozenset({RequestStatus.ACCEPTED, RequestStatus.EN_ROUTE, RequestStatus.ARRIVED,
                       RequestStatus.IN_PROGRESS})
PREVIEW_CHARS = 100
PHOTO = t("Photo")
"""A photo without words: the chat summary shared by both parties keeps the English word; each notice reads in
its reader's language."""
MARK_PAGE = 400
"""Messages marked per commit (Firestore takes 500 writes in one)."""

NO_JOB = "There is no such job among yours."
NOT_YET = "The chat opens when a technician accepts the job."
MERCHANT_ORDER = ("A merchant order has no chat: the technician calls the customer on the number the merchant "
                  "gave, and the merchant follows the order's status.")
ENDED = "This job has ended: its chat can be read but takes no new messages."
TOO_FAST = "You are sending messages too fast; wait a minute and send again."


@dataclass(frozen=True)
class NewMessage:
    request_id: str
    message_type: MessageType
    text: str | None
    image_path: str | None
    client_key: str | None = None
    """Made by the app once per message and sent again with every retry: the message is stored once."""


@dataclass(frozen=True)
class MessageSent:
    message_id: str


def send_message(deps: Deps, uid: str, new: NewMessage) -> MessageSent:
    if new.image_path is not None:  # only the caller's own folder for this job: nothing of others is revealed
        require_own_uploads(deps.files, uid, (new.image_path,), purpose=Purpose.CHAT_IMAGES, field_name="image_url",
                            request_id=new.request_id)
    message_id = retry_document_id(new.request_id, uid, key=new.client_key)
    _limit_rate(deps, uid, new.request_id)

    def decide(uow: UnitOfWork) -> MessageSent:
        job, side = _party_of(uow, new.request_id, uid)
        if uow.messages.get(message_id) is not None:
            return MessageSent(message_id)  # a retry of a message already stored
        _require_open(job)
        other = job.dispatcher_id if side is SenderType.CLIENT else job.client_id
        name = job.client_name if side is SenderType.CLIENT else job.dispatcher_name
        uow.messages.create(Message(id=message_id, request_id=job.id, sender_id=uid, sender_name=name,
                                    sender_type=side, message=new.text, message_type=new.message_type,
                                    image_url=new.image_path, created_date=uow.now))
        photo_only = new.message_type is MessageType.IMAGE and not new.text
        preview = PHOTO.msgid if photo_only else (new.text or "")
        uow.conversations.merge(job.id, request_id=job.id, client_id=job.client_id, dispatcher_id=job.dispatcher_id,
                                last_message=preview[:PREVIEW_CHARS], last_message_at=uow.now, last_sender_id=uid,
                                unread={str(other): Add(1)})
        notify(uow, user_id=str(other), kind=NotificationType.NEW_MESSAGE,
               title=t("New message from {name}", name=name), body=PHOTO if photo_only else preview[:PREVIEW_CHARS],
               request_id=job.id, key=message_id,
               data={"screen": "chat", "message_id": message_id})
        return MessageSent(message_id)

    return work.transaction(deps, decide, lost_race="Your message collided with another; send it again.")


def _limit_rate(deps: Deps, uid: str, request_id: str) -> None:
    """At most `chat_messages_per_minute` from one person into one job. Counted before the message's
    transaction, not inside it: a count there would make every message of the sender conflict with the next
    (a burst of concurrent sends may pass the limit by the few in flight, which a rate limit can afford)."""
    limit = deps.settings.chat_messages_per_minute
    recent = work.reading(deps, lambda uow: uow.messages.count(
        queries.MESSAGES_OF_SENDER_SINCE, up_to=limit, request_id=request_id, sender_id=uid,
        since=uow.now - dt.timedelta(minutes=1)))
    if recent >= limit:
        raise TooManyRequests(TOO_FAST)


@dataclass(frozen=True)
class MessagesRead:
    unread: int


def mark_messages_read(deps: Deps, uid: str, request_id: str) -> MessagesRead:
    """Read receipts: the caller's unread messages of the job become read, and their unread count 0."""

    def decide(uow: UnitOfWork) -> bool:
        job, _ = _party_of(uow, request_id, uid)
        uow.conversations.get(job.id)  # read, so a message sent meanwhile makes this transaction run again
        unread = _incoming(uow, job.id, uid, queries.MESSAGES_OF_JOB_READ, read=False)
        for message in unread:
            uow.messages.save(evolve(message, read=True, read_at=uow.now, delivered=True,
                                     delivered_at=message.delivered_at or uow.now))
        more = len(unread) == MARK_PAGE
        if not more:
            uow.conversations.merge(job.id, request_id=job.id, client_id=job.client_id,
                                    dispatcher_id=job.dispatcher_id, unread={uid: 0})
        return more

    while work.transaction(deps, decide, lost_race="Messages arrived at the same moment; try again."):
        pass
    return MessagesRead(unread=0)


@dataclass(frozen=True)
class MessagesDelivered:
    delivered: int


def mark_messages_delivered(deps: Deps, uid: str, request_id: str) -> MessagesDelivered:
    """The caller's app has the job's messages (it may also learn of them without a push)."""

    def decide(uow: UnitOfWork) -> int:
        job, _ = _party_of(uow, request_id, uid)
        waiting = _incoming(uow, job.id, uid, queries.MESSAGES_OF_JOB_DELIVERED, delivered=False)
        for message in waiting:
            uow.messages.save(evolve(message, delivered=True, delivered_at=uow.now))
        return len(waiting)

    return MessagesDelivered(work.transaction(deps, decide))


def _incoming(uow: UnitOfWork, request_id: str, uid: str, spec: QuerySpec, **flag: Any) -> list[Message]:
    """The other party's messages of the job with the given flag, at most one commit's worth (`MARK_PAGE`)."""
    return [message for message in uow.messages.find(spec, request_id=request_id, **flag)
            if message.sender_id != uid][:MARK_PAGE]


def _party_of(uow: UnitOfWork, request_id: str, uid: str) -> tuple[ServiceRequest, SenderType]:
    """The job and the caller's side of it; anyone else is told there is no such job."""
    job = uow.requests.get(request_id)
    if job is None or uid not in (job.client_id, job.dispatcher_id):
        raise NotFound(NO_JOB)
    if job.job_type is JobType.MERCHANT:  # the merchant follows statuses; the technician phones its customer
        raise NotAllowed(MERCHANT_ORDER)
    require_usable_account(uow, uid)
    if uid == job.dispatcher_id:
        require_current_technician(uow, uid)
        return job, SenderType.DISPATCHER
    return job, SenderType.CLIENT


def _require_open(job: ServiceRequest) -> None:
    if job.status in CHAT_OPEN and job.dispatcher_id is not None:
        return
    raise WrongState(ENDED if job.status in (RequestStatus.COMPLETED, RequestStatus.CANCELLED) else NOT_YET)
