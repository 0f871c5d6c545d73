"""The nearest-first candidate search: read technicians around a job in growing rings of cells, and stop as
soon as nobody not yet read could outscore the k best read so far (D41).

The assignment score (`dispatch_scoring`) falls with distance and is bounded above by the best rating and the
availability bonus, so a cell at `d` km from the job can hold nobody scoring more than
`rating_weight x 5 + availability_bonus - distance_weight x d`. Technicians are also indexed by a **score
class** — a band of their rating and whether they are free (`class_token`) — whose ceiling is lower: once a
good candidate is known, a cell can be read for the classes that could still beat it and skipped for the
others. In a city that stops the search after a few dozen documents instead of the thousands within the
radius; the ranking of what it returns is the full search's (tests/unit/test_ring_search.py checks it
against the full search on random worlds).

This module only plans: `RingSearch.next_query()` says which index values to query (with an optional limit),
the caller runs the query (`services.candidates`, or a test's in-memory index) and hands the eligible
contenders back with `record`. Billing is Firestore's: one read per document returned, one for a query that
returns none. The plan:

1. One query over the whole radius's cover, limited to `first_limit` documents. A town with fewer eligible
   technicians than that is read completely, exactly as the full search would (remote towns pay what they
   always paid).
2. Otherwise rings: cells by their ceiling, nearest first, the first ring small (`FIRST_RING` values) and
   each next one twice as large up to Firestore's 30; a cell is split into its halves while it is wide for its
   distance (its ceiling would be loose), and into its twelve score classes once a candidate is known, some
   class could not beat it there, and the rings read so far say the cell holds about `CLASS_SPLIT_DENSITY`
   technicians or more (in the country, twelve values that return nothing cost more queries than the
   documents they save). A technician returned twice (by step 1 and a ring) is counted once as a candidate
   and twice as reads, as Firestore bills.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

from curbside.domain.dispatch_scoring import Contender, RankedCandidate, ScoringWeights, assignment_score, rank
from curbside.domain.search_cells import MAX_DEPTH, QUERY_VALUES_LIMIT, Cell, cover_disc, search_cell_tokens

MAX_RATING = 5.0
RATING_BANDS = (4.9, 4.8, 4.6, 4.3, 4.0, 1.0)
"""Lower edges of the rating bands of the score classes, best first. A band's ceiling is the edge above it
(5.0 for the first)."""

FIRST_LIMIT = 10
"""Documents the first, whole-radius query may return (at least twice k): fewer means that is everyone."""
FIRST_RING = 4
"""Values in the first ring's query; each next ring doubles, up to Firestore's 30."""
SPLIT_ABSOLUTE_M = 1_500.0
SPLIT_RELATIVE = 1.0
"""A cell is split while its extent away from the job exceeds both this many metres and this share of its
distance: its ceiling would otherwise promise scores from its near edge for people at its far edge."""
CLASS_SPLIT_DENSITY = 0.5
"""Technicians a cell is expected to hold (from the plain rings read so far) before it is split by class."""
_SLACK_M = 1.0
_SLACK_SCORE = 1e-9
"""Ceilings are rounded up by these (metres of distance, score points) so floating-point rounding can only
make the search read more, never stop early."""


def rating_band(rating: float) -> int:
    """The index of the band a rating falls in (0: the best)."""
    return next((i for i, edge in enumerate(RATING_BANDS) if rating >= edge), len(RATING_BANDS) - 1)


def band_ceiling(band: int) -> float:
    return MAX_RATING if band == 0 else RATING_BANDS[band - 1]


def score_class(rating: float, active_jobs: int) -> str:
    """A technician's score class, as stored in their index tokens: the rating band's lower edge times ten
    and `f` (free: no active job, so the availability bonus applies) or `b` (busy), e.g. `49f`."""
    return f"{round(RATING_BANDS[rating_band(rating)] * 10)}{'f' if active_jobs == 0 else 'b'}"


CLASSES = tuple(f"{round(edge * 10)}{kind}" for edge in RATING_BANDS for kind in "fb")


def class_token(cell_token: str, klass: str) -> str:
    """A cell's token restricted to one score class: `r3gx:10/49f`."""
    return f"{cell_token}/{klass}"


def index_tokens(lat: float, lng: float, rating: float, active_jobs: int) -> list[str]:
    """What a searchable technician's entry stores in `search_cells`: the cell containing them at every depth
    (`search_cells.search_cell_tokens`, what the full search and step 1 match), then the same cells within
    their score class (what the class-split rings match)."""
    plain = search_cell_tokens(lat, lng)
    klass = score_class(rating, active_jobs)
    return plain + [class_token(token, klass) for token in plain]


def class_ceiling(weights: ScoringWeights, klass: str | None) -> float:
    """The best score a technician of the class (None: any class) can have at distance zero, before the job's
    priority bonus (which every candidate of a job shares)."""
    if klass is None:
        return weights.rating * MAX_RATING + weights.availability_bonus
    band = RATING_BANDS.index(int(klass[:-1]) / 10)
    return weights.rating * band_ceiling(band) + (weights.availability_bonus if klass.endswith("f") else 0.0)


@dataclass(frozen=True)
class CellQuery:
    tokens: tuple[str, ...]
    limit: int | None = None


@dataclass(order=True)
class _Item:
    priority: tuple[float, int]
    cell: Cell
    klass: str | None
    near_m: float


