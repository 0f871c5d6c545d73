"""apply_pending_reviews at scale: reads and writes per review, and the run's duration.

    .venv/bin/python -m bench.reviews                  # 10,000 due reviews; rewrites its section of
                                                       # docs/benchmarks.md
    .venv/bin/python -m bench.reviews --reviews 1000   # a quick look

The daily job runs in this process against a Firestore emulator of its own, exactly as the scheduled function
runs it. The world: technicians (profile, user, index entry, notification preferences with push on), clients,
and `--reviews` due reviews of technicians spread over them, a tenth of them on disputed jobs (which wait).
Reads and writes are the units of work's own count of what Firestore bills (`services.work.metering`),
the review's `review_received` notice and its fan-out included; a second run over the same day shows what a
repeated run costs when nothing is left to apply.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from google.cloud import firestore

from bench.harness import bare_firestore, print_checks, reading_deps, seed_documents, write_doc_block
from curbside.domain.documents import (
    DispatcherLocation,
    DispatcherProfile,
    JobCompletion,
    NotificationPreferences,
    Review,
    User,
)
from curbside.domain.enums import PaymentStatus, ReviewerType
from curbside.services import reviews, work
from curbside.store.collections import Collection

NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)  # 01:00 in Sydney: the run after midnight
GOAL_READS = GOAL_WRITES = 3
DISPUTED_SHARE = 10


@dataclass(frozen=True)
class Run:
    applied: int
    waiting: int
    seconds: float
    reads: int
    writes: int


def seed(db: firestore.Client, count: int, technicians: int) -> int:
    """The world; returns how many reviews are on disputed jobs."""
    uids = [f"tech-{n:04d}" for n in range(technicians)]
    seed_documents(db, Collection.USERS, [User(id=uid, uid=uid, fcm_tokens=[f"{uid}-token"]) for uid in uids])
    seed_documents(db, Collection.NOTIFICATION_PREFERENCES, [NotificationPreferences(id=uid, user_id=uid)
                                                             for uid in uids])
    seed_documents(db, Collection.DISPATCHER_PROFILES, [DispatcherProfile(
        id=uid, user_id=uid, verification_status="verified", rating=4.8, total_reviews=20, created_date=NOW)
        for uid in uids])
    seed_documents(db, Collection.DISPATCHER_LOCATIONS, [DispatcherLocation(
        id=uid, dispatcher_id=uid, verified=True, rating=4.8, lat=-33.87, lng=151.2, location_updated_at=NOW)
        for uid in uids])
    jobs = [f"job-{n:05d}" for n in range(count)]
    seed_documents(db, Collection.REVIEWS, [Review(
        id=job, request_id=job, reviewer_id=f"client-{n % 500:03d}", reviewee_id=uids[n % technicians],
        reviewer_type=ReviewerType.CLIENT, rating=1 + n % 5, apply_date="2026-11-21", created_date=NOW)
        for n, job in enumerate(jobs)])
    disputed = jobs[::DISPUTED_SHARE]
    seed_documents(db, Collection.JOB_COMPLETIONS, [JobCompletion(
        id=job, request_id=job, dispatcher_id=uids[n * DISPUTED_SHARE % technicians], client_id="client-000",
        completion_images=[f"users/x/completion_photos/{job}/{side}.jpg" for side in ("f", "b", "l", "r")],
        completed_at=NOW, completion_location_lat=-33.87, completion_location_lng=151.2,
        auto_approve_at=NOW, amount=Decimal("56.00"), payment_status=PaymentStatus.DISPUTED, created_date=NOW)
        for n, job in enumerate(disputed)])
    return len(disputed)


def run(deps: object) -> Run:
    start = time.perf_counter()
    with work.metering() as meter:
        result = reviews.apply_pending_reviews(deps)  # type: ignore[arg-type]
    return Run(result.applied, result.waiting, time.perf_counter() - start, meter.reads, meter.writes)


def report(first: Run, second: Run, count: int, technicians: int) -> list[str]:
    per_read, per_write = first.reads / max(1, first.applied), first.writes / max(1, first.applied)
    return [
        f"Measured with `python -m bench.reviews --reviews {count}` on {dt.date.today().isoformat()} (this "
        f"2-core machine shared with other work, Firestore emulator, the service in-process as the scheduled "
        f"function runs it): {count} due reviews of {technicians} technicians, every {DISPUTED_SHARE}th on a "
        "disputed job.",
        "",
        "| run | applied | waiting (disputed) | duration | per review applied | reads | writes | reads / review "
        "| writes / review |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| first | {first.applied} | {first.waiting} | {first.seconds:.1f} s | "
        f"{first.seconds / max(1, first.applied) * 1000:.1f} ms | {first.reads} | {first.writes} | "
        f"{per_read:.2f} | {per_write:.2f} |",
        f"| again, same day | {second.applied} | {second.waiting} | {second.seconds:.1f} s | — | {second.reads} "
        f"| {second.writes} | — | — |",
    ]


def checks(first: Run, second: Run, count: int, disputed: int) -> list[tuple[str, bool]]:
    per_read, per_write = first.reads / max(1, first.applied), first.writes / max(1, first.applied)
    return [
        (f"one run applied all {count - disputed} undisputed reviews and left the {disputed} disputed ones waiting",
         (first.applied, first.waiting) == (count - disputed, disputed)),
        (f"a second run applied nothing ({second.applied})", second.applied == 0),
        (f"reads per review {per_read:.2f} <= {GOAL_READS}", per_read <= GOAL_READS),
        (f"writes per review {per_write:.2f} <= {GOAL_WRITES}", per_write <= GOAL_WRITES),
    ]



def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reviews", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--technicians", type=int, default=200)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    with bare_firestore() as db:
        deps = reading_deps(db, NOW + dt.timedelta(days=1))
        disputed = seed(db, args.reviews, args.technicians)
        first = run(deps)
        second = run(deps)
    lines = report(first, second, args.reviews, args.technicians)
    print("\n".join(lines))
    passed = print_checks(checks(first, second, args.reviews, disputed))
    if not args.no_doc:
        write_doc_block("reviews", "Applying reviews (issue 16)", lines)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
