"""The ring search over the emulator, on random worlds: dispatch's k best are the full search's (what it
saves is measured by `bench.dispatch`, and shown on a dense city in tests/unit/test_ring_search.py)."""

from __future__ import annotations

import datetime as dt
import random
from functools import partial

import pytest

from curbside.domain.geo import offset
from curbside.services import work
from curbside.services.candidates import JobSite, find_candidates
from curbside.store.codec import to_document
from curbside.store.collections import Collection, doc_path
from tests.factories import make_dispatcher_location
from tests.technicians import SYDNEY

pytestmark = pytest.mark.emulator


def seed_world(db, rng: random.Random, now: dt.datetime, size: int) -> None:
    """A random suburb's index entries: clusters of technicians, some stale, busy or offline, in one batch."""
    centres = [(rng.uniform(-20_000, 20_000), rng.uniform(-20_000, 20_000)) for _ in range(3)]
    batch = db.batch()
    for n in range(size):
        north, east = rng.choice(centres)
        lat, lng = offset(*SYDNEY, north + rng.gauss(0, 3_000), east + rng.gauss(0, 3_000))
        entry = make_dispatcher_location(
            id=f"t{n:03d}", dispatcher_id=f"t{n:03d}", lat=lat, lng=lng, is_online=rng.random() < 0.9,
            rating=rng.choice([5.0, 4.9, round(rng.uniform(3.5, 5.0), 2)]), active_jobs=rng.choice([0, 0, 1, 2]),
            location_updated_at=now - dt.timedelta(seconds=rng.choice([30, 120, 900])))
        batch.set(db.document(doc_path(Collection.DISPATCHER_LOCATIONS, entry.id)), to_document(entry))
    batch.commit()


@pytest.mark.parametrize("seed", range(4))
def test_the_ring_search_offers_whom_the_full_search_would(db, deps, clock, seed):
    rng = random.Random(seed)
    seed_world(db, rng, clock.now(), size=90)
    site = JobSite(*offset(*SYDNEY, rng.uniform(-10_000, 10_000), rng.uniform(-10_000, 10_000)),
                   high_priority=rng.random() < 0.3)

    full = work.reading(deps, lambda uow: find_candidates(uow, site))
    assert len(full.candidates) > 10, "the world is dense enough for rings"
    offered = {candidate.dispatcher_id for candidate in full.candidates[:2]}
    for k in (1, 3):
        ring = work.reading(deps, partial(find_candidates, site=site, k=k))
        assert ring.candidates == full.candidates[:k]
        after = work.reading(deps, partial(find_candidates, site=site, k=k, exclude=offered))
        assert after.candidates == [c for c in full.candidates if c.dispatcher_id not in offered][:k]
