"""`python -m devstack.prereqs`: check what lies outside Python (Java, the emulator jar) before a run,
and say in one sentence how to get what is missing."""

from __future__ import annotations

import sys

from devstack.emulators import EmulatorUnavailable, find_firestore_jar, find_java


def main() -> int:
    try:
        find_java()
        find_firestore_jar()
    except EmulatorUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
