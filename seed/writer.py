"""The one generic writer: read what is there, write only what is missing, report per collection.

Documents are read in batches with `get_all` and compared with what the seed would write; missing ones are
created (with `create`, so a document written meanwhile by someone else makes the batch fail instead of
being overwritten). A document that exists is never rewritten by default: the local stack and the apps may
have moved a seeded job on, and re-seeding must not undo that. It counts as *unchanged* when it equals the
seed's version and as *kept* when it differs; `refresh=True` rewrites the differing ones (*updated*).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from google.cloud import firestore

from seed.records import SeedDoc

CHUNK = 500
"""Documents per read and per write batch (Firestore's batched-write limit)."""

T = TypeVar("T")


class Outcome(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    KEPT = "kept"
    UPDATED = "updated"


@dataclass
class SeedReport:
    """What a run did, per report label (collection, or `{Collection}/private`), in first-seen order."""

    project_id: str
    anchor: datetime
    admin_uid: str
    counts: dict[str, dict[Outcome, int]] = field(default_factory=dict)

    def add(self, label: str, outcome: Outcome) -> None:
        row = self.counts.setdefault(label, dict.fromkeys(Outcome, 0))
        row[outcome] += 1

    def total(self, outcome: Outcome) -> int:
        return sum(row[outcome] for row in self.counts.values())

    @property
    def written(self) -> int:
        return self.total(Outcome.CREATED) + self.total(Outcome.UPDATED)

    def table(self) -> str:
        """The per-collection counts as aligned text, with a total line."""
        width = max(len("collection"), *(len(label) for label in self.counts))
        header = f"{'collection':<{width}}" + "".join(f"{outcome.value:>11}" for outcome in Outcome)
        rows = [f"{label:<{width}}" + "".join(f"{row[o]:>11}" for o in Outcome) for label, row in self.counts.items()]
        total = f"{'total':<{width}}" + "".join(f"{self.total(o):>11}" for o in Outcome)
        rule = "-" * len(header)
        return "\n".join([header, rule, *rows, rule, total])


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def write_missing(db: firestore.Client, docs: Sequence[SeedDoc], report: SeedReport, *,
                  refresh: bool = False) -> SeedReport:
    """Bring the database up to `docs` under the policy above; counts go into `report`."""
    for chunk in _chunks(docs, CHUNK):
        refs = [db.document(doc.path) for doc in chunk]
        stored = {snap.reference.path: snap for snap in db.get_all(refs)}
        batch = db.batch()
        for doc, ref in zip(chunk, refs, strict=True):
            snap = stored[ref.path]
            if not snap.exists:
                batch.create(ref, doc.data)
                outcome = Outcome.CREATED
            elif snap.to_dict() == doc.data:
                outcome = Outcome.UNCHANGED
            elif refresh:
                batch.set(ref, doc.data)
                outcome = Outcome.UPDATED
            else:
                outcome = Outcome.KEPT
            report.add(doc.label, outcome)
        if len(batch) > 0:
            batch.commit()
    return report
