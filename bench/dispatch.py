"""Auto-dispatch benchmark (issue 6): what finding a job's candidates costs, at 1,000, 10,000 and 100,000
technicians nationwide.

    .venv/bin/python -m bench.dispatch                      # all three scales (about 2 minutes on 2 cores)
    .venv/bin/python -m bench.dispatch --scales 1000,10000 --searches 20

It starts its own Firestore emulator, seeds `DispatcherLocations` through the production model with
technicians spread like Australia's population (`bench/australia.py`), and for a fixed set of job sites
counts the document reads Firestore bills for each way of finding candidates:

- **cells** — the production search (`services.candidates.find_candidates`): one `array-contains-any`
  query over the cells covering the disc, freshness filtered by the query;
- **geohash recipe** — Firebase's documented geohash query (geofire-common `geohashQueryBounds`: up to nine
  `geohash` range queries around the centre), every technician document in the ranges, as the recipe reads;
- **recipe + flag** — the same ranges if each query also filtered `searchable == true` (stale entries still
  come back: a second range filter on the fix time is not possible in the same query);
- **full scan** — every online technician, read and filtered in memory.

How reads are counted (docs/benchmarks.md): Firestore bills one read per document a query returns and one
for a query that returns none. The emulator evaluates `array-contains-any` by scanning the collection once
per value, which takes minutes per search at 100,000 technicians, so the benchmark fetches the documents in
each strategy's geohash ranges (an indexed range scan in the emulator), counts what each query would return,
and replays the real production query on a sample (`--verify`), checking it returns exactly the counted
reads and candidates. Ground truth — who is eligible within the radius — comes from the generated
technicians themselves, not from any query.

Figures of the benchmark:
- reads per search and read amplification: measured here;
- offer latency (job created -> first offer delivered) and expiry error (offer expired vs `expires_at`):
  PENDING — they need the offers half of issue 6 (JobOffers, the countdown task). `FIGURES` lists them and
  `measure_offers` is where they go.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from bench.australia import PROBES, Place, places, probe_cohort
from curbside.deps import Deps
from curbside.domain.clock import FixedClock
from curbside.domain.dispatch_scoring import ScoringWeights
from curbside.domain.documents import DispatcherLocation
from curbside.domain.documents.locations import DEFAULT_CAPACITY
from curbside.domain.enums import AccountStatus
from curbside.domain.geo import geohash_encode, haversine_m
from curbside.domain.search_cells import QUERY_VALUES_LIMIT, cover_disc
from curbside.services.candidates import METRES_PER_MILE, JobSite, SearchSettings, find_candidates
from curbside.store.codec import to_document
from curbside.store.collections import Collection
from curbside.store.files import FileStore
from devstack.emulators import FirestoreEmulator

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
BATCH = 500
PROBE_COHORT = 20
CLEARANCE_M = 10_000
"""Technicians outside the probes' cohorts stay this far beyond the radius of a probe town."""
AMPLIFICATION_LIMIT = 1.5
FIGURES = {
    "reads": "measured",
    "offer_latency": "PENDING: needs JobOffers and the offer countdown (second half of issue 6)",
    "expiry_error": "PENDING: needs JobOffers and the offer countdown (second half of issue 6)",
}
STATUS_WEIGHTS = {AccountStatus.ACTIVE: 96.5, AccountStatus.SHADOW_BANNED: 1.5, AccountStatus.SUSPENDED: 1.2,
                  AccountStatus.BANNED: 0.8}


# --- the technicians --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Technician:
    uid: str
    place: Place
    online: bool
    fix_age: dt.timedelta
    verified: bool
    account_status: AccountStatus
    active_jobs: int
    rating: float

    def entry(self) -> DispatcherLocation:
        """The technician's DispatcherLocations entry, built by the production model (so the search fields
        are exactly what the services write)."""
        return DispatcherLocation(
            id=self.uid, dispatcher_id=self.uid, is_online=self.online, lat=self.place.lat, lng=self.place.lng,
            accuracy_m=8.0, location_updated_at=NOW - self.fix_age, verified=self.verified,
            account_status=self.account_status, rating=self.rating, active_jobs=self.active_jobs,
            capacity=DEFAULT_CAPACITY)


