"""The access table is complete, big enough, and the one docs/security.md shows."""

from __future__ import annotations

from curbside.store.collections import PRIVATE_MODELS, Collection
from tests.rules.access_table import ACCESS, CELLS, DOC, Op, Role, render, rendered_block
from tests.rules.world import PROBES


def test_every_collection_and_private_part_has_a_row_and_a_probe() -> None:
    rows = {entry.collection for entry in ACCESS}
    private = {row.split("/")[0] for row in rows if row.endswith("/private/data")}
    assert {row for row in rows if "/" not in row} == {collection.value for collection in Collection}
    assert private == {collection.value for collection in PRIVATE_MODELS}
    assert set(PROBES) == rows


def test_the_matrix_has_at_least_8_roles_19_collections_and_5_operations() -> None:
    assert len(Role) >= 8 and len(ACCESS) >= 19 and len(Op) == 5
    assert len(CELLS) == len(Role) * len(ACCESS) * len(Op) >= 8 * 19 * 5


def test_docs_security_md_shows_exactly_this_table() -> None:
    # when the doc drifts from the table, regenerate it: python -m tests.rules.access_table
    assert rendered_block(DOC.read_text(encoding="utf-8")) == render()
