"""The fan-out of a notice to push, e-mail and SMS (the spec's `sendNotification`, docs/decisions.md D31).

A notice is written `delivery_status: pending`, leased to the request that wrote it (`deliver_after`), which
fans it out right after its commit (`deliver_now`): it reads the person's preferences and contacts (two
reads; the push's badge is the count kept on `Users`, D60), asks `domain.notices.decide` where it goes, sends,
and records what went out on the notice itself (one write). A notice held by quiet hours keeps `pending`
with `deliver_after` at their end; one whose sending failed keeps `pending` with a growing pause, and the
channels already used are not used again. `sweep` (with the outbox's, every 5 minutes) takes what is due, one
runner per notice (a conditional lease), so a notice goes out once however often the sweep runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from firebase_functions import logger

from curbside.deps import Deps
from curbside.domain.documents import Notification, NotificationPreferences, User
from curbside.domain.enums import DeliveryStatus, NotificationType
from curbside.domain.errors import LostRace, VendorUnavailable
from curbside.domain.notices import Channel, Contacts, Delivery, decide
from curbside.gateways.email import AddressRefused
from curbside.gateways.sms import NumberRefused
from curbside.services import notice_messages, work
from curbside.services.outbox import LEASE, MAX_ATTEMPTS, pause_after
from curbside.store import queries
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

SWEEP_PAGE = 200


@dataclass(frozen=True)
class _Recipient:
    prefs: NotificationPreferences
    contacts: Contacts
    unread: int
    """The person's unread notices (this one included), kept on their `Users` document: the push's badge."""
    locale: str | None = None
    """The language the notice is rendered in (`Users.locale`, D120)."""


def deliver_now(deps: Deps, notices: Iterable[Notification]) -> None:
    """Fan out the notices a commit just wrote, under the lease they were written with."""
    for notice in notices:
        _deliver(deps, notice)


def sweep(deps: Deps, *, limit: int = SWEEP_PAGE) -> dict[str, int]:
    """Fan out every notice that is due: held by quiet hours until now, or failed earlier. Counts by outcome."""
    due = work.reading(deps, lambda uow: uow.notifications.find(
        queries.DUE_NOTICES, delivery_status=DeliveryStatus.PENDING, due_by=uow.now, limit=limit))
    outcomes: dict[str, int] = {}
    for notice in due:
        leased = _lease(deps, notice.id)
        outcome = "skipped" if leased is None else _deliver(deps, leased)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _lease(deps: Deps, notice_id: str) -> Notification | None:
    """Take a due notice for one attempt (of two sweeps running at once, one takes it)."""

    def decide_lease(uow: UnitOfWork) -> Notification | None:
        notice = uow.notifications.get(notice_id)
        if (notice is None or notice.delivery_status is not DeliveryStatus.PENDING
                or notice.deliver_after is None or notice.deliver_after > uow.now):
            return None
        return uow.notifications.save(evolve(notice, deliver_after=uow.now + LEASE))

    try:
        return work.conditional(deps, decide_lease)
    except LostRace:
        return None


def _deliver(deps: Deps, notice: Notification) -> str:
    """One attempt at a leased notice; returns the outcome's name."""
    try:
        recipient = work.reading(deps, lambda uow: _recipient(uow, notice.user_id))
        notice = notice_messages.localised(notice, recipient.locale)
        delivery = decide(notice.type, recipient.prefs, recipient.contacts, now=deps.clock.now(),
                          written_at=notice.created_date, expires_at=notice.expires_at,
                          default_zone=deps.settings.default_time_zone)
        if delivery.hold_until is not None:
            _record(deps, notice, deliver_after=delivery.hold_until, delivery_note=delivery.reason)
            return "held"
        sent, failure = _send(deps, notice, recipient, delivery)
    except Exception as exc:  # every failure is retried by the sweep; the log says which
        sent, failure = [], exc
    if failure is not None:
        return _failed(deps, notice, sent, failure)
    _record(deps, notice, done=True, delivered_via=[*notice.delivered_via, *sent],
            delivery_note=delivery.reason, delivered_at=deps.clock.now())
    return "sent" if sent else "in_app_only"


def _recipient(uow: UnitOfWork, uid: str) -> _Recipient:
    prefs = uow.notification_preferences.get(uid) or NotificationPreferences(id=uid, user_id=uid)
    user = uow.users.get(uid) or User(id=uid)
    return _Recipient(prefs, Contacts(push_tokens=tuple(user.fcm_tokens), email=user.email,
                                      phone=user.phone_number if user.phone_verified else None),
                      unread=user.unread_notifications, locale=user.locale)


