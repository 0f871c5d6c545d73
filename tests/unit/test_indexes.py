"""Production truth the emulator hides: every query the functions (and the apps) run has the index Firestore
needs for it in `firestore.indexes.json`, and every index there is needed by some query (store/queries.py says
the rules)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from curbside.store.collections import MODELS, TTL_FIELDS
from curbside.store.queries import APP_QUERIES, CATALOGUE, Direction, IndexField, Op, QuerySpec, RequiredIndex, where

INDEXES = Path(__file__).resolve().parents[2] / "firestore.indexes.json"


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(INDEXES.read_text(encoding="utf-8"))
    return data


def _field(entry: dict[str, Any]) -> IndexField:
    return IndexField(entry["fieldPath"], None if "arrayConfig" in entry else Direction(entry["order"]))


def satisfied(required: RequiredIndex, declared: dict[str, Any]) -> bool:
    if required.override_field is not None:
        return any(override["collectionGroup"] == required.collection
                   and override["fieldPath"] == required.override_field
                   and any(index.get("queryScope") == required.scope for index in override["indexes"])
                   for override in declared.get("fieldOverrides", []))
    for index in declared.get("indexes", []):
        if index["collectionGroup"] != required.collection or index["queryScope"] != required.scope:
            continue
        fields = [_field(entry) for entry in index["fields"]]
        split = required.unordered
        if set(fields[:split]) == set(required.fields[:split]) and fields[split:] == list(required.fields[split:]):
            return True
    return False


def missing(declared: dict[str, Any], catalogue: tuple[QuerySpec, ...] = CATALOGUE + APP_QUERIES) -> list[str]:
    """The queries (the functions' and the apps') whose index is not declared, each with what to add."""
    return [f"{spec.name}: {required}" for spec in catalogue
            if (required := spec.required_index()) is not None and not satisfied(required, declared)]


def test_every_query_has_its_index():
    assert missing(load()) == []


def _entries() -> list[tuple[str, int]]:
    declared = load()
    return [(kind, n) for kind in ("indexes", "fieldOverrides") for n, entry in enumerate(declared.get(kind, []))
            if not entry.get("ttl") and entry.get("indexes") != []]  # TTL policies, exemptions: checked below


@pytest.mark.parametrize(("kind", "position"), _entries())
def test_removing_any_declared_index_leaves_a_query_without_one(kind, position):
    reduced = load()
    del reduced[kind][position]

    assert missing(reduced), f"{kind}[{position}] serves no query of store/queries.py: remove it"


@pytest.mark.parametrize(("spec", "needed"), [
    (QuerySpec("one field", "C", (where("a", Op.EQ),)), None),
    (QuerySpec("one field, a range and its order", "C", (where("a", Op.GTE),), (("a", Direction.ASCENDING),)),
     None),
    (QuerySpec("equalities only", "C", (where("a", Op.EQ), where("b", Op.IN))), None),
    (QuerySpec("equality and a range", "C", (where("a", Op.EQ), where("t", Op.LTE))),
     RequiredIndex("C", "COLLECTION", (IndexField("a", Direction.ASCENDING), IndexField("t", Direction.ASCENDING)),
                   unordered=1)),
    (QuerySpec("equality and an order", "C", (where("a", Op.EQ),), (("t", Direction.DESCENDING),)),
     RequiredIndex("C", "COLLECTION", (IndexField("a", Direction.ASCENDING), IndexField("t", Direction.DESCENDING)),
                   unordered=1)),
    (QuerySpec("array-contains and an equality", "C", (where("a", Op.EQ), where("cells", Op.CONTAINS_ANY))),
     RequiredIndex("C", "COLLECTION", (IndexField("a", Direction.ASCENDING), IndexField("cells")), unordered=2)),
    (QuerySpec("ranges on two fields", "C", (where("x", Op.GTE, "x0"), where("y", Op.LT))),
     RequiredIndex("C", "COLLECTION", (IndexField("x", Direction.ASCENDING), IndexField("y", Direction.ASCENDING)))),
    (QuerySpec("a collection group on one field", "private", (where("a", Op.EQ),), group=True),
     RequiredIndex("private", "COLLECTION_GROUP", override_field="a")),
])
def test_firestores_rules_for_when_an_index_is_needed(spec, needed):
    assert spec.required_index() == needed


def test_every_catalogued_query_is_run_by_the_functions():
    """No dead entries: each query of the catalogue is named in a service (where the unit of work runs it)."""
    services = Path(__file__).resolve().parents[2] / "functions" / "curbside"
    source = "\n".join(path.read_text(encoding="utf-8") for path in services.rglob("*.py")
                       if path.name != "queries.py")
    names = {name for name, value in vars(__import__("curbside.store.queries", fromlist=["x"])).items()
             if isinstance(value, QuerySpec)}
    assert {name for name in names if f"queries.{name}" not in source} == set()


def test_every_ttl_policy_is_declared_on_a_timestamp_field_nothing_queries():
    """Firestore deletes documents only through a TTL policy deployed from `fieldOverrides` (`"ttl": true`), on
    a field holding a timestamp; its single-field index is off (`"indexes": []`): a timestamp rising with
    every write is a hotspot, and no query of the catalogue filters or orders on it."""
    declared = {(entry["collectionGroup"], entry["fieldPath"]): entry
                for entry in load()["fieldOverrides"] if entry.get("ttl")}
    assert set(declared) == {(str(collection), field) for collection, field in TTL_FIELDS.items()}
    for collection, field in TTL_FIELDS.items():
        assert declared[(str(collection), field)]["indexes"] == []
        model_field = MODELS[collection].model_fields[field]
        assert model_field.annotation is dt.datetime and model_field.is_required(), (collection, field)
        assert not [spec.name for spec in CATALOGUE + APP_QUERIES if spec.collection == collection
                    and field in {f.field for f in spec.filters} | {name for name, _ in spec.order_by}]


def test_every_index_exemption_is_on_a_field_nothing_queries():
    """A field override with no indexes turns a field's automatic indexes off (the dashboard rollups' `days`
    map: hundreds of numbers rewritten by every counted commit, D96); no query of the catalogue may use it."""
    exempt = [(entry["collectionGroup"], entry["fieldPath"]) for entry in load()["fieldOverrides"]
              if entry.get("indexes") == [] and not entry.get("ttl")]
    assert exempt
    for collection, path in exempt:
        assert not [spec.name for spec in CATALOGUE + APP_QUERIES if spec.collection == collection
                    and any(name == path or name.startswith(f"{path}.")
                            for name in {f.field for f in spec.filters} | {name for name, _ in spec.order_by})]
