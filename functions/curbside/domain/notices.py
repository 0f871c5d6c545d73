"""Which channels a notice goes out on, and when (spec section 14, docs/decisions.md D31).

Every notice is written to the person's in-app list; this module decides, from their NotificationPreferences
and the contacts we hold, whether it also goes out by push, e-mail and SMS now, later (held by quiet hours),
or not at all. Pure: the fan-out (`services.notice_delivery`) reads the inputs and acts on the answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from curbside.domain.documents.notifications import NotificationPreferences
from curbside.domain.enums import NotificationType

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


class Channel(StrEnum):
    PUSH = "push"
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True)
class NoticePolicy:
    shelf_life: dt.timedelta
    """How long after it was written the notice is still worth a push, e-mail or SMS (a held one past it stays
    in-app only): "your technician is on the way" is news for an hour, a dispute update for a week."""
    critical: bool = False
    """Account, security and payment-stopping notices: every channel we have, whatever the toggles, do not
    disturb and quiet hours say (the in-app entry as for every notice)."""
    urgent: bool = False
    """A high-priority push (wakes the phone), as for a 60-second job offer."""
    record: bool = False
    """A money record (a receipt, a payout): also by e-mail whenever the person has an address, even with
    e-mail notices off — a record belongs in the inbox (D93). The type's own toggle still mutes it."""


POLICIES: dict[NotificationType, NoticePolicy] = {
    NotificationType.JOB_ACCEPTED: NoticePolicy(12 * HOUR),
    NotificationType.DISPATCHER_EN_ROUTE: NoticePolicy(HOUR),
    NotificationType.DISPATCHER_ARRIVED: NoticePolicy(HOUR),
    NotificationType.JOB_STARTED: NoticePolicy(2 * HOUR),
    NotificationType.JOB_COMPLETED: NoticePolicy(2 * DAY),
    NotificationType.NEW_JOB_OFFER: NoticePolicy(dt.timedelta(minutes=2), urgent=True),
    NotificationType.NEW_MESSAGE: NoticePolicy(12 * HOUR),
    NotificationType.SUPPORT_REPLY: NoticePolicy(7 * DAY),
    NotificationType.DISPUTE_UPDATE: NoticePolicy(7 * DAY),
    NotificationType.DISPUTE_RESOLVED: NoticePolicy(7 * DAY),
    NotificationType.VERIFICATION_UPDATE: NoticePolicy(7 * DAY),
    NotificationType.PAYMENT_PROCESSED: NoticePolicy(7 * DAY, record=True),
    NotificationType.REVIEW_RECEIVED: NoticePolicy(7 * DAY),
    NotificationType.FRAUD_ALERT: NoticePolicy(DAY),
    NotificationType.REWARDS_EARNED: NoticePolicy(7 * DAY),
    NotificationType.SCHEDULED_JOB_REMINDER: NoticePolicy(HOUR),
    NotificationType.JOB_CANCELLED: NoticePolicy(DAY),
    NotificationType.DISPATCH_DELAYED: NoticePolicy(HOUR),
    NotificationType.STOCK_LOW: NoticePolicy(7 * DAY),
    NotificationType.SERVICE_DUE: NoticePolicy(7 * DAY),
    NotificationType.NEARBY_LEAD: NoticePolicy(2 * HOUR),
    NotificationType.PAYMENT_ACTION_REQUIRED: NoticePolicy(7 * DAY, critical=True),
    NotificationType.ACCOUNT_SECURITY: NoticePolicy(7 * DAY, critical=True),
}
"""One policy per notice type (a unit test checks every type has one)."""


def preference_field(kind: NotificationType) -> str | None:
    """The NotificationPreferences toggle of a notice type (named as the type); None for critical ones."""
    return None if POLICIES[kind].critical else kind.value


@dataclass(frozen=True)
class Contacts:
    """Where the person can be reached: their devices' push tokens, e-mail and verified mobile number."""

    push_tokens: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None

    def reachable(self) -> frozenset[Channel]:
        return frozenset(channel for channel, present in ((Channel.PUSH, self.push_tokens),
                                                         (Channel.EMAIL, self.email), (Channel.SMS, self.phone))
                         if present)


@dataclass(frozen=True)
class Delivery:
    channels: frozenset[Channel]
    """Where to send it now (empty: in-app only)."""
    hold_until: dt.datetime | None = None
    """Set when quiet hours hold it back: decide again at this instant."""
    reason: str = ""
    """Why, in a few words (kept on the notice for support and tests)."""


def decide(kind: NotificationType, prefs: NotificationPreferences, contacts: Contacts, *, now: dt.datetime,
           written_at: dt.datetime, expires_at: dt.datetime | None, default_zone: str) -> Delivery:
    """The channels of one notice at `now` (see the module docstring; the rules in order, D31)."""
    policy = POLICIES[kind]
    last_useful = min(written_at + policy.shelf_life, expires_at or dt.datetime.max.replace(tzinfo=dt.UTC))
    if now >= last_useful:
        return Delivery(frozenset(), reason="expired")
    reachable = contacts.reachable()
    if policy.critical:
        return Delivery(reachable, reason="critical")
    field = preference_field(kind)
    if field is not None and not getattr(prefs, field):
        return Delivery(frozenset(), reason=f"muted: {field}")
    if prefs.do_not_disturb:
        return Delivery(frozenset(), reason="do_not_disturb")
    wanted = {Channel.PUSH: prefs.push_notifications, Channel.EMAIL: prefs.email_notifications or policy.record,
              Channel.SMS: prefs.sms_notifications}
    channels = frozenset(channel for channel in reachable if wanted[channel])
    if not channels:
        return Delivery(frozenset(), reason="no channel on")
    quiet_end = quiet_hours_end(prefs, now, default_zone)
    if quiet_end is not None and kind is not NotificationType.NEW_JOB_OFFER:
        if quiet_end >= last_useful:
            return Delivery(frozenset(), reason="quiet hours outlast it")
        return Delivery(frozenset(), hold_until=quiet_end, reason="quiet hours")
    return Delivery(channels, reason="sent")


def parse_clock(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def in_quiet_hours(local: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether a wall-clock time falls in quiet hours [start, end); they may span midnight (22:00-08:00).
    Equal ends mean no quiet hours."""
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def zone_of(prefs: NotificationPreferences, default_zone: str) -> ZoneInfo:
    """The person's time zone (their preference when it names a real zone, else the platform's)."""
    try:
        return ZoneInfo(prefs.time_zone or default_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default_zone)


def quiet_hours_end(prefs: NotificationPreferences, now: dt.datetime, default_zone: str) -> dt.datetime | None:
    """When the quiet hours `now` falls in end (UTC); None when `now` is not in quiet hours."""
    if not (prefs.quiet_hours_enabled and prefs.quiet_hours_start and prefs.quiet_hours_end):
        return None
    start, end = parse_clock(prefs.quiet_hours_start), parse_clock(prefs.quiet_hours_end)
    zone = zone_of(prefs, default_zone)
    local = now.astimezone(zone)
    if not in_quiet_hours(local.time().replace(second=0, microsecond=0), start, end):
        return None
    day = local.date() if local.time() < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)
