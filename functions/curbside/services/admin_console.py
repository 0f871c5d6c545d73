"""What only the hosted admin console needs (issue 18): the pages of the Users and fraud-alert screens, the
rewards catalogue, and the live-agent ticket queue with one ticket's conversation (the dashboard's read is
`services.dashboard`). The actions are the capabilities' own admin callables (`admin_set_account_status`,
`admin_update_fraud_alert`, `admin_upsert_reward`, `admin_reply_ticket`, `admin_review_verification`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from curbside.deps import Deps
from curbside.domain.documents.disputes import Dispute
from curbside.domain.documents.support import SupportTicket
from curbside.domain.documents.users import User
from curbside.domain.enums import (
    DisputeStatus,
    FraudAlertStatus,
    FraudAlertType,
    Severity,
    TicketStatus,
    UserRole,
    UserType,
)
from curbside.domain.errors import NotAllowed, NotFound
from curbside.domain.name_search import search_key
from curbside.services import work
from curbside.store import queries
from curbside.store.repositories import D, DocumentRepository
from curbside.store.uow import UnitOfWork

T = TypeVar("T")
ONLY_ADMINS = "Only admins see the admin console's figures and queues."
MESSAGES_SHOWN = 500
"""A conversation's messages shown at once (a ticket's are capped well below by the assistant's budget)."""
TABS: dict[str, tuple[queries.QuerySpec, dict[str, Any]]] = {
    "all": (queries.USERS_NEWEST, {}),
    "clients": (queries.USERS_OF_TYPE_NEWEST, {"user_type": UserType.CLIENT}),
    "technicians": (queries.USERS_OF_TYPE_NEWEST, {"user_type": UserType.DISPATCHER}),
    "admins": (queries.USERS_OF_ROLE_NEWEST, {"role": UserRole.ADMIN}),
}
"""The Users screen's tabs."""
ALERT_QUERIES = {(False, False): queries.ALERTS_BY_STATUS, (True, False): queries.ALERTS_BY_STATUS_SEVERITY,
                 (False, True): queries.ALERTS_BY_STATUS_TYPE, (True, True): queries.ALERTS_BY_STATUS_SEVERITY_TYPE}
"""The fraud-alert query for (severity given, type given)."""


def _as_admin(deps: Deps, is_admin: bool, look: Callable[[UnitOfWork], T]) -> T:
    """Run the console's read `look`, for admins only (refused before anything is read)."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)
    return work.reading(deps, look)


def user_page(deps: Deps, *, is_admin: bool, tab: str, email: str | None, phone: str | None, limit: int,
              after: str | None, name: str | None = None) -> dict[str, Any]:
    """A page of the Users screen, newest first (`after`: the last uid of the page before), or the people with
    that e-mail or phone number, or a name starting so (paged too); each row with the account status kept in the
    private part (one read a row)."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        if name is not None:
            found, following = page_after(uow.users, queries.USERS_BY_NAME_PREFIX, {"prefix": search_key(name)},
                                          limit=limit, after=after)
            return {"users": [_user_row(uow, user) for user in found], "next": following}
        if email is not None or phone is not None:
            spec, params = ((queries.USERS_BY_EMAIL, {"email": email}) if email is not None
                            else (queries.USERS_BY_PHONE, {"phone_number": phone}))
            return {"users": [_user_row(uow, user) for user in uow.users.find(spec, limit=limit, **params)],
                    "next": None}
        spec, params = TABS[tab]
        found, following = page_after(uow.users, spec, params, limit=limit, after=after)
        return {"users": [_user_row(uow, user) for user in found], "next": following}

    return _as_admin(deps, is_admin, look)


def _user_row(uow: UnitOfWork, user: User) -> dict[str, Any]:
    return {"user_id": user.id, "full_name": user.full_name or user.display_name, "email": user.email,
            "phone_number": user.phone_number, "user_type": user.user_type, "role": user.role,
            "created_date": user.created_date,
            "account_status": uow.user_private.get_or_default(user.id).account_status}


def alert_page(deps: Deps, *, is_admin: bool, statuses: list[FraudAlertStatus], severity: Severity | None,
               alert_type: FraudAlertType | None, limit: int, after: str | None) -> dict[str, Any]:
    """Fraud alerts in `statuses` (and of a severity and type, when given), newest first, one page at a time."""
    spec = ALERT_QUERIES[severity is not None, alert_type is not None]
    params = {"statuses": statuses, **({"severity": severity} if severity else {}),
              **({"alert_type": alert_type} if alert_type else {})}

    def look(uow: UnitOfWork) -> dict[str, Any]:
        found, following = page_after(uow.fraud_alerts, spec, params, limit=limit, after=after)
        return {"alerts": [{"alert_id": a.id, "user_id": a.user_id, "user_type": a.user_type,
                            "alert_type": a.alert_type, "severity": a.severity, "status": a.status,
                            "occurrences": a.occurrences, "related_jobs": a.related_jobs,
                            "alert_details": a.alert_details, "resolution_notes": a.resolution_notes,
                            "reviewed_by": a.reviewed_by, "reviewed_at": a.reviewed_at,
                            "created_date": a.created_date} for a in found], "next": following}

    return _as_admin(deps, is_admin, look)