def draw_technician(uid: str, place: Place, rng: random.Random) -> Technician:
    """A technician's state: 60 % online; of those 15 % stopped reporting (app killed); 88 % verified; a few
    shadow-banned, suspended or banned; a third busy, a tenth at the default capacity of two jobs."""
    online = rng.random() < 0.6
    if online:
        age_s = rng.uniform(0, 300) if rng.random() < 0.85 else rng.uniform(11 * 60, 120 * 60)
    else:
        age_s = rng.uniform(1_800, 48 * 3_600)
    return Technician(
        uid=uid, place=place, online=online, fix_age=dt.timedelta(seconds=age_s), verified=rng.random() < 0.88,
        account_status=rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
        active_jobs=rng.choices((0, 1, 2), weights=(65, 25, 10))[0], rating=round(rng.triangular(3.5, 5.0, 4.8), 2))


def technicians(seed: int, radius_m: float) -> Iterator[Technician]:
    """The probe towns' fixed cohorts, then an endless nationwide stream: the first N of it are the country at
    N technicians, so each scale extends the last."""
    for probe in PROBES:
        rng = random.Random(f"{seed}:{probe.name}")
        slug = probe.name.lower().replace(" ", "-")
        for n, place in enumerate(probe_cohort(probe, PROBE_COHORT, rng)):
            yield draw_technician(f"probe-{slug}-{n:02d}", place, rng)
    rng = random.Random(seed)
    for n, place in enumerate(places(rng, keep_clear_of_probes_m=radius_m + CLEARANCE_M)):
        yield draw_technician(f"tech-{n:06d}", place, rng)


def seed_entries(db: firestore.Client, entries: Sequence[DispatcherLocation]) -> float:
    """Write entries in batched writes of 500 (the admin client, as a backfill would); returns seconds."""
    collection = db.collection(Collection.DISPATCHER_LOCATIONS)
    start = time.perf_counter()
    for first in range(0, len(entries), BATCH):
        writes = db.batch()
        for entry in entries[first:first + BATCH]:
            writes.set(collection.document(entry.id), to_document(entry))
        writes.commit()
    return time.perf_counter() - start


# --- job sites and what a search should find ---------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    name: str
    lat: float
    lng: float
    probe: bool


def job_sites(seed: int, count: int, radius_m: float) -> list[Site]:
    """The probe towns, then `count` job sites drawn like demand (where people are), the same at every scale."""
    rng = random.Random(f"{seed}:jobs")
    drawn = itertools.islice(places(rng, keep_clear_of_probes_m=radius_m + CLEARANCE_M), count)
    return ([Site(probe.name, probe.lat, probe.lng, probe=True) for probe in PROBES]
            + [Site(place.town, place.lat, place.lng, probe=False) for place in drawn])


@dataclass(frozen=True)
class Known:
    """What the benchmark knows about a seeded technician (ground truth, no query involved)."""

    uid: str
    lat: float
    lng: float
    eligible: bool


def known(entry: DispatcherLocation, fresh_since: dt.datetime) -> Known:
    assert entry.lat is not None and entry.lng is not None and entry.location_updated_at is not None
    return Known(entry.id, entry.lat, entry.lng, entry.searchable and entry.location_updated_at >= fresh_since)


def eligible_near(population: Sequence[Known], site: Site, radius_m: float) -> set[str]:
    return {k.uid for k in population if k.eligible and haversine_m(site.lat, site.lng, k.lat, k.lng) <= radius_m}


# --- counting reads -----------------------------------------------------------------------------------------

Range = tuple[str, str]


@dataclass(frozen=True)
class Row:
    uid: str
    geohash: str
    searchable: bool
    fix_at: dt.datetime
    lat: float
    lng: float


@dataclass
class Fetched:
    """DispatcherLocations documents fetched by geohash range, sorted by geohash, to count what a query over
    a range would return."""

    rows: list[Row] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, db: firestore.Client, ranges: Iterable[Range]) -> Fetched:
        collection = db.collection(Collection.DISPATCHER_LOCATIONS)
        rows: list[Row] = []
        for low, high in merge(ranges):
            query = (collection.where(filter=FieldFilter("geohash", ">=", low))
                     .where(filter=FieldFilter("geohash", "<", high))
                     .select(["geohash", "searchable", "location_updated_at", "lat", "lng"]))
            rows += (Row(snap.id, snap.get("geohash"), snap.get("searchable"), snap.get("location_updated_at"),
                         snap.get("lat"), snap.get("lng")) for snap in query.stream())
        rows.sort(key=lambda row: row.geohash)
        return cls(rows, [row.geohash for row in rows])

    def within(self, low: str, high: str) -> list[Row]:
        return self.rows[bisect.bisect_left(self.keys, low):bisect.bisect_left(self.keys, high)]


