"""Waiting for asynchronous effects of the local stack (triggers, tasks, webhooks) without blind sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(read: Callable[[], T | None], timeout: float = 15.0, what: str = "the expected state") -> T:
    """Re-run `read` until it returns something truthy, backing off from 20 ms to 250 ms; TimeoutError after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        value = read()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout:.0f}s")
        time.sleep(delay)
        delay = min(delay * 2, 0.25)
