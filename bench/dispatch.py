"""Auto-dispatch benchmark (issue 6): what finding a job's candidates costs, at 1,000, 10,000 and 100,000
technicians nationwide, and how fast offers are made and counted down on the local stack.

    .venv/bin/python -m bench.dispatch                      # everything (`make bench`; about 6 minutes on 2 cores)
    .venv/bin/python -m bench.dispatch --scales 1000,10000 --searches 20 --offers 0    # reads only
    .venv/bin/python -m bench.dispatch --scales "" --offers 200                         # offers only

It starts its own Firestore emulator, seeds `DispatcherLocations` through the production model with
technicians spread like Australia's population (`bench/australia.py`), and for a fixed set of job sites
counts the document reads Firestore bills for each way of finding candidates:

- **ring search** — what production dispatch reads (`services.candidates.find_candidates` with `k=1`, D41):
  nearest cells first, stopping once nobody unread could outscore the best read (`bench/ring_reads.py`);
- **cells** — the full search (`find_candidates` without `k`, D15): one `array-contains-any` query over the
  cells covering the disc, freshness filtered by the query, everyone eligible returned;
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
reads and candidates (and, for the ring search, the same reads and the same technician offered). Ground
truth — who is eligible within the radius — comes from the generated technicians themselves, not from any
query.

Offers (`measure_offers`): the local stack (`devstack`) runs the real functions on the wall clock; the seed's
technicians report positions, a client creates jobs with `create_request` over HTTP, and the benchmark takes
the offer latency from Firestore's own commit times (request document -> first JobOffers document) and the
countdown's expiry error from the local Cloud Tasks queue (when it started the `expire_offer` task minus the
offer's `expires_at`). The run shortens OFFER_TTL_S (`--offer-ttl`, default 10 s) so it takes minutes.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime as dt
import itertools
import json
import logging
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from bench.australia import PROBES, Place, places, probe_cohort
from bench.harness import bare_firestore, print_checks, reading_deps, seed_documents
from bench.ring_reads import ring_cost
from curbside.domain.dispatch_scoring import METRES_PER_MILE, Contender, ScoringWeights, SearchSettings, rank
from curbside.domain.documents import DispatcherLocation
from curbside.domain.documents.locations import DEFAULT_CAPACITY
from curbside.domain.enums import AccountStatus
from curbside.domain.geo import geohash_encode, haversine_m, offset
from curbside.domain.search_cells import QUERY_VALUES_LIMIT, cover_disc
from curbside.services import work
from curbside.services.candidates import JobSite, find_candidates
from curbside.store.collections import Collection, doc_path
from devstack import payments_flow
from devstack.activity import Invocation
from devstack.client import CallableClient, CallResult
from devstack.stack import LocalStack, Ports
from devstack.tasks import Task
from seed import seed_firestore
from seed.geography import SYDNEY, jittered

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
PROBE_COHORT = 20
CLEARANCE_M = 10_000
"""Technicians outside the probes' cohorts stay this far beyond the radius of a probe town."""
AMPLIFICATION_LIMIT = 1.5
RING_READS_LIMIT = 60
"""Issue 19's goal: at most this many reads for one dispatch in central Sydney, at any scale."""
OFFER_LATENCY_P99_S = 0.5
"""Issue 19's goal for offers outside a surge on the local stack."""
CENTRAL_SYDNEY = "Sydney CBD"
T = TypeVar("T")
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
            + [Site(CENTRAL_SYDNEY, -33.8688, 151.2093, probe=False)]
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
    rating: float
    active_jobs: int


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
                     .select(["geohash", "searchable", "location_updated_at", "lat", "lng", "rating",
                              "active_jobs"]))
            rows += (Row(snap.id, snap.get("geohash"), snap.get("searchable"), snap.get("location_updated_at"),
                         snap.get("lat"), snap.get("lng"), snap.get("rating"), snap.get("active_jobs"))
                     for snap in query.stream())
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
    ring: int
    """Reads of the ring search for dispatch's one best (which is the full search's best: checked)."""
    best: str | None

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
        ranked = rank((Contender(row.uid, row.rating, haversine_m(site.lat, site.lng, row.lat, row.lng) / 1000,
                                 row.active_jobs) for row in {row.uid: row for query in returned for row in query
                                                              if row.uid in found}.values()),
                      settings.weights, high_priority=False)
        ring = ring_cost(site.lat, site.lng, settings, NOW, fetched.within)
        best = ranked[0].dispatcher_id if ranked else None
        if ring.best != best:
            raise AssertionError(f"{site.name}: the ring search would offer {ring.best}, the full search {best}")
        costs.append(SearchCost(
            site, len(truth), billed(len(query) for query in returned),
            billed(len(fetched.within(low, high)) for low, high in recipe),
            billed(sum(row.searchable for row in fetched.within(low, high)) for low, high in recipe),
            ring.reads, best))
    return costs


