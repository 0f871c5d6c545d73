"""Support tickets (spec section 13): a ticket answered at once by the assistant, the conversation that follows,
the hand-off to a live agent, the admins' replies, the rating, and the daily cleanup of expired tickets
(docs/decisions.md D58-D59).

The assistant's answer is computed before the commit (a model call never runs inside a transaction) and written
in the same commit as the person's message, so a ticket never exists without its first reply; the commit
re-reads the ticket and drops the answer if an admin took the ticket over meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from curbside.deps import Deps
from curbside.domain.documents import SupportMessage, SupportTicket
from curbside.domain.enums import (
    NotificationType,
    SupportMessageType,
    SupportSenderType,
    TicketCategory,
    TicketPriority,
    TicketStatus,
    UserType,
)
from curbside.domain.errors import NotAllowed, NotFound, WrongState
from curbside.domain.lifecycle import Actor
from curbside.domain.texts import t
from curbside.domain.uploads import HEAD_BYTES, IMAGES, VARIANTS, Purpose, sniff, variant_path
from curbside.services import support_assistant, work
from curbside.services.accounts import admins, require_usable_account
from curbside.services.notifications import notify
from curbside.services.rate_limits import next_slot, refuse_if_full
from curbside.services.uploads import require_own_uploads
from curbside.store import queries
from curbside.store.collections import new_document_id
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

CHANGED = "The ticket changed at the same moment; try again."
NO_TICKET = "There is no such ticket among yours."
AI_SENDER = "curbside-assistant"
HISTORY_TURNS = 10
ATTACHMENT = ("photo or PDF", "a JPEG, PNG, WebP or HEIC photo, or a PDF, of at most 10 MB")
STEP = dt.timedelta(milliseconds=1)
"""Messages written in one commit are a millisecond apart, so the conversation sorts in the order written."""
DELETES_PER_COMMIT = 400
URGENT_CATEGORIES = frozenset({TicketCategory.PAYMENT_ISSUE, TicketCategory.ACCOUNT_ISSUE})


@dataclass(frozen=True)
class AssistantReply:
    message_id: str
    message: str
    ai_confidence: float
    requires_human: bool


@dataclass(frozen=True)
class Opened:
    ticket_id: str
    status: TicketStatus
    message_id: str
    reply: AssistantReply


@dataclass(frozen=True)
class Sent:
    message_id: str
    status: TicketStatus
    reply: AssistantReply | None


@dataclass(frozen=True)
class Posted:
    message_id: str
    status: TicketStatus
    assigned_to: str
    """Who has the ticket after this reply: the replying admin if nobody had it."""


@dataclass(frozen=True)
class TicketStatusOnly:
    status: TicketStatus


def _message(ticket_id: str, sender_id: str, sender_type: SupportSenderType, at: dt.datetime, *,
             text: str | None = None, name: str | None = None, kind: SupportMessageType = SupportMessageType.TEXT,
             attachment: str | None = None) -> SupportMessage:
    return SupportMessage(id=new_document_id(), ticket_id=ticket_id, sender_id=sender_id, sender_name=name,
                          sender_type=sender_type, message=text, message_type=kind, attachment_url=attachment,
                          created_date=at)


def _ai_message(ticket_id: str, reply: support_assistant.Reply, at: dt.datetime) -> SupportMessage:
    return evolve(_message(ticket_id, AI_SENDER, SupportSenderType.AI, at, text=reply.message,
                           name="Curbside assistant"),
                  ai_generated=True, ai_confidence=reply.ai_confidence, requires_human=reply.requires_human)


def _owner_actor(ticket: SupportTicket) -> Actor:
    return Actor.DISPATCHER if ticket.user_type is UserType.DISPATCHER else Actor.CLIENT


def _own_ticket(uow: UnitOfWork, uid: str, ticket_id: str) -> SupportTicket:
    ticket = uow.support_tickets.get(ticket_id)
    if ticket is None or ticket.user_id != uid:
        raise NotFound(NO_TICKET)
    if ticket.status is TicketStatus.CLOSED:
        raise WrongState("This ticket is closed; open a new one if you still need help.")
    return ticket


def _attachment_kinds(deps: Deps, uid: str, paths: tuple[str, ...]) -> list[SupportMessageType]:
    require_own_uploads(deps.files, uid, paths, purpose=Purpose.SUPPORT_ATTACHMENTS, field_name="attachments",
                        described=ATTACHMENT)
    return [SupportMessageType.IMAGE if sniff(deps.files.head(path, HEAD_BYTES)) in IMAGES else SupportMessageType.FILE
            for path in paths]


def create_support_ticket(deps: Deps, uid: str, email: str | None, *, subject: str, category: TicketCategory,
                          message: str, attachments: tuple[str, ...] = ()) -> Opened:
    """Open a ticket with the person's first message (and attachments) and the assistant's reply, in one commit
    with the rate limit's slot (checked first as well, so a refused call never reaches the assistant)."""
    refuse_if_full(deps, deps.settings.rate_limits.support_ticket, uid)
    kinds = _attachment_kinds(deps, uid, attachments)
    reply = support_assistant.answer(deps, uid, f"{subject}\n{message}", history=(), tokens_used=0)

    def decide(uow: UnitOfWork) -> Opened:
        user = uow.users.get(uid)
        require_usable_account(uow, uid)
        uow.rate_slots.create(next_slot(uow, uow.settings.rate_limits.support_ticket, uid))
        ticket_id, name = new_document_id(), user.full_name if user else None
        first = _message(ticket_id, uid, SupportSenderType.USER, uow.now, text=message, name=name)
        written = [first] + [_message(ticket_id, uid, SupportSenderType.USER, uow.now + STEP * (n + 1), name=name,
                                      kind=kind, attachment=path)
                             for n, (path, kind) in enumerate(zip(attachments, kinds, strict=True))]
        answer = _ai_message(ticket_id, reply, uow.now + STEP * (len(written) + 1))
        ticket = uow.support_tickets.create(SupportTicket(
            id=ticket_id, user_id=uid, user_name=name, user_email=email or (user.email if user else None),
            user_type=user.user_type if user else None, subject=subject, category=category,
            priority=TicketPriority.HIGH if category in URGENT_CATEGORIES else TicketPriority.MEDIUM,
            last_message_at=answer.created_date, ai_handled=True, ai_tokens_used=reply.tokens, created_date=uow.now))
        for item in [*written, answer]:
            uow.support_messages.create(item)
        return Opened(ticket.id, ticket.status, first.id, AssistantReply(answer.id, reply.message,
                                                                         reply.ai_confidence, reply.requires_human))

    return work.transaction(deps, decide, lost_race=CHANGED)


