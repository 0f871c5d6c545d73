"""The rules tier: one seeded world for the whole package, and the emulator's rule-coverage report.

The world is written once with the admin client (not the `db` fixture, which wipes data before every test)
and every cell undoes its own writes, so thousands of cells share one seeding. When the package is done,
the emulator's coverage report (`/emulator/v1/projects/{project}:ruleCoverage`) is saved with a summary to
`.cache/rules-coverage/` (the figures docs/security.md quotes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from google.cloud import firestore

from devstack.emulators import FirestoreEmulator
from tests.rules.world import World

COVERAGE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "rules-coverage"


@pytest.fixture(scope="package")
def world(firestore_emulator: FirestoreEmulator, _admin_client: firestore.Client) -> Iterator[World]:
    firestore_emulator.clear()
    seeded = World(firestore_emulator.base_url, firestore_emulator.project_id, _admin_client)
    seeded.seed()
    yield seeded
    save_coverage(firestore_emulator, seeded.cells_run)
    firestore_emulator.clear()


def coverage_summary(report: dict[str, Any]) -> dict[str, int | float]:
    """How many rule expressions the emulator evaluated at least once, out of all of them; and how many
    boolean-valued ones it saw both true and false (a rough branch coverage)."""
    total = evaluated = booleans = both = 0
    stack: list[dict[str, Any]] = list(report.get("report", []))
    while stack:
        node = stack.pop()
        total += 1
        values = node.get("values") or []
        evaluated += bool(values)
        seen = {entry["value"]["boolValue"] for entry in values if "boolValue" in entry.get("value", {})}
        booleans += bool(seen)
        both += seen == {True, False}
        stack.extend(node.get("children", []))
    return {"expressions": total, "evaluated": evaluated, "share": round(evaluated / total, 4) if total else 0.0,
            "boolean_expressions": booleans, "seen_true_and_false": both,
            "branch_share": round(both / booleans, 4) if booleans else 0.0}


def save_coverage(emulator: FirestoreEmulator, cells_run: int) -> None:
    url = f"{emulator.base_url}/emulator/v1/projects/{emulator.project_id}:ruleCoverage"
    response = requests.get(url, timeout=120)
    response.raise_for_status()
    COVERAGE_DIR.mkdir(parents=True, exist_ok=True)
    (COVERAGE_DIR / "firestore-coverage.json").write_bytes(response.content)
    summary = {"matrix_cells_run": cells_run, **coverage_summary(response.json())}
    (COVERAGE_DIR / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
