"""The admin dashboard's one read (issue 18): its cards, charts, key metrics and recent activity.

What is *current state* — people by kind, jobs waiting and under way, the open queues, technicians online — is
a Firestore `count()` over a catalogued query (billed one read per 1,000 counted; these sets are the open
ones, except the user totals, D76). What happened *over time* — revenue, jobs by outcome, new users and the
spec's rates — comes from the daily rollups the commits keep (`DailyStats`, D95-D96): every shard of every
month shown, fetched by id in one round trip. The feed is one query of the 20 latest job changes. So a load
costs the same whatever the history: 11 counts + at most 6 months x 4 shards + 20 (D98, bench.dashboard).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from curbside.deps import Deps
from curbside.domain import daily_stats as stats
from curbside.domain.enums import AccountStatus, RequestStatus, TicketStatus, UserRole, UserType
from curbside.domain.errors import InvalidInput, NotAllowed
from curbside.domain.fraud import OPEN as OPEN_ALERTS
from curbside.domain.lifecycles import DISPUTE_WAITING
from curbside.domain.tracking import ACTIVE_JOB_STATUSES
from curbside.services import leads, work
from curbside.services.admin_console import ONLY_ADMINS
from curbside.services.verification_review import EPOCH
from curbside.store import queries
from curbside.store.uow import UnitOfWork

DEFAULT_RANGE_DAYS = 30
FEED_SIZE = 20
WAITING_FOR_AGENT = [TicketStatus.WAITING_ADMIN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_USER,
                     TicketStatus.OPEN]
"""A live-agent ticket that is neither resolved nor closed."""
SERIES = ("jobs_created", "jobs_accepted", "jobs_completed", "jobs_cancelled", "captured_minor", "refunded_minor",
          "fee_minor", "users_new", "clients_new", "technicians_new")
"""The day-by-day counts the charts draw."""


def chosen_range(today: dt.date, first: dt.date | None, last: dt.date | None) -> stats.Range:
    """The range asked for (by default the 30 days to today), refused when backwards or too long."""
    last = last or (today if first is None else min(today, first + dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)))
    first = first or last - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if first > last:
        raise InvalidInput("from_date is after to_date: choose a range that runs forward.")
    if (last - first).days + 1 > stats.MAX_RANGE_DAYS:
        raise InvalidInput(f"The range is {(last - first).days + 1} days; the dashboard shows at most "
                           f"{stats.MAX_RANGE_DAYS} days at once.")
    return stats.Range(first, last)


def dashboard(deps: Deps, *, is_admin: bool, from_date: dt.date | None = None,
              to_date: dt.date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, for the range `from_date`..`to_date` (days in the reporting zone)."""
    if not is_admin:
        raise NotAllowed(ONLY_ADMINS)
    today = stats.local_day(deps.clock.now(), deps.settings.default_time_zone)
    span = chosen_range(today, from_date, to_date)
    recent = stats.Range(today - dt.timedelta(days=29), today)

    def look(uow: UnitOfWork) -> dict[str, Any]:
        ids = stats.document_ids([*span.days, *recent.days])
        days = stats.by_day(found for found in uow.daily_stats.get_many(ids) if found is not None)
        in_range = stats.total(days, span)
        return {
            **_cards(uow),
            "revenue": _revenue(days, today, uow.settings.currency),
            "range": {"from_date": span.first.isoformat(), "to_date": span.last.isoformat(),
                      "totals": {name: in_range[name] for name in stats.FIELDS}},
            "series": [{"date": day.isoformat(), **{name: days.get(day, stats.Counts())[name] for name in SERIES}}
                       for day in span.days],
            "metrics": stats.key_metrics(in_range),
            "recent_activity": [{
                "request_id": job.id, "status": job.status, "client_name": job.client_name,
                "final_price": float(job.final_price), "updated_date": job.updated_date,
            } for job in uow.requests.find(queries.RECENT_JOBS, limit=FEED_SIZE)],
            "today": today.isoformat(),
            "time_zone": uow.settings.default_time_zone,
            "as_of": uow.now.isoformat(),
        }

    return work.reading(deps, look)


def _revenue(days: dict[dt.date, stats.Counts], today: dt.date, currency: str) -> dict[str, Any]:
    """The revenue cards: today, the last 7 and the last 30 days (today included), in minor units."""
    cards: dict[str, Any] = {"currency": currency}
    for name, length in (("today", 1), ("last_7_days", 7), ("last_30_days", 30)):
        summed = stats.total(days, stats.Range(today - dt.timedelta(days=length - 1), today))
        cards[name] = {"net_minor": stats.net_revenue(summed), "captured_minor": summed["captured_minor"],
                       "refunded_minor": summed["refunded_minor"], "fee_minor": summed["fee_minor"]}
    return cards


def _cards(uow: UnitOfWork) -> dict[str, Any]:
    """The current-state cards: one `count()` each."""
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
        "open_fraud_alerts": uow.fraud_alerts.count(queries.FRAUD_ALERTS_IN_STATUSES, statuses=sorted(OPEN_ALERTS)),
        "technicians_online": uow.locations.count(queries.TECHNICIANS_ONLINE, is_online=True,
                                                  account_status=AccountStatus.ACTIVE),
        "verifications_waiting": uow.dispatcher_profiles.count(queries.TECHNICIANS_AWAITING_REVIEW, since=EPOCH),
        "tickets_for_live_agent": uow.support_tickets.count(queries.TICKETS_FOR_LIVE_AGENT,
                                                            live_agent_requested=True, statuses=WAITING_FOR_AGENT),
        "leads": leads.funnel(uow),
    }
