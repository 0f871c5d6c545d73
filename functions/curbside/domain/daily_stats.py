"""The admin dashboard's daily rollups (D95-D97): what one document's change adds to its day, and what the days
add up to.

A commit's contribution is read off the change itself — the document before this commit and as the commit
leaves it — so it counts each event exactly once: a replayed trigger or retried call finds the change already
made, changes nothing and adds nothing. Days are calendar days in the platform's reporting time zone
(`Settings.default_time_zone`), the day the commit happened. Money is in minor units of the reporting currency
(`CURRENCY`); a payment in another region's currency counts its amounts under names of their own
(`captured_minor_nzd`), which the dashboard's revenue leaves out rather than adding cents of two currencies
(D122).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from curbside.domain.documents import (
    ClientProfile,
    ClientReview,
    DailyStats,
    DispatcherProfile,
    Dispute,
    FraudAlert,
    JobOffer,
    JobPayment,
    Review,
    ServiceRequest,
    SupportTicket,
    UserPrivate,
)
from curbside.domain.enums import AuthorizationStatus, OfferStatus, RequestStatus

SHARDS = 4
"""Documents per month that commits spread their increments over (D96): each takes a quarter of the writes,
and a dashboard load reads every shard of the months it shows."""
MAX_RANGE_DAYS = 90
FIELDS = (
    "jobs_created", "jobs_accepted", "jobs_completed", "jobs_cancelled", "completion_seconds", "completions_timed",
    "offers_made", "offers_accepted", "offers_expired", "offers_rejected",
    "payments_attempted", "payments_authorized", "payments_failed",
    "captured_minor", "refunded_minor", "fee_minor", "payments_captured", "payments_refunded",
    "users_new", "clients_new", "technicians_new", "disputes_raised", "fraud_alerts_raised",
    "technician_rating_sum", "technician_ratings", "client_rating_sum", "client_ratings",
    "first_response_seconds", "first_responses",
)
"""Every count a day holds."""
Counts = Counter[str]
_OFFER_ENDS = {OfferStatus.ACCEPTED: "offers_accepted", OfferStatus.EXPIRED: "offers_expired",
               OfferStatus.REJECTED: "offers_rejected"}
_HELD = {AuthorizationStatus.AUTHORIZED, AuthorizationStatus.CAPTURED}


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    return None if start is None or end is None else max(0, round((end - start).total_seconds()))


def _job(before: ServiceRequest | None, after: ServiceRequest) -> Counts:
    counts: Counts = Counter()
    if before is None:
        counts["jobs_created"] += 1
    was_accepted = before is not None and before.accepted_at is not None
    if was_accepted != (after.accepted_at is not None):  # a job sent back to pending gives its acceptance back
        counts["jobs_accepted"] += 1 if after.accepted_at is not None else -1
    if (before.status if before else None) is not after.status:
        if after.status is RequestStatus.COMPLETED:
            counts["jobs_completed"] += 1
            took = _seconds(after.accepted_at, after.completed_at)
            if took is not None:
                counts["completion_seconds"] += took
                counts["completions_timed"] += 1
        elif after.status is RequestStatus.CANCELLED:
            counts["jobs_cancelled"] += 1
    return counts


def _offer(before: JobOffer | None, after: JobOffer) -> Counts:
    counts: Counts = Counter()
    if before is None:
        counts["offers_made"] += 1
    if (before.offer_status if before else None) is not after.offer_status and after.offer_status in _OFFER_ENDS:
        counts[_OFFER_ENDS[after.offer_status]] += 1
    return counts


MONEY_FIELDS = ("captured_minor", "refunded_minor", "fee_minor")


def _payment(before: JobPayment | None, after: JobPayment, reporting: str | None) -> Counts:
    was = (before.authorization_attempts, before.captured_minor, before.refunded_minor, before.fee_minor,
           before.authorization_status) if before else (0, 0, 0, 0, AuthorizationStatus.NOT_STARTED)
    counts: Counts = Counter({
        "payments_attempted": after.authorization_attempts - was[0], "captured_minor": after.captured_minor - was[1],
        "refunded_minor": after.refunded_minor - was[2], "fee_minor": after.fee_minor - was[3],
        "payments_captured": int(after.captured_minor > 0 and was[1] == 0),
        "payments_refunded": int(after.refunded_minor > 0 and was[2] == 0)})
    if after.authorization_status is not was[4]:
        if after.authorization_status in _HELD and was[4] not in _HELD:
            counts["payments_authorized"] += 1
        elif after.authorization_status is AuthorizationStatus.FAILED:
            counts["payments_failed"] += 1
    if reporting is not None and after.currency.upper() != reporting.upper():
        for name in MONEY_FIELDS:
            counts[f"{name}_{after.currency.lower()}"] = counts.pop(name, 0)
    return counts


def _ticket(before: SupportTicket | None, after: SupportTicket) -> Counts:
    if after.first_agent_reply_at is None or (before is not None and before.first_agent_reply_at is not None):
        return Counter()
    waited = _seconds(after.live_agent_requested_at or after.created_date, after.first_agent_reply_at)
    return Counter({"first_response_seconds": waited or 0, "first_responses": 1})


def _created(before: BaseModel | None, after: BaseModel) -> Counts:
    """What a new document of a kind counted only at its creation adds."""
    if before is not None:
        return Counter()
    if isinstance(after, Review):
        return Counter({"technician_rating_sum": after.rating, "technician_ratings": 1})
    if isinstance(after, ClientReview):
        return Counter({"client_rating_sum": after.rating, "client_ratings": 1})
    name = {UserPrivate: "users_new", ClientProfile: "clients_new", DispatcherProfile: "technicians_new",
            Dispute: "disputes_raised", FraudAlert: "fraud_alerts_raised"}.get(type(after))
    return Counter({name: 1}) if name else Counter()


def change_counts(before: BaseModel | None, after: BaseModel, reporting: str | None = None) -> Counts:
    """What the change of one document from `before` (None: new) to `after` adds to its day; zeros dropped.
    `reporting`: the currency the money fields count in (None: every payment's)."""
    counts: Counts
    if isinstance(after, ServiceRequest):
        counts = _job(before if isinstance(before, ServiceRequest) else None, after)
    elif isinstance(after, JobOffer):
        counts = _offer(before if isinstance(before, JobOffer) else None, after)
    elif isinstance(after, JobPayment):
        counts = _payment(before if isinstance(before, JobPayment) else None, after, reporting)
    elif isinstance(after, SupportTicket):
        counts = _ticket(before if isinstance(before, SupportTicket) else None, after)
    else:
        counts = _created(before, after)
    return Counter({name: amount for name, amount in counts.items() if amount})


# --- where a day's counts are stored ---------------------------------------------------------------------------

def local_day(at: dt.datetime, zone: str) -> dt.date:
    return at.astimezone(ZoneInfo(zone)).date()


def shard_of(key: str) -> int:
    """The shard a commit adds to, from a path it writes: the same commit always picks the same one."""
    return zlib.crc32(key.encode()) % SHARDS


def document_id(day: dt.date, shard: int) -> str:
    return f"{day:%Y-%m}_{shard}"


def day_key(day: dt.date) -> str:
    return f"d{day.day:02d}"


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s to `last`'s."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def document_ids(days: Iterable[dt.date]) -> list[str]:
    """Every shard of every month the days fall in: what a dashboard load reads."""
    months = sorted({day.replace(day=1) for day in days})
    return [document_id(month, shard) for month in months for shard in range(SHARDS)]


def by_day(documents: Iterable[DailyStats]) -> dict[dt.date, Counts]:
    """The stored shards summed per day."""
    days: dict[dt.date, Counts] = {}
    for stored in documents:
        year, month = (int(part) for part in stored.month.split("-"))
        for key, counts in stored.days.items():
            days.setdefault(dt.date(year, month, int(key[1:])), Counter()).update(counts)
    return days


# --- what the dashboard shows --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Range:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def total(days: Mapping[dt.date, Counts], span: Range) -> Counts:
    summed: Counts = Counter()
    for day in span.days:
        summed.update(days.get(day, Counter()))
    return summed


def _ratio(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(part / whole, 4)


def key_metrics(c: Mapping[str, int]) -> dict[str, float | None]:
    """The spec's key metrics over a range's summed counts (None where nothing happened to measure)."""
    def mean(total_name: str, count_name: str, unit: float = 1.0) -> float | None:
        count = c.get(count_name, 0)
        return None if count <= 0 else round(c.get(total_name, 0) / count / unit, 2)

    return {
        "job_acceptance_rate": _ratio(c.get("jobs_accepted", 0), c.get("jobs_created", 0)),
        "cancellation_rate": _ratio(c.get("jobs_cancelled", 0), c.get("jobs_created", 0)),
        "offer_acceptance_rate": _ratio(c.get("offers_accepted", 0), c.get("offers_made", 0)),
        "average_completion_minutes": mean("completion_seconds", "completions_timed", 60),
        "payment_success_rate": _ratio(c.get("payments_authorized", 0),
                                       c.get("payments_authorized", 0) + c.get("payments_failed", 0)),
        "refund_rate": _ratio(c.get("payments_refunded", 0), c.get("payments_captured", 0)),
        "dispute_rate": _ratio(c.get("disputes_raised", 0), c.get("jobs_completed", 0)),
        "fraud_alert_rate": _ratio(c.get("fraud_alerts_raised", 0), c.get("jobs_created", 0)),
        "average_technician_rating": mean("technician_rating_sum", "technician_ratings"),
        "average_client_rating": mean("client_rating_sum", "client_ratings"),
        "support_first_response_minutes": mean("first_response_seconds", "first_responses", 60),
    }


def net_revenue(c: Mapping[str, int]) -> int:
    """Captured minus refunded, in minor units."""
    return c.get("captured_minor", 0) - c.get("refunded_minor", 0)