def send_support_message(deps: Deps, uid: str, ticket_id: str, message: str) -> Sent:
    """The person writes again: the assistant answers until a person has taken the ticket over (an admin
    assigned, or a live agent requested); then the message waits for the admin, who is notified."""

    def look(uow: UnitOfWork) -> tuple[SupportTicket, tuple[tuple[str, str], ...]]:
        ticket = _own_ticket(uow, uid, ticket_id)
        earlier = uow.support_messages.find(queries.MESSAGES_OF_TICKET, ticket_id=ticket_id)
        turns = tuple(("assistant" if m.sender_type is SupportSenderType.AI else "user", m.message)
                      for m in earlier[-HISTORY_TURNS:] if m.message and m.sender_type is not SupportSenderType.ADMIN)
        return ticket, turns

    seen, history = work.reading(deps, look)
    human = seen.assigned_to is not None or seen.live_agent_requested
    reply = None if human else support_assistant.answer(deps, uid, message, history=history,
                                                        tokens_used=seen.ai_tokens_used)

    def decide(uow: UnitOfWork) -> Sent:
        ticket = _own_ticket(uow, uid, ticket_id)
        written = uow.support_messages.create(_message(ticket_id, uid, SupportSenderType.USER, uow.now, text=message,
                                                       name=ticket.user_name))
        taken = ticket.assigned_to is not None or ticket.live_agent_requested
        answer = _ai_message(ticket_id, reply, uow.now + STEP) if reply is not None and not taken else None
        changes: dict[str, object] = {"last_message_at": (answer or written).created_date}
        if answer is not None and reply is not None:
            uow.support_messages.create(answer)
            changes["ai_tokens_used"] = ticket.ai_tokens_used + reply.tokens
        status = ticket.status
        if taken and ticket.status in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_USER):
            status = TicketStatus.WAITING_ADMIN
            uow.support_tickets.move(ticket, status, _owner_actor(ticket), **changes)
        else:
            uow.support_tickets.save(evolve(ticket, **changes))
        if taken and ticket.assigned_to is not None:
            notify(uow, user_id=ticket.assigned_to, kind=NotificationType.SUPPORT_REPLY, title=t("Support reply"),
                   body=message[:160], request_id=None, key=written.id,
                   data={"screen": "support_ticket", "ticket_id": ticket_id})
        out = None if answer is None or reply is None else AssistantReply(answer.id, reply.message,
                                                                          reply.ai_confidence, reply.requires_human)
        return Sent(written.id, status, out)

    return work.transaction(deps, decide, lost_race=CHANGED)


