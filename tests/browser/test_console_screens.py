"""The console's editors and records in Chromium: pricing rules (preview, save, refuse a malformed condition,
deactivate, delete), the audit trail, file management, a user found by name, and a dispute resolved
with a partial refund."""

from __future__ import annotations

import json

import requests
from google.cloud.firestore_v1.base_query import FieldFilter
from playwright.sync_api import Page, expect

from devstack.polling import poll
from devstack.stack import LocalStack
from seed import SeedReport

PDF = b"%PDF-1.7\n" + bytes(300)
def as_admin(page: Page, stack: LocalStack, uid: str) -> None:
    """The console shown to the admin `uid`, signing in only if the tab's session is gone (so the next navigation
    races no sign-in, and a test run alone works as well as one after the others)."""
    page.goto(f"{stack.hosting_url}/admin/")
    page.locator("#nav:not([hidden]), #uid").first.wait_for()
    if page.locator("#uid").is_visible():
        page.fill("#uid", uid)
        page.click("#sign-in button[type=submit]")
    expect(page.locator("#nav")).to_be_visible()
    expect(page.locator("#who")).to_have_text(uid)


EVERY_DAY = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def test_a_pricing_rule_is_previewed_saved_deactivated_and_deleted(page: Page, console_stack: LocalStack,
                                                                   seeded: SeedReport) -> None:
    as_admin(page, console_stack, seeded.admin_uid)
    page.goto(f"{console_stack.hosting_url}/admin/#/pricing")
    expect(page.locator("tr[data-rule]")).to_have_count(4)  # the seed's four rules
    form = page.locator("#rule-form")
    form.locator("input[name=rule_name]").fill("Every day")
    form.locator("select[name=rule_type]").select_option("day_of_week")
    form.locator("input[name=multiplier]").fill("1.1")
    form.locator("input[name=priority]").fill("90")
    form.locator("textarea[name=conditions]").fill(json.dumps({"days": ["someday"]}))
    form.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("alert")).to_contain_text("time_conditions: days must be")

    form.locator("textarea[name=conditions]").fill(json.dumps({"days": EVERY_DAY}))
    form.get_by_role("button", name="Preview").click()
    preview = page.locator("#rule-preview")
    expect(preview).to_contain_text("The draft applies")
    expect(preview.locator("table").nth(1)).to_contain_text("Every day (10%)")
    expect(preview.locator("table").nth(0)).not_to_contain_text("Every day")

    form.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("status")).to_have_text("Every day saved.")
    db = console_stack.admin_db()
    stored = [snap for snap in db.collection("PricingRules").where(
        filter=FieldFilter("rule_name", "==", "Every day")).stream()]
    assert len(stored) == 1 and (stored[0].to_dict() or {})["time_conditions"] == {"days": EVERY_DAY}
    rule_id = stored[0].id

    row = page.locator(f'tr[data-rule="{rule_id}"]')
    row.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_have_text("Every day deactivated.")
    assert (db.document(f"PricingRules/{rule_id}").get().to_dict() or {})["is_active"] is False

    page.locator(f'tr[data-rule="{rule_id}"]').get_by_role("button", name="Edit").click()
    form.locator("input[name=reason]").fill("A trial that ended.")
    form.get_by_role("button", name="Delete rule").click()
    expect(page.get_by_role("status")).to_have_text("Every day deleted.")
    expect(page.locator("tr[data-rule]")).to_have_count(4)
    assert not db.document(f"PricingRules/{rule_id}").get().exists
    actions = [(snap.to_dict() or {})["action"] for snap in db.collection("AuditLog").where(
        filter=FieldFilter("target_id", "==", rule_id)).stream()]
    assert sorted(actions) == ["delete_pricing_rule", "upsert_pricing_rule", "upsert_pricing_rule"]


def test_the_audit_trail_finds_an_admins_deletions(page: Page, console_stack: LocalStack) -> None:
    """After the pricing test: its deletion is found by admin and action, with its reason."""
    page.goto(f"{console_stack.hosting_url}/admin/#/audit")
    expect(page.locator("tr[data-entry]").first).to_be_visible()
    filters = page.locator("#audit-filters")
    filters.locator("input[name=actor_id]").fill("admin-001")
    filters.locator("input[name=action]").fill("delete_pricing_rule")
    filters.get_by_role("button", name="Filter").click()
    expect(page.locator("tr[data-entry]")).to_have_count(1)
    expect(page.locator("tr[data-entry]")).to_contain_text("A trial that ended.")
    expect(page.locator("tr[data-entry]")).to_contain_text('"rule_name":"Every day"')


def test_a_file_is_uploaded_shared_through_a_signed_link_and_deleted(page: Page, console_stack: LocalStack) -> None:
    page.goto(f"{console_stack.hosting_url}/admin/#/files")
    page.locator("#upload input[type=file]").set_input_files(
        {"name": "Price list 2027.pdf", "mimeType": "application/pdf", "buffer": PDF})
    expect(page.locator("#upload input[name=name]")).to_have_value("Price-list-2027.pdf")
    page.locator("#upload").get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text("Price-list-2027.pdf uploaded.")
    row = page.locator('tr[data-file="Price-list-2027.pdf"]')
    expect(row).to_contain_text("application/pdf")
    row.locator("input[name=expires_in_minutes]").fill("30")
    row.get_by_role("button", name="Share").click()
    link = row.get_by_role("link", name="Signed link")
    expect(link).to_be_visible()
    assert requests.get(str(link.get_attribute("href")), timeout=10).content == PDF
    row.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Price-list-2027.pdf deleted.")
    expect(page.locator("tr[data-file]")).to_have_count(0)