class RingSearch:
    """The plan of one search for the `k` best candidates around a point (k None: everyone, the full
    search). See the module docstring."""

    def __init__(self, lat: float, lng: float, radius_m: float, weights: ScoringWeights, *, k: int | None,
                 first_limit: int = FIRST_LIMIT) -> None:
        if k is not None and k < 1:
            raise ValueError("k is at least 1")
        self.lat, self.lng, self.radius_m, self.weights, self.k = lat, lng, radius_m, weights, k
        self._cover = cover_disc(lat, lng, radius_m)
        self._found: dict[str, Contender] = {}
        self._scores: list[float] = []
        self._heap: list[_Item] = []
        self._order = itertools.count()
        self._ring_queries = 0
        self._limit = max(first_limit, 2 * k) if k is not None else None
        self._phase = "full" if k is None or len(self._cover) > QUERY_VALUES_LIMIT else "first"
        self._full_start = 0
        self._last_returned = 0
        self._asked_plain_m2 = 0.0
        self._plain_m2 = 0.0
        self._plain_returned = 0
        self._done = False
        self.reads = 0
        self.queries = 0

    # --- the caller's side -----------------------------------------------------------------------------------

    def next_query(self) -> CellQuery | None:
        """The next query to run, or None when the search is complete."""
        if self._done:
            return None
        if self._phase == "full":
            chunk = self._cover[self._full_start:self._full_start + QUERY_VALUES_LIMIT]
            if not chunk:
                return None
            self._full_start += QUERY_VALUES_LIMIT
            return CellQuery(tuple(cell.token for cell in chunk))
        if self._phase == "first":
            self._phase = "asked"
            return CellQuery(tuple(cell.token for cell in self._cover), self._limit)
        if self._phase == "asked":
            assert self._limit is not None
            if self._last_returned < self._limit:
                return None  # the whole radius held fewer than the limit: every candidate is read
            self._phase = "rings"
            for cell in self._cover:
                self._push(cell, None)
        return self._next_ring()

    def record(self, contenders: Iterable[Contender], returned: int) -> None:
        """What the last query returned: the documents billed (`returned`) and the eligible candidates among
        them (within the radius, not excluded)."""
        self.queries += 1
        self.reads += max(1, returned)
        self._last_returned = returned
        if self._phase == "rings" and self._asked_plain_m2 > 0:
            self._plain_m2 += self._asked_plain_m2
            self._plain_returned += returned
        for contender in contenders:
            if contender.dispatcher_id not in self._found:
                self._found[contender.dispatcher_id] = contender
                self._scores.append(assignment_score(self.weights, contender, high_priority=False))
        self._scores.sort(reverse=True)

    def ranked(self, *, high_priority: bool) -> list[RankedCandidate]:
        """The best candidates read, best first: the k best of everyone within the radius once the search is
        complete (everyone for the full search)."""
        ranked = rank(self._found.values(), self.weights, high_priority=high_priority)
        return ranked if self.k is None else ranked[:self.k]

    # --- the rings -------------------------------------------------------------------------------------------

    def _kth_score(self) -> float:
        assert self.k is not None
        return self._scores[self.k - 1] if len(self._scores) >= self.k else -math.inf

    def _ceiling(self, near_m: float, klass: str | None) -> float:
        return (class_ceiling(self.weights, klass) - self.weights.distance_per_km * max(0.0, near_m - _SLACK_M)
                / 1000 + _SLACK_SCORE)

    def _push(self, cell: Cell, klass: str | None, near_m: float | None = None) -> None:
        near = cell.box().min_distance_m(self.lat, self.lng) if near_m is None else near_m
        heapq.heappush(self._heap, _Item((-self._ceiling(near, klass), next(self._order)), cell, klass, near))

    def _next_ring(self) -> CellQuery | None:
        size = min(QUERY_VALUES_LIMIT, FIRST_RING * 2 ** self._ring_queries)
        tokens: list[str] = []
        self._asked_plain_m2 = 0.0
        while self._heap and len(tokens) < size:
            bar = self._kth_score()
            item = self._heap[0]
            if -item.priority[0] < bar:
                break  # nobody unread can beat the k-th best: done
            heapq.heappop(self._heap)
            if self._split_by_place(item) or self._split_by_class(item, bar):
                continue
            if item.klass is None:
                tokens.append(item.cell.token)
                self._asked_plain_m2 += item.cell.box().area_m2()
            else:
                tokens.append(class_token(item.cell.token, item.klass))
        if not tokens:
            self._done = True
            return None
        self._ring_queries += 1
        return CellQuery(tuple(tokens))

    def _split_by_place(self, item: _Item) -> bool:
        box = item.cell.box()
        extent = box.max_distance_m(self.lat, self.lng) - item.near_m
        if item.cell.depth >= MAX_DEPTH or extent <= max(SPLIT_ABSOLUTE_M, SPLIT_RELATIVE * item.near_m):
            return False
        for child in item.cell.children():
            near = child.box().min_distance_m(self.lat, self.lng)
            if near <= self.radius_m + _SLACK_M:
                self._push(child, item.klass, near)
        return True

    def _split_by_class(self, item: _Item, bar: float) -> bool:
        """Split a plain cell into its score classes once a candidate is known, some class could not beat it
        there, and the cell is dense enough for that to save reads (else one plain value is cheaper to ask for
        than twelve)."""
        if item.klass is not None or bar == -math.inf or self._ceiling(item.near_m, CLASSES[-1]) >= bar \
                or self._plain_m2 <= 0 \
                or self._plain_returned / self._plain_m2 * item.cell.box().area_m2() < CLASS_SPLIT_DENSITY:
            return False
        for klass in CLASSES:
            self._push(item.cell, klass, item.near_m)
        return True
