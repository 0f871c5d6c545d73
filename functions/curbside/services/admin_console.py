"""What only the hosted admin console needs (issue 18): the dashboard's KPI cards, the pages of the Users and
fraud-alert screens, the rewards catalogue, and the live-agent ticket queue with one ticket's conversation.
The actions are the capabilities' own admin callables (`admin_set_account_status`, `admin_update_fraud_alert`,
`admin_upsert_reward`, `admin_reply_ticket`, `admin_review_verification`).

The dashboard's figures are Firestore `count()`s over catalogued queries (`store/queries.py`), billed one read
per 1,000 documents counted, so a load never reads the documents themselves: eleven counts, eleven reads while
each counted set stays under 1,000 (D76). The figures that need history — revenue per day, jobs per day by
outcome, user growth, the spec's rates — want daily rollup documents kept by the commits that change them;
they are not built yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from curbside.deps import Deps
from curbside.domain.documents.disputes import Dispute
from curbside.domain.documents.support import SupportTicket
from curbside.domain.documents.users import User
from curbside.domain.enums import (
    AccountStatus,
    DisputeStatus,
    FraudAlertStatus,
    FraudAlertType,
    RequestStatus,
    Severity,
    TicketStatus,
    UserRole,
    UserType,
)
from curbside.domain.errors import NotAllowed, NotFound
from curbside.domain.fraud import OPEN as OPEN_ALERTS
from curbside.domain.lifecycles import DISPUTE_WAITING
from curbside.domain.tracking import ACTIVE_JOB_STATUSES
from curbside.services import leads, work
from curbside.services.verification_review import EPOCH
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
WAITING_FOR_AGENT = [TicketStatus.WAITING_ADMIN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_USER,
                     TicketStatus.OPEN]
"""A live-agent ticket that is neither resolved nor closed."""


def _as_admin(deps: Deps, is_admin: bool, look: Callable[[UnitOfWork], T]) -> T:
    """Run the console's read `look`, for admins only (refused before anything is read)."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)
    return work.reading(deps, look)


def dashboard(deps: Deps, *, is_admin: bool) -> dict[str, Any]:
    """The KPI cards: people by kind, jobs waiting and under way, the open queues, technicians online now."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        return {
            "users": {
                "total": uow.users.count(queries.ALL_USERS),
                "clients": uow.users.count(queries.USERS_OF_TYPE, user_type=UserType.CLIENT),
                "technicians": uow.users.count(queries.USERS_OF_TYPE, user_type=UserType.DISPATCHER),
                "admins": uow.users.count(queries.ADMINS, role=UserRole.ADMIN),
            },
            "jobs": {
                "pending": uow.requests.count(queries.JOBS_IN_STATUSES, statuses=[RequestStatus.PENDING]),
                "active": uow.requests.count(queries.JOBS_IN_STATUSES, statuses=sorted(ACTIVE_JOB_STATUSES)),
            },
            "open_disputes": uow.disputes.count(queries.DISPUTES_IN_STATUSES, statuses=list(DISPUTE_WAITING)),
            "open_fraud_alerts": uow.fraud_alerts.count(queries.FRAUD_ALERTS_IN_STATUSES,
                                                        statuses=sorted(OPEN_ALERTS)),
            "technicians_online": uow.locations.count(queries.TECHNICIANS_ONLINE, is_online=True,
                                                      account_status=AccountStatus.ACTIVE),
            "verifications_waiting": uow.dispatcher_profiles.count(queries.TECHNICIANS_AWAITING_REVIEW, since=EPOCH),
            "tickets_for_live_agent": uow.support_tickets.count(queries.TICKETS_FOR_LIVE_AGENT,
                                                                live_agent_requested=True, statuses=WAITING_FOR_AGENT),
            "leads": leads.funnel(uow),
            "as_of": uow.now.isoformat(),
        }

    return _as_admin(deps, is_admin, look)


def user_page(deps: Deps, *, is_admin: bool, tab: str, email: str | None, phone: str | None, limit: int,
              after: str | None) -> dict[str, Any]:
    """A page of the Users screen, newest first (`after`: the last uid of the page before), or the people with
    that e-mail or phone number; each row with the account status kept in the private part (one read a row)."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        if email is not None or phone is not None:
            spec, params = ((queries.USERS_BY_EMAIL, {"email": email}) if email is not None
                            else (queries.USERS_BY_PHONE, {"phone_number": phone}))
            return {"users": [_user_row(uow, user) for user in uow.users.find(spec, limit=limit, **params)],
                    "next": None}
        spec, params = TABS[tab]
        found, following = _page(uow.users, spec, params, limit=limit, after=after)
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
        found, following = _page(uow.fraud_alerts, spec, params, limit=limit, after=after)
        return {"alerts": [{"alert_id": a.id, "user_id": a.user_id, "user_type": a.user_type,
                            "alert_type": a.alert_type, "severity": a.severity, "status": a.status,
                            "occurrences": a.occurrences, "related_jobs": a.related_jobs,
                            "alert_details": a.alert_details, "resolution_notes": a.resolution_notes,
                            "reviewed_by": a.reviewed_by, "reviewed_at": a.reviewed_at,
                            "created_date": a.created_date} for a in found], "next": following}

    return _as_admin(deps, is_admin, look)


def _page(repository: DocumentRepository[D], spec: queries.QuerySpec, params: dict[str, Any], *, limit: int,
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
        found, following = _page(uow.disputes, queries.DISPUTE_QUEUE, {"statuses": statuses}, limit=limit,
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


def ticket_queue(deps: Deps, *, is_admin: bool, statuses: list[TicketStatus], limit: int) -> dict[str, Any]:
    """Tickets a person asked a live agent for, in `statuses`, latest message first, and how many there are."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        tickets = uow.support_tickets.find(queries.LIVE_AGENT_QUEUE, live_agent_requested=True, statuses=statuses,
                                           limit=limit)
        return {"tickets": [_ticket_row(ticket) for ticket in tickets],
                "total": uow.support_tickets.count(queries.LIVE_AGENT_QUEUE, live_agent_requested=True,
                                                   statuses=statuses)}

    return _as_admin(deps, is_admin, look)


def ticket(deps: Deps, *, is_admin: bool, ticket_id: str) -> dict[str, Any]:
    """One ticket and its whole conversation (the person's, the assistant's and the admins' messages)."""
    def look(uow: UnitOfWork) -> dict[str, Any]:
        found = uow.support_tickets.get(ticket_id)
        if found is None:
            raise NotFound("No such support ticket.")
        messages = uow.support_messages.find(queries.MESSAGES_OF_TICKET, ticket_id=ticket_id, limit=MESSAGES_SHOWN)
        return {**_ticket_row(found), "messages": [{
            "message_id": m.id, "sender_type": m.sender_type, "sender_name": m.sender_name, "message": m.message,
            "message_type": m.message_type, "attachment_url": m.attachment_url, "ai_generated": m.ai_generated,
            "created_date": m.created_date} for m in messages]}

    return _as_admin(deps, is_admin, look)


def _ticket_row(found: SupportTicket) -> dict[str, Any]:
    return {"ticket_id": found.id, "subject": found.subject, "category": found.category, "priority": found.priority,
            "status": found.status, "user_id": found.user_id, "user_name": found.user_name,
            "user_email": found.user_email, "assigned_to_name": found.assigned_to_name,
            "last_message_at": found.last_message_at, "created_date": found.created_date}