def test_a_user_found_by_name_shows_their_jobs_and_a_password_reset_lands_in_their_activity(
        page: Page, console_stack: LocalStack, seeded: SeedReport) -> None:
    as_admin(page, console_stack, seeded.admin_uid)
    db = console_stack.admin_db()
    full_name = (db.document("Users/client-003").get().to_dict() or {})["full_name"]
    first, last = full_name.split()[0], full_name.split()[-1]
    jobs = sum(1 for _ in db.collection("ServiceRequests").where(
        filter=FieldFilter("client_id", "==", "client-003")).stream())
    page.goto(f"{console_stack.hosting_url}/admin/#/users")
    page.fill("#find-user input", f"{first.lower()} {last[:2].upper()}")
    page.click("#find-user button")
    row = page.locator('tr[data-user="client-003"]')
    expect(row).to_have_count(1)
    row.click()
    panel = page.locator('[data-account="client-003"]')
    expect(panel.get_by_role("heading", name=full_name)).to_be_visible()
    expect(panel.locator("section").first.locator("tr")).to_have_count(min(jobs, 20))
    panel.locator("input[name=action_reason]").fill("Locked out, asked on the phone.")
    panel.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("status")).to_have_text("A password-reset link was e-mailed to client-003@example.com.")
    expect(page.locator('[data-account="client-003"]')).to_contain_text("reset_password")

    # a rename written as the app writes it reaches the search through the deployed on_user_written trigger
    db.document("Users/client-004").update({"full_name": "Quintessa Zebulon"})
    poll(lambda: "zebulon" in ((db.document("Users/client-004").get().to_dict() or {}).get("search_prefixes") or []),
         timeout=20, what="client-004's new name searchable")
    page.fill("#find-user input", "Quint")
    page.click("#find-user button")
    expect(page.locator("tr[data-user]")).to_have_count(1)
    expect(page.locator('tr[data-user="client-004"]')).to_contain_text("Quintessa Zebulon")


def test_a_dispute_is_resolved_with_a_partial_refund(page: Page, console_stack: LocalStack,
                                                     seeded: SeedReport) -> None:
    """A completed job whose 60.00 was captured and held for a dispute; the admin refunds 15.00 of it. The refund
    and the release are reserved in the resolution's commit (the Stripe calls follow through the outbox)."""
    db, now = console_stack.admin_db(), console_stack.clock.now()
    job = next(snap for snap in db.collection("ServiceRequests").where(
        filter=FieldFilter("status", "==", "completed")).limit(1).stream())
    fields = job.to_dict() or {}
    db.document(f"JobPayments/{job.id}").set({
        "id": job.id, "request_id": job.id, "client_id": fields["client_id"], "dispatcher_id": fields["dispatcher_id"],
        "currency": "EUR", "amount_minor": 6000, "captured_minor": 6000, "held_minor": 6000,
        "authorization_status": "captured", "payment_intent_id": "pi_partial_refund",
        "payout_status": "disputed", "dispute_open": True, "created_date": now, "updated_date": now})
    db.document("Disputes/d-partial").set({
        "request_id": job.id, "client_id": fields["client_id"], "dispatcher_id": fields["dispatcher_id"],
        "raised_by_user_id": fields["client_id"], "raised_by_name": "A client", "raised_by_type": "client",
        "dispute_reason": "incomplete_service", "description": "Only one of the two dents was repaired.",
        "status": "open", "priority": "medium", "opened_at": now, "last_activity_at": now,
        "last_admin_activity_at": now})
    as_admin(page, console_stack, seeded.admin_uid)
    page.goto(f"{console_stack.hosting_url}/admin/#/disputes/d-partial")
    expect(page.locator("main")).to_contain_text("Only one of the two dents was repaired.")
    resolve = page.locator("#resolve")
    resolve.locator("select[name=resolution_action]").select_option("partial_refund")
    resolve.locator("input[name=refund_amount]").fill("15")
    resolve.locator("input[name=resolution_details]").fill("One dent of two repaired: a quarter back.")
    resolve.get_by_role("button", name="Resolve").click()
    expect(page.locator("main").get_by_role("status")).to_have_text("Dispute resolved.")
    expect(page.locator("main")).to_contain_text("Resolved: partial refund, 15")
    dispute = db.document("Disputes/d-partial").get().to_dict() or {}
    assert (dispute["status"], dispute["resolution_action"], dispute["refund_amount"]) == (
        "resolved_mutual", "partial_refund", 15.0)
    payment = db.document(f"JobPayments/{job.id}").get().to_dict() or {}
    assert (payment["dispute_open"], payment["refund_in_flight"], payment["refund_in_flight_minor"]) == (
        False, "dispute:d-partial", 1500)  # reserved; Stripe's refund follows through the outbox
