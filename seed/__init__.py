"""Idempotent demo data for the Firestore emulator: `python -m seed` (or `make seed`), or in-process
`seed_firestore(db, seed=7, now=clock.now())`.

What it writes (ids are fixed; the content is drawn from `random.Random(seed)`):
- the loyalty catalogue: all five reward types at each of the four tiers (`seed/catalogue.py`);
- the spec's pricing rules — peak hours, weekend, high-demand zones, demand surge — whose condition-map
  shapes are defined in `seed/catalogue.py`'s docstring (the pricing engine reads those shapes);
- the paintless-dent-repair matrix photo quotes are priced by (`seed/dent_matrix.py`, D87);
- `admin-001`, 30 clients (`client-001`...) and 120 technicians (`dispatcher-001`...) living at real suburbs
  of Brisbane, Sydney and Melbourne, with their profiles, private parts, notification preferences, positions,
  loyalty balances (and an opening PointsLedger entry each), verification states and two shadow bans;
- 24 service requests, three in each status, with a JobCompletion for each completed one (`seed/jobs.py`);
- the admin dashboard's `DailyStats` rollups of those jobs and people, each count on its event's day
  (`seed/rollups.py`).

Times are relative to an anchor, `now` floored to the whole hour (UTC), so the demo always looks current and
two runs in the same hour build identical documents. Existing documents are never rewritten unless
`refresh=True`: a second run writes nothing (see `seed/writer.py` for the counts it reports).

It refuses any target that is not an emulator of a `demo-` project (`seed/target.py`).
"""

from datetime import datetime

from google.cloud import firestore

from seed import _path  # noqa: F401  (makes `curbside` importable under `python -m seed`)
from seed.target import SeedRefused, check_target, emulator_host_of
from seed.world import World, build_world
from seed.writer import Outcome, SeedReport, write_missing


def seed_firestore(db: firestore.Client, *, seed: int = 7, now: datetime,
                   refresh: bool = False) -> SeedReport:
    """Seed the emulator behind `db`; raises SeedRefused (and writes nothing) for any other target."""
    check_target(db.project, emulator_host_of(db))
    world = build_world(seed, now)
    report = SeedReport(project_id=db.project, anchor=world.anchor, admin_uid=world.admin_uid)
    return write_missing(db, world.docs, report, refresh=refresh)


__all__ = ["Outcome", "SeedRefused", "SeedReport", "World", "build_world", "check_target", "seed_firestore"]