def count_online(db: firestore.Client) -> int:
    """What a full scan reads: every online technician (a count aggregation, itself billed one read per 1,000)."""
    query: Any = db.collection(Collection.DISPATCHER_LOCATIONS).where(filter=FieldFilter("is_online", "==", True))
    return int(query.count(alias="online").get()[0][0].value)


def verify_with_production(db: firestore.Client, costs: Sequence[SearchCost], population: Sequence[Known],
                           settings: SearchSettings, sample: int) -> int:
    """Replay the production search on the probes and the first national sites; it must bill exactly the
    counted reads and return exactly the eligible technicians."""
    deps = reading_deps(db, NOW)
    chosen = ([c for c in costs if c.site.probe] + [c for c in costs if not c.site.probe])[:sample]
    for cost in chosen:
        site = JobSite(cost.site.lat, cost.site.lng)
        search = work.reading(deps, partial(find_candidates, site=site, settings=settings))
        truth = eligible_near(population, cost.site, settings.radius_m)
        if search.reads != cost.cells or {c.dispatcher_id for c in search.candidates} != truth:
            raise AssertionError(f"{cost.site.name}: production billed {search.reads} for "
                                 f"{len(search.candidates)} candidates; counted {cost.cells} for {len(truth)}")
        dispatch = work.reading(deps, partial(find_candidates, site=site, k=1, settings=settings))
        offered = dispatch.candidates[0].dispatcher_id if dispatch.candidates else None
        if (dispatch.reads, offered) != (cost.ring, cost.best):
            raise AssertionError(f"{cost.site.name}: the production ring search billed {dispatch.reads} and "
                                 f"offered {offered}; counted {cost.ring} and {cost.best}")
    return len(chosen)


# --- offers on the local stack ------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfferSettings:
    requests: int = 200
    batch: int = 20
    """Requests pending at once: each batch is cancelled by its client once its first offers expired, so no
    technician holds more than a batch's worth of open offers (nobody accepts, so nobody's capacity fills)."""
    ttl_s: int = 10
    """OFFER_TTL_S for the run (production: 60 s). Long enough that a batch is created before its first offer
    expires and cancelled before the follow-up offers expire: a shorter one packs a minute's worth of
    follow-up countdowns into seconds, and the local queue's 4 workers make the measured ones wait."""
    client: str = "client-001"


@dataclass(frozen=True)
class OfferResult:
    technicians: int
    """Online technicians who reported a fresh position."""
    latencies_s: list[float]
    """Per request: the first JobOffers document's commit time minus the ServiceRequests document's."""
    fired_s: list[float]
    """Per first offer: when the local queue started its `expire_offer` task minus the offer's `expires_at`."""
    closed_s: list[float]
    """Per first offer: the commit that marked it expired minus its `expires_at` (includes the queue's retry
    when the first attempt lost its transaction)."""
    lost: int
    """Requests whose `on_request_created` failed (its dispatch transaction lost to concurrent ones: LostRace).
    The trigger is not retried (nor redelivered by the emulator), so such a job waits for `retry_dispatch`;
    it is counted here and left out of the latency."""
    seconds: float
    load: tuple[float, float] = (0.0, 0.0)
    """The machine's one-minute load average when the timing started and when it ended (a shared machine's
    load moves the tail: compare it with the figures)."""


def _poll(read: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while not (value := read()):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout:.0f} s")
        time.sleep(0.05)
    return value


def _save_card(stack: LocalStack, callables: CallableClient, uid: str) -> None:
    """The client saves a card on the stack's local Stripe, as the app does: create_request refuses a client
    without one (D28)."""
    customer = _answer(callables.call("setup_payment_method", {}, uid=uid), "setup_payment_method")["customer_id"]
    card = payments_flow.attach_test_card(stack, customer)
    payments_flow.deliver_event(stack, "payment_method.attached", card)  # localstripe does not send it
    profile = stack.admin_db().document(payments_flow.private_path("ClientProfiles", uid))
    _poll(lambda: (profile.get().to_dict() or {}).get("payment_method") == card["id"], 30, "saved card")


def _created_trigger(job: str, run: Invocation) -> bool:
    return run.name == "on_request_created" and run.detail.endswith(f"ServiceRequests/{job}")


