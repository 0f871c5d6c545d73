"""admin_dashboard's reads per load as the platform ages: 1,000, 10,000 and 100,000 jobs of history.

    .venv/bin/python -m bench.dashboard                      # 1,000 / 10,000 / 100,000; rewrites its section
                                                             # of docs/benchmarks.md
    .venv/bin/python -m bench.dashboard --histories 1000 5000 --no-doc   # a quick look

Each world runs in this process against a Firestore emulator of its own, the service called as the callable
calls it. The history is written in bulk (batched writes, as a backfill would), not job by job through the
functions — that would take hours at 100,000 jobs and is not what is measured: the jobs, at a steady 1,000 per
14 days (so a larger history is an older platform: 100,000 jobs span almost four years), 80 % completed and 20 %
cancelled, plus 12 under way and 3 waiting; and the `DailyStats` those jobs add up to, written by the seed's own
backfill (`seed.rollups.rollups_of`), one shard a month. The people stay the same in every world (500 clients,
50 technicians, an admin): the user-total cards are `count()`s, billed one read per 1,000 users counted (D76),
so they would grow with the users, not the jobs. Reads are the unit of work's own count of what Firestore bills
(`services.work.metering`): a count one per 1,000 counted, a document fetched by id one whether it exists or
not, a query one per document returned.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bench.harness import bare_firestore, reading_deps, run_by_history, seed_documents
from curbside.domain import daily_stats as stats
from curbside.domain.documents import Document, ServiceRequest, User
from curbside.domain.enums import RequestActor, RequestStatus, UserRole, UserType
from curbside.services import dashboard, work
from curbside.settings import Settings
from curbside.store.collections import Collection
from seed.rollups import rollups_of

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
"""14:00 in Sydney, the reporting zone."""
JOBS_PER_FORTNIGHT = 1_000
CLIENTS, TECHNICIANS = 500, 50
GOAL_READS = 60
MINUTE = dt.timedelta(minutes=1)
ZONE = Settings().default_time_zone
LONG_AGO = (dt.date(2025, 9, 15), dt.date(2025, 12, 13))
"""A 90-day range over four months, none of them the last 30 days': the most months a load can read."""


@dataclass(frozen=True)
class Run:
    history: int
    seed_seconds: float
    reads: int
    seconds: float
    far_reads: int
    created_30_days: int
    expected_30_days: int


def job(n: int, at: dt.datetime, status: RequestStatus) -> ServiceRequest:
    client, technician = f"client-{n % CLIENTS:03d}", f"tech-{n % TECHNICIANS:02d}"
    ends: dict[RequestStatus, dict[str, object]] = {
        RequestStatus.COMPLETED: {"accepted_at": at + 3 * MINUTE, "completed_at": at + 70 * MINUTE},
        RequestStatus.CANCELLED: {"cancelled_at": at + 9 * MINUTE, "cancelled_by": client,
                                  "cancelled_by_type": RequestActor.CLIENT},
        RequestStatus.IN_PROGRESS: {"accepted_at": at + 3 * MINUTE}}
    assigned = status is not RequestStatus.PENDING and status is not RequestStatus.CANCELLED
    return ServiceRequest.model_validate({
        "id": f"job-{n:06d}", "client_id": client, "client_name": f"Client {n % CLIENTS}", "car_model": "Mazda 3",
        "license_plate": "ABC123", "car_location_images": [f"users/{client}/request_photos/job-{n:06d}/1.jpg"],
        "location_address": "George St, Sydney", "location_lat": -33.87, "location_lng": 151.2, "status": status,
        "dispatcher_id": technician if assigned else None, "price": Decimal("56.00"),
        "final_price": Decimal("56.00"), "created_date": at, "updated_date": at + 70 * MINUTE, **ends.get(status, {})})


