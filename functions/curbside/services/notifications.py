"""In-app notifications: one `Notifications` document per event and person, written in the commit of the
change it reports; its push / e-mail / SMS fan-out follows right after that commit (`notice_delivery`).

Each notice also counts in its person's `Users.unread_notifications` (the badge), added to in the notice's
commit and taken off only by `mark_read` (D60).

Writing the entry in the same commit as the status change means a move and its notice exist together or not
at all, and the deterministic id `{type}:{key}:{user_id}` (the key is the job, or the message for a chat
notice) means a replayed event rewrites the same entry instead of adding a second. Every caller writes a
notice in the decision that makes its change, so a replay that finds the change made writes none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import Notification
from curbside.domain.enums import DeliveryStatus, NotificationType
from curbside.domain.errors import NotFound
from curbside.domain.texts import Text, render
from curbside.services import work
from curbside.store import queries
from curbside.store.repositories import OUTBOX_LEASE, evolve
from curbside.store.uow import UnitOfWork


def notification_id(kind: NotificationType, key: str, user_id: str) -> str:
    return f"{kind.value}:{key}:{user_id}"


def notify(uow: UnitOfWork, *, user_id: str, kind: NotificationType, title: str | Text, body: str | Text,
           request_id: str | None, key: str | None = None, expires_at: dt.datetime | None = None,
           data: Mapping[str, str] | None = None) -> str:
    """Stage the in-app notification in the caller's unit of work, to be sent on after the commit; returns its
    id. `key` tells apart several notices of one type and job (a chat's messages); `expires_at`, when the
    notice stops being worth a push (an offer's countdown). The app opens the screen in `data` (strings only:
    it doubles as the FCM data payload). `title` and `body` are catalogue texts (`domain.texts.t`), stored
    in English and rendered in the reader's language by the fan-out (D120)."""
    note = Notification(
        id=notification_id(kind, key or request_id or kind.value, user_id), user_id=user_id, type=kind,
        title=render(title, None), body=render(body, None), texts=_texts(title, body), request_id=request_id,
        created_date=uow.now, expires_at=expires_at,
        data={"screen": "job_details", "type": kind.value, **({"request_id": request_id} if request_id else {}),
              **(data or {})},
        delivery_status=DeliveryStatus.PENDING, deliver_after=uow.now + OUTBOX_LEASE,
    )
    return uow.notifications.stage_new(note).id


def _texts(title: str | Text, body: str | Text) -> dict[str, Any] | None:
    parts = {name: part.stored() for name, part in (("title", title), ("body", body)) if isinstance(part, Text)}
    return parts or None


MARK_PAGE = 200
"""Notices marked read in one commit (a transaction writes at most 500 documents)."""
MARK_MOST = 100
"""Notice ids one `mark_notifications_read` call may name (the list screen marks what it shows)."""
NO_NOTICE = "No such notice."


@dataclass(frozen=True)
class NoticesRead:
    marked: int
    """Notices this call turned read (already read ones are not counted). The badge itself is
    `Users.unread_notifications`, which the app watches."""


def mark_read(deps: Deps, uid: str, notice_ids: Sequence[str] | None) -> NoticesRead:
    """The caller's notices become read — the named ones, or all (`notice_ids` None) — and their
    `Users.unread_notifications` goes down by exactly what those notices added to it, in the same commit (D60).
    Each notice is read in the transaction, so of two calls marking one notice at once the second finds it read
    and takes nothing off: the count stays exact and never goes below zero. The count is taken off without reading
    `Users` (an increment), so calls marking different notices never collide. A notice of someone else is
    NOT_FOUND, and nothing is marked."""

    def decide(uow: UnitOfWork) -> tuple[int, bool]:
        if notice_ids is None:
            notices = uow.notifications.find(queries.UNREAD_NOTICES, limit=MARK_PAGE, user_id=uid, read=False)
        else:
            found = [uow.notifications.get(notice_id) for notice_id in dict.fromkeys(notice_ids)]
            if any(notice is None or notice.user_id != uid for notice in found):
                raise NotFound(NO_NOTICE)
            notices = [notice for notice in found if notice is not None]
        to_mark = [notice for notice in notices if not notice.read or notice.counted_unread]
        taken_off = sum(notice.counted_unread for notice in to_mark)
        for notice in to_mark:
            uow.notifications.save(evolve(notice, read=True, read_at=notice.read_at or uow.now, counted_unread=0))
        if taken_off:
            uow.users.increment(uid, unread_notifications=-taken_off)
        return len(to_mark), notice_ids is None and len(notices) == MARK_PAGE

    marked, more = 0, True
    while more:
        page, more = work.transaction(deps, decide, lost_race="Your notices changed at the same moment; try again.")
        marked += page
    return NoticesRead(marked=marked)
