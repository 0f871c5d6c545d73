"""Notices and chat: what the fan-out costs per notice, how soon a push follows its commit, and a busy chat.

    .venv/bin/python -m bench.notices               # 200 notices, 20 concurrent chat senders; rewrites its
                                                     # section of docs/benchmarks.md

The services run in this process against a Firestore emulator of their own, exactly as the functions run them
(on the local stack too): a notice is written by `notify` in a unit of work, and its fan-out runs right after
the commit (`services.notice_delivery`). FCM and Twilio are doubles (this one notes when a push was handed
over); e-mail goes over SMTP to a local server. Reads and writes are the units of work's own count of what
Firestore bills (`services.work.metering`); the latency is from the moment the notice's commit returned to the
moment the push gateway was called.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from google.cloud import firestore

from bench.harness import bare_firestore, print_checks, reading_deps, seed_documents, write_doc_block
from curbside.deps import Deps
from curbside.domain.documents import DispatcherProfile, NotificationPreferences, ServiceRequest, User
from curbside.domain.enums import MessageType, NotificationType, RequestStatus
from curbside.gateways.push import PushMessage, PushResult
from curbside.services import chat, work
from curbside.services.notifications import notify
from curbside.store.collections import Collection
from curbside.store.uow import UnitOfWork
from devstack.emulators import free_port
from devstack.mail import MailServer, local_smtp

GOAL_P99_S = 1.0
GOAL_READS, GOAL_WRITES = 2, 1


@dataclass
class TimedPush:
    """The FCM double of this benchmark: notes when each push was handed over."""

    handed_at: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, tokens: tuple[str, ...], message: PushMessage) -> PushResult:
        with self.lock:
            self.handed_at.append(time.monotonic())
        return PushResult(delivered=len(tokens))


@dataclass(frozen=True)
class FanOut:
    label: str
    notices: int
    commit_writes: float
    """Writes of the notice's own commit: the notice and its person's unread count (D60)."""
    reads: float
    writes: float
    """Reads and writes of the fan-out after that commit."""
    latencies_s: list[float]


def seed_people(db: firestore.Client, prefix: str, count: int, **preferences: object) -> list[str]:
    """People with one phone each and the given notification preferences."""
    uids = [f"{prefix}-{n:04d}" for n in range(count)]
    seed_documents(db, Collection.USERS, [User(id=uid, uid=uid, email=f"{uid}@example.com",
                                               fcm_tokens=[f"{uid}-phone-token"]) for uid in uids])
    seed_documents(db, Collection.NOTIFICATION_PREFERENCES, [
        NotificationPreferences.model_validate({"id": uid, "user_id": uid, **preferences}) for uid in uids])
    return uids


def fan_out(deps: Deps, push: TimedPush, uids: list[str], label: str) -> FanOut:
    """One notice to each person, one after another, metered separately."""
    reads = writes = commit_writes = 0
    latencies = []
    for n, uid in enumerate(uids):
        before = len(push.handed_at)
        def write(uow: UnitOfWork, uid: str = uid, n: int = n) -> str:
            return notify(uow, user_id=uid, kind=NotificationType.DISPATCHER_EN_ROUTE, title="Technician on the way",
                          body="Sam is on the way to your car.", request_id=f"job-{n:04d}")

        with work.metering() as meter:
            work.transaction(deps, write)
        (_, notice_writes), *fan_out_units = meter.units  # the notice's commit, then its fan-out
        commit_writes += notice_writes
        reads += sum(unit_reads for unit_reads, _ in fan_out_units)
        writes += sum(unit_writes for _, unit_writes in fan_out_units)
        if len(push.handed_at) > before:
            latencies.append(push.handed_at[before] - meter.commits[0])
    count = len(uids)
    return FanOut(label, count, commit_writes / count, reads / count, writes / count, latencies)


@dataclass(frozen=True)
class ChatRun:
    senders: int
    seconds: float
    stored: int
    unread: dict[str, int]
    pushes: int
    reads_per_message: float
    writes_per_message: float


def busy_chat(deps: Deps, db: firestore.Client, push: TimedPush, senders: int) -> ChatRun:
    """Both parties of one job send `senders` messages between them at the same moment."""
    client, technician = seed_people(db, "chat-client", 1)[0], seed_people(db, "chat-tech", 1)[0]
    seed_documents(db, Collection.DISPATCHER_PROFILES, [DispatcherProfile(
        id=technician, user_id=technician, verification_status="verified", created_date=deps.clock.now())])
    seed_documents(db, Collection.SERVICE_REQUESTS, [ServiceRequest.model_validate({
        "id": "chat-job", "client_id": client, "dispatcher_id": technician, "client_name": "Alex",
        "dispatcher_name": "Sam", "status": RequestStatus.EN_ROUTE, "car_model": "Mazda 3",
        "license_plate": "ABC123", "location_address": "1 George St, Sydney", "location_lat": -33.87,
        "location_lng": 151.2, "car_location_images": [f"users/{client}/request_photos/chat-job/1-front.jpg"],
        "price": "66.00", "final_price": "56.00",
        "created_date": deps.clock.now()})])
    before, barrier, meter_lock = len(push.handed_at), threading.Barrier(senders), threading.Lock()
    totals = [0, 0]

    def send(n: int) -> None:
        uid = client if n % 2 == 0 else technician
        barrier.wait()
        with work.metering() as meter:
            chat.send_message(deps, uid, chat.NewMessage("chat-job", MessageType.TEXT, f"message {n}", None,
                                                         client_key=f"bench-{n:04d}"))
        with meter_lock:
            totals[0] += meter.reads
            totals[1] += meter.writes

    started = time.perf_counter()
    threads = [threading.Thread(target=send, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    summary = (db.document(f"{Collection.CONVERSATIONS}/chat-job").get().to_dict() or {}).get("unread", {})
    stored = sum(1 for _ in db.collection(Collection.MESSAGES).stream())
    return ChatRun(senders, seconds, stored, dict(summary), len(push.handed_at) - before,
                   totals[0] / senders, totals[1] / senders)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def histogram(values: Sequence[float], bins_ms: Sequence[int] = (5, 10, 20, 50, 100, 200, 500, 1000)) -> list[str]:
    """The latency distribution as text bars (a chart that reads in any Markdown viewer)."""
    lines, low = [], 0
    for high in bins_ms:
        count = sum(1 for value in values if low <= value * 1000 < high)
        lines.append(f"| {low}-{high} ms | {count} | {'█' * round(40 * count / max(1, len(values)))} |")
        low = high
    beyond = sum(1 for value in values if value * 1000 >= low)
    lines.append(f"| ≥ {low} ms | {beyond} | {'█' * round(40 * beyond / max(1, len(values)))} |")
    return lines


def report(runs: list[FanOut], busy: ChatRun, notices: int) -> list[str]:
    pushed = runs[0]
    lines = [
        f"Measured with `python -m bench.notices --notices {notices}` on {dt.date.today().isoformat()} (this 2-core "
        "machine, Firestore emulator, services in-process as the functions run them).",
        "",
        "| fan-out of one notice | notices | writes of the notice's commit | fan-out reads | fan-out writes | p50 | "
        "p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        timing = (" | ".join(f"{percentile(run.latencies_s, q) * 1000:.1f} ms" for q in (0.5, 0.95, 0.99))
                  + f" | {max(run.latencies_s) * 1000:.1f} ms") if run.latencies_s else "— | — | — | —"
        lines.append(f"| {run.label} | {run.notices} | {run.commit_writes:.2f} | {run.reads:.2f} | {run.writes:.2f} "
                     f"| {timing} |")
    lines += ["", "The notice's commit writes the notice and adds one to its person's `Users.unread_notifications` "
              "(the badge, D60); the fan-out reads the person's preferences and `Users` (its count is the push's "
              "badge) and writes the outcome onto the notice.",
              "", "Commit-to-push latency of the pushed notices:", "", "| latency | notices | |", "|---|---:|---|",
              *histogram(pushed.latencies_s), "",
              f"Busy chat: {busy.senders} messages sent at the same moment by the two parties of one job took "
              f"{busy.seconds:.2f} s; {busy.stored} stored, unread counts {busy.unread} (exact: each side "
              f"{busy.senders // 2}), {busy.pushes} pushes (one per message); per message "
              f"{busy.reads_per_message:.1f} reads and {busy.writes_per_message:.1f} writes, its fan-out included."]
    return lines


def checks(runs: list[FanOut], busy: ChatRun) -> list[tuple[str, bool]]:
    pushed, quiet = runs
    p99 = percentile(pushed.latencies_s, 0.99)
    return [
        (f"commit-to-push p99 {p99 * 1000:.1f} ms <= {GOAL_P99_S * 1000:.0f} ms", p99 <= GOAL_P99_S),
        (f"the fan-out of a notice that is not pushed costs {quiet.reads:.0f} reads + {quiet.writes:.0f} write "
         f"(goal {GOAL_READS} + {GOAL_WRITES})", quiet.reads <= GOAL_READS and quiet.writes <= GOAL_WRITES),
        (f"the fan-out of a pushed notice costs {pushed.reads:.0f} reads + {pushed.writes:.0f} write, its badge "
         f"included (goal {GOAL_READS} + {GOAL_WRITES})", pushed.reads <= GOAL_READS and pushed.writes <= GOAL_WRITES),
        (f"busy chat: {busy.stored}/{busy.senders} stored, unread {busy.unread}, {busy.pushes} pushes",
         busy.stored == busy.senders and sorted(busy.unread.values()) == [busy.senders // 2] * 2
         and busy.pushes == busy.senders),
    ]



def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notices", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=200)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    push = TimedPush()
    mail = MailServer(free_port()).start()
    try:
        with bare_firestore() as db:
            base = reading_deps(db, dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))
            deps = replace(base, push=push, email=local_smtp(mail.port))
            pushed = fan_out(deps, push, seed_people(db, "pushed", args.notices), "pushed (push on)")
            quiet = fan_out(deps, push, seed_people(db, "quiet", args.notices, do_not_disturb=True),
                            "in-app only (do not disturb)")
            busy = busy_chat(deps, db, push, args.senders)
    finally:
        mail.stop()
    lines = report([pushed, quiet], busy, args.notices)
    print("\n".join(lines))
    passed = print_checks(checks([pushed, quiet], busy))
    if not args.no_doc:
        write_doc_block("notices", "Notices and chat (issue 14)", lines)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
