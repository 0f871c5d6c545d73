"""Messenger leads: what one prospect's message costs in Firestore reads and writes, and how long the webhook's
work takes, for each step of the conversation.

    .venv/bin/python -m bench.leads                  # 40 prospects; rewrites its section of docs/benchmarks.md

The services run in this process against a Firestore emulator of their own, as `messenger_webhook` runs them
(after the signature check): 200 available technicians spread over Brisbane, each prospect greets the page,
gives a postcode (geocoded by the shipped table), and Meta delivers that message again. Replies go to the
recording Send API double; drive times come from the road-speed model. Reads and writes are the units of work's
own count of what Firestore bills (`services.work.metering`), notices' fan-out included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import statistics
import sys
import time

from google.cloud import firestore

from bench.harness import bare_firestore, print_checks, reading_deps, seed_documents, write_doc_block
from curbside.domain.documents import DispatcherLocation, User
from curbside.domain.enums import UserType
from curbside.domain.geo import offset
from curbside.services import messenger_events, work
from curbside.services.leads import Message
from curbside.store.collections import Collection

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
BRISBANE_CITY = (-27.4698, 153.0251)
TECHNICIANS = 200
STEPS = (("greeting", "Hi! Saw your ad"), ("postcode", "hi, 4000 please"), ("replayed postcode", "hi, 4000 please"))


def seed(db: firestore.Client) -> None:
    uids = [f"tech-{n:04d}" for n in range(TECHNICIANS)]
    seed_documents(db, Collection.USERS, [User(id=uid, uid=uid, full_name=f"Tech {uid}",
                                               user_type=UserType.DISPATCHER) for uid in uids])
    spots = [offset(*BRISBANE_CITY, (n % 20 - 10) * 1500.0, (n // 20 - 5) * 1500.0) for n in range(TECHNICIANS)]
    seed_documents(db, Collection.DISPATCHER_LOCATIONS, [DispatcherLocation(
        id=uid, dispatcher_id=uid, is_online=True, verified=True, lat=lat, lng=lng, location_updated_at=NOW,
        rating=4.0 + (n % 10) / 10) for n, (uid, (lat, lng)) in enumerate(zip(uids, spots, strict=True))])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=40)
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args()
    costs: dict[str, list[tuple[int, int, float]]] = {name: [] for name, _ in STEPS}
    outcomes: dict[str, set[str]] = {name: set() for name, _ in STEPS}
    with bare_firestore() as db:
        deps = reading_deps(db, NOW)
        seed(db)
        for prospect in range(args.prospects):
            sender = f"7{prospect:015d}"
            for step, (name, text) in enumerate(STEPS):
                mid = f"m_{prospect}_{min(step, 1)}"
                message = Message(event_id=hashlib.sha256(mid.encode()).hexdigest()[:40], sender_id=sender,
                                  page_id="100200300", sent_at=NOW, text=text)
                with work.metering() as meter:
                    started = time.perf_counter()
                    outcomes[name].add(messenger_events.handle(deps, message))
                    costs[name].append((meter.reads, meter.writes, time.perf_counter() - started))
    lines = [f"{args.prospects} prospects, {TECHNICIANS} available technicians over Brisbane; per message "
             "(median; the first prospect's calls include the emulator's warm-up):", "",
             "| message | outcome | reads | writes | handled in (ms) |", "|---|---|---|---|---|"]
    for name, _ in STEPS:
        rows = costs[name][1:] or costs[name]
        lines.append(f"| {name} | {', '.join(sorted(outcomes[name]))} | {statistics.median(r for r, _, _ in rows):g} "
                     f"| {statistics.median(w for _, w, _ in rows):g} "
                     f"| {statistics.median(s for _, _, s in rows) * 1000:.0f} |")
    lines += ["", f"Machine load average during the run: {os.getloadavg()[0]:.1f} (2 cores). Timed apart, the "
              "postcode message's time is almost all the production candidate search (`services/candidates.py`, "
              "5 queries and 21 documents here; 3 s in one run under a load of 13); why it is so much slower "
              "here than in dispatch's offers on the local stack (0.1-0.3 s from request to offer) is not explained "
              "yet. The reply's send and the technicians' notices run in the same call (their commits are counted)."]
    print("\n".join(lines))
    ok = print_checks([("every postcode matched", outcomes["postcode"] == {"matched"}),
                       ("every replay was a duplicate", outcomes["replayed postcode"] == {"duplicate"})])
    if not args.no_doc:
        write_doc_block("leads", "Messenger leads (bench/leads.py)", lines)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