def merge(ranges: Iterable[Range]) -> list[Range]:
    merged: list[Range] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def billed(queries: Iterable[int]) -> int:
    """Reads for queries returning these numbers of documents: at least one each."""
    return sum(max(1, returned) for returned in queries)


def cell_queries(site: Site, radius_m: float) -> list[list[Range]]:
    """The production search's queries (cover cells, at most 30 per query) as geohash ranges."""
    cover = [cell.geohash_range() for cell in cover_disc(site.lat, site.lng, radius_m)]
    return [cover[i:i + QUERY_VALUES_LIMIT] for i in range(0, len(cover), QUERY_VALUES_LIMIT)]


# Firebase's geohash recipe (https://firebase.google.com/docs/firestore/solutions/geoqueries), as
# geofire-common's geohashQueryBounds computes it: a precision from the radius, then the geohash range
# around each of nine points (centre, bounding-box corners and edge midpoints), duplicates removed.
_METERS_PER_DEGREE_LATITUDE = 110_574
_EARTH_MERIDIONAL_CIRCUMFERENCE = 40_007_860
_EARTH_EQUATORIAL_RADIUS = 6_378_137.0
_E2 = 0.00669447819799
_GEOHASH_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"


def _longitude_degrees(distance_m: float, lat: float) -> float:
    radians = math.radians(lat)
    per_degree = (math.cos(radians) * _EARTH_EQUATORIAL_RADIUS * math.pi / 180
                  / math.sqrt(1 - _E2 * math.sin(radians) ** 2))
    return (360.0 if distance_m > 0 else 0.0) if per_degree < 1e-12 else min(360.0, distance_m / per_degree)


def _bounding_box_bits(lat: float, radius_m: float) -> int:
    lat_delta = radius_m / _METERS_PER_DEGREE_LATITUDE
    lat_bits = math.floor(min(math.log2(_EARTH_MERIDIONAL_CIRCUMFERENCE / 2 / radius_m), 110)) * 2

    def lng_bits(at: float) -> int:
        degrees = _longitude_degrees(radius_m, at)
        return math.floor(max(1.0, math.log2(360 / degrees)) if abs(degrees) > 1e-6 else 1.0) * 2 - 1

    return min(lat_bits, lng_bits(min(90.0, lat + lat_delta)), lng_bits(max(-90.0, lat - lat_delta)), 110)


def recipe_ranges(site: Site, radius_m: float) -> list[Range]:
    bits = max(1, _bounding_box_bits(site.lat, radius_m))
    precision = math.ceil(bits / 5)
    lat_delta = radius_m / _METERS_PER_DEGREE_LATITUDE
    north, south = min(90.0, site.lat + lat_delta), max(-90.0, site.lat - lat_delta)
    lng_delta = max(_longitude_degrees(radius_m, north), _longitude_degrees(radius_m, south))

    def wrap(lng: float) -> float:
        return (lng + 180) % 360 - 180 if not -180 <= lng <= 180 else lng

    ranges: list[Range] = []
    for lat in (site.lat, north, south):
        for lng in (site.lng, wrap(site.lng - lng_delta), wrap(site.lng + lng_delta)):
            chars = geohash_encode(lat, lng, precision)
            base, last = chars[:-1], _GEOHASH_ALPHABET.index(chars[-1])
            unused = 5 - (bits - len(base) * 5)
            start = (last >> unused) << unused
            end = start + (1 << unused)
            bounds = (base + _GEOHASH_ALPHABET[start], base + (_GEOHASH_ALPHABET[end] if end <= 31 else "~"))
            if bounds not in ranges:
                ranges.append(bounds)
    return ranges


# --- one scale ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchCost:
    site: Site
    eligible: int
    cells: int
    recipe: int
    recipe_flag: int

    def amplification(self, reads: int) -> float:
        return reads / self.eligible


