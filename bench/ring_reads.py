"""What the production ring search (`domain.ring_search`, D41) reads for one dispatch, counted without running
its queries on the emulator (which scans the collection once per `array-contains-any` value: minutes per
search at 100,000 technicians).

`bench.dispatch` fetches the `DispatcherLocations` documents in the geohash ranges of each job site's cover;
every ring query asks for cells inside that cover, so this module answers the plan's queries from those rows
exactly as Firestore would: a document matches when a queried token is among its `search_cells` (a plain
cell contains it; a class token `cell/49f` also needs its score class), it is searchable and fresh, it is
returned once per query, in Firestore's order for a query with a range filter (the range field, then the
document id), and a limited query returns the first `limit`. `bench.dispatch --verify` replays the
production search on sample sites and checks it bills exactly these reads and offers the same technician.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from curbside.domain.dispatch_scoring import Contender, SearchSettings
from curbside.domain.geo import haversine_m
from curbside.domain.ring_search import RingSearch, score_class
from curbside.domain.search_cells import Cell

_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"


class Document(Protocol):
    @property
    def uid(self) -> str: ...
    @property
    def searchable(self) -> bool: ...
    @property
    def fix_at(self) -> dt.datetime: ...
    @property
    def lat(self) -> float: ...
    @property
    def lng(self) -> float: ...
    @property
    def rating(self) -> float: ...
    @property
    def active_jobs(self) -> int: ...


def cell_of(token: str) -> Cell:
    """The cell a `search_cells` token names (`Cell.token` read backwards)."""
    chars, _, rest = token.partition(":")
    bits = 0
    for char in chars:
        bits = (bits << 5) | _ALPHABET.index(char)
    for bit in rest:
        bits = (bits << 1) | int(bit)
    return Cell(5 * len(chars) + len(rest), bits)


@dataclass(frozen=True)
class RingCost:
    reads: int
    queries: int
    best: str | None
    """The technician dispatch would offer the job (the ring search's first)."""


def ring_cost(lat: float, lng: float, settings: SearchSettings, now: dt.datetime,
              within: Callable[[str, str], Sequence[Document]], *, k: int = 1) -> RingCost:
    """Run the ring search's plan for a job at (lat, lng) against the fetched documents (`within(low, high)`:
    those whose geohash is in the range)."""
    fresh_since = now - settings.max_location_age
    plan = RingSearch(lat, lng, settings.radius_m, settings.weights, k=k)
    while (query := plan.next_query()) is not None:
        matched: dict[str, Document] = {}
        for token in query.tokens:
            cell_token, _, klass = token.partition("/")
            for row in within(*cell_of(cell_token).geohash_range()):
                if row.searchable and row.fix_at >= fresh_since and (
                        not klass or score_class(row.rating, row.active_jobs) == klass):
                    matched[row.uid] = row
        returned = sorted(matched.values(), key=lambda row: (row.fix_at, row.uid))[:query.limit]
        plan.record([Contender(row.uid, row.rating, distance / 1000, row.active_jobs) for row in returned
                     if (distance := haversine_m(lat, lng, row.lat, row.lng)) <= settings.radius_m],
                    len(returned))
    ranked = plan.ranked(high_priority=False)
    return RingCost(plan.reads, plan.queries, ranked[0].dispatcher_id if ranked else None)
