"""The dashboard's counts recomputed by brute force from every document (the oracle of the rollup tests): what
the platform's documents say happened, with no use of the rollups or of `domain.daily_stats`. Over all time,
or over a range of days (each event on the day of its own timestamp: a job's `accepted_at`, a capture's ledger
entry...); `rates` are the spec's key metrics of such counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from google.cloud import firestore

ZONE = ZoneInfo("Australia/Sydney")
"""Settings().default_time_zone: the reporting day."""
Span = tuple[dt.date, dt.date]


def _all(db: firestore.Client, collection: str) -> list[dict[str, Any]]:
    return [snap.to_dict() or {} for snap in db.collection(collection).stream()]


def day_of(at: dt.datetime) -> dt.date:
    return at.astimezone(ZONE).date()


def recount(db: firestore.Client, span: Span | None = None) -> Counter[str]:
    """Every count of `domain.daily_stats.FIELDS` from the documents as they stand (in `span`, those money and
    payment counts the ledger dates: captured, refunded, authorised)."""
    def within(at: dt.datetime | None) -> bool:
        return at is not None and (span is None or span[0] <= day_of(at) <= span[1])

    c: Counter[str] = Counter()
    for job in _all(db, "ServiceRequests"):
        c["jobs_created"] += within(job.get("created_date"))
        c["jobs_accepted"] += within(job.get("accepted_at"))
        if job["status"] == "completed" and within(job.get("completed_at")):
            c["jobs_completed"] += 1
            if job.get("accepted_at"):
                c["completion_seconds"] += round((job["completed_at"] - job["accepted_at"]).total_seconds())
                c["completions_timed"] += 1
        c["jobs_cancelled"] += job["status"] == "cancelled" and within(job.get("cancelled_at"))
    for offer in _all(db, "JobOffers"):
        c["offers_made"] += within(offer["offered_at"])
        status = offer["offer_status"]
        if status != "pending" and within(offer["expires_at"] if status == "expired" else offer.get("responded_at")):
            c[f"offers_{status}"] += 1
    _count_money(db, c, span, within)
    c["users_new"] = sum(1 for snap in db.collection("Users").stream()
                         if within((snap.to_dict() or {}).get("created_date"))
                         and snap.reference.collection("private").document("data").get().exists)
    c["clients_new"] = sum(within(p.get("created_date")) for p in _all(db, "ClientProfiles"))
    c["technicians_new"] = sum(within(p.get("created_date")) for p in _all(db, "DispatcherProfiles"))
    c["disputes_raised"] = sum(within(d.get("opened_at")) for d in _all(db, "Disputes"))
    c["fraud_alerts_raised"] = sum(within(a.get("created_date")) for a in _all(db, "FraudAlerts"))
    for collection, prefix in (("Reviews", "technician"), ("ClientReviews", "client")):
        for review in _all(db, collection):
            if within(review["created_date"]):
                c[f"{prefix}_rating_sum"] += review["rating"]
                c[f"{prefix}_ratings"] += 1
    for ticket in _all(db, "SupportTickets"):
        if within(ticket.get("first_agent_reply_at")):
            start = ticket.get("live_agent_requested_at") or ticket["created_date"]
            c["first_response_seconds"] += round((ticket["first_agent_reply_at"] - start).total_seconds())
            c["first_responses"] += 1
    return +c


def _count_money(db: firestore.Client, c: Counter[str], span: Span | None, within: Any) -> None:
    payments = _all(db, "JobPayments")
    c["payments_failed"] += sum(p["authorization_status"] == "failed" and within(p.get("updated_date"))
                                for p in payments)
    if span is None:
        for payment in payments:
            c["payments_attempted"] += payment.get("authorization_attempts", 0)
            c["payments_authorized"] += payment["authorization_status"] in ("authorized", "captured")
            for name in ("captured_minor", "refunded_minor", "fee_minor"):
                c[name] += payment.get(name, 0)
            c["payments_captured"] += payment.get("captured_minor", 0) > 0
            c["payments_refunded"] += payment.get("refunded_minor", 0) > 0
        return
    entries = [entry for entry in _all(db, "PaymentLedger") if within(entry["created_date"])]
    for kind, amount, jobs in (("capture", "captured_minor", "payments_captured"),
                               ("refund", "refunded_minor", "payments_refunded")):
        mine = [entry for entry in entries if entry["kind"] == kind]
        c[amount] += sum(entry["amount_minor"] for entry in mine)
        c[jobs] += len({entry["request_id"] for entry in mine})
    c["payments_authorized"] += sum(entry["kind"] == "authorization" for entry in entries)


def rates(c: Counter[str]) -> dict[str, float | None]:
    """The key metrics of counts, as the dashboard defines them (docs/api.md `admin_dashboard`)."""
    def share(part: str, *whole: str) -> float | None:
        total = sum(c[name] for name in whole)
        return c[part] / total if total else None

    def mean(total: str, count: str, unit: float = 1.0) -> float | None:
        return c[total] / c[count] / unit if c[count] else None

    return {
        "job_acceptance_rate": share("jobs_accepted", "jobs_created"),
        "cancellation_rate": share("jobs_cancelled", "jobs_created"),
        "offer_acceptance_rate": share("offers_accepted", "offers_made"),
        "average_completion_minutes": mean("completion_seconds", "completions_timed", 60),
        "payment_success_rate": share("payments_authorized", "payments_authorized", "payments_failed"),
        "refund_rate": share("payments_refunded", "payments_captured"),
        "dispute_rate": share("disputes_raised", "jobs_completed"),
        "fraud_alert_rate": share("fraud_alerts_raised", "jobs_created"),
        "average_technician_rating": mean("technician_rating_sum", "technician_ratings"),
        "average_client_rating": mean("client_rating_sum", "client_ratings"),
        "support_first_response_minutes": mean("first_response_seconds", "first_responses", 60),
    }


def rolled_up(db: firestore.Client) -> Counter[str]:
    """Every day of every DailyStats shard, summed."""
    total: Counter[str] = Counter()
    for stats in _all(db, "DailyStats"):
        for counts in stats["days"].values():
            total.update(counts)
    return +total