def _expired(db: firestore.Client, offer_id: str) -> firestore.DocumentSnapshot[Any] | None:
    snap = db.document(doc_path(Collection.JOB_OFFERS, offer_id)).get()
    return snap if snap.get("offer_status") == "expired" else None


def _existing(db: firestore.Client, path: str) -> firestore.DocumentSnapshot[Any] | None:
    snap = db.document(path).get()
    return snap if snap.exists else None


def _answer(reply: CallResult, what: str) -> Any:
    if not reply.ok:
        raise AssertionError(f"{what} answered {reply.status}: {reply.body}")
    return reply.result


def _cancel(callables: CallableClient, client: str, job: str) -> None:
    """The client cancels the job; ABORTED (another transaction on the job at that moment, such as its
    follow-up offer being made) is retried, as the app does."""
    for _ in range(5):
        reply = callables.call("cancel_request", {"request_id": job, "reason": "benchmark"}, uid=client)
        if reply.error_status != "ABORTED":
            break
        time.sleep(0.2)
    _answer(reply, "cancel_request")


def measure_offers(settings: OfferSettings, seed: int) -> OfferResult:
    """Offer latency and the countdown's expiry error on the local stack running the real functions, on the
    wall clock. The seed's world is loaded and its online technicians report where they are over HTTP (the
    demo's step); a client uploads a car photo and calls `create_request` over HTTP for jobs at Sydney
    suburbs, one at a time (the next once the last one's created trigger finished), so `on_request_created` makes each
    first offer as in production. Each batch's offers are left to expire on the stack's Cloud Tasks queue,
    then the client cancels the batch (which withdraws the follow-up offers)."""
    started = time.perf_counter()
    os.environ["OFFER_TTL_S"] = str(settings.ttl_s)  # the param, as functions/.env.<project> would set it
    os.environ["REQUESTS_PER_WINDOW"] = str(settings.requests)  # one client books them all (the limit is D47's)
    # Outside a surge (what this measures): a batch's pending jobs and the seed's must not start one (D42).
    os.environ["SURGE_PENDING_JOBS"] = str(settings.requests + 1000)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # The functions' INFO logs go to stdout; their warnings and errors (stderr) stay visible.
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), \
            LocalStack(ports=Ports(0, 0, 0, 0), stripe=True) as stack:  # wall clock; local Stripe: the card
        try:
            return _time_offers(stack, settings, seed, started)
        finally:
            os.environ.pop("OFFER_TTL_S", None)
            os.environ.pop("REQUESTS_PER_WINDOW", None)
            os.environ.pop("SURGE_PENDING_JOBS", None)


def _time_offers(stack: LocalStack, settings: OfferSettings, seed: int, started: float) -> OfferResult:
    fired: dict[str, dt.datetime] = {}

    def countdown_fired(task: Task) -> None:
        if task.fn.name == "expire_offer" and task.first_attempt is not None:
            fired.setdefault(json.loads(task.body)["data"]["offer_id"], task.first_attempt)

    stack.tasks.subscribe(countdown_fired)
    db = stack.admin_db()
    seed_firestore(db, seed=seed, now=stack.clock.now())
    stack.activity.wait_quiet(quiet_s=1.0)
    callables = CallableClient(stack.functions_url, stack.project)
    reported = 0
    moves = random.Random(f"{seed}:fixes")
    for entry in db.collection(Collection.DISPATCHER_LOCATIONS).where(
            filter=FieldFilter("is_online", "==", True)).stream():
        position = entry.to_dict() or {}
        # a live reading a few metres from the seed's: the exact stored position again is refused (D71)
        lat, lng = offset(position["lat"], position["lng"], moves.uniform(5, 30), moves.uniform(5, 30))
        _answer(callables.call("update_location", {
            "lat": lat, "lng": lng, "accuracy_m": 8.0,
            "recorded_at": stack.clock.now().isoformat()}, uid=entry.id), "update_location")
        reported += 1
    photo = f"users/{settings.client}/car_photos/bench.jpg"
    stack.upload(photo, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(256), content_type="image/jpeg")
    _save_card(stack, callables, settings.client)
    stack.activity.wait_quiet(quiet_s=1.0)

    rng = random.Random(f"{seed}:offers")
    load_at_start = os.getloadavg()[0]
    latencies: list[float] = []
    errors: list[float] = []
    closed: list[float] = []
    lost: list[str] = []
    for first in range(0, settings.requests, settings.batch):
        jobs, lost_before = [], len(lost)
        for _ in range(min(settings.batch, settings.requests - first)):
            suburb = rng.choice(SYDNEY.suburbs)
            lat, lng = jittered(suburb, rng)
            job = _answer(callables.call("create_request", {
                "car_model": "Mazda 3", "license_plate": "BNCH-1", "location_address": f"{suburb.name} NSW",
                "location_lat": lat, "location_lng": lng, "car_location_images": [photo],
                "is_urgent": rng.random() < 0.3, "is_scheduled": False}, uid=settings.client),
                "create_request")["request_id"]
            created = stack.activity.wait_for(partial(_created_trigger, job), timeout=30)[-1]
            if not created.ok:  # see OfferResult.lost
                lost.append(job)
                continue
            offer = _existing(db, doc_path(Collection.JOB_OFFERS, f"{job}:1"))
            if offer is None:
                raise AssertionError(f"on_request_created made no offer for {job}")
            request = db.document(doc_path(Collection.SERVICE_REQUESTS, job)).get()
            latencies.append((offer.create_time - request.create_time).total_seconds())
            jobs.append(job)
        # Generous: handlers stuck in the emulator's transaction lock waits hold the queue's 4 workers.
        _poll(partial(set.issubset, {f"{job}:1" for job in jobs}, fired.keys()), settings.ttl_s + 180,
              "the batch's countdowns")
        for job in jobs:
            # A first attempt that lost its transaction is retried by the queue (5 s backoff) before it expires.
            offer = _poll(partial(_expired, db, f"{job}:1"), 180, f"{job}:1 expired")
            errors.append((fired[offer.id] - offer.get("expires_at")).total_seconds())
            closed.append((offer.update_time - offer.get("expires_at")).total_seconds())
        for job in [*jobs, *lost[lost_before:]]:
            _cancel(callables, settings.client, job)
    return OfferResult(reported, latencies, errors, closed, len(lost), time.perf_counter() - started,
                       (load_at_start, os.getloadavg()[0]))


