"""Jobs-feed benchmark: what one call of the technicians' jobs feed reads, at 1,000 and 10,000 pending jobs
nationwide, against the nationwide scan it replaced.

    .venv/bin/python -m bench.feed                          # 1,000 and 10,000 pending jobs (`make bench`)
    .venv/bin/python -m bench.feed --scales 1000 --callers 10    # a quick look (about a minute)

It starts its own Firestore emulator and seeds pending `ServiceRequests` through the production model (so
each carries the `search_cells` the services derive) with batched writes of 500, at places drawn like demand
(`bench/australia.py`, as `bench/dispatch.py` draws technicians): each probe town gets a fixed cohort of jobs
and no other job comes within the radius + 10 km of it. Each scale extends the last.

For a fixed set of callers (the probe towns and sites drawn like demand, `bench.dispatch.job_sites`) it calls
the production `services.jobs_feed.pending_jobs_near` with the 50-mile radius and records the documents its query
returned (the reads Firestore bills: one per document, one for a query that returns none) against the jobs
truly within the radius (haversine over the seeded jobs, no query involved). Where a backlog fills a query
(500 documents), the feed narrows its disc to list every job nearest the caller; such calls are reported
with their reach and checked against the jobs truly within that reach. The old feed read
`status == pending` with `.limit(500)` nationwide and filtered in memory: the benchmark runs that query once
per scale (its answer is the same for every caller) to see which jobs within a caller's radius it would have
missed.

The emulator evaluates `array-contains-any` by scanning the collection once per value, so a feed call takes
seconds at 10,000 jobs; production Firestore answers it from the index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from bench.australia import PROBES, Place, places, probe_cohort
from bench.dispatch import AMPLIFICATION_LIMIT, CLEARANCE_M, NOW, PROBE_COHORT, Site, job_sites
from bench.harness import bare_firestore, print_checks, reading_deps, seed_documents
from curbside.domain.dispatch_scoring import METRES_PER_MILE
from curbside.domain.documents import ServiceRequest
from curbside.domain.enums import RequestStatus
from curbside.domain.geo import haversine_m
from curbside.services import work
from curbside.services.jobs_feed import FEED_READ_LIMIT, pending_jobs_near
from curbside.store.collections import Collection

CAR_MODELS = ("Toyota Corolla", "Mazda 3", "Hyundai i30", "Ford Ranger", "Toyota RAV4", "Kia Cerato")
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


# --- the jobs -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """A seeded pending job as the benchmark knows it (ground truth, no query involved)."""

    id: str
    lat: float
    lng: float


def draw_job(place: Place, rng: random.Random) -> ServiceRequest:
    """A pending job at a place, built by the production model (so `search_cells` is what the services write).
    Its id is random like a Firestore auto-id, so the old scan's first 500 by id are an arbitrary 500."""
    job_id = "".join(rng.choices(ID_ALPHABET, k=20))
    client = f"client-{rng.randrange(100_000):05d}"
    price = Decimal("33.00") if rng.random() < 0.7 else Decimal("42.90")  # 30 % urgent (x1.3)
    return ServiceRequest(
        id=job_id, client_id=client, car_model=rng.choice(CAR_MODELS), license_plate=f"BNC{rng.randrange(1000):03d}",
        location_address=f"{place.town}", location_lat=place.lat, location_lng=place.lng,
        car_location_images=[f"users/{client}/car_photos/{job_id}.jpg"], status=RequestStatus.PENDING,
        is_urgent=price > Decimal("33.00"), price=price, final_price=price,
        created_date=NOW - dt.timedelta(minutes=rng.uniform(0, 120)))


