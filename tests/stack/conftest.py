"""The local stack tier: a real stack (Firestore JVM, Storage emulator, functions server) running the small
sample module in `sample_functions/`, started once for the package on free ports with a manual clock.

`curbside_stack` runs the real `functions/main.py` for end-to-end tests of the product. Tests that need
their own stack (start/stop, CLI subprocesses) start it themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google.cloud import firestore

from devstack.client import CallableClient
from devstack.clock import ManualClock
from devstack.stack import LocalStack, Ports
from tests.stack.helpers import SAMPLE_FUNCTIONS


@pytest.fixture(scope="package")
def clock() -> ManualClock:
    return ManualClock()


def running(stack: LocalStack) -> Iterator[LocalStack]:
    """Start `stack` for a fixture's scope (its tests error with the one-sentence reason if it cannot)."""
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="package")
def running_stack(clock: ManualClock) -> Iterator[LocalStack]:
    yield from running(LocalStack(SAMPLE_FUNCTIONS, ports=Ports(0, 0, 0), clock=clock))


@pytest.fixture(scope="module")
def curbside_stack() -> Iterator[LocalStack]:
    """A stack running the real `functions/main.py` with its own manual clock, for a module of end-to-end
    tests over HTTP. Module-scoped: a stack points the process environment at itself while it runs, so it
    must be stopped before the package's sample stack is used again."""
    yield from running(LocalStack(ports=Ports(0, 0, 0), clock=ManualClock()))


@pytest.fixture
def stack(running_stack: LocalStack) -> LocalStack:
    """The package's stack with empty Firestore and Storage."""
    running_stack.clear()
    return running_stack


@pytest.fixture
def admin(stack: LocalStack) -> firestore.Client:
    return stack.admin_db()


@pytest.fixture
def callables(stack: LocalStack) -> CallableClient:
    return CallableClient(stack.functions_url, stack.project)
