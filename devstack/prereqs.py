"""`python -m devstack.prereqs`: check what lies outside Python (Java, the emulator jar, Chromium for the admin
console's browser tests, with `--browser`) before a run, and say in one sentence how to get what is missing. Chromium is
installed with apt when running as root on a Debian-like system, as `make test` does on a fresh machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from devstack.emulators import EmulatorUnavailable, find_firestore_jar, find_java

CHROMIUM = ("the admin console's browser tests need Debian's Chromium: run `sudo apt-get install -y chromium` "
            "(or set CURBSIDE_CHROMIUM to a Chromium or Chrome executable).")


def find_chromium() -> Path | None:
    """The Chromium the browser tests drive (Playwright's own browsers are never downloaded)."""
    for candidate in (os.environ.get("CURBSIDE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def install_chromium() -> Path | None:
    """apt-get install chromium, when we are root and apt exists; the executable, or None."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return None
    print("devstack: installing Chromium with apt for the admin console's browser tests...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        if subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL).returncode != 0:
            return None
    return find_chromium()


def main(argv: list[str] | None = None) -> int:
    """`--browser` (as `make test` runs it) also needs Chromium; `make dev` and `make demo` do not."""
    try:
        find_java()
        find_firestore_jar()
    except EmulatorUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    wants_browser = "--browser" in (sys.argv[1:] if argv is None else argv)
    if wants_browser and find_chromium() is None and install_chromium() is None:
        print(f"error: {CHROMIUM}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
