"""Discover the functions of `main.py` exactly as the Firebase CLI does.

The CLI (`firebase_functions.private.serving.get_functions`) puts the source directory on `sys.path`,
executes `main.py` as module `main` and keeps every module-level function that carries the SDK's
`__firebase_endpoint__` attribute, keyed by its entry point. We do the same, then read each endpoint to know
what kind of function it is (callable, HTTP, Firestore trigger, schedule, task queue) and where it lives.

A module is executed once per process and per path: executing `main.py` again would re-run its module-level
code (a second `initialize_app()` raises), just as a warm Cloud Functions instance never re-imports it.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from firebase_functions.params import Expression
from firebase_functions.private.util import Sentinel

DEFAULT_REGION = "us-central1"

_loaded: dict[Path, dict[str, Callable[..., Any]]] = {}
_load_lock = threading.Lock()


class Kind(StrEnum):
    CALLABLE = "callable"
    HTTPS = "https"
    FIRESTORE = "firestore"
    STORAGE = "storage"
    SCHEDULE = "schedule"
    TASK = "task"
    OTHER = "other"
    """A trigger the local stack does not emulate (Pub/Sub, Auth blocking, Storage archive...): listed, not run."""


class LoadError(RuntimeError):
    """`main.py` is missing or raised while being imported."""


def resolve(value: Any, default: Any = None) -> Any:
    """An endpoint option as a plain value: unset (None or the SDK's RESET sentinel) gives `default`,
    a `params` expression is evaluated as at run time."""
    if value is None or isinstance(value, Sentinel):
        return default
    if isinstance(value, Expression):
        return value.value
    return value


@dataclass(frozen=True)
class FunctionDef:
    """One exported function: its name (the entry point), kind, region and the SDK-wrapped handler."""

    name: str
    kind: Kind
    region: str
    handler: Callable[..., Any]
    endpoint: Any

    @property
    def event_trigger(self) -> dict[str, Any]:
        return dict(self.endpoint.eventTrigger or {})

    @property
    def schedule_trigger(self) -> dict[str, Any]:
        return dict(self.endpoint.scheduleTrigger or {})

    @property
    def task_trigger(self) -> dict[str, Any]:
        return dict(self.endpoint.taskQueueTrigger or {})

    @property
    def served_over_http(self) -> bool:
        """Reachable at http://host:port/{project}/{region}/{name}, as with the Firebase emulators."""
        return self.kind in (Kind.CALLABLE, Kind.HTTPS, Kind.TASK)


def kind_of(endpoint: Any) -> Kind:
    if endpoint.callableTrigger is not None:
        return Kind.CALLABLE
    if endpoint.httpsTrigger is not None:
        return Kind.HTTPS
    if endpoint.scheduleTrigger is not None:
        return Kind.SCHEDULE
    if endpoint.taskQueueTrigger is not None:
        return Kind.TASK
    event_type = str((endpoint.eventTrigger or {}).get("eventType", ""))
    if event_type.startswith("google.cloud.firestore.document."):
        return Kind.FIRESTORE
    if event_type in ("google.cloud.storage.object.v1.finalized", "google.cloud.storage.object.v1.deleted"):
        return Kind.STORAGE
    return Kind.OTHER


@dataclass(frozen=True)
class Functions:
    """The functions exported by one `main.py`, by name."""

    by_name: dict[str, FunctionDef]

    def __iter__(self) -> Iterator[FunctionDef]:
        return iter(self.by_name.values())

    def __len__(self) -> int:
        return len(self.by_name)

    def of_kind(self, kind: Kind) -> list[FunctionDef]:
        return [fn for fn in self if fn.kind is kind]

    def get(self, name: str) -> FunctionDef | None:
        return self.by_name.get(name)

    def task_handler(self, location: str, queue: str) -> FunctionDef | None:
        """The task-queue function behind a Cloud Tasks queue id. Queue ids cannot hold `_`, so a queue may
        spell `expire_offer` as `expire-offer`; both (and any case) resolve to the same function."""
        wanted = queue.replace("-", "_").lower()
        return next((fn for fn in self.of_kind(Kind.TASK)
                     if fn.name.replace("-", "_").lower() == wanted and fn.region == location), None)


def load_functions(source_dir: Path, entry: str = "main.py") -> Functions:
    """Import `source_dir/entry` the way the Firebase CLI does and describe its functions."""
    handlers = _import_once((source_dir / entry).resolve())
    defs = {}
    for name, handler in handlers.items():
        endpoint = getattr(handler, "__firebase_endpoint__")  # noqa: B009 - set by the SDK, untyped
        regions = resolve(endpoint.region) or [DEFAULT_REGION]
        defs[name] = FunctionDef(name=name, kind=kind_of(endpoint), region=str(resolve(regions[0])),
                                 handler=handler, endpoint=endpoint)
    return Functions(defs)


def _import_once(path: Path) -> dict[str, Callable[..., Any]]:
    with _load_lock:
        if path not in _loaded:
            _loaded[path] = _import(path)
        return _loaded[path]


def _import(path: Path) -> dict[str, Callable[..., Any]]:
    if not path.is_file():
        raise LoadError(f"No functions entry point at {path}: the Firebase CLI expects main.py there.")
    source_dir = str(path.parent)
    if source_dir not in sys.path:
        sys.path.insert(0, source_dir)
    spec = importlib.util.spec_from_file_location("main", path)
    if spec is None or spec.loader is None:
        raise LoadError(f"{path} cannot be imported as a Python module.")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise LoadError(f"Importing {path} failed: {type(exc).__name__}: {exc}") from exc
    found: dict[str, Callable[..., Any]] = {}
    for _, member in inspect.getmembers(module, inspect.isfunction):
        endpoint = getattr(member, "__firebase_endpoint__", None)
        if endpoint is not None:
            found[endpoint.entryPoint] = member
    return found
