"""The whole demo world as a list of documents: a pure function of the seed and the anchor.

One `random.Random(seed)` is drawn from in a fixed order, so the same (seed, anchor) gives the very same
documents — ids always, content too — which is what makes the seed idempotent and the tests exact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from curbside.settings import Settings
from seed.catalogue import pricing_rules, rewards
from seed.dent_matrix import dent_matrix
from seed.geography import City
from seed.jobs import plan_jobs
from seed.population import (
    ADMIN_ID,
    admin_documents,
    calendar_document,
    client_documents,
    dispatcher_documents,
    location_document,
    plan_population,
)
from seed.records import SeedDoc, public
from seed.rollups import rollup_documents


@dataclass(frozen=True)
class World:
    anchor: datetime
    docs: list[SeedDoc]
    city_of: dict[str, City]
    """Home city of every seeded person, by uid (what tests check coordinates against)."""
    admin_uid: str = ADMIN_ID


def anchor_of(now: datetime) -> datetime:
    """The instant the world is built around: `now` floored to the whole hour, in UTC.

    Two runs within the same hour therefore produce identical documents; and since Australian zones are
    whole hours from UTC, local appointment times stay on the hour too."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (a naive datetime has no defined instant)")
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def build_world(seed: int, now: datetime) -> World:
    """Every seeded document, in write order (catalogue, people, jobs, the dashboard's rollups of them), each
    exactly once."""
    anchor = anchor_of(now)
    rng = random.Random(seed)
    population = plan_population(anchor, rng)
    jobs = plan_jobs(population, anchor, rng)
    docs = [public(reward) for reward in rewards()] + [public(rule) for rule in pricing_rules()]
    docs.append(public(dent_matrix(anchor)))
    docs += admin_documents(population.admin)
    for client in population.clients:
        docs += client_documents(client, jobs.per_client[client.member.uid])
    for dispatcher in population.dispatchers:
        docs += dispatcher_documents(dispatcher)
        busy = jobs.whereabouts.get(dispatcher.member.uid)
        docs.append(public(location_document(dispatcher, anchor, rng, busy)))
        docs.append(public(calendar_document(dispatcher, anchor)))
    docs += [public(request) for request in jobs.requests]
    docs += [public(completion) for completion in jobs.completions]
    docs += rollup_documents(docs, Settings().default_time_zone)
    paths = [doc.path for doc in docs]
    if len(set(paths)) != len(paths):
        raise AssertionError("the seed built two documents at the same path")
    people = [population.admin] + [c.member for c in population.clients] + [d.member for d in population.dispatchers]
    return World(anchor=anchor, docs=docs, city_of={member.uid: member.city for member in people})