def _send(deps: Deps, notice: Notification, recipient: _Recipient,
          delivery: Delivery) -> tuple[list[str], Exception | None]:
    """Send on each channel not used yet, push first; stops at the first channel that fails for now."""
    sent: list[str] = []
    for channel in (Channel.PUSH, Channel.EMAIL, Channel.SMS):
        if channel not in delivery.channels or channel.value in notice.delivered_via:
            continue
        try:
            if channel is Channel.PUSH:
                _push(deps, notice, recipient)
            elif channel is Channel.EMAIL and recipient.contacts.email:
                mail = notice_messages.email_of(notice, recipient.locale)
                deps.email.send(to=recipient.contacts.email, subject=mail.subject, text=mail.text, html=mail.html,
                                message_id=notice.id)
            elif channel is Channel.SMS and recipient.contacts.phone:
                deps.sms.send(recipient.contacts.phone, notice_messages.sms_of(notice, recipient.locale))
        except (AddressRefused, NumberRefused) as exc:  # this address never works: skip it, keep the rest
            logger.warn("notice.address_refused", notification_id=notice.id, channel=channel.value,
                        error=type(exc).__name__)
            continue
        except Exception as exc:
            return sent, exc
        sent.append(channel.value)
    return sent, None


def _push(deps: Deps, notice: Notification, recipient: _Recipient) -> None:
    message = notice_messages.push_of(notice, badge=recipient.unread, sound=recipient.prefs.sound_enabled,
                                      now=deps.clock.now())
    result = deps.push.send(recipient.contacts.push_tokens, message)
    if result.dead_tokens:
        _forget_tokens(deps, notice.user_id, result.dead_tokens)
    if result.delivered == 0:
        raise VendorUnavailable("no device took the push")


def _forget_tokens(deps: Deps, uid: str, dead: tuple[str, ...]) -> None:
    """Drop the device tokens FCM says are gone (the app was uninstalled or its token rotated)."""

    def forget(uow: UnitOfWork) -> None:
        user = uow.users.get(uid)
        if user is not None and set(dead) & set(user.fcm_tokens):
            uow.users.save(evolve(user, fcm_tokens=[token for token in user.fcm_tokens if token not in dead],
                                  updated_date=uow.now))

    work.transaction(deps, forget)


def _failed(deps: Deps, notice: Notification, sent: list[str], exc: Exception) -> str:
    attempts = notice.delivery_attempts + 1
    give_up = attempts >= MAX_ATTEMPTS
    (logger.error if give_up else logger.warn)(
        "notice.delivery_failed", notification_id=notice.id, attempts=attempts, error=type(exc).__name__)
    _record(deps, notice, done=give_up, failed=give_up, delivered_via=[*notice.delivered_via, *sent],
            delivery_attempts=attempts, deliver_after=deps.clock.now() + pause_after(attempts),
            delivery_note=f"{type(exc).__name__}: {exc}"[:200])
    return "failed" if give_up else "retry"


def _record(deps: Deps, notice: Notification, *, done: bool = False, failed: bool = False,
            delivered_via: list[str] | None = None, **fields: object) -> None:
    """Write how the attempt went onto the notice without reading it again — a merge: the lease makes this
    runner the only one. A held or retried notice stays pending; a finished one is done (or failed). A chat
    message whose push went is marked delivered in the same commit."""
    status = DeliveryStatus.FAILED if failed else DeliveryStatus.DONE if done else DeliveryStatus.PENDING
    changes = {**fields, "delivery_status": status}
    if notice.texts:  # the in-app entry in the reader's language too (D120)
        changes.update(title=notice.title, body=notice.body)
    if delivered_via is not None:
        changes["delivered_via"] = delivered_via
    if status is not DeliveryStatus.PENDING:
        changes["deliver_after"] = None
    message_id = notice.data.get("message_id") if notice.type is NotificationType.NEW_MESSAGE else None
    pushed = Channel.PUSH.value in (delivered_via or [])

    def write(uow: UnitOfWork) -> None:
        message = uow.messages.get(message_id) if message_id and pushed else None
        uow.notifications.merge(notice.id, **changes)
        if message is not None and not message.delivered:
            uow.messages.save(evolve(message, delivered=True, delivered_at=uow.now))

    work.conditional(deps, write)