@dataclass(frozen=True)
class ScaleResult:
    technicians: int
    seed_seconds: float
    seeded: int
    online: int
    eligible_anywhere: int
    searches: list[SearchCost]
    verified: int
    search_seconds: float


def measure_reads(db: firestore.Client, population: Sequence[Known], sites: Sequence[Site],
                  settings: SearchSettings) -> list[SearchCost]:
    radius = settings.radius_m
    fresh_since = NOW - settings.max_location_age
    plans = {site: (cell_queries(site, radius), recipe_ranges(site, radius)) for site in sites}
    fetched = Fetched.load(db, (r for cells, recipe in plans.values() for r in [*itertools.chain(*cells), *recipe]))

    costs = []
    for site, (cells, recipe) in plans.items():
        truth = eligible_near(population, site, radius)
        returned = [[row for low, high in query for row in fetched.within(low, high)
                     if row.searchable and row.fix_at >= fresh_since] for query in cells]
        found = {row.uid for query in returned for row in query
                 if haversine_m(site.lat, site.lng, row.lat, row.lng) <= radius}
        if found != truth:
            raise AssertionError(f"{site.name}: the cells found {len(found)} eligible, the truth is {len(truth)}")
        costs.append(SearchCost(
            site, len(truth), billed(len(query) for query in returned),
            billed(len(fetched.within(low, high)) for low, high in recipe),
            billed(sum(row.searchable for row in fetched.within(low, high)) for low, high in recipe)))
    return costs


def count_online(db: firestore.Client) -> int:
    """What a full scan reads: every online technician (a count aggregation, itself billed one read per 1,000)."""
    query: Any = db.collection(Collection.DISPATCHER_LOCATIONS).where(filter=FieldFilter("is_online", "==", True))
    return int(query.count(alias="online").get()[0][0].value)


def verify_with_production(db: firestore.Client, costs: Sequence[SearchCost], population: Sequence[Known],
                           settings: SearchSettings, sample: int) -> int:
    """Replay the production search on the probes and the first national sites; it must bill exactly the
    counted reads and return exactly the eligible technicians."""
    deps = Deps(db=db, files=FileStore(None), clock=FixedClock(NOW))
    chosen = ([c for c in costs if c.site.probe] + [c for c in costs if not c.site.probe])[:sample]
    for cost in chosen:
        search = find_candidates(deps, JobSite(cost.site.lat, cost.site.lng), settings=settings)
        truth = eligible_near(population, cost.site, settings.radius_m)
        if search.reads != cost.cells or {c.dispatcher_id for c in search.candidates} != truth:
            raise AssertionError(f"{cost.site.name}: production billed {search.reads} for "
                                 f"{len(search.candidates)} candidates; counted {cost.cells} for {len(truth)}")
    return len(chosen)


def measure_offers() -> None:
    """Offer latency and expiry error: PENDING (the offers half of issue 6). They will seed the same world,
    create jobs through `create_request`, and time the first JobOffer and each offer's expiry against
    `expires_at` under the local task queue."""


# --- reporting ----------------------------------------------------------------------------------------------

