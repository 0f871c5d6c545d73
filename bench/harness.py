"""What the benchmarks share: a bare Firestore emulator of their own, the services' dependencies on it, and
how checks are printed."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from curbside.deps import Deps
from curbside.domain.clock import FixedClock
from curbside.domain.documents.base import Document
from curbside.gateways.assistant import OpenAIAssistant
from curbside.gateways.background_checks import HttpBackgroundChecks
from curbside.gateways.damage_reader import OpenAIDamageReader
from curbside.gateways.email import SmtpEmail
from curbside.gateways.maps import PostcodeTable, RoadSpeedModel
from curbside.gateways.moderation import OpenAIModeration
from curbside.gateways.payments import StripePayments
from curbside.settings import Settings
from curbside.store.codec import to_document
from curbside.store.collections import Collection
from curbside.store.files import FileStore
from devstack.doubles import RecordingAuthAdmin, RecordingMessenger, RecordingPush, RecordingSms
from devstack.emulators import FirestoreEmulator

BATCH = 500
"""Documents per batched write (Firestore's limit)."""


@contextmanager
def bare_firestore() -> Iterator[firestore.Client]:
    """A fresh Firestore emulator (no rules, no functions) and an admin client for it; the process's emulator
    variables point at it meanwhile, so production code called in between uses it too."""
    emulator = FirestoreEmulator().start()
    saved = {key: os.environ.get(key) for key in emulator.environ()}
    os.environ.update(emulator.environ())
    try:
        yield firestore.Client(project=emulator.project_id, credentials=AnonymousCredentials())
    finally:
        emulator.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class NoTasks:
    """The read benchmarks make no offers: a task enqueued by them would be a bug."""

    def enqueue(self, function_name: str, payload: dict[str, Any], *, at: dt.datetime, name: str) -> None:
        raise RuntimeError(f"a read benchmark enqueued {function_name}")


def reading_deps(db: firestore.Client, now: dt.datetime) -> Deps:
    """The services' dependencies for benchmarks that only read: the emulator, a fixed clock, the default
    settings, no Storage, no tasks, no Stripe."""
    clock = FixedClock(now)
    return Deps(db=db, files=FileStore(None), clock=clock, settings=Settings(), tasks=NoTasks(),
                payments=StripePayments(api_key="", webhook_secret="", api_base=""), auth=RecordingAuthAdmin(),
                background_checks=HttpBackgroundChecks(api_key="", webhook_secret="", api_base=""),
                push=RecordingPush(clock), sms=RecordingSms(clock), email=SmtpEmail(host="", port=0, sender=""),
                routing=RoadSpeedModel(), moderation=OpenAIModeration(api_key=""),
                assistant=OpenAIAssistant(api_key=""), damage_reader=OpenAIDamageReader(api_key=""),
                messenger=RecordingMessenger(clock), geocoder=PostcodeTable())


def print_checks(checks: Sequence[tuple[str, bool]]) -> bool:
    """Print each check as PASS or FAIL; True when all passed."""
    for text, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    return all(passed for _, passed in checks)


def seed_documents(db: firestore.Client, collection: Collection, models: Sequence[Document]) -> float:
    """Write models at `{collection}/{id}` in batched writes of 500 (the admin client, as a backfill would);
    returns seconds."""
    target = db.collection(collection)
    start = time.perf_counter()
    for first in range(0, len(models), BATCH):
        writes = db.batch()
        for model in models[first:first + BATCH]:
            writes.set(target.document(model.id), to_document(model))
        writes.commit()
    return time.perf_counter() - start


BENCHMARKS_DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_doc_block(name: str, heading: str, lines: list[str]) -> None:
    """Replace the generated block `<!-- bench.{name}:begin/end -->` of docs/benchmarks.md with `lines`, or add it
    under `heading` at the end the first time."""
    begin, end = f"<!-- bench.{name}:begin -->", f"<!-- bench.{name}:end -->"
    text = BENCHMARKS_DOC.read_text(encoding="utf-8")
    block = "\n".join([begin, *lines, end])
    if begin in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n" + block + "\n"
    BENCHMARKS_DOC.write_text(text, encoding="utf-8")


R = TypeVar("R")


def run_by_history(argv: Sequence[str] | None, *, prog: str, description: str, name: str, heading: str,
                   measure: Callable[[int], R], report: Callable[[Sequence[R]], list[str]],
                   checks: Callable[[Sequence[R]], list[tuple[str, bool]]], sizes_flag: str = "--histories",
                   default_sizes: Sequence[int] = (1_000, 10_000, 100_000)) -> int:
    """A benchmark over histories of 1,000, 10,000 and 100,000 jobs (`--histories` to choose; another flag and
    sizes with `sizes_flag`/`default_sizes`): measure each, print the report and the checks, and write both to
    docs/benchmarks.md unless `--no-doc`; 0 when all pass."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(sizes_flag, dest="sizes", type=int, nargs="+", default=list(default_sizes))
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    runs = [measure(size) for size in sorted(args.sizes)]
    lines = report(runs)
    print("\n".join(lines))
    found = checks(runs)
    passed = print_checks(found)
    if not args.no_doc:
        write_doc_block(name, heading, [*lines, "", *(f"{'PASS' if ok else 'FAIL'}  {text}" for text, ok in found)])
    return 0 if passed else 1
