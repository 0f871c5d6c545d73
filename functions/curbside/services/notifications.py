"""In-app notifications: one `Notifications` document per event and person, written in the commit of the
change it reports; its push / e-mail / SMS fan-out follows right after that commit (`notice_delivery`).

Writing the entry in the same commit as the status change means a move and its notice exist together or not
at all, and the deterministic id `{type}:{key}:{user_id}` (the key is the job, or the message for a chat
notice) means a replayed event rewrites the same entry instead of adding a second. Every caller writes a
notice in the decision that makes its change, so a replay that finds the change made writes none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from curbside.domain.documents import Notification
from curbside.domain.enums import DeliveryStatus, NotificationType
from curbside.store.repositories import OUTBOX_LEASE
from curbside.store.uow import UnitOfWork


def notification_id(kind: NotificationType, key: str, user_id: str) -> str:
    return f"{kind.value}:{key}:{user_id}"


def notify(uow: UnitOfWork, *, user_id: str, kind: NotificationType, title: str, body: str,
           request_id: str | None, key: str | None = None, expires_at: dt.datetime | None = None,
           data: Mapping[str, str] | None = None) -> str:
    """Stage the in-app notification in the caller's unit of work, to be sent on after the commit; returns its
    id. `key` tells apart several notices of one type and job (a chat's messages); `expires_at`, when the
    notice stops being worth a push (an offer's countdown). The app opens the screen in `data` (strings only:
    it doubles as the FCM data payload)."""
    note = Notification(
        id=notification_id(kind, key or request_id or kind.value, user_id), user_id=user_id, type=kind,
        title=title, body=body, request_id=request_id, created_date=uow.now, expires_at=expires_at,
        data={"screen": "job_details", "type": kind.value, **({"request_id": request_id} if request_id else {}),
              **(data or {})},
        delivery_status=DeliveryStatus.PENDING, deliver_after=uow.now + OUTBOX_LEASE,
    )
    return uow.notifications.stage_new(note).id
