"""The guard: the seed writes only to a Firestore emulator of a `demo-` project.

Two independent checks, both required: the emulator host must be set (the client then talks to the emulator
and nothing else), and the project id must start with `demo-`, the prefix Firebase reserves for projects
that exist only in emulators — so even a misconfigured emulator variable cannot point the seed at real data.
"""

from __future__ import annotations

from typing import Any

EMULATOR_HOST_VARIABLE = "FIRESTORE_EMULATOR_HOST"
DEMO_PREFIX = "demo-"


class SeedRefused(Exception):
    """The target is not a demo emulator; the message is one sentence saying why and what to do."""


def check_target(project_id: str, emulator_host: str | None) -> None:
    """Raise SeedRefused unless (project_id, emulator_host) is a demo project on an emulator."""
    if not emulator_host:
        raise SeedRefused(
            f"Refusing to seed: {EMULATOR_HOST_VARIABLE} is not set, so the writes would go to a real Firestore "
            f"database; start the emulator (`make dev`) and export {EMULATOR_HOST_VARIABLE}=host:port."
        )
    if not project_id.startswith(DEMO_PREFIX):
        raise SeedRefused(
            f"Refusing to seed project {project_id!r}: only emulator projects whose id starts with "
            f"{DEMO_PREFIX!r} may be seeded (e.g. --project demo-curbside)."
        )


def emulator_host_of(db: Any) -> str | None:
    """The emulator a Firestore client talks to, or None for the real service. The client reads
    FIRESTORE_EMULATOR_HOST once, when it is built, and keeps it in `_emulator_host`; checking the client
    itself (not today's environment) is what protects a caller that passes its own client."""
    host = getattr(db, "_emulator_host", None)
    return host if isinstance(host, str) and host else None
