"""The admin console end to end in Chromium: sign-in and refusal, the dashboard's figures against the database,
a verification step approved, a technician banned, and names shown as text, never run."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter

import pytest
import requests
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from playwright.sync_api import Page, expect

from devstack.client import CallableClient
from devstack.stack import LocalStack
from seed import SeedReport
from tests.browser.conftest import SCREENSHOT
from tests.stats_recount import rates, recount

HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def sign_in(page: Page, stack: LocalStack, uid: str) -> None:
    page.goto(f"{stack.hosting_url}/admin/")
    if page.locator("#sign-out").is_visible():
        page.click("#sign-out")
    page.fill("#uid", uid)
    page.click("#sign-in button[type=submit]")


def kpi(page: Page, path: str) -> int:
    return int(page.locator(f'[data-kpi="{path}"] .value').inner_text())


def brute_force(db: firestore.Client) -> dict[str, int]:
    """The dashboard's figures counted document by document."""
    users = [snap.to_dict() or {} for snap in db.collection("Users").stream()]
    jobs = Counter(str((snap.to_dict() or {}).get("status")) for snap in db.collection("ServiceRequests").stream())
    locations = [snap.to_dict() or {} for snap in db.collection("DispatcherLocations").stream()]
    disputes = Counter(str((snap.to_dict() or {}).get("status")) for snap in db.collection("Disputes").stream())
    alerts = Counter(str((snap.to_dict() or {}).get("status")) for snap in db.collection("FraudAlerts").stream())
    leads = Counter(str((snap.to_dict() or {}).get("status")) for snap in db.collection("Leads").stream())
    return {
        "users.total": len(users),
        "users.clients": sum(u.get("user_type") == "client" for u in users),
        "users.technicians": sum(u.get("user_type") == "dispatcher" for u in users),
        "users.admins": sum(u.get("role") == "admin" for u in users),
        "jobs.pending": jobs["pending"],
        "jobs.active": sum(jobs[s] for s in ("accepted", "en_route", "arrived", "in_progress")),
        "technicians_online": sum(bool(loc.get("is_online")) and loc.get("account_status") == "active"
                                  for loc in locations),
        "open_disputes": sum(disputes[s] for s in ("open", "under_review", "awaiting_client_response",
                                                   "awaiting_dispatcher_response", "escalated")),
        "open_fraud_alerts": alerts["active"] + alerts["investigating"],
        **{f"leads.{status}": leads[status] for status in ("new", "asked_postcode", "matched", "booked", "lost")},
    }