def page_after(repository: DocumentRepository[D], spec: queries.QuerySpec, params: dict[str, Any], *, limit: int,
          after: str | None) -> tuple[list[D], str | None]:
    """One page of `spec` after the document `after` (the previous page's last), and the next page's `after`
    (None on the last page)."""
    last = repository.get(after) if after is not None else None
    if after is not None and last is None:
        raise NotFound("The page to continue from is gone: start again from the first page.")
    cursor = repository.cursor(last) if last is not None else None
    found = repository.find(spec, limit=limit, start_after=cursor, **params)
    return found, found[-1].id if len(found) == limit else None


def reward_catalogue(deps: Deps, *, is_admin: bool, limit: int) -> dict[str, Any]:
    """Every reward, active or not, cheapest first, for the rewards editor (`admin_upsert_reward` saves)."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        return {"rewards": [{"reward_id": reward.id, **reward.model_dump(mode="json", exclude={"id"})}
                            for reward in uow.rewards.find(queries.REWARDS_BY_POINTS, limit=limit)]}

    return _as_admin(deps, is_admin, look)


def dispute_queue(deps: Deps, *, is_admin: bool, statuses: list[DisputeStatus], limit: int,
                  after: str | None) -> dict[str, Any]:
    """Disputes in `statuses`, latest activity first, one page at a time."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        found, following = page_after(uow.disputes, queries.DISPUTE_QUEUE, {"statuses": statuses}, limit=limit,
                                 after=after)
        return {"disputes": [_dispute_row(d) for d in found], "next": following}

    return _as_admin(deps, is_admin, look)


def dispute(deps: Deps, *, is_admin: bool, dispute_id: str) -> dict[str, Any]:
    """One dispute for its admin screen: the case, the admins' notes and the whole thread, internal notes too."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        found = uow.disputes.get(dispute_id)
        if found is None:
            raise NotFound("No such dispute.")
        thread = uow.dispute_comments.find(queries.DISPUTE_THREAD, dispute_id=dispute_id, limit=MESSAGES_SHOWN)
        return {**_dispute_row(found), "evidence_urls": found.evidence_urls,
                "resolution_details": found.resolution_details, "resolution_action": found.resolution_action,
                "refund_amount": found.refund_amount, "resolved_by_name": found.resolved_by_name,
                "admin_notes": uow.dispute_private.get_or_default(dispute_id).admin_notes,
                "comments": [{"comment_id": c.id, "user_id": c.user_id, "user_name": c.user_name,
                              "user_type": c.user_type, "comment": c.comment, "attachments": c.attachments,
                              "is_internal": c.is_internal, "created_date": c.created_date} for c in thread]}

    return _as_admin(deps, is_admin, look)


def _dispute_row(found: Dispute) -> dict[str, Any]:
    return {"dispute_id": found.id, "request_id": found.request_id, "client_id": found.client_id,
            "dispatcher_id": found.dispatcher_id, "raised_by_type": found.raised_by_type,
            "raised_by_name": found.raised_by_name, "dispute_reason": found.dispute_reason,
            "description": found.description, "status": found.status, "priority": found.priority,
            "opened_at": found.opened_at, "last_activity_at": found.last_activity_at}


def ticket_queue(deps: Deps, *, is_admin: bool, statuses: list[TicketStatus], limit: int,
                 after: str | None = None) -> dict[str, Any]:
    """Tickets a person asked a live agent for, in `statuses`, latest message first, one page at a time (`after`:
    the previous page's last ticket), and how many there are."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        tickets, following = page_after(uow.support_tickets, queries.LIVE_AGENT_QUEUE,
                                        {"live_agent_requested": True, "statuses": statuses}, limit=limit, after=after)
        return {"tickets": [_ticket_row(ticket) for ticket in tickets], "next": following,
                "total": uow.support_tickets.count(queries.LIVE_AGENT_QUEUE, live_agent_requested=True,
                                                   statuses=statuses)}

    return _as_admin(deps, is_admin, look)


def ticket(deps: Deps, *, is_admin: bool, ticket_id: str) -> dict[str, Any]:
    """One ticket and its whole conversation (the person's, the assistant's and the admins' messages), and the
    admins' internal notes."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        found = uow.support_tickets.get(ticket_id)
        if found is None:
            raise NotFound("No such support ticket.")
        messages = uow.support_messages.find(queries.MESSAGES_OF_TICKET, ticket_id=ticket_id, limit=MESSAGES_SHOWN)
        notes = uow.ticket_private.get_or_default(ticket_id).internal_notes
        return {**_ticket_row(found), "internal_notes": [note.model_dump(mode="json") for note in notes],
                "messages": [{
            "message_id": m.id, "sender_type": m.sender_type, "sender_name": m.sender_name, "message": m.message,
            "message_type": m.message_type, "attachment_url": m.attachment_url, "ai_generated": m.ai_generated,
            "created_date": m.created_date} for m in messages]}

    return _as_admin(deps, is_admin, look)


def _ticket_row(found: SupportTicket) -> dict[str, Any]:
    return {"ticket_id": found.id, "subject": found.subject, "category": found.category, "priority": found.priority,
            "status": found.status, "user_id": found.user_id, "user_name": found.user_name,
            "user_email": found.user_email, "assigned_to_name": found.assigned_to_name,
            "last_message_at": found.last_message_at, "created_date": found.created_date}