def summary(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean, 90th percentile and maximum."""
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]
    return statistics.fmean(ordered), p90, ordered[-1]


def report(result: ScaleResult) -> list[str]:
    lines = [
        f"### {result.technicians:,} technicians nationwide",
        "",
        f"Seeded {result.seeded:,} entries in {result.seed_seconds:.1f} s "
        f"({result.seeded / max(result.seed_seconds, 1e-9):,.0f}/s); online {result.online:,}; eligible anywhere "
        f"{result.eligible_anywhere:,}; searches counted in {result.search_seconds:.1f} s; production query "
        f"replayed on {result.verified} sites with identical reads and candidates.",
        "",
        "| strategy | reads/search (mean) | amplification mean | p90 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    national = [c for c in result.searches if not c.site.probe and c.eligible > 0]
    strategies: dict[str, Callable[[SearchCost], int]] = {
        "cells (production)": lambda c: c.cells, "geohash recipe": lambda c: c.recipe,
        "recipe + searchable flag": lambda c: c.recipe_flag, "full scan of online": lambda c: result.online}
    for name, reads in strategies.items():
        mean, p90, top = summary([c.amplification(reads(c)) for c in national])
        lines.append(f"| {name} | {statistics.fmean(reads(c) for c in national):,.1f} | {mean:.2f} | {p90:.2f} "
                     f"| {top:.2f} |")
    eligible = [c.eligible for c in national]
    empty = [c for c in result.searches if not c.site.probe and c.eligible == 0]
    lines += ["", f"National sample: {len(national)} job sites with someone eligible (eligible per search: mean "
                  f"{statistics.fmean(eligible):,.1f}, min {min(eligible)}, max {max(eligible):,}); "
                  f"{len(empty)} with nobody eligible, costing {', '.join(str(c.cells) for c in empty) or '-'} "
                  "read(s) each.", "",
              "| probe town (fixed local cohort) | eligible | cells reads | recipe reads |", "|---|---:|---:|---:|"]
    lines += [f"| {c.site.name} | {c.eligible} | {c.cells} | {c.recipe} |" for c in result.searches if c.site.probe]
    return lines


def checks(results: Sequence[ScaleResult]) -> list[tuple[str, bool]]:
    outcome = []
    for result in results:
        national = [c for c in result.searches if not c.site.probe and c.eligible > 0]
        mean = statistics.fmean(c.amplification(c.cells) for c in national)
        outcome.append((f"{result.technicians:,}: mean read amplification {mean:.2f} <= {AMPLIFICATION_LIMIT}",
                        mean <= AMPLIFICATION_LIMIT))
    probe_reads = {tuple(c.cells for c in r.searches if c.site.probe) for r in results}
    outcome.append((f"probe towns cost the same reads at every scale: {sorted(probe_reads)}", len(probe_reads) == 1))
    return outcome


# --- the run ------------------------------------------------------------------------------------------------

def run(scales: Sequence[int], *, searches: int, seed: int, verify: int, verify_up_to: int,
        radius_miles: float) -> int:
    settings = SearchSettings(radius_m=radius_miles * METRES_PER_MILE, max_location_age=dt.timedelta(seconds=600),
                              weights=ScoringWeights(rating=10.0, distance_per_km=1.0, availability_bonus=5.0,
                                                     priority_bonus=10.0))
    sites = job_sites(seed, searches, settings.radius_m)
    stream = technicians(seed, settings.radius_m)
    emulator = FirestoreEmulator().start()
    os.environ.update(emulator.environ())
    started = time.perf_counter()
    try:
        db = firestore.Client(project=emulator.project_id, credentials=AnonymousCredentials())
        population: list[Known] = []
        results = []
        for scale in sorted(scales):
            batch = [technician.entry() for technician in itertools.islice(stream, scale - len(population))]
            seconds = seed_entries(db, batch)
            population += (known(entry, NOW - settings.max_location_age) for entry in batch)
            clock = time.perf_counter()
            costs = measure_reads(db, population, sites, settings)
            online = count_online(db)
            verified = (verify_with_production(db, costs, population, settings, verify)
                        if scale <= verify_up_to else 0)
            results.append(ScaleResult(scale, seconds, len(batch), online, sum(k.eligible for k in population),
                                       costs, verified, time.perf_counter() - clock))
            print("\n".join(report(results[-1])) + "\n", flush=True)
    finally:
        emulator.stop()

    print(f"Figures: {', '.join(f'{name}: {state}' for name, state in FIGURES.items())}")
    failed = False
    for text, passed in checks(results):
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
        failed |= not passed
    print(f"Total {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1000,10000,100000", help="technicians nationwide, comma separated")
    parser.add_argument("--searches", type=int, default=40, help="job sites drawn like demand (besides the probes)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verify", type=int, default=8, help="sites on which the production query is replayed")
    parser.add_argument("--verify-up-to", type=int, default=10_000,
                        help="largest scale at which to replay it (the emulator scans per value: slow at 100k)")
    parser.add_argument("--radius-miles", type=float, default=50.0)
    args = parser.parse_args(argv)
    return run([int(s) for s in args.scales.split(",")], searches=args.searches, seed=args.seed, verify=args.verify,
               verify_up_to=args.verify_up_to, radius_miles=args.radius_miles)


if __name__ == "__main__":
    sys.exit(main())