def pending_jobs(seed: int, radius_m: float) -> Iterator[ServiceRequest]:
    """The probe towns' fixed cohorts of jobs, then an endless nationwide stream drawn like demand: the first N
    are the country at N pending jobs, so each scale extends the last."""
    for probe in PROBES:
        rng = random.Random(f"{seed}:feed:{probe.name}")
        yield from (draw_job(place, rng) for place in probe_cohort(probe, PROBE_COHORT, rng))
    rng = random.Random(f"{seed}:feed")
    yield from (draw_job(place, rng) for place in places(rng, keep_clear_of_probes_m=radius_m + CLEARANCE_M))


def old_scan(db: firestore.Client) -> set[str]:
    """What the old feed read for every caller: the first 500 pending jobs nationwide."""
    query = (db.collection(Collection.SERVICE_REQUESTS)
             .where(filter=FieldFilter("status", "==", RequestStatus.PENDING.value)).limit(FEED_READ_LIMIT))
    return {snap.id for snap in query.select([]).stream()}


# --- one feed call ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedCall:
    site: Site
    within: int
    """Jobs truly within the radius (ground truth)."""
    reach_m: float
    """How far the feed's list is complete: the radius, or less where a backlog narrowed it."""
    within_reach: int
    """Jobs truly within the reach (ground truth)."""
    reads: int
    """Documents the feed's queries returned (billed reads, at least 1 per query)."""
    listed: int
    missed: int
    """Jobs within the reach the feed did not list."""
    old_reads: int
    old_missed: int
    """Jobs within the radius the old nationwide scan would not have read."""
    seconds: float

    @property
    def amplification(self) -> float:
        return self.reads / max(1, self.within_reach)

    @property
    def narrowed(self) -> bool:
        return self.within > self.within_reach or self.reads >= FEED_READ_LIMIT


def call_feed(db: firestore.Client, site: Site, jobs: Sequence[Job], radius_m: float, scanned: set[str]) -> FeedCall:
    def within(reach_m: float) -> set[str]:
        return {job.id for job in jobs if haversine_m(site.lat, site.lng, job.lat, job.lng) <= reach_m}

    start = time.perf_counter()
    near = work.reading(reading_deps(db, NOW), lambda uow: pending_jobs_near(uow, site.lat, site.lng, radius_m))
    seconds = time.perf_counter() - start
    listed = {request.id for request, _ in near.jobs}
    truth, in_reach = within(radius_m), within(near.reach_m)
    if listed - in_reach:
        raise AssertionError(f"{site.name}: the feed listed {len(listed - in_reach)} jobs outside its reach")
    return FeedCall(site, len(truth), near.reach_m, len(in_reach), near.reads, len(listed), len(in_reach - listed),
                    max(1, len(scanned)), len(truth - scanned), seconds)


@dataclass(frozen=True)
class ScaleResult:
    jobs: int
    seed_seconds: float
    seeded: int
    calls: list[FeedCall]
    feed_seconds: float


# --- reporting ----------------------------------------------------------------------------------------------

