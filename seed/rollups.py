"""The dashboard's rollups of the seeded history (D95): the seed writes its documents whole, not through the
unit of work, so it also writes the `DailyStats` those documents would have added up to — each count on the
day its event happened (a job's creation, acceptance, completion or cancellation; a person's sign-up), in
shard 0. The functions then add to them as the local stack changes things, as in production."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from curbside.domain import daily_stats as stats
from curbside.domain.documents import (
    ClientProfile,
    DailyStats,
    DispatcherProfile,
    Document,
    ServiceRequest,
    User,
    UserPrivate,
)
from curbside.store.codec import from_document
from curbside.store.collections import Collection
from seed.records import SeedDoc, public

WHEN = {"jobs_accepted": "accepted_at", "jobs_completed": "completed_at", "completion_seconds": "completed_at",
        "completions_timed": "completed_at", "jobs_cancelled": "cancelled_at"}
"""The time of a job's event by the count it adds to (anything else: its creation)."""
KINDS: dict[str, type[Document]] = {Collection.SERVICE_REQUESTS: ServiceRequest, Collection.USERS: User,
                                    Collection.CLIENT_PROFILES: ClientProfile,
                                    Collection.DISPATCHER_PROFILES: DispatcherProfile}


def rollup_documents(docs: Sequence[SeedDoc], zone: str) -> list[SeedDoc]:
    """The rollups of the seeded jobs, people and profiles (every seeded user has a private part: signed up)."""
    models: list[Document] = []
    for doc in docs:
        collection, doc_id = doc.path.split("/")[:2]
        if collection in KINDS and not doc.path.endswith("/private/data"):
            models.append(from_document(KINDS[collection], doc.data, doc_id=doc_id))
    return [public(month) for month in rollups_of(models, zone)]


def rollups_of(models: Iterable[Document], zone: str) -> list[DailyStats]:
    """Shard 0 of every month the models' events fall in (also the benchmark's backfill)."""
    days: dict[dt.date, Counter[str]] = {}
    for model in models:
        events = [(model.created_date, stats.change_counts(None, UserPrivate()))] if isinstance(model, User) else [
            (getattr(model, WHEN.get(name, "created_date")), Counter({name: amount}))
            for name, amount in stats.change_counts(None, model).items()]
        for at, counted in events:
            if at is not None:
                days.setdefault(stats.local_day(at, zone), Counter()).update(counted)
    months: dict[str, DailyStats] = {}
    for day, counts in sorted(days.items()):
        month = months.setdefault(stats.document_id(day, 0), DailyStats(
            id=stats.document_id(day, 0), month=f"{day:%Y-%m}", shard=0))
        month.days[stats.day_key(day)] = dict(sorted(counts.items()))
    return list(months.values())
