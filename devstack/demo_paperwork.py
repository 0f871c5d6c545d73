"""The demo's service catalogue, van stock and paperwork (issue 21): an admin adds the service the day's job books
(with an add-on) and qualifies the technician for it, the technician records his ABN and stocks the van before
the job, the completion takes a part from it, and the client gets a tax invoice — the service, its add-on and the
technician's ABN on it — whose PDF is in their storage folder."""

from __future__ import annotations

from typing import Any

from devstack.demo_kit import Demo, Person, Step, StepFailed, only_if, wait

HAIL_REPAIR = {"name": "Hail dent repair", "category": "hail_pdr", "estimated_duration_minutes": 90,
               "base_price": 120.0, "required_skills": ["pdr"], "service_reminder_months": 12,
               "add_ons": [{"add_on_id": "wax", "name": "Hand wax", "price": 25.0, "duration_minutes": 20}]}
ABN = "51 824 753 556"
BRAKE_CLEANER = {"sku": "BRK-CLN-500", "name": "Brake cleaner 500 ml", "unit_cost": "8.90", "minimum": 1}


def sets_up_the_catalogue(admin: str, technician: str, job: dict[str, Any]) -> list[Step]:
    """The admin adds the service the day's job books and qualifies the technician for it (only technicians with
    its skills are offered it); the technician records his ABN for his invoices."""

    def adds_service(demo: Demo) -> str:
        saved = demo.call(admin, "admin_save_service", HAIL_REPAIR, admin=True)
        skills = demo.call(admin, "admin_set_technician_skills", {
            "dispatcher_id": technician, "skills": ["pdr"], "reason": "PDR certificate checked."}, admin=True)
        listed = demo.call(technician, "list_services", {})["services"]
        job["service"] = saved["service_id"]
        return (f"admin_save_service {HAIL_REPAIR['name']} ({HAIL_REPAIR['base_price']:.2f}, add-on Hand wax) -> "
                f"{saved['service_id']}; {technician}'s skills -> {skills['skills']}; list_services shows "
                f"{len(listed)}")

    def records_abn(demo: Demo) -> str:
        return f"set_abn -> {demo.call(technician, 'set_abn', {'abn': ABN})['abn']}"

    return [Step("admin", "adds a service to the catalogue", adds_service),
            Step(technician, "records his ABN", records_abn)]


def stocks_the_van(job: dict[str, Any]) -> Step:
    """The technician lists a part and records a delivery of two; the job will use one (`job["parts_used"]`,
    sent with `complete_job`)."""

    def stocks(demo: Demo) -> str:
        technician = job["technician"]
        demo.call(technician, "set_van_part", BRAKE_CLEANER)
        level = demo.call(technician, "receive_van_stock", {"sku": BRAKE_CLEANER["sku"], "quantity": 2,
                                                            "receipt_key": "demo-delivery-1"})
        job["parts_used"] = [{"sku": BRAKE_CLEANER["sku"], "quantity": 1}]
        return f"set_van_part {BRAKE_CLEANER['name']}; receive_van_stock x2 -> {level['quantity']} in the van"

    return Step("tech", "stocks the van", stocks)


def gets_a_tax_invoice(person: Person, job: dict[str, Any]) -> Step:
    """After the capture: the invoice in the technician's name, read by the client's app under the rules, and
    its PDF in the client's folder; the van shows the part the job used."""

    def invoice(demo: Demo) -> str:
        path = f"Invoices/{job['id']}"
        stored = wait(lambda: only_if(demo.stack.admin_db().document(path).get().to_dict() or {},
                                      lambda doc: bool(doc.get("pdf_path"))), f"the PDF of {path}")
        seen = demo.read(person.uid, path)
        pdf = demo.stack.download(str(stored["pdf_path"]))
        if not pdf.startswith(b"%PDF"):
            raise StepFailed(f"{stored['pdf_path']} is not a PDF")
        van = demo.read(job["technician"], f"VanStock/{job['technician']}~{BRAKE_CLEANER['sku']}")
        lines = ", ".join(f"{line['description']} {line['amount_minor'] / 100:.2f}" for line in seen["lines"])
        return (f"{seen['number']}: {seen['total_minor'] / 100:.2f} {seen['currency']} incl. {seen['tax_name']} "
                f"{seen['tax_minor'] / 100:.2f}; {len(pdf)}-byte PDF at {stored['pdf_path']}; "
                f"{van['quantity']} {BRAKE_CLEANER['name']} left in the van (reorder at {van['minimum']}); "
                f"lines: {lines}; ABN {seen.get('issuer_abn')}; parts included: "
                f"{', '.join(part['name'] for part in seen.get('parts', []))}")

    return Step(person.uid, "gets a tax invoice", invoice)

