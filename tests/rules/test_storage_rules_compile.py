"""storage.rules compiles.

The Storage rules emulator cannot be installed here, so storage.rules is never executed locally (the
finalize trigger re-checks every upload instead, see tests/integration/test_uploads.py). Both services share
one rules language, though, so the Firestore emulator's compiler can at least parse it once the three
storage-only names are mapped: a typo in storage.rules fails here rather than at deploy time. A separate,
short-lived emulator does it, because loading other rules resets the shared emulator's coverage report.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devstack.emulators import FirestoreEmulator

ROOT = Path(__file__).resolve().parents[2]


def as_firestore_rules(storage_rules: str) -> str:
    return (storage_rules.replace("service firebase.storage", "service cloud.firestore")
            .replace("match /b/{bucket}/o", "match /databases/{database}/documents")
            .replace("firestore.get(", "get(").replace("firestore.exists(", "exists("))


@pytest.fixture(scope="module")
def compiler(firestore_emulator: FirestoreEmulator) -> Iterator[str]:
    """The securityRules URL of a bare emulator (the session one only proves Java and the jar are there)."""
    emulator = FirestoreEmulator().start()
    try:
        yield f"{emulator.base_url}/emulator/v1/projects/{emulator.project_id}:securityRules"
    finally:
        emulator.stop()


def load(url: str, name: str, content: str) -> requests.Response:
    return requests.put(url, json={"rules": {"files": [{"name": name, "content": content}]}}, timeout=30)


def test_storage_rules_compile(compiler: str) -> None:
    # given storage.rules in the shared rules language
    rules = as_firestore_rules((ROOT / "storage.rules").read_text(encoding="utf-8"))

    # when the rules compiler loads it, then it is accepted
    answer = load(compiler, "storage.rules", rules)
    assert answer.status_code == 200, answer.text


def test_the_compiler_does_reject_a_broken_file(compiler: str) -> None:
    # given storage.rules with one syntax error, when it is loaded, then the compiler names the problem
    rules = as_firestore_rules((ROOT / "storage.rules").read_text(encoding="utf-8"))
    answer = load(compiler, "broken.rules", rules.replace("allow read:", "allow read::", 1))
    assert answer.status_code == 400 and "Error compiling rules" in answer.text
