"""In-app notifications: one `Notifications` document per event and person, written in the commit of the
change it reports.

The document is the in-app entry the apps list; the push, e-mail and SMS fan-out (preferences, quiet hours)
follows from it. Writing the entry in the same commit as the status change means a move and its notice
exist together or not at all, and the deterministic id `{type}:{request_id}:{user_id}` means a replayed
event rewrites the same entry instead of adding a second.
"""

from __future__ import annotations

from curbside.domain.documents import Notification
from curbside.domain.enums import NotificationType
from curbside.store.uow import UnitOfWork


def notification_id(kind: NotificationType, request_id: str, user_id: str) -> str:
    return f"{kind.value}:{request_id}:{user_id}"


def notify(uow: UnitOfWork, *, user_id: str, kind: NotificationType, title: str, body: str,
           request_id: str) -> str:
    """Stage the in-app notification in the caller's unit of work; returns its id. The app opens the job from
    `data` (string values only: it doubles as the FCM data payload)."""
    note = Notification(
        id=notification_id(kind, request_id, user_id), user_id=user_id, type=kind, title=title, body=body,
        data={"screen": "job_details", "request_id": request_id, "type": kind.value}, request_id=request_id,
        created_date=uow.now,
    )
    uow.notifications.put(note)
    return note.id


def notify_about(uow: UnitOfWork, *, user_id: str, kind: NotificationType, title: str, body: str, subject: str,
                 screen: str) -> str:
    """Stage an in-app notification about something other than a job (a verification step, the account);
    returns its id. `subject` makes the id deterministic per event, `{type}:{subject}:{user_id}`, so a replay
    rewrites the same entry; `screen` is where the app opens."""
    note = Notification(
        id=notification_id(kind, subject, user_id), user_id=user_id, type=kind, title=title, body=body,
        data={"screen": screen, "subject": subject, "type": kind.value}, created_date=uow.now,
    )
    uow.notifications.put(note)
    return note.id
