"""NotificationPreferences and the in-app Notifications list (section 14).

Notifications is implied, not listed: the spec's screens show "List of all notifications / Mark as read",
and its sendNotification function fires on a created notification document. One collection serves both:
creating a Notifications document is what sends the push (after the preference check).
"""

from typing import Any

from pydantic import Field

from curbside.domain.documents.base import Count, Document, TimeString, UserKeyedDocument, UtcDatetime
from curbside.domain.enums import DeliveryStatus, NotificationType


class NotificationPreferences(UserKeyedDocument):
    """NotificationPreferences/{uid}: one per user, created with the spec's defaults at sign-up. The toggle
    names match NotificationType values, so the preference of a notification is `getattr(prefs, type)`."""

    user_id: str
    job_accepted: bool = True
    dispatcher_en_route: bool = True
    dispatcher_arrived: bool = True
    job_started: bool = True
    job_completed: bool = True
    new_job_offer: bool = True
    new_message: bool = True
    support_reply: bool = True
    dispute_update: bool = True
    dispute_resolved: bool = True
    verification_update: bool = True
    payment_processed: bool = True
    review_received: bool = True
    fraud_alert: bool = True
    rewards_earned: bool = True
    scheduled_job_reminder: bool = True
    job_cancelled: bool = True
    """Added (the spec's "job cancelled by client" has no toggle)."""
    dispatch_delayed: bool = True
    """Added: "still looking for a technician"."""
    stock_low: bool = True
    """Added: a part in the technician's van reached its reorder threshold (issue 21)."""
    service_due: bool = True
    """Added: one of the client's vehicles is due for its next service (issue 21)."""
    nearby_lead: bool = True
    """Added: a Messenger prospect near the technician (issue 20, D85)."""
    email_notifications: bool = False
    push_notifications: bool = True
    sms_notifications: bool = False
    """Added: SMS to the verified phone number (costs us per message, so off until the person asks)."""
    sound_enabled: bool = True
    do_not_disturb: bool = False
    quiet_hours_enabled: bool = False
    quiet_hours_start: TimeString | None = None
    quiet_hours_end: TimeString | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    """Added: the IANA zone quiet hours are read in (the platform's DEFAULT_TIME_ZONE when unset or unknown)."""


class Notification(Document):
    """Notifications/{id}: one entry of a user's in-app list. `data` is string-to-string because it is also
    the FCM data payload (the app navigates with it). Ids produced by triggers are deterministic, e.g.
    `{type}:{request_id}:{user_id}`, so a retried trigger does not notify twice."""

    user_id: str
    type: NotificationType
    title: str
    body: str
    texts: dict[str, Any] | None = None
    """Added, server-written: the title's and body's catalogue sentences (`{"title": {msgid, args}, "body":
    ...}`, `domain.texts.Text.stored`); the fan-out renders them in the reader's language and writes `title` and
    `body` so (D120). None on notices written before, and for words that are nobody's to translate."""
    data: dict[str, str] = Field(default_factory=dict)
    request_id: str | None = None
    read: bool = False
    read_at: UtcDatetime | None = None
    """Set by `mark_notifications_read` only (the rules no longer let the app write a notice)."""
    counted_unread: Count = 0
    """Added, server-written: what this notice added to its person's `Users.unread_notifications` and marking it
    read has not taken off yet — 1 while unread, more when the same notice was sent again before it was read
    (each sending counts, as each push did), 0 once read and on notices written before the count existed (D60)."""
    created_date: UtcDatetime
    expires_at: UtcDatetime | None = None
    """Added: after this, the notice is not worth a push (a job offer's countdown, a reminder's slot)."""
    delivery_status: DeliveryStatus | None = None
    """Added, server-written: the push / e-mail / SMS fan-out (None on notices written before it existed)."""
    deliver_after: UtcDatetime | None = None
    """When the sweep may take the fan-out: the end of the lease of the request that wrote the notice, the end
    of quiet hours, or the pause after a failed attempt."""
    delivery_attempts: Count = 0
    delivered_via: list[str] = Field(default_factory=list)
    """The channels it went out on (`push`, `email`, `sms`); a retry skips them."""
    delivery_note: str | None = None
    """Why it went where it went, in a few words ("sent", "quiet hours", "muted: new_message")."""
    delivered_at: UtcDatetime | None = None
