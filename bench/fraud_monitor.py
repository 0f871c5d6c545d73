"""monitor_fraud's reads per run as the platform ages: the same hour of new activity over 1,000, 10,000 and
100,000 completed jobs of history.

    .venv/bin/python -m bench.fraud_monitor                        # 1,000 / 10,000 / 100,000; rewrites its
                                                                   # section of docs/benchmarks.md
    .venv/bin/python -m bench.fraud_monitor --histories 1000 5000  # a quick look

Each world runs in this process against a Firestore emulator of its own, as the scheduled function runs it.
The platform completes jobs at one steady rate (1,000 jobs every 14 days, over 50 technicians), so a larger
history is an older platform, not a busier one; a twentieth of as many jobs were cancelled and a hundredth
disputed over the same time. The watermark sits an hour before the run; the new hour holds 30 completions (11
of them by one technician: a `high_volume_short_jobs` alert), 5 cancellations and 3 disputes. Reads and writes
are the units of work's own count of what Firestore bills (`services.work.metering`), the alert's commit and
its notice included. A second run ten minutes later, in the same hour, shows what a repeated run costs.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from google.cloud import firestore

from bench.harness import bare_firestore, reading_deps, run_by_history, seed_documents
from curbside.domain.documents import Dispute, JobCompletion, MonitorWatermark, ServiceRequest, User
from curbside.domain.enums import DisputeReason, PartyType, RequestActor, RequestStatus, UserRole
from curbside.services import fraud_monitor, work
from curbside.settings import Settings
from curbside.store.collections import Collection

NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
TECHNICIANS = 50
CLIENTS = 500
JOBS_PER_FORTNIGHT = 1_000
GOAL_RATIO = 1.2
SETTLE = Settings().fraud.settle
WATERMARK = NOW - SETTLE - dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Run:
    history: int
    seconds: float
    reads: int
    writes: int
    findings: int
    again_reads: int
    again_writes: int


def completion(job: str, technician: str, done: dt.datetime, minutes: int) -> JobCompletion:
    return JobCompletion(
        id=job, request_id=job, dispatcher_id=technician, client_id="client-000",
        completion_images=[f"users/{technician}/completion_photos/{job}/{side}.jpg" for side in "fblr"],
        completed_at=done, started_at=done - minutes * MINUTE, completion_image_hashes=[f"md5-{job}-a", f"md5-{job}-b"],
        completion_location_lat=-33.87, completion_location_lng=151.2, auto_approve_at=done + dt.timedelta(hours=48),
        amount=Decimal("56.00"), created_date=done)


def cancelled(job: str, client: str, at: dt.datetime) -> ServiceRequest:
    return ServiceRequest(
        id=job, client_id=client, car_model="Mazda 3", license_plate="ABC123",
        car_location_images=[f"users/{client}/request_photos/{job}/1.jpg"],
        location_address="George St, Sydney", location_lat=-33.87, location_lng=151.2,
        status=RequestStatus.CANCELLED, price=Decimal("56.00"), final_price=Decimal("56.00"), created_date=at,
        cancelled_at=at, cancelled_by=client, cancelled_by_type=RequestActor.CLIENT, cancellation_reason="changed")


def dispute(number: int, job: str, at: dt.datetime) -> Dispute:
    client = f"client-{number % CLIENTS:03d}"
    return Dispute(id=f"dispute-{job}", request_id=job, client_id=client,
                   dispatcher_id=f"tech-{number % TECHNICIANS:02d}", raised_by_user_id=client,
                   raised_by_type=PartyType.CLIENT, dispute_reason=DisputeReason.SERVICE_QUALITY,
                   description="Scratches were not removed.", opened_at=at, last_activity_at=at)


def seed(db: firestore.Client, history: int) -> None:
    """The steady history before the watermark, then the new hour after it."""
    step = dt.timedelta(days=14) / JOBS_PER_FORTNIGHT
    seed_documents(db, Collection.JOB_COMPLETIONS, [
        completion(f"old-{n:06d}", f"tech-{n % TECHNICIANS:02d}", WATERMARK - (n + 1) * step, 30 + n % 40)
        for n in range(history)])
    seed_documents(db, Collection.SERVICE_REQUESTS, [
        cancelled(f"gone-{n:06d}", f"client-{n % CLIENTS:03d}", WATERMARK - (n + 1) * 20 * step)
        for n in range(history // 20)])
    seed_documents(db, Collection.DISPUTES, [
        dispute(n, f"old-{n * 100:06d}", WATERMARK - (n + 1) * 100 * step) for n in range(history // 100)])
    seed_documents(db, Collection.MONITOR_WATERMARKS, [MonitorWatermark(id="fraud", until=WATERMARK, runs=1,
                                                                        updated_date=WATERMARK)])
    seed_documents(db, Collection.USERS, [User(id="admin-1", uid="admin-1", role=UserRole.ADMIN)])
    new = [completion(f"new-{n:02d}", f"tech-{n:02d}", WATERMARK + (n + 1) * MINUTE, 25 + n) for n in range(19)]
    new += [completion(f"burst-{n:02d}", "tech-19", WATERMARK + (n + 2) * 5 * MINUTE, 20 + n) for n in range(11)]
    seed_documents(db, Collection.JOB_COMPLETIONS, new)
    seed_documents(db, Collection.SERVICE_REQUESTS, [
        cancelled(f"new-gone-{n}", f"client-{n * 7:03d}", WATERMARK + (n + 1) * 7 * MINUTE) for n in range(5)])
    seed_documents(db, Collection.DISPUTES, [
        dispute(n * 11, f"new-{n:02d}", WATERMARK + (n + 1) * 9 * MINUTE) for n in range(3)])


def measure(history: int) -> Run:
    with bare_firestore() as db:
        seed(db, history)
        deps = reading_deps(db, NOW)
        start = time.perf_counter()
        with work.metering() as meter:
            result = fraud_monitor.monitor_fraud(deps)
        seconds = time.perf_counter() - start
        deps.clock.advance(10 * MINUTE)  # type: ignore[attr-defined]  # the benchmark's FixedClock
        with work.metering() as again:
            fraud_monitor.monitor_fraud(deps)
    return Run(history, seconds, meter.reads, meter.writes, len(result.findings), again.reads, again.writes)


def report(runs: Sequence[Run]) -> list[str]:
    sizes = " ".join(str(run.history) for run in runs)
    return [
        f"Measured with `python -m bench.fraud_monitor --histories {sizes}` on {dt.date.today().isoformat()} (this "
        "2-core machine shared with other work, Firestore emulator, the service in-process as the scheduled "
        f"function runs it). History at a steady {JOBS_PER_FORTNIGHT} completed jobs per 14 days over "
        f"{TECHNICIANS} technicians (plus a twentieth as many cancellations, a hundredth as many disputes); the "
        "new hour: 30 completions (11 by one technician), 5 cancellations, 3 disputes.",
        "",
        "| completed jobs of history | reads | writes | findings | duration | again 10 min later: reads | writes |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *(f"| {run.history:,} | {run.reads} | {run.writes} | {run.findings} | {run.seconds:.1f} s | "
          f"{run.again_reads} | {run.again_writes} |" for run in runs),
    ]


def checks(runs: Sequence[Run]) -> list[tuple[str, bool]]:
    ratio = runs[-1].reads / max(1, runs[0].reads)
    return [
        (f"reads from {runs[0].history:,} to {runs[-1].history:,} jobs of history: x{ratio:.2f} <= {GOAL_RATIO}",
         ratio <= GOAL_RATIO),
        ("every world finds the same patterns", len({run.findings for run in runs}) == 1 and runs[0].findings > 0),
        ("a second run ten minutes later writes only its watermark", all(run.again_writes == 1 for run in runs)),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    return run_by_history(argv, prog="python -m bench.fraud_monitor", description=__doc__.split("\n\n")[0],
                          name="fraud_monitor", heading="Fraud monitoring: reads per run (issue 15)",
                          measure=measure, report=report, checks=checks)


if __name__ == "__main__":
    sys.exit(main())
