"""The suite's own scheduling (tests/scheduling.py): long modules first, and the list of long tests kept true."""

from __future__ import annotations

import ast
from collections import OrderedDict
from pathlib import Path

from tests.scheduling import LONG_MODULES, LONG_TESTS, long_first, module_of

ROOT = Path(__file__).resolve().parents[2]


def test_every_listed_long_test_still_exists():
    for nodeid in LONG_TESTS:
        path, name = nodeid.split("::")
        tree = ast.parse((ROOT / path).read_text())
        names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
        assert name in names, f"{nodeid} is listed as long but no longer exists"


def test_long_modules_go_first_longest_first_and_the_rest_keep_xdists_order():
    paid, unpaid = (module_of(nodeid) for nodeid in list(LONG_TESTS)[:4:3])
    queue = OrderedDict([("tests/unit/test_small.py", {"a": False}),
                         (unpaid, {"x": False}),
                         ("tests/unit/test_big.py", {"a": False, "b": False, "c": False}),
                         (paid, {"y": False})])

    ordered = list(long_first(queue))

    assert ordered == [paid, unpaid, "tests/unit/test_big.py", "tests/unit/test_small.py"]
    assert LONG_MODULES[paid] > LONG_MODULES[unpaid]