def request_live_agent(deps: Deps, uid: str, ticket_id: str) -> TicketStatusOnly:
    """The person asks for a person: the ticket joins the admins' queue (`live_agent_requested`,
    `waiting_admin`) and every admin is notified — once; asking again changes nothing."""

    def decide(uow: UnitOfWork) -> TicketStatusOnly:
        ticket = _own_ticket(uow, uid, ticket_id)
        alerted = admins(uow)
        if ticket.live_agent_requested:
            return TicketStatusOnly(ticket.status)
        if ticket.status is TicketStatus.WAITING_ADMIN:
            uow.support_tickets.save(evolve(ticket, live_agent_requested=True, live_agent_requested_at=uow.now))
        else:  # a resolved ticket is reopened for a person
            uow.support_tickets.move(ticket, TicketStatus.WAITING_ADMIN, _owner_actor(ticket),
                                     live_agent_requested=True, live_agent_requested_at=uow.now)
        for admin in alerted:
            notify(uow, user_id=admin.id, kind=NotificationType.SUPPORT_REPLY, title=t("Live agent requested"),
                   body=f"{ticket.category.value}: {ticket.subject[:120]}", request_id=None, key=f"agent:{ticket_id}",
                   data={"screen": "support_ticket", "ticket_id": ticket_id})
        return TicketStatusOnly(TicketStatus.WAITING_ADMIN)

    return work.transaction(deps, decide, lost_race=CHANGED)


def admin_reply_ticket(deps: Deps, admin_uid: str, is_admin: bool, ticket_id: str, *, message: str,
                       status: TicketStatus | None = None) -> Posted:
    """An admin answers: the ticket is assigned to them if nobody has it, the reply is posted as `admin`, the
    status moves (`waiting_user` unless another is given; `closed` sets `closed_at` and `expires_at` 10 days
    later), and the owner is notified (`support_reply`)."""
    if not is_admin:
        raise NotAllowed("Only admins reply to support tickets.")

    def decide(uow: UnitOfWork) -> Posted:
        ticket, admin = uow.support_tickets.get(ticket_id), uow.users.get(admin_uid)
        if ticket is None:
            raise NotFound("There is no such ticket.")
        if ticket.status is TicketStatus.CLOSED:
            raise WrongState("This ticket is closed.")
        target = status or TicketStatus.WAITING_USER
        changes: dict[str, object] = {"last_message_at": uow.now}
        if ticket.assigned_to is None:
            changes.update(assigned_to=admin_uid, assigned_to_name=admin.full_name if admin else None)
        if ticket.first_agent_reply_at is None:
            changes["first_agent_reply_at"] = uow.now
        if target is TicketStatus.RESOLVED:
            changes["resolved_at"] = uow.now
        if target is TicketStatus.CLOSED:
            changes.update(closed_at=uow.now, expires_at=uow.now + uow.settings.support.ticket_retention)
        if target is ticket.status:
            uow.support_tickets.save(evolve(ticket, **changes))
        else:
            uow.support_tickets.move(ticket, target, Actor.ADMIN, **changes)
        posted = uow.support_messages.create(_message(ticket_id, admin_uid, SupportSenderType.ADMIN, uow.now,
                                                      text=message, name=admin.full_name if admin else None))
        notify(uow, user_id=ticket.user_id, kind=NotificationType.SUPPORT_REPLY, title=t("Support replied"),
               body=message[:160], request_id=None, key=posted.id,
               data={"screen": "support_ticket", "ticket_id": ticket_id})
        return Posted(posted.id, target, ticket.assigned_to or admin_uid)

    return work.transaction(deps, decide, lost_race=CHANGED)


