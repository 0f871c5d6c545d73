"""The console's Services and Merchants screens in Chromium (D137, D138): a service saved whole with an add-on, a
refused one showing the callable's message, deactivated and activated again, and a technician's skills set; a
merchant set up with a SKU, and its monthly statement shown."""

from __future__ import annotations

from google.cloud.firestore_v1.base_query import FieldFilter
from playwright.sync_api import Page, expect

from curbside.domain.documents import MerchantStatement
from devstack.stack import LocalStack
from seed import SeedReport
from tests.browser.test_console_screens import as_admin
from tests.factories import make_user, put


def test_a_service_with_an_add_on_is_saved_refused_when_malformed_and_deactivated(
        page: Page, console_stack: LocalStack, seeded: SeedReport) -> None:
    as_admin(page, console_stack, seeded.admin_uid)
    page.goto(f"{console_stack.hosting_url}/admin/#/services")
    form = page.locator("#service-form")
    form.locator("input[name=name]").fill("Ceramic coating")
    form.locator("select[name=category]").select_option("detailing")
    form.locator("input[name=estimated_duration_minutes]").fill("120")
    form.locator("input[name=base_price]").fill("150")
    form.locator("input[name=required_skills]").fill("detailing, Paint_Correction")
    for _ in range(2):  # the same add-on twice: two add-ons with one id
        form.get_by_role("button", name="Add an add-on").click()
        row = form.locator("tr[data-add-on]").last
        row.locator("input[name=add_on_name]").fill("Wax")
        row.locator("input[name=add_on_price]").fill("25")
        row.locator("input[name=add_on_minutes]").fill("15")
    form.get_by_role("button", name="Save service").click()
    expect(page.get_by_role("alert")).to_contain_text("each add_on_id must be unique")
    db = console_stack.admin_db()
    assert not list(db.collection("Services").stream())

    form.locator("tr[data-add-on]").last.get_by_role("button", name="Remove").click()
    form.get_by_role("button", name="Save service").click()
    expect(page.get_by_role("status")).to_have_text("Ceramic coating saved.")
    [stored] = [snap for snap in db.collection("Services").stream()]
    fields = stored.to_dict() or {}
    assert (fields["base_price"], fields["required_skills"], fields["add_ons"]) == (
        150.0, ["detailing", "paint_correction"],
        [{"add_on_id": "wax", "name": "Wax", "price": 25.0, "duration_minutes": 15}])
    row = page.locator(f'tr[data-service="{stored.id}"]')
    expect(row).to_contain_text("Wax +25.00, +15 min")
    expect(row).to_contain_text("120 min")

    page.locator("input[name=deactivate_reason]").fill("Supplier stopped the coating.")
    row.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_have_text("Ceramic coating deactivated.")
    expect(page.locator(f'tr[data-service="{stored.id}"]')).to_contain_text("inactive")
    assert (db.document(f"Services/{stored.id}").get().to_dict() or {})["is_active"] is False
    page.locator(f'tr[data-service="{stored.id}"]').get_by_role("button", name="Activate").click()
    expect(page.get_by_role("status")).to_have_text("Ceramic coating activated.")
    again = db.document(f"Services/{stored.id}").get().to_dict() or {}
    assert {**again, "updated_date": None} == {**fields, "is_active": True, "updated_date": None}  # saved whole

    technician = next(snap.id for snap in db.collection("DispatcherProfiles").limit(1).stream())
    skills = page.locator("#skills-form")
    skills.locator("input[name=dispatcher_id]").fill(technician)
    skills.locator("input[name=skills]").fill("detailing, pdr")
    skills.locator("input[name=skills_reason]").fill("Passed the detailing course.")
    skills.get_by_role("button", name="Set skills").click()
    expect(skills.get_by_role("status")).to_have_text(f"{technician}: detailing, pdr.")
    assert (db.document(f"DispatcherProfiles/{technician}").get().to_dict() or {})["skills"] == ["detailing", "pdr"]


def test_a_merchant_is_set_up_with_a_sku_and_its_statement_shown(
        page: Page, console_stack: LocalStack, seeded: SeedReport) -> None:
    db = console_stack.admin_db()
    put(db, make_user(id="dealer-01", uid="dealer-01", full_name="Harbour Motors", user_type=None))
    put(db, MerchantStatement(id="dealer-01~2026-11", merchant_id="dealer-01", month="2026-11", currency="AUD",
                              total_minor=24000, job_count=2))
    as_admin(page, console_stack, seeded.admin_uid)
    page.goto(f"{console_stack.hosting_url}/admin/#/merchants")
    form = page.locator("#merchant-form")
    form.locator("input[name=merchant_id]").fill("dealer-01")
    form.locator("input[name=business_name]").fill("Harbour Motors")
    form.locator("input[name=billing_email]").fill("accounts@harbour.example")
    form.locator("input[name=reason]").fill("Signed the dealer agreement.")
    form.get_by_role("button", name="Save merchant").click()
    expect(page.get_by_role("status")).to_have_text("Harbour Motors saved.")

    page.locator('tr[data-merchant="dealer-01"]').click()
    account = page.locator('[data-account="dealer-01"]')
    expect(account.locator('tr[data-statement="dealer-01~2026-11"]')).to_contain_text("240.00 AUD")
    sku = account.locator("#sku-form")
    for name, value in (("sku_code", "PDR-COROLLA-1"), ("brand", "Toyota"), ("model", "Corolla"),
                        ("service_name", "Paintless dent repair, one panel"), ("price", "120"),
                        ("sku_reason", "Agreed price list.")):
        sku.locator(f"input[name={name}]").fill(value)
    sku.get_by_role("button", name="Save SKU").click()
    expect(page.get_by_role("status")).to_have_text("PDR-COROLLA-1 saved for Harbour Motors.")
    expect(page.locator('[data-account="dealer-01"] tr[data-sku="PDR-COROLLA-1"]')).to_contain_text("120.00")
    assert (db.document("Users/dealer-01").get().to_dict() or {})["user_type"] == "merchant"
    assert [(snap.to_dict() or {})["price"] for snap in db.collection("MerchantSkus").where(
        filter=FieldFilter("merchant_id", "==", "dealer-01")).stream()] == [120.0]
