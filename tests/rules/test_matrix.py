"""The access matrix: every collection x every role x get/list/create/update/delete, as the table says.

Each cell runs the role's probe (world.py) against the emulator with firestore.rules loaded. An allowed
read must return the probe document; an allowed write must succeed; a refused one must be refused by the
rules (HTTP 403) — not fail for another reason (a missing document, a conflict) that would hide a hole.
"""

from __future__ import annotations

import pytest

from tests.rules.access_table import CELLS, Cell, Op
from tests.rules.world import World


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_cell(world: World, cell: Cell) -> None:
    # given the seeded world and the role's probe for this collection
    probe = world.probe_path(cell.collection, cell.role)

    # when the role tries the operation
    result = world.attempt(cell.collection, cell.role, cell.op)
    world.cells_run += 1

    # then the rules decide exactly as the access table says
    if not cell.allowed:
        assert result.status == 403, f"expected a refusal, got {result.status}: {result.body}"
        return
    assert result.ok, f"expected {cell.op} to be allowed on {probe}, got {result.status}: {result.body}"
    probe_id = probe.rsplit("/", 1)[1]
    if cell.op is Op.GET:
        assert result.body, "an allowed get returns the document"
    elif cell.op is Op.LIST:
        assert probe_id in [doc_id for doc_id, _ in result.body], "an allowed list returns the probe"