def rate_support_ticket(deps: Deps, uid: str, ticket_id: str, rating: int) -> TicketStatusOnly:
    """The owner rates a resolved (or closed) ticket, once."""

    def decide(uow: UnitOfWork) -> TicketStatusOnly:
        ticket = uow.support_tickets.get(ticket_id)
        if ticket is None or ticket.user_id != uid:
            raise NotFound(NO_TICKET)
        if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise WrongState("You can rate a ticket once it is resolved.")
        if ticket.satisfaction_rating is not None:
            raise WrongState("You have rated this ticket already.")
        uow.support_tickets.save(evolve(ticket, satisfaction_rating=rating))
        return TicketStatusOnly(ticket.status)

    return work.transaction(deps, decide, lost_race=CHANGED)


def close_idle_tickets(deps: Deps, *, limit: int = 200) -> list[str]:
    """The daily job, first step: a ticket only the assistant answered (still `open`: no admin took it, no live
    agent asked for) whose owner has not written for `idle_close_after` closes as resolved, and its 10 days of
    retention start. Each ticket is re-checked in its own transaction, so a reply that just arrived keeps it
    open and a second run closes nothing again. Returns the closed tickets' ids."""
    idle = work.reading(deps, lambda uow: uow.support_tickets.find(
        queries.IDLE_ASSISTANT_TICKETS, status=TicketStatus.OPEN,
        before=uow.now - uow.settings.support.idle_close_after, limit=limit))
    return [ticket.id for ticket in idle if _close_idle(deps, ticket.id)]


def _close_idle(deps: Deps, ticket_id: str) -> bool:
    def decide(uow: UnitOfWork) -> bool:
        ticket = uow.support_tickets.get(ticket_id)
        quiet_since = uow.now - uow.settings.support.idle_close_after
        if (ticket is None or ticket.status is not TicketStatus.OPEN or ticket.assigned_to is not None
                or ticket.live_agent_requested or (ticket.last_message_at or uow.now) > quiet_since):
            return False
        uow.support_tickets.move(ticket, TicketStatus.CLOSED, Actor.SYSTEM, resolved_at=uow.now, closed_at=uow.now,
                                 expires_at=uow.now + uow.settings.support.ticket_retention)
        return True

    return work.transaction(deps, decide, lost_race=CHANGED)


def cleanup_expired_tickets(deps: Deps, *, limit: int = 100) -> list[str]:
    """The daily job: closed tickets past `expires_at` are deleted with their messages and the messages'
    attachments in Storage (files first, so a crash leaves documents to find again; safe to run twice)."""
    expired = work.reading(deps, lambda uow: uow.support_tickets.find(queries.EXPIRED_TICKETS, before=uow.now,
                                                                      limit=limit))
    return [ticket.id for ticket in expired if _delete_ticket(deps, ticket.id)]


def _deleting(messages: list[SupportMessage]) -> Callable[[UnitOfWork], None]:
    def delete(uow: UnitOfWork) -> None:
        for message in messages:
            uow.support_messages.delete(message.id)

    return delete


def _delete_ticket(deps: Deps, ticket_id: str) -> bool:
    messages = work.reading(deps, lambda uow: uow.support_messages.find(queries.MESSAGES_OF_TICKET,
                                                                        ticket_id=ticket_id))
    for message in messages:
        if message.attachment_url:
            for path in (message.attachment_url, *(variant_path(message.attachment_url, v.name) for v in VARIANTS)):
                deps.files.delete(path)
    for start in range(0, len(messages), DELETES_PER_COMMIT):  # a commit takes at most 500 writes
        work.transaction(deps, _deleting(messages[start:start + DELETES_PER_COMMIT]), lost_race=CHANGED)

    def decide(uow: UnitOfWork) -> bool:
        ticket = uow.support_tickets.get(ticket_id)
        if ticket is None or ticket.expires_at is None or ticket.expires_at > uow.now:
            return False
        uow.support_tickets.delete(ticket_id)
        uow.ticket_private.delete(ticket_id)  # the admins' internal notes
        return True

    return work.transaction(deps, decide, lost_race=CHANGED)