def history(size: int) -> list[ServiceRequest]:
    step = dt.timedelta(days=14) / JOBS_PER_FORTNIGHT
    jobs = [job(n, NOW - (n + 1) * step - dt.timedelta(hours=2),
                RequestStatus.CANCELLED if n % 5 == 4 else RequestStatus.COMPLETED) for n in range(size)]
    jobs += [job(size + n, NOW - dt.timedelta(minutes=20 + n), RequestStatus.IN_PROGRESS) for n in range(12)]
    return jobs + [job(size + 12 + n, NOW - dt.timedelta(minutes=n + 1), RequestStatus.PENDING) for n in range(3)]


def people() -> list[User]:
    joined = NOW - dt.timedelta(days=400)
    return [User(id="admin-1", uid="admin-1", role=UserRole.ADMIN, created_date=joined),
            *(User(id=f"client-{n:03d}", uid=f"client-{n:03d}", user_type=UserType.CLIENT,
                   created_date=joined + dt.timedelta(hours=n)) for n in range(CLIENTS)),
            *(User(id=f"tech-{n:02d}", uid=f"tech-{n:02d}", user_type=UserType.DISPATCHER,
                   created_date=joined + dt.timedelta(hours=n)) for n in range(TECHNICIANS))]


def measure(size: int) -> Run:
    jobs, users = history(size), people()
    today = stats.local_day(NOW, ZONE)
    month_ago = today - dt.timedelta(days=29)
    with bare_firestore() as db:
        models: list[Document] = [*jobs, *users]
        seed_seconds = seed_documents(db, Collection.SERVICE_REQUESTS, jobs)
        seed_seconds += seed_documents(db, Collection.USERS, users)
        seed_seconds += seed_documents(db, Collection.DAILY_STATS, rollups_of(models, ZONE))
        deps = reading_deps(db, NOW)
        start = time.perf_counter()
        with work.metering() as meter:
            figures = dashboard.dashboard(deps, is_admin=True)
        seconds = time.perf_counter() - start
        with work.metering() as far:
            dashboard.dashboard(deps, is_admin=True, from_date=LONG_AGO[0], to_date=LONG_AGO[1])
    expected = sum(month_ago <= stats.local_day(j.created_date, ZONE) <= today for j in jobs)
    return Run(size, seed_seconds, meter.reads, seconds, far.reads, figures["range"]["totals"]["jobs_created"],
               expected)


def report(runs: Sequence[Run]) -> list[str]:
    sizes = " ".join(str(run.history) for run in runs)
    return [
        f"Measured with `python -m bench.dashboard --histories {sizes}` on {dt.date.today().isoformat()} (this 2-core "
        "machine shared with other work, Firestore emulator, the service in-process as the callable runs it). "
        f"History at a steady {JOBS_PER_FORTNIGHT} jobs per 14 days, written in bulk with its rollups (see the "
        f"script's docstring); {CLIENTS} clients and {TECHNICIANS} technicians in every world. 'Default load': the "
        "last 30 days; 'far range': 90 days over four months of the year before, besides the last 30 days' two.",
        "",
        "| jobs of history | reads, default load | duration | reads, far 90-day range | jobs created in the last 30 "
        "days: dashboard / seeded | bulk seeding |",
        "|---:|---:|---:|---:|---:|---:|",
        *(f"| {run.history:,} | {run.reads} | {run.seconds:.2f} s | {run.far_reads} | {run.created_30_days} / "
          f"{run.expected_30_days} | {run.seed_seconds:.0f} s |" for run in runs),
    ]


def checks(runs: Sequence[Run]) -> list[tuple[str, bool]]:
    return [
        ("the same reads per load at every size", len({run.reads for run in runs}) == 1
         and len({run.far_reads for run in runs}) == 1),
        (f"at most {GOAL_READS} reads per load, the farthest range included",
         all(max(run.reads, run.far_reads) <= GOAL_READS for run in runs)),
        ("the rollups answer the seeded jobs exactly",
         all(run.created_30_days == run.expected_30_days for run in runs)),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    return run_by_history(argv, prog="python -m bench.dashboard", description=__doc__.split("\n\n")[0],
                          name="dashboard", heading="Admin dashboard: reads per load (issue 18)",
                          measure=measure, report=report, checks=checks)


if __name__ == "__main__":
    sys.exit(main())
