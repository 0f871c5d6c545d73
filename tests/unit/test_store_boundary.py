"""Services change Firestore only through the unit of work (DESIGN.md convention 13): no service or entry
point reaches the Firestore client, builds a document path, or runs a query of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "curbside"
RUNNER = PACKAGE / "services" / "work.py"
"""The one service module that hands the Firestore client to the unit of work."""
GUARDED = sorted(path for path in [*(PACKAGE / "services").glob("*.py"), *(PACKAGE / "entrypoints").glob("*.py")]
                 if path != RUNNER)

FIRESTORE_CALLS = frozenset({"collection", "collection_group", "document", "batch", "transaction", "where",
                             "get_all", "write_option"})
PATH_BUILDERS = frozenset({"doc_path", "private_doc_path"})
FIRESTORE_MODULES = ("google.cloud.firestore", "google.cloud.firestore_v1")
TRIGGER_TYPES = {"DocumentSnapshot"}
"""What a Firestore trigger's event carries: entry points may name its type."""


def violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in FIRESTORE_CALLS
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id == "work")):
            found.append(f"line {node.lineno}: .{node.func.attr}(...)")
        elif isinstance(node, ast.Attribute) and node.attr == "db":
            found.append(f"line {node.lineno}: .db")
        elif isinstance(node, ast.Name) and node.id in PATH_BUILDERS:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.ImportFrom) and node.module and (
                (node.module.startswith(FIRESTORE_MODULES) and {alias.name for alias in node.names} != TRIGGER_TYPES)
                or (node.module == "google.cloud" and any(alias.name == "firestore" for alias in node.names))):
            found.append(f"line {node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Import) and any(alias.name.startswith(FIRESTORE_MODULES) for alias in node.names):
            found.append(f"line {node.lineno}: imports the Firestore client")
    return found


@pytest.mark.parametrize("path", GUARDED, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_service_or_entry_point_touches_firestore_directly(path: Path):
    assert violations(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_each_kind_of_direct_access():
    direct = """
from google.cloud import firestore
from curbside.store.collections import doc_path
deps.db.document(doc_path(Collection.USERS, uid)).set({})
deps.db.collection("Users").where(filter=f).stream()
db.transaction()
"""
    assert len(violations(direct)) >= 7
    assert violations("work.transaction(deps, decide)\nfrom google.cloud.firestore_v1 import DocumentSnapshot") == []