def report(result: ScaleResult) -> list[str]:
    times = [c.seconds for c in result.calls]
    lines = [
        f"### {result.jobs:,} pending jobs nationwide",
        "",
        f"Seeded {result.seeded:,} jobs in {result.seed_seconds:.1f} s; {len(result.calls)} feed calls in "
        f"{result.feed_seconds:.1f} s (emulator: {statistics.fmean(times):.1f} s per call, max {max(times):.1f} s).",
        "",
        "| callers | jobs within 50 mi (mean) | reads/call (mean) | old scan reads/call | amplification mean "
        "| max (calls not narrowed) | calls narrowed by a backlog | jobs within the reach not listed "
        "| jobs missed by the old scan (calls) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, calls in (("sites drawn like demand", [c for c in result.calls if not c.site.probe]),
                        ("probe towns", [c for c in result.calls if c.site.probe])):
        whole = [c.amplification for c in calls if not c.narrowed]  # a narrowed call's list is partial by design
        mean, top = (f"{statistics.fmean(whole):.2f}", f"{max(whole):.2f}") if whole else ("-", "-")
        lines.append(
            f"| {name} ({len(calls)}) | {statistics.fmean(c.within for c in calls):,.1f} "
            f"| {statistics.fmean(c.reads for c in calls):,.1f} | {statistics.fmean(c.old_reads for c in calls):,.0f} "
            f"| {mean} | {top} | {sum(c.narrowed for c in calls)} | {sum(c.missed for c in calls):,} "
            f"| {sum(c.old_missed for c in calls):,} ({sum(c.old_missed > 0 for c in calls)}) |")
    lines += ["", "| probe town (fixed local cohort) | within | reads | old scan reads | missed by old scan |",
              "|---|---:|---:|---:|---:|"]
    lines += [f"| {c.site.name} | {c.within} | {c.reads} | {c.old_reads} | {c.old_missed} |"
              for c in result.calls if c.site.probe]
    narrowed = [c for c in result.calls if c.narrowed]
    if narrowed:
        lines += ["", "| narrowed by a backlog | within 50 mi | reach | within the reach | listed | reads |",
                  "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {c.site.name} | {c.within:,} | {c.reach_m / 1000:.1f} km | {c.within_reach:,} | {c.listed:,} "
                  f"| {c.reads:,} |" for c in narrowed]
    return lines


def checks(results: Sequence[ScaleResult]) -> list[tuple[str, bool]]:
    outcome = []
    for result in results:
        normal = [c.amplification for c in result.calls if not c.site.probe and not c.narrowed]
        if not normal:  # every demand call met a backlog: no amplification to check, rather than a vacuous PASS
            continue
        mean = statistics.fmean(normal)
        outcome.append((f"{result.jobs:,}: mean read amplification {mean:.2f} <= {AMPLIFICATION_LIMIT} "
                        f"({len(normal)} calls not narrowed by a backlog)", mean <= AMPLIFICATION_LIMIT))
    if results:
        probe_reads = {tuple(c.reads for c in r.calls if c.site.probe) for r in results}
        outcome.append((f"probe towns cost the same reads at every scale: {sorted(probe_reads)}",
                        len(probe_reads) == 1))
    for result in results:
        missed = [c for c in result.calls if c.missed]
        outcome.append((f"{result.jobs:,}: every job within the feed's reach listed (calls missing some: "
                        f"{len(missed)}, jobs missed: {sum(c.missed for c in missed):,})", not missed))
    return outcome


# --- the run ------------------------------------------------------------------------------------------------

def measure_scales(scales: Sequence[int], *, callers: int, seed: int, radius_miles: float) -> list[ScaleResult]:
    """Reads per feed call at each scale, each on top of the last, on a bare Firestore emulator."""
    radius_m = radius_miles * METRES_PER_MILE
    sites = job_sites(seed, callers, radius_m)
    stream = pending_jobs(seed, radius_m)
    results: list[ScaleResult] = []
    with bare_firestore() as db:
        jobs: list[Job] = []
        for scale in sorted(scales):
            batch = list(itertools.islice(stream, scale - len(jobs)))
            seconds = seed_documents(db, Collection.SERVICE_REQUESTS, batch)
            jobs += (Job(job.id, job.location_lat, job.location_lng) for job in batch)
            clock = time.perf_counter()
            scanned = old_scan(db)
            calls = [call_feed(db, site, jobs, radius_m, scanned) for site in sites]
            results.append(ScaleResult(scale, seconds, len(batch), calls, time.perf_counter() - clock))
            print("\n".join(report(results[-1])) + "\n", flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1000,10000", help="pending jobs nationwide, comma separated")
    parser.add_argument("--callers", type=int, default=20, help="caller sites drawn like demand (besides the probes)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--radius-miles", type=float, default=50.0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = measure_scales([int(s) for s in args.scales.split(",") if s], callers=args.callers, seed=args.seed,
                             radius_miles=args.radius_miles)
    passed = print_checks(checks(results))
    print(f"Total {time.perf_counter() - started:.0f} s")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