# --- reporting ----------------------------------------------------------------------------------------------

def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value at least `share` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def summary(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean, 90th percentile and maximum."""
    return statistics.fmean(values), percentile(values, 0.9), max(values)


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
        "ring search (production dispatch, k=1)": lambda c: c.ring, "cells (full search)": lambda c: c.cells,
        "geohash recipe": lambda c: c.recipe,
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
              "| job site | eligible | ring reads | cells reads | recipe reads |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c.site.name}{' (probe: fixed local cohort)' if c.site.probe else ''} | {c.eligible} | {c.ring} | "
              f"{c.cells} | {c.recipe} |" for c in result.searches if c.site.probe or c.site.name == CENTRAL_SYDNEY]
    return lines


def report_offers(result: OfferResult, settings: OfferSettings) -> list[str]:
    lines = [
        "### Offers on the local stack",
        "",
        f"{len(result.latencies_s)} requests by create_request over HTTP, in batches of {settings.batch}, to "
        f"{result.technicians} online technicians of the seed (Sydney, Melbourne, Brisbane); OFFER_TTL_S="
        f"{settings.ttl_s}; run {result.seconds:.0f} s. Created triggers that failed (LostRace, left for "
        f"retry_dispatch): {result.lost}. Load average (1 minute) at the start {result.load[0]:.1f}, at the end "
        f"{result.load[1]:.1f}.",
        "",
        "| figure | p50 | p99 | min | max | over 1 s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, values in (("offer latency (request written -> first JobOffers document)", result.latencies_s),
                         ("expiry error (countdown task fired - expires_at)", result.fired_s),
                         ("offer marked expired - expires_at", result.closed_s)):
        lines.append(f"| {name} | {percentile(values, 0.5) * 1000:.0f} ms | {percentile(values, 0.99) * 1000:.0f} "
                     f"ms | {min(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms | "
                     f"{sum(value > 1 for value in values)} |")
    return lines


def checks(results: Sequence[ScaleResult], offers: OfferResult | None) -> list[tuple[str, bool]]:
    outcome = []
    for result in results:
        national = [c for c in result.searches if not c.site.probe and c.eligible > 0]
        mean = statistics.fmean(c.amplification(c.cells) for c in national)
        outcome.append((f"{result.technicians:,}: mean read amplification {mean:.2f} <= {AMPLIFICATION_LIMIT}",
                        mean <= AMPLIFICATION_LIMIT))
        central = next(c for c in result.searches if c.site.name == CENTRAL_SYDNEY)
        outcome.append((f"{result.technicians:,}: one dispatch in central Sydney reads {central.ring} <= "
                        f"{RING_READS_LIMIT} (the full search: {central.cells})", central.ring <= RING_READS_LIMIT))
    if results:
        probe_reads = {tuple(c.cells for c in r.searches if c.site.probe) for r in results}
        outcome.append((f"probe towns cost the same reads at every scale: {sorted(probe_reads)}",
                        len(probe_reads) == 1))
        unchanged = all(c.ring == c.cells for r in results for c in r.searches if c.site.probe)
        outcome.append(("remote towns: one dispatch reads what the full search reads (ring = cells)", unchanged))
    if offers is not None:
        p99 = percentile(offers.latencies_s, 0.99)
        outcome.append((f"offer latency outside a surge p99 {p99:.3f} s <= {OFFER_LATENCY_P99_S} s (load average "
                        f"{offers.load[0]:.1f} -> {offers.load[1]:.1f})", p99 <= OFFER_LATENCY_P99_S))
        outcome.append((f"no countdown fired before its offer's expires_at (earliest "
                        f"{min(offers.fired_s) * 1000:+.0f} ms)", min(offers.fired_s) >= 0))
    return outcome


# --- the run ------------------------------------------------------------------------------------------------

def run(scales: Sequence[int], *, searches: int, seed: int, verify: int, verify_up_to: int,
        radius_miles: float, offers: OfferSettings | None) -> int:
    started = time.perf_counter()
    results = measure_scales(scales, searches=searches, seed=seed, verify=verify, verify_up_to=verify_up_to,
                             radius_miles=radius_miles) if scales else []
    offer_result = None
    if offers is not None:
        offer_result = measure_offers(offers, seed)
        print("\n".join(report_offers(offer_result, offers)) + "\n", flush=True)
    passed = print_checks(checks(results, offer_result))
    print(f"Total {time.perf_counter() - started:.0f} s")
    return 0 if passed else 1


def measure_scales(scales: Sequence[int], *, searches: int, seed: int, verify: int, verify_up_to: int,
                   radius_miles: float) -> list[ScaleResult]:
    """Read amplification at each scale, each on top of the last, on a bare Firestore emulator."""
    settings = SearchSettings(radius_m=radius_miles * METRES_PER_MILE, max_location_age=dt.timedelta(seconds=600),
                              weights=ScoringWeights(rating=10.0, distance_per_km=1.0, availability_bonus=5.0,
                                                     priority_bonus=10.0))
    sites = job_sites(seed, searches, settings.radius_m)
    stream = technicians(seed, settings.radius_m)
    results: list[ScaleResult] = []
    with bare_firestore() as db:
        population: list[Known] = []
        for scale in sorted(scales):
            batch = [technician.entry() for technician in itertools.islice(stream, scale - len(population))]
            seconds = seed_documents(db, Collection.DISPATCHER_LOCATIONS, batch)
            population += (known(entry, NOW - settings.max_location_age) for entry in batch)
            clock = time.perf_counter()
            costs = measure_reads(db, population, sites, settings)
            online = count_online(db)
            verified = (verify_with_production(db, costs, population, settings, verify)
                        if scale <= verify_up_to else 0)
            results.append(ScaleResult(scale, seconds, len(batch), online, sum(k.eligible for k in population),
                                       costs, verified, time.perf_counter() - clock))
            print("\n".join(report(results[-1])) + "\n", flush=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1000,10000,100000", help="technicians nationwide, comma separated")
    parser.add_argument("--searches", type=int, default=40, help="job sites drawn like demand (besides the probes)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--verify", type=int, default=8, help="sites on which the production query is replayed")
    parser.add_argument("--verify-up-to", type=int, default=10_000,
                        help="largest scale at which to replay it (the emulator scans per value: slow at 100k)")
    parser.add_argument("--radius-miles", type=float, default=50.0)
    parser.add_argument("--offers", type=int, default=OfferSettings.requests,
                        help="requests timed on the local stack (0: skip the offers part)")
    parser.add_argument("--offer-batch", type=int, default=OfferSettings.batch)
    parser.add_argument("--offer-ttl", type=int, default=OfferSettings.ttl_s, help="OFFER_TTL_S for the run")
    args = parser.parse_args(argv)
    offers = (OfferSettings(requests=args.offers, batch=args.offer_batch, ttl_s=args.offer_ttl)
              if args.offers > 0 else None)
    return run([int(s) for s in args.scales.split(",") if s], searches=args.searches, seed=args.seed,
               verify=args.verify, verify_up_to=args.verify_up_to, radius_miles=args.radius_miles, offers=offers)


if __name__ == "__main__":
    sys.exit(main())
