"""The dashboard's rollups of the seeded history (D95): the seed writes its documents whole, not through the
unit of work, so it also writes the `DailyStats` those documents would have added up to — each count on the
day its event happened (a job's creation, acceptance, completion or cancellation; a person's sign-up), in
shard 0. The functions then add to them as the local stack changes things, as in production."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from curbside.domain import daily_stats as stats
from curbside.domain.documents import ClientProfile, DailyStats, DispatcherProfile, ServiceRequest, User, UserPrivate
from curbside.store.codec import from_document
from curbside.store.collections import Collection
from seed.records import SeedDoc, public

WHEN = {"jobs_accepted": "accepted_at", "jobs_completed": "completed_at", "completion_seconds": "completed_at",
        "completions_timed": "completed_at", "jobs_cancelled": "cancelled_at"}
"""The time of a job's event by the count it adds to (anything else: its creation)."""


def rollup_documents(docs: Sequence[SeedDoc], zone: str) -> list[SeedDoc]:
    days: dict[dt.date, Counter[str]] = {}

    def add(at: dt.datetime | None, counts: Counter[str]) -> None:
        if at is not None and counts:
            days.setdefault(stats.local_day(at, zone), Counter()).update(counts)

    for doc in docs:
        collection, doc_id = doc.path.split("/")[:2]
        if doc.path.endswith("/private/data") or collection not in (
                Collection.SERVICE_REQUESTS, Collection.USERS, Collection.CLIENT_PROFILES,
                Collection.DISPATCHER_PROFILES):
            continue
        if collection == Collection.SERVICE_REQUESTS:
            job = from_document(ServiceRequest, doc.data, doc_id=doc_id)
            for name, amount in stats.change_counts(None, job).items():
                add(getattr(job, WHEN.get(name, "created_date")), Counter({name: amount}))
        elif collection == Collection.USERS:  # every seeded user has their private part: signed up
            add(from_document(User, doc.data, doc_id=doc_id).created_date, stats.change_counts(None, UserPrivate()))
        else:
            model = ClientProfile if collection == Collection.CLIENT_PROFILES else DispatcherProfile
            profile = from_document(model, doc.data, doc_id=doc_id)
            add(profile.created_date, stats.change_counts(None, profile))
    months: dict[str, DailyStats] = {}
    for day, counts in sorted(days.items()):
        month = months.setdefault(stats.document_id(day, 0), DailyStats(
            id=stats.document_id(day, 0), month=f"{day:%Y-%m}", shard=0))
        month.days[stats.day_key(day)] = dict(sorted(counts.items()))
    return [public(month) for month in months.values()]
