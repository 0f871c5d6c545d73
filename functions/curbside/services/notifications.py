"""In-app notifications: one `Notifications` document per event and person, written in the transaction of
the change it reports.

The document is the in-app entry the apps list; the push and e-mail fan-out (preferences, quiet hours) is a
trigger on these documents and comes with the notification work. Writing the entry in the same transaction
as the status change means a move and its notice exist together or not at all, and the deterministic id
`{type}:{request_id}:{user_id}` means a replayed event rewrites the same entry instead of adding a second.
"""

from __future__ import annotations

import datetime as dt

from google.cloud import firestore

from curbside.domain.documents import Notification
from curbside.domain.enums import NotificationType
from curbside.store.codec import to_document
from curbside.store.collections import Collection, doc_path


def notification_id(kind: NotificationType, request_id: str, user_id: str) -> str:
    return f"{kind.value}:{request_id}:{user_id}"


def notify(transaction: firestore.WriteBatch, db: firestore.Client, *, user_id: str, kind: NotificationType,
           title: str, body: str, request_id: str, now: dt.datetime) -> str:
    """Write the in-app notification inside `transaction` (or a conditional batch); returns its id. The app
    opens the job from `data` (string values only: it doubles as the FCM data payload)."""
    note = Notification(
        id=notification_id(kind, request_id, user_id), user_id=user_id, type=kind, title=title, body=body,
        data={"screen": "job_details", "request_id": request_id, "type": kind.value}, request_id=request_id,
        created_date=now,
    )
    transaction.set(db.document(doc_path(Collection.NOTIFICATIONS, note.id)), to_document(note))
    return note.id
