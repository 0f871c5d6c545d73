"""apply_pending_reviews at scale: reads and writes per review, and the run's duration.

    .venv/bin/python -m bench.reviews                  # 10,000 due reviews of 2,000 technicians, then 2,000
                                                       # of 2,000 (one each); rewrites its section of
                                                       # docs/benchmarks.md
    .venv/bin/python -m bench.reviews --reviews 1000 --one-each 0   # a quick look

The daily job runs in this process against a Firestore emulator of its own, exactly as the scheduled function
runs it. Two worlds, each on a fresh emulator: a busy day (`--reviews` due reviews of `--technicians`
technicians, five each by default: what a technician doing five jobs a day collects), and the worst case for
the per-reviewee commit (`--one-each` reviews, each of a different technician). A world: technicians
(profile, user, index entry, notification preferences with push on), and due reviews of them, a tenth on
disputed jobs (which wait). Reads and writes are the units of work's own count of what Firestore bills
(`services.work.metering`), the `review_received` notices and their fan-out included; a second run over the
same day shows what a repeated run costs when nothing is left to apply.
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


@dataclass(frozen=True)
class World:
    name: str
    reviews: int
    technicians: int


def seed(db: firestore.Client, world: World) -> int:
    """The world; returns how many reviews are on disputed jobs (every tenth, spread over the technicians)."""
    uids = [f"tech-{n:05d}" for n in range(world.technicians)]
    seed_documents(db, Collection.USERS, [User(id=uid, uid=uid, fcm_tokens=[f"{uid}-token"]) for uid in uids])
    seed_documents(db, Collection.NOTIFICATION_PREFERENCES, [NotificationPreferences(id=uid, user_id=uid)
                                                             for uid in uids])
    seed_documents(db, Collection.DISPATCHER_PROFILES, [DispatcherProfile(
        id=uid, user_id=uid, verification_status="verified", rating=4.8, total_reviews=20, created_date=NOW)
        for uid in uids])
    seed_documents(db, Collection.DISPATCHER_LOCATIONS, [DispatcherLocation(
        id=uid, dispatcher_id=uid, verified=True, rating=4.8, lat=-33.87, lng=151.2, location_updated_at=NOW)
        for uid in uids])
    reviewee = [uids[n % world.technicians] for n in range(world.reviews)]
    jobs = [f"job-{n:05d}" for n in range(world.reviews)]
    seed_documents(db, Collection.REVIEWS, [Review(
        id=job, request_id=job, reviewer_id=f"client-{n % 500:03d}", reviewee_id=reviewee[n],
        reviewer_type=ReviewerType.CLIENT, rating=1 + n % 5, apply_date="2026-11-21", created_date=NOW)
        for n, job in enumerate(jobs)])
    disputed = [n for n in range(world.reviews) if (n + n // world.technicians) % DISPUTED_SHARE == 0]
    seed_documents(db, Collection.JOB_COMPLETIONS, [JobCompletion(
        id=jobs[n], request_id=jobs[n], dispatcher_id=reviewee[n], client_id="client-000",
        completion_images=[f"users/x/completion_photos/{jobs[n]}/{side}.jpg" for side in ("f", "b", "l", "r")],
        completed_at=NOW, completion_location_lat=-33.87, completion_location_lng=151.2,
        auto_approve_at=NOW, amount=Decimal("56.00"), payment_status=PaymentStatus.DISPUTED, created_date=NOW)
        for n in disputed])
    return len(disputed)


def run(deps: object) -> Run:
    start = time.perf_counter()
    with work.metering() as meter:
        result = reviews.apply_pending_reviews(deps)  # type: ignore[arg-type]
    return Run(result.applied, result.waiting, time.perf_counter() - start, meter.reads, meter.writes)


@dataclass(frozen=True)
class Measured:
    world: World
    disputed: int
    first: Run
    second: Run


def measure(world: World) -> Measured:
    """Seed the world on a fresh emulator, run the job, and run it again the same day."""
    with bare_firestore() as db:
        deps = reading_deps(db, NOW + dt.timedelta(days=1))
        disputed = seed(db, world)
        first = run(deps)
        second = run(deps)
    return Measured(world, disputed, first, second)


def report(measured: list[Measured], command: str) -> list[str]:
    lines = [
        f"Measured with `{command}` on {dt.date.today().isoformat()} (this 2-core machine shared with other work, "
        "Firestore emulator, the service in-process as the scheduled function runs it); every "
        f"{DISPUTED_SHARE}th review is on a disputed job.",
        "",
        "| world | run | applied | waiting (disputed) | duration | per review applied | reads | writes "
        "| reads / review | writes / review |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measured:
        first, second = m.first, m.second
        label = f"{m.world.name}: {m.world.reviews} reviews of {m.world.technicians} technicians"
        lines += [
            f"| {label} | first | {first.applied} | {first.waiting} | {first.seconds:.1f} s | "
            f"{first.seconds / max(1, first.applied) * 1000:.1f} ms | {first.reads} | {first.writes} | "
            f"{first.reads / max(1, first.applied):.2f} | {first.writes / max(1, first.applied):.2f} |",
            f"| {label} | again, same day | {second.applied} | {second.waiting} | {second.seconds:.1f} s | — | "
            f"{second.reads} | {second.writes} | — | — |",
        ]
    return lines


def checks(m: Measured) -> list[tuple[str, bool]]:
    first, second, count = m.first, m.second, m.world.reviews
    per_read, per_write = first.reads / max(1, first.applied), first.writes / max(1, first.applied)
    return [
        (f"{m.world.name}: one run applied all {count - m.disputed} undisputed reviews and left the {m.disputed} "
         "disputed ones waiting", (first.applied, first.waiting) == (count - m.disputed, m.disputed)),
        (f"{m.world.name}: a second run applied nothing ({second.applied})", second.applied == 0),
        (f"{m.world.name}: reads per review {per_read:.2f} <= {GOAL_READS}", per_read <= GOAL_READS),
        (f"{m.world.name}: writes per review {per_write:.2f} <= {GOAL_WRITES}", per_write <= GOAL_WRITES),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reviews", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--technicians", type=int, default=2_000)
    parser.add_argument("--one-each", type=int, default=2_000,
                        help="reviews of the worst-case world, each of a different technician (0: skip it)")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    worlds = [World("busy day", args.reviews, args.technicians)]
    if args.one_each:
        worlds.append(World("one each", args.one_each, args.one_each))
    measured = [measure(world) for world in worlds]
    command = (f"python -m bench.reviews --reviews {args.reviews} --technicians {args.technicians} "
               f"--one-each {args.one_each}")
    lines = report(measured, command)
    print("\n".join(lines))
    passed = print_checks([check for m in measured for check in checks(m)])
    if not args.no_doc:
        write_doc_block("reviews", "Applying reviews (issue 16)", lines)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
