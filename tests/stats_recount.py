"""The dashboard's counts recomputed by brute force from every document (the oracle of the rollup tests): what
the platform's documents say happened, day by day, with no use of the rollups or of `domain.daily_stats`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from google.cloud import firestore

ZONE = ZoneInfo("Australia/Sydney")
"""Settings().default_time_zone: the reporting day."""


def _all(db: firestore.Client, collection: str) -> list[dict[str, Any]]:
    return [snap.to_dict() or {} for snap in db.collection(collection).stream()]


def recount(db: firestore.Client) -> Counter[str]:
    """Every count of `domain.daily_stats.FIELDS`, over all time, from the documents as they stand."""
    c: Counter[str] = Counter()
    for job in _all(db, "ServiceRequests"):
        c["jobs_created"] += 1
        c["jobs_accepted"] += job.get("accepted_at") is not None
        if job["status"] == "completed":
            c["jobs_completed"] += 1
            if job.get("accepted_at") and job.get("completed_at"):
                c["completion_seconds"] += round((job["completed_at"] - job["accepted_at"]).total_seconds())
                c["completions_timed"] += 1
        c["jobs_cancelled"] += job["status"] == "cancelled"
    for offer in _all(db, "JobOffers"):
        c["offers_made"] += 1
        if offer["offer_status"] != "pending":
            c[f"offers_{offer['offer_status']}"] += 1
    for payment in _all(db, "JobPayments"):
        c["payments_attempted"] += payment.get("authorization_attempts", 0)
        c["payments_authorized"] += payment["authorization_status"] in ("authorized", "captured")
        c["payments_failed"] += payment["authorization_status"] == "failed"
        for name in ("captured_minor", "refunded_minor", "fee_minor"):
            c[name] += payment.get(name, 0)
        c["payments_captured"] += payment.get("captured_minor", 0) > 0
        c["payments_refunded"] += payment.get("refunded_minor", 0) > 0
    c["users_new"] = sum(1 for snap in db.collection("Users").stream()
                         if snap.reference.collection("private").document("data").get().exists)
    c["clients_new"] = len(_all(db, "ClientProfiles"))
    c["technicians_new"] = len(_all(db, "DispatcherProfiles"))
    c["disputes_raised"] = len(_all(db, "Disputes"))
    c["fraud_alerts_raised"] = len(_all(db, "FraudAlerts"))
    for collection, prefix in (("Reviews", "technician"), ("ClientReviews", "client")):
        for review in _all(db, collection):
            c[f"{prefix}_rating_sum"] += review["rating"]
            c[f"{prefix}_ratings"] += 1
    for ticket in _all(db, "SupportTickets"):
        if ticket.get("first_agent_reply_at"):
            start = ticket.get("live_agent_requested_at") or ticket["created_date"]
            c["first_response_seconds"] += round((ticket["first_agent_reply_at"] - start).total_seconds())
            c["first_responses"] += 1
    return +c


def rolled_up(db: firestore.Client) -> Counter[str]:
    """Every day of every DailyStats shard, summed."""
    total: Counter[str] = Counter()
    for stats in _all(db, "DailyStats"):
        for counts in stats["days"].values():
            total.update(counts)
    return +total


def day_of(at: dt.datetime) -> dt.date:
    return at.astimezone(ZONE).date()
