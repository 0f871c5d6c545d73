"""How the suite is spread over the xdist workers: the modules with a long test start first, one per worker.

xdist's `loadscope` keeps each module on one worker and hands modules out by how many tests they have, so the
few modules whose single test runs for minutes (the payment and points state machines, the accept races) were
handed out last, and a worker busy with one kept taking more: runs ended with one worker working through two
long tests while the others sat idle (15 to 18.5 minutes for the same tests on an idle machine). Here the long
modules go first, and a worker running a long test is given short modules only, and only enough of them that it
can start the next test (an xdist worker runs a test once it knows the one after it)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from xdist.scheduler import LoadScopeScheduling

LONG_TESTS: dict[str, int] = {
    "tests/integration/test_payment_state_machine_paid.py::"
    "test_random_payment_lifecycles_with_a_paid_technician_keep_every_cent_accounted_for": 268,
    "tests/integration/test_accept_race.py::test_fifty_technicians_one_job_exactly_one_wins": 258,
    "tests/integration/test_accept_race_from_the_feed.py::"
    "test_fifty_technicians_mostly_from_the_feed_one_job_exactly_one_wins": 202,
    "tests/integration/test_payment_state_machine.py::"
    "test_random_payment_lifecycles_keep_every_cent_accounted_for": 195,
    "tests/integration/test_points_state_machine.py::test_random_points_lives_keep_the_balance_the_ledgers_sum": 94,
    "tests/integration/test_harness.py::test_a_transaction_left_open_does_not_break_the_next_tests_wipe": 60,
    "tests/stack/test_lifecycle.py::test_ten_starts_and_stops_leave_no_process_no_port_and_no_variable_behind": 47,
}
"""Tests that run for most of a minute or more, with their seconds in a CI run (`--durations`; the order is
what matters). A unit test checks that each still exists."""


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


LONG_MODULES: dict[str, int] = {}
for _nodeid, _seconds in LONG_TESTS.items():
    LONG_MODULES[module_of(_nodeid)] = LONG_MODULES.get(module_of(_nodeid), 0) + _seconds


def long_first(workqueue: OrderedDict[str, Any]) -> OrderedDict[str, Any]:
    """The work units (modules) in the order to hand out: the long ones, longest first, then the rest by how
    many tests they have, most first (xdist's own order)."""
    return OrderedDict(sorted(workqueue.items(), key=lambda unit: (-LONG_MODULES.get(unit[0], 0), -len(unit[1]))))


class LongModulesApart(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no type hints
    """`--dist loadscope`, with the long modules first and never queued behind one another on one worker."""

    _ordered = False
    workqueue: OrderedDict[str, Any]

    def _assign_work_unit(self, node: Any) -> None:
        if not self._ordered:  # the first assignment: xdist has just built the queue from the collection
            self.workqueue = long_first(self.workqueue)
            self._ordered = True
        if self._pending_long_tests(node):
            short = next((scope for scope in self.workqueue if scope not in LONG_MODULES), None)
            if short is not None:
                self.workqueue.move_to_end(short, last=False)
        super()._assign_work_unit(node)

    def _reschedule(self, node: Any) -> None:
        if not node.shutting_down and self.workqueue and self._pending_long_tests(node) \
                and self._pending_of(self.assigned_work[node]) >= 2:
            return  # busy for minutes and able to start its next test: leave the queue to the other workers
        super()._reschedule(node)

    def _pending_long_tests(self, node: Any) -> bool:
        return any(not done and nodeid in LONG_TESTS
                   for unit in self.assigned_work.get(node, {}).values() for nodeid, done in unit.items())
