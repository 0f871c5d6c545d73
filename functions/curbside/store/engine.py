"""The engine of a unit of work: what it read (with each document's `update_time`), what it staged, and the
commit in the named style. Services use it through `store.uow.UnitOfWork`, which adds the repositories, the
derived documents and the outbox; see that module for the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from google.api_core import exceptions as google_errors
from google.cloud import firestore
from pydantic import BaseModel

from curbside.domain.errors import LostRace
from curbside.store.codec import from_document, to_document
from curbside.store.queries import QuerySpec

if TYPE_CHECKING:
    from curbside.settings import Settings

M = TypeVar("M", bound=BaseModel)


class Style(StrEnum):
    TRANSACTION = "transaction"
    CONDITIONAL = "conditional"


class ReadAfterWrite(RuntimeError):
    """A use case read after staging a write: reorder it so every read comes first."""


class Conflict(LostRace):
    """A conditional commit found a document changed (or created) since it was read: nothing was written."""


@dataclass
class Tracked:
    """A document as this unit of work read it."""

    model: BaseModel | None
    """None: it did not exist."""
    raw: dict[str, Any] | None
    update_time: Any
    snapshot: Any


@dataclass(frozen=True)
class Cursor:
    """Where a page of a query ended (`repository.cursor(last)`), to start the next page after it in a later
    unit of work; or any document of that page as it was read, for a later conditional unit of work to write
    without reading it again (`repository.as_read`)."""

    path: str
    snapshot: Any = field(compare=False)


class WriteKind(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SET = "set"
    MERGE = "merge"
    DELETE = "delete"


@dataclass(frozen=True)
class Add:
    """In a merge (`Engine.merge`): add this to the stored number (a Firestore increment), so concurrent commits
    that each add one all count without reading the document."""

    amount: int


@dataclass
class Write:
    path: str
    kind: WriteKind
    model: BaseModel | None
    """The document as it will be stored (None for a delete)."""
    fields: dict[str, Any]
    """What is sent: the changed fields of an update, the whole document otherwise."""
    increments: dict[str, int] = field(default_factory=dict)
    """Top-level fields to add to in the same write (`Engine.add`), sent as Firestore increments."""


class Engine:
    """The reads, staged writes and commit of one unit of work (`store.uow.UnitOfWork` adds the repositories)."""

    def __init__(self, db: firestore.Client, *, now: dt.datetime, settings: Settings, style: Style,
                 transaction: firestore.Transaction | None = None) -> None:
        self.db = db
        self.now = now
        self.settings = settings
        self.style = style
        self._transaction = transaction
        self._tracked: dict[str, Tracked] = {}
        self._queries: dict[tuple[Any, ...], list[str]] = {}
        self._writes: dict[str, Write] = {}
        self._committing = False
        self.reads = 0
        """Document reads Firestore bills for what this unit of work read (a query: one per document returned,
        at least one; a count: one per 1,000 counted)."""
        self.refresh_requested: set[str] = set()
        """Technicians whose dispatch-index entry must be rebuilt from its sources even if no source changed
        (going online, a repair)."""

    # --- reading -------------------------------------------------------------------------------------------

    def _check_may_read(self) -> None:
        if self._writes and not self._committing:
            raise ReadAfterWrite("read after a write was staged: read everything first, then write")

    def tracked(self, path: str, model_cls: type[M]) -> Tracked:
        """The document at `path` as read by this unit of work (read now if it was not yet)."""
        known = self._tracked.get(path)
        if known is not None:
            return known
        self._check_may_read()
        snap = self.db.document(path).get(transaction=self._transaction)
        self.reads += 1
        return self._track(path, model_cls, snap)

    def tracked_all(self, paths: Sequence[str], model_cls: type[M]) -> list[Tracked]:
        """The documents at `paths`, those not yet read fetched in one round trip (billed one read each)."""
        unread = [path for path in dict.fromkeys(paths) if path not in self._tracked]
        if unread:
            self._check_may_read()
            for snap in self.db.get_all([self.db.document(path) for path in unread], transaction=self._transaction):
                self._track(snap.reference.path, model_cls, snap)
            self.reads += len(unread)
        return [self._tracked[path] for path in paths]

    def cursor(self, path: str) -> Cursor:
        """The cursor after the document at `path`, which a query of this unit of work returned."""
        return Cursor(path, self._tracked[path].snapshot)

    def adopt(self, seen: Cursor, model_cls: type[M]) -> Tracked:
        """Take a document as an earlier unit of work read it (a page of a query), without reading it again.
        Conditional style only: a write to it is then guarded by that read's `update_time`, so the commit fails
        if the document changed since — exactly as if this unit of work had read it then."""
        if self.style is not Style.CONDITIONAL:
            raise RuntimeError("only a conditional unit of work may write what another one read")
        self._check_may_read()
        return self._track(seen.path, model_cls, seen.snapshot)

    def tracked_or_none(self, path: str) -> Tracked | None:
        """The document at `path` if this unit of work has read it."""
        return self._tracked.get(path)

    def _track(self, path: str, model_cls: type[M], snap: Any) -> Tracked:
        if path in self._tracked:
            return self._tracked[path]
        raw = snap.to_dict() if snap.exists else None
        model = None
        if raw is not None:
            model = from_document(model_cls, raw, doc_id=snap.id if "id" in model_cls.model_fields else None)
        tracked = Tracked(model, raw, snap.update_time if snap.exists else None, snap)
        self._tracked[path] = tracked
        return tracked

    def query(self, spec: QuerySpec, model_cls: type[M], *, limit: int | None = None,
              start_after: Cursor | None = None, keep: Callable[[str], bool] = lambda path: True,
              **params: Any) -> list[str]:
        """Run a catalogued query; returns the paths of the documents (those `keep` accepts, for a collection
        group), each tracked. The same query with the same values is answered from what was read the first
        time."""
        key = (spec.name, tuple(sorted((name, _frozen(value)) for name, value in params.items())), limit,
               start_after.path if start_after else None)
        if key in self._queries:
            return self._queries[key]
        self._check_may_read()
        query = self._build(spec, params, limit, start_after)
        paths, returned = [], 0
        for snap in query.stream(transaction=self._transaction):
            returned += 1
            path = snap.reference.path
            if keep(path):
                self._track(path, model_cls, snap)
                paths.append(path)
        self.reads += max(1, returned)
        self._queries[key] = paths
        return paths

    def count(self, spec: QuerySpec, *, up_to: int | None = None, **params: Any) -> int:
        """How many documents the query matches (billed one read per 1,000 counted; `up_to` stops early)."""
        self._check_may_read()
        # `.count()` of the query or, for a spec without filters, of the collection itself
        rows: Any = self._build(spec, params, up_to, None).count(alias="n").get(transaction=self._transaction)
        counted = int(rows[0][0].value)
        self.reads += max(1, -(-counted // 1000))
        return counted

    def _build(self, spec: QuerySpec, params: dict[str, Any], limit: int | None,
               start_after: Cursor | None) -> Any:
        if set(params) != {f.param for f in spec.filters}:
            raise TypeError(f"{spec.name} takes {sorted(f.param for f in spec.filters)}, not {sorted(params)}")
        from google.cloud.firestore_v1.base_query import FieldFilter

        query: Any = (self.db.collection_group(spec.collection) if spec.group
                      else self.db.collection(spec.collection))
        for f in spec.filters:
            query = query.where(filter=FieldFilter(f.field, f.op.value, _encoded(params[f.param])))
        for name, direction in spec.order_by:
            query = query.order_by(name, direction=direction.value)
        if start_after is not None:
            query = query.start_after(start_after.snapshot)
        return query.limit(limit) if limit is not None else query

    # --- writing -------------------------------------------------------------------------------------------

    def stage(self, path: str, kind: WriteKind, model: BaseModel | None) -> None:
        """Stage one write (repositories call this after their checks)."""
        if kind is WriteKind.DELETE:
            self._writes[path] = Write(path, kind, None, {})
            return
        assert model is not None
        data = to_document(model)
        earlier = self._writes.get(path)
        increments = earlier.increments if earlier is not None else {}
        if increments and kind is WriteKind.SET:
            raise RuntimeError(f"{path} has increments staged: a whole-document set would discard the stored value")
        if earlier is not None and earlier.model is None and not earlier.fields:
            earlier = None  # only increments were staged: this write carries them
        if kind is WriteKind.UPDATE:
            raw = self._tracked[path].raw or {}
            fields = {name: value for name, value in data.items() if name not in raw or raw[name] != value}
            if earlier is not None and earlier.kind is not WriteKind.UPDATE:
                kind, fields = earlier.kind, data  # still a create (or a set) of the new version
            elif not fields and not increments:
                self._writes.pop(path, None)  # back to what was read: nothing to write
                return
        else:
            fields = data
        self._writes[path] = Write(path, kind, model, fields, increments)

    def add(self, path: str, field_name: str, amount: int) -> None:
        """Add `amount` to a top-level number of the document at `path` in this commit without reading it (a
        Firestore increment): alone, a merge that creates the field (or the document) when missing; with another
        write staged for the path, part of that write. Commits that add to one document all count, in any order."""
        write = self._writes.get(path)
        if write is None:
            write = self._writes[path] = Write(path, WriteKind.MERGE, None, {})
        elif write.kind in (WriteKind.DELETE, WriteKind.SET):
            raise RuntimeError(f"{path} is staged whole ({write.kind}): an increment would not add to the stored value")
        write.increments[field_name] = write.increments.get(field_name, 0) + amount

    def merge(self, path: str, fields: dict[str, Any]) -> None:
        """Stage a set-with-merge of `fields` (nested maps merge key by key; `Add` values are increments): for a
        summary document that many commits add to at once and none reads, such as a chat's unread counts."""
        if path in self._writes:
            raise RuntimeError(f"{path} is already staged in this unit of work")
        self._writes[path] = Write(path, WriteKind.MERGE, None, _with_increments(fields))

    def touch(self, path: str, field: str) -> None:
        """Rewrite one field of a document this unit of work read, unchanged: in the conditional style the
        commit then fails if the document changed since the read (a write is the only way to guard it)."""
        tracked = self._tracked[path]
        if path not in self._writes and tracked.raw is not None:
            self._writes[path] = Write(path, WriteKind.UPDATE, tracked.model, {field: tracked.raw.get(field)})

    def staged(self, path: str) -> Write | None:
        return self._writes.get(path)

    @property
    def writes(self) -> Sequence[Write]:
        return tuple(self._writes.values())

    def current(self, path: str, model_cls: type[M]) -> M | None:
        """The document as this commit will leave it: the staged version, else the one read (read now if
        needed, which only commit-time derivations may do once something is staged)."""
        write = self._writes.get(path)
        if write is not None and (write.model is not None or write.fields or write.kind is WriteKind.DELETE):
            return write.model if isinstance(write.model, model_cls) else None
        model = self.tracked(path, model_cls).model
        return model if isinstance(model, model_cls) else None

    # --- committing ----------------------------------------------------------------------------------------

    def commit(self) -> None:
        """Send every staged write: into the transaction (which commits when `decide` returns), or as one
        conditional batch committed now. Call once the derived documents and the outbox are staged."""
        self._committing = True
        if self._transaction is not None:
            self._send(self._transaction, guarded=False)
            return
        if not self._writes:
            return
        batch = self.db.batch()
        self._send(batch, guarded=True)
        try:
            batch.commit()
        except (google_errors.FailedPrecondition, google_errors.AlreadyExists, google_errors.NotFound):
            raise Conflict("Something changed at the same moment; try again.") from None
        except google_errors.Aborted:
            raise LostRace("Something changed at the same moment; try again.") from None

    def begin_commit(self) -> None:
        """From here on, commit-time derivations may read although writes are staged."""
        self._committing = True

    def _send(self, target: Any, *, guarded: bool) -> None:
        for write in self._writes.values():
            ref = self.db.document(write.path)
            tracked = self._tracked.get(write.path)
            option = (self.db.write_option(last_update_time=tracked.update_time)
                      if guarded and tracked is not None and tracked.update_time is not None else None)
            fields = {**{name: value for name, value in write.fields.items() if name not in write.increments},
                      **{name: firestore.Increment(amount) for name, amount in write.increments.items()}}
            if write.kind is WriteKind.CREATE:
                target.create(ref, fields)
            elif write.kind is WriteKind.SET:
                target.set(ref, fields)
            elif write.kind is WriteKind.MERGE:
                target.set(ref, fields, merge=True)
            elif write.kind is WriteKind.UPDATE:
                target.update(ref, fields, **({"option": option} if option else {}))
            else:
                target.delete(ref, **({"option": option} if option else {}))


def _with_increments(fields: dict[str, Any]) -> dict[str, Any]:
    from curbside.store.codec import encode_value

    return {name: firestore.Increment(value.amount) if isinstance(value, Add)
            else _with_increments(value) if isinstance(value, dict) else encode_value(value)
            for name, value in fields.items()}


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple | set | frozenset) else value


def _encoded(value: Any) -> Any:
    from curbside.store.codec import encode_value

    return encode_value(sorted(value) if isinstance(value, set | frozenset) else value)


