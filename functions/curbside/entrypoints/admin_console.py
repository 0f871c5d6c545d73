"""The hosted admin console's own callables (issue 18): what its screens need that no other capability
provides. Everything else the console does goes through the capabilities' own admin callables."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from firebase_functions import https_fn
from pydantic import Field, field_validator

from curbside import deps
from curbside.domain.enums import DisputeStatus, FraudAlertStatus, FraudAlertType, Severity, TicketStatus
from curbside.domain.lifecycles import DISPUTE_RESOLVED, DISPUTE_WAITING
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId
from curbside.services import admin_console, dashboard


class DashboardPayload(Payload):
    """The range of the charts and key metrics: days in the platform's reporting time zone, by default the 30
    days to today, at most 90 (`from_date` alone: 30 days from it; `to_date` alone: the 30 days to it)."""

    from_date: dt.date | None = None
    to_date: dt.date | None = None


@on_call()
def admin_dashboard(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DashboardPayload, lambda caller, p: dashboard.dashboard(
        deps.get(), is_admin=caller.is_admin, from_date=p.from_date, to_date=p.to_date))


class UserPagePayload(Payload):
    tab: Literal["all", "clients", "technicians", "admins"] = "all"
    email: Annotated[str, Field(min_length=3, max_length=320)] | None = None
    phone_number: Annotated[str, Field(pattern=r"^\+[1-9][0-9]{6,14}$")] | None = None
    """E.164, as stored once verified."""
    name: Annotated[str, Field(min_length=2, max_length=100)] | None = None
    """The start of any word of the name, or of the whole name, any case (D102)."""
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] = 25
    after: DocId | None = None
    """The `next` of the page before."""


@on_call()
def admin_list_users(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UserPagePayload, lambda caller, p: admin_console.user_page(
        deps.get(), is_admin=caller.is_admin, tab=p.tab, email=p.email.strip().lower() if p.email else None,
        phone=p.phone_number, name=p.name, limit=p.limit, after=p.after))


ALERT_FILTERS: dict[str, list[FraudAlertStatus]] = {
    "open": [FraudAlertStatus.ACTIVE, FraudAlertStatus.INVESTIGATING], **{s.value: [s] for s in FraudAlertStatus}}
"""The console's alert filters: open (active or investigating), or one status."""


class AlertPagePayload(Payload):
    status: Literal["open", "active", "investigating", "resolved", "false_positive"] = "open"
    severity: Severity | None = None
    alert_type: FraudAlertType | None = None
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] = 25
    after: DocId | None = None


@on_call()
def admin_list_fraud_alerts(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, AlertPagePayload, lambda caller, p: admin_console.alert_page(
        deps.get(), is_admin=caller.is_admin, statuses=ALERT_FILTERS[p.status], severity=p.severity,
        alert_type=p.alert_type, limit=p.limit, after=p.after))


class RewardsPayload(Payload):
    limit: Annotated[int, Field(strict=True, ge=1, le=200)] = 200


@on_call()
def admin_list_rewards(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RewardsPayload, lambda caller, p: admin_console.reward_catalogue(
        deps.get(), is_admin=caller.is_admin, limit=p.limit))


DISPUTE_FILTERS: dict[str, list[DisputeStatus]] = {
    **{s.value: [s] for s in DisputeStatus}, "open": list(DISPUTE_WAITING), "resolved": list(DISPUTE_RESOLVED)}
"""The console's dispute filters: undecided ("open": open, under review, awaiting a party, escalated), resolved
(any way), or one status."""


class DisputeQueuePayload(Payload):
    status: str = "open"
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] = 25
    after: DocId | None = None

    @field_validator("status")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in DISPUTE_FILTERS:
            raise ValueError(f"status: one of {', '.join(DISPUTE_FILTERS)}")
        return value


@on_call()
def admin_list_disputes(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DisputeQueuePayload, lambda caller, p: admin_console.dispute_queue(
        deps.get(), is_admin=caller.is_admin, statuses=DISPUTE_FILTERS[p.status], limit=p.limit, after=p.after))


class DisputePayload(Payload):
    dispute_id: DocId


@on_call()
def admin_get_dispute(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DisputePayload, lambda caller, p: admin_console.dispute(
        deps.get(), is_admin=caller.is_admin, dispute_id=p.dispute_id))


TicketQueueName = Literal["waiting", "in_progress", "resolved", "closed"]
QUEUES: dict[str, list[TicketStatus]] = {
    "waiting": [TicketStatus.WAITING_ADMIN, TicketStatus.OPEN],
    "in_progress": [TicketStatus.IN_PROGRESS, TicketStatus.WAITING_USER],
    "resolved": [TicketStatus.RESOLVED],
    "closed": [TicketStatus.CLOSED],
}
"""The console's ticket filters: waiting for us, in hand (ours or the person's turn), resolved, closed."""


class TicketQueuePayload(Payload):
    queue: TicketQueueName = "waiting"
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] = 50
    after: DocId | None = None
    """The `next` of the page before."""


@on_call()
def admin_list_tickets(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, TicketQueuePayload, lambda caller, p: admin_console.ticket_queue(
        deps.get(), is_admin=caller.is_admin, statuses=QUEUES[p.queue], limit=p.limit, after=p.after))


class TicketPayload(Payload):
    ticket_id: DocId


@on_call()
def admin_get_ticket(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, TicketPayload, lambda caller, p: admin_console.ticket(
        deps.get(), is_admin=caller.is_admin, ticket_id=p.ticket_id))
