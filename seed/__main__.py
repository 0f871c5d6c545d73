"""`python -m seed [--seed N] [--project demo-...] [--refresh] [--now ISO-8601]` — seed the running emulator.

Exit codes: 0 seeded (or nothing to do), 2 refused (not an emulator / not a `demo-` project, or bad
arguments), 1 the emulator does not answer.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from devstack.emulators import PROJECT_ID
from seed import Outcome, SeedRefused, SeedReport, check_target, seed_firestore
from seed.target import EMULATOR_HOST_VARIABLE

EXIT_REFUSED = 2
EXIT_UNREACHABLE = 1


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m seed", description=__doc__)
    parser.add_argument("--seed", type=int, default=7, help="random seed of the demo world (default 7)")
    parser.add_argument("--project", help="project id (default: GCLOUD_PROJECT, GOOGLE_CLOUD_PROJECT, "
                                          f"else {PROJECT_ID}); must start with demo-")
    parser.add_argument("--refresh", action="store_true",
                        help="rewrite seeded documents that differ from this run's version")
    parser.add_argument("--now", type=datetime.fromisoformat,
                        help="build the world around this instant instead of the clock (timezone-aware ISO)")
    return parser.parse_args(argv)


def _reachable(host_port: str, timeout_s: float = 2.0) -> bool:
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False


def summary(report: SeedReport) -> str:
    """What a person needs after seeding: the counts, what was left alone, and how to act as the admin."""
    lines = [report.table(), ""]
    written = report.written
    lines.append(f"Wrote {written} document(s)." if written else "Nothing to write: the demo data is in place.")
    if kept := report.total(Outcome.KEPT):
        lines.append(f"{kept} seeded document(s) differ from this run's version (moved on by the app, or seeded "
                     "in another hour) and were left as they are; --refresh rewrites them.")
    lines.append(
        f"Admin: uid {report.admin_uid} ({report.admin_uid}@example.com). Its Users document says role=admin, "
        "but rules and functions trust only the custom claim `admin: true`: sign in with an ID token that "
        f"carries it (emulator: devstack.tokens.emulator_id_token({report.admin_uid!r}, {{'admin': True}}))."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Seed, print the report, return the exit code (refusals print one sentence on stderr)."""
    env = os.environ if environ is None else environ
    args = _parse(argv)
    project = args.project or env.get("GCLOUD_PROJECT") or env.get("GOOGLE_CLOUD_PROJECT") or PROJECT_ID
    host = env.get(EMULATOR_HOST_VARIABLE)
    try:
        check_target(project, host)
    except SeedRefused as refused:
        print(refused, file=sys.stderr)
        return EXIT_REFUSED
    assert host is not None
    if not _reachable(host):
        print(f"Nothing answers at {EMULATOR_HOST_VARIABLE}={host}: start the emulator first (`make dev`).",
              file=sys.stderr)
        return EXIT_UNREACHABLE
    now = args.now or datetime.now(UTC)
    if now.tzinfo is None:
        print("--now needs a timezone, e.g. 2026-11-20T09:00:00+00:00.", file=sys.stderr)
        return EXIT_REFUSED
    db = firestore.Client(project=project, credentials=AnonymousCredentials())
    try:
        report = seed_firestore(db, seed=args.seed, now=now, refresh=args.refresh)
    except SeedRefused as refused:
        print(refused, file=sys.stderr)
        return EXIT_REFUSED
    print(f"Seeded project {project} on the emulator at {host} (seed {args.seed}, "
          f"anchored at {report.anchor.isoformat().replace('+00:00', 'Z')}).")
    print(summary(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