def test_a_non_admin_is_refused_and_receives_no_data(page: Page, console_stack: LocalStack) -> None:
    sign_in(page, console_stack, "client-001")
    expect(page.get_by_role("alert")).to_contain_text("Refused")
    expect(page.locator("[data-kpi]")).to_have_count(0)
    assert page.locator("#nav").is_hidden()
    # The refusal is the server's: the same call with the client's token is answered PERMISSION_DENIED.
    token = requests.post(f"{console_stack.hosting_url}/__devstack/sign-in", json={"uid": "client-001"},
                          timeout=10).json()["idToken"]
    answer = requests.post(f"{console_stack.hosting_url}/admin/api/admin_dashboard", json={"data": {}},
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 403 and "result" not in answer.json()


def test_the_console_is_served_with_a_policy_that_forbids_inline_scripts(console_stack: LocalStack) -> None:
    answer = requests.get(f"{console_stack.hosting_url}/admin/", timeout=10)
    policy = answer.headers["Content-Security-Policy"]
    assert answer.status_code == 200 and "<title>Curbside admin</title>" in answer.text
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_the_admin_dashboard_shows_the_databases_counts(page: Page, console_stack: LocalStack,
                                                        seeded: SeedReport) -> None:
    sign_in(page, console_stack, seeded.admin_uid)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expected = brute_force(console_stack.admin_db())
    assert expected["users.total"] > 100 and expected["technicians_online"] > 0
    assert {path: kpi(page, path) for path in expected} == expected


def test_the_dashboards_revenue_rates_and_charts_equal_a_recount_of_the_database(page: Page,
                                                                                  console_stack: LocalStack) -> None:
    db = console_stack.admin_db()
    expect(page.locator('[data-chart="jobs"] rect.bar')).to_have_count(30 * 3)  # 30 days, three outcomes
    first, last = (dt.date.fromisoformat(page.locator(f"#range input[name={name}]").input_value())
                   for name in ("from", "to"))
    assert (last - first).days == 29
    counted = recount(db, (first, last))
    assert counted["jobs_created"] > 10 and counted["jobs_completed"] > 0 and counted["jobs_cancelled"] > 0
    for key, value in rates(counted).items():
        shown = page.locator(f'[data-metric="{key}"]')
        if value is None:
            assert (shown.get_attribute("data-value"), shown.locator(".value").inner_text()) == ("", "—"), key
        else:
            assert float(shown.get_attribute("data-value") or "nan") == pytest.approx(value, abs=0.005), key
    for key, days in (("today", 1), ("last_7_days", 7), ("last_30_days", 30)):
        money = recount(db, (last - dt.timedelta(days=days - 1), last))
        assert page.locator(f'[data-revenue="{key}"]').get_attribute("data-value") == str(
            money["captured_minor"] - money["refunded_minor"]), key
    titles = page.locator('[data-chart="jobs"] rect.bar title').all_text_contents()
    assert sum(int(t.rsplit(": ", 1)[1]) for t in titles if " created: " in t) == counted["jobs_created"]
    latest = db.collection("ServiceRequests").order_by("updated_date", direction="DESCENDING").limit(1).get()[0].id
    expect(page.locator("#recent-activity tbody tr")).to_have_count(20)
    assert page.locator("#recent-activity tbody tr").first.get_attribute("data-job") == latest
    # usable on a tablet: nothing wider than the screen
    page.set_viewport_size({"width": 820, "height": 1180})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    # the README's picture: written to docs/ when asked (CURBSIDE_SCREENSHOT=1), so a test run leaves the tree clean
    picture = page.screenshot(full_page=True)
    assert picture.startswith(b"\x89PNG")
    if os.environ.get("CURBSIDE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(picture)
    page.click('#range button[data-days="7"]')
    expect(page.locator('[data-chart="jobs"] rect.bar')).to_have_count(7 * 3)
    expect(page.locator("main h2").nth(2)).to_have_text(
        f"Key metrics, {last - dt.timedelta(days=6)} to {last}")


def test_a_hostile_name_is_shown_as_text_and_never_runs(page: Page, console_stack: LocalStack, in_review: str,
                                                        dialogs: list[str]) -> None:
    console_stack.admin_db().document(f"Users/{in_review}").update({"full_name": HOSTILE_NAME})
    page.goto(f"{console_stack.hosting_url}/admin/#/verification")
    expect(page.locator(f'tr[data-technician="{in_review}"] td').first).to_have_text(HOSTILE_NAME)
    assert page.locator("main img").count() == 0
    assert dialogs == []


def test_approving_a_verification_step_is_stored(page: Page, console_stack: LocalStack, in_review: str) -> None:
    page.goto(f"{console_stack.hosting_url}/admin/#/verification")
    page.locator(f'tr[data-technician="{in_review}"]').click()
    panel = page.locator('[data-step="identity"]')
    expect(panel).to_contain_text("under review")
    expect(page.locator("main li a")).to_have_count(2)  # passport and licence, as signed links
    panel.get_by_role("button", name="Approve").click()
    expect(page.locator("main").get_by_role("status")).to_have_text("identity approved.")
    expect(panel.locator(".status").first).to_have_text("approved")
    profile = console_stack.admin_db().document(f"DispatcherProfiles/{in_review}").get().to_dict() or {}
    assert profile["identity_verification_status"] == "approved" and profile.get("awaiting_review_since") is None


def test_banning_an_online_technician_takes_them_off_the_online_count(page: Page, console_stack: LocalStack) -> None:
    db = console_stack.admin_db()
    online = next(snap.id for snap in db.collection("DispatcherLocations").where(
        filter=FieldFilter("is_online", "==", True)).where(filter=FieldFilter("account_status", "==", "active"))
        .limit(1).stream())
    page.goto(f"{console_stack.hosting_url}/admin/#/dashboard")
    before = kpi(page, "technicians_online")
    page.goto(f"{console_stack.hosting_url}/admin/#/users?tab=technicians")
    expect(page.locator("tr[data-user]")).to_have_count(25)
    page.fill("#find-user input", f"{online}@example.com")
    page.click("#find-user button")
    expect(page.locator("tr[data-user]")).to_have_count(1)
    page.click(f'tr[data-user="{online}"]')
    page.select_option("select[name=account_status]", "banned")
    page.fill("input[name=reason]", "Fraudulent job completions reported by three clients.")
    page.click("#account-status button[type=submit]")
    expect(page.get_by_role("status")).to_contain_text(f"{online} is now banned")
    assert (db.document(f"Users/{online}/private/data").get().to_dict() or {})["account_status"] == "banned"
    page.goto(f"{console_stack.hosting_url}/admin/#/dashboard")
    expect(page.locator('[data-kpi="technicians_online"] .value')).to_have_text(str(before - 1))


def test_replying_to_a_live_agent_ticket_reaches_the_person(page: Page, console_stack: LocalStack) -> None:
    app = CallableClient(console_stack.functions_url, console_stack.project)
    ticket_id = app.call("create_support_ticket", {
        "subject": "Charged twice", "category": "payment_issue",
        "message": "My card shows two charges for yesterday's dent repair."}, uid="client-002").result["ticket_id"]
    assert app.call("request_live_agent", {"ticket_id": ticket_id}, uid="client-002").result == {
        "status": "waiting_admin"}
    page.goto(f"{console_stack.hosting_url}/admin/#/tickets")
    page.locator(f'tr[data-ticket="{ticket_id}"]').click()
    expect(page.locator("main")).to_contain_text("My card shows two charges")
    page.fill("#reply textarea", "I can see the second charge; it is a hold that drops off within 3 days.")
    page.select_option("#reply select[name=status]", "waiting_user")
    page.click("#reply button[type=submit]")
    expect(page.locator("main").get_by_role("status")).to_have_text("Reply sent.")
    expect(page.locator("main")).to_contain_text("a hold that drops off")
    db = console_stack.admin_db()
    ticket = db.document(f"SupportTickets/{ticket_id}").get().to_dict() or {}
    assert (ticket["status"], ticket["assigned_to"]) == ("waiting_user", "admin-001")
    thread = db.collection("SupportMessages").where(filter=FieldFilter("ticket_id", "==", ticket_id))
    replies = [m.to_dict() or {} for m in thread.where(filter=FieldFilter("sender_type", "==", "admin")).stream()]
    assert [r["message"] for r in replies] == [
        "I can see the second charge; it is a hold that drops off within 3 days."]


def test_an_alert_is_found_by_severity_investigated_then_resolved(page: Page, console_stack: LocalStack) -> None:
    db, now = console_stack.admin_db(), console_stack.clock.now()
    for alert_id, severity, alert_type in (("a-high", "high", "location_mismatch"), ("a-low", "low", "fake_gps")):
        db.document(f"FraudAlerts/{alert_id}").set({
            "user_id": "dispatcher-003", "user_type": "dispatcher", "alert_type": alert_type, "severity": severity,
            "status": "active", "alert_details": {"distance_m": 640}, "related_jobs": ["job-1"],
            "created_date": now, "occurrences": 1})
    page.goto(f"{console_stack.hosting_url}/admin/#/fraud")
    expect(page.locator("[data-alert]")).to_have_count(2)
    page.select_option("#alert-filters select[name=severity]", "high")
    expect(page.locator("[data-alert]")).to_have_count(1)
    alert = page.locator('[data-alert="a-high"]')
    alert.get_by_role("button", name="Investigate").click()
    expect(alert.locator(".status").last).to_have_text("investigating")
    alert.locator("input[name=resolution_notes]").fill("The job's address was mistyped; the client confirmed.")
    alert.get_by_role("button", name="Resolve").click()
    expect(page.locator("[data-alert]")).to_have_count(0)  # the open filter no longer holds it
    stored = db.document("FraudAlerts/a-high").get().to_dict() or {}
    assert (stored["status"], stored["reviewed_by"]) == ("resolved", "admin-001")
    assert stored["resolution_notes"] == "The job's address was mistyped; the client confirmed."


def test_a_reward_created_in_the_console_is_in_the_clients_reward_list(page: Page, console_stack: LocalStack) -> None:
    page.goto(f"{console_stack.hosting_url}/admin/#/rewards")
    form = page.locator("#reward-form")
    form.locator("input[name=title]").fill("Winter wash 15% off")
    form.locator("input[name=points_required]").fill("750")
    form.locator("select[name=reward_type]").select_option("percentage_discount")
    form.locator("input[name=discount_percentage]").fill("15")
    form.get_by_role("button", name="Save reward").click()
    expect(page.get_by_role("status")).to_have_text("Winter wash 15% off saved.")
    expect(page.locator("tr[data-reward]", has_text="Winter wash 15% off")).to_have_count(1)
    listed = console_stack.as_user("client-001").query("Rewards", [("is_active", "==", True)])
    assert listed.ok
    titles = {fields["title"]: fields for _, fields in listed.body}
    assert titles["Winter wash 15% off"]["points_required"] == 750
    assert titles["Winter wash 15% off"]["discount_percentage"] == 15


def test_an_admin_asks_the_technician_and_leaves_an_internal_note_on_a_dispute(page: Page,
                                                                             console_stack: LocalStack) -> None:
    db, now = console_stack.admin_db(), console_stack.clock.now()
    db.document("Disputes/d-scratch").set({
        "request_id": "job-scratch", "client_id": "client-004", "dispatcher_id": "dispatcher-005",
        "raised_by_user_id": "client-004", "raised_by_name": "Client Four", "raised_by_type": "client",
        "dispute_reason": "damage_claim", "description": "A new scratch on the driver's door after the repair.",
        "status": "open", "priority": "high", "opened_at": now, "last_activity_at": now,
        "last_admin_activity_at": now})
    page.goto(f"{console_stack.hosting_url}/admin/#/disputes")
    page.locator('tr[data-dispute="d-scratch"]').click()
    expect(page.locator("main")).to_contain_text("A new scratch on the driver's door")
    page.select_option("#ask select[name=from]", "dispatcher")
    page.fill("#ask input[name=question]", "Was the scratch there before you started?")
    page.click("#ask button")
    expect(page.locator("main").get_by_role("status")).to_have_text("Question sent.")
    page.fill("#note input[name=note]", "Arrival photos requested from the technician.")
    page.click("#note button")
    expect(page.locator("main").get_by_role("status")).to_have_text("Note added.")
    expect(page.locator("[data-comment]")).to_have_count(2)
    stored = db.document("Disputes/d-scratch").get().to_dict() or {}
    assert stored["status"] == "awaiting_dispatcher_response"
    comments = [c.to_dict() or {} for c in db.collection("DisputeComments").where(
        filter=FieldFilter("dispute_id", "==", "d-scratch")).stream()]
    assert sorted((c["is_internal"], c["comment"]) for c in comments) == [
        (False, "Was the scratch there before you started?"), (True, "Arrival photos requested from the technician.")]
