"""Shared helpers of the local stack tests: polling with a deadline and looking at processes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from google.cloud import firestore

SAMPLE_FUNCTIONS = Path(__file__).resolve().parent / "sample_functions"



def docs(admin: firestore.Client, collection: str) -> list[dict[str, Any]]:
    return [snap.to_dict() or {} for snap in admin.collection(collection).stream()]


def emulator_processes(port: int) -> list[int]:
    """Pids of Firestore emulator JVMs listening on `port` (read from /proc, so no extra dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"cloud-firestore-emulator" in arg or b"CloudFirestore" in arg for arg in args) \
                and str(port).encode() in args:
            found.append(int(entry.name))
    return found


def child_processes() -> list[int]:
    """Live (not zombie) children of this test process."""
    me = str(os.getpid())
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[1] == me and fields[0] != "Z":
            children.append(int(entry.name))
    return children
