"""The browser tier: the real admin console in Debian's headless Chromium, driven by Playwright, against a local
stack running the real functions, the hosting server and the seed's data.

One stack, one browser and one page for the package (each costs seconds); tests run in file order and build on
each other's state as a person's session would, so each test names what it changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

from devstack import verification_flow
from devstack.client import CallableClient
from devstack.clock import ManualClock
from devstack.prereqs import CHROMIUM, find_chromium
from devstack.stack import LocalStack, Ports
from seed import SeedReport, seed_firestore


@pytest.fixture(scope="package")
def console_stack() -> Iterator[LocalStack]:
    with LocalStack(ports=Ports(0, 0, 0, hosting=0), hosting=True, clock=ManualClock()) as stack:
        yield stack


@pytest.fixture(scope="package")
def seeded(console_stack: LocalStack) -> SeedReport:
    return seed_firestore(console_stack.admin_db(), now=console_stack.clock.now())


@pytest.fixture(scope="package")
def in_review(console_stack: LocalStack, seeded: SeedReport) -> str:
    """A seed technician who has not started verification uploads documents and submits the identity step, as
    the technician app does: the review queue's one technician."""
    db = console_stack.admin_db()
    uid = next(snap.id for snap in db.collection("DispatcherProfiles").where(
        filter=FieldFilter("verification_status", "==", "pending")).limit(1).stream())
    paths = verification_flow.upload_documents(console_stack, uid)
    answer = CallableClient(console_stack.functions_url, console_stack.project).call(
        "submit_verification_step", verification_flow.identity_step(paths), uid=uid)
    assert answer.result["step_status"] == "under_review"
    return uid


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.fail(f"Chromium is missing: {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="package")
def dialogs() -> list[str]:
    """Every dialog the page raised (an `alert` an injected script would show), dismissed at once."""
    return []


@pytest.fixture(scope="package")
def page(browser: Browser, seeded: SeedReport, dialogs: list[str]) -> Iterator[Page]:
    """One tab for the package, as one admin's session."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(15_000)

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", record)
    try:
        yield tab
    finally:
        context.close()


SCREENSHOT = Path(__file__).resolve().parent.parent.parent / "docs" / "admin-dashboard.png"
