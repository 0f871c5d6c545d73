"""The demo's van stock and paperwork (issue 21): the technician stocks the van before the job, the completion
takes a part from it, and the client gets a tax invoice whose PDF is in their storage folder."""

from __future__ import annotations

from typing import Any

from devstack.demo_kit import Demo, Person, Step, StepFailed, only_if, wait

BRAKE_CLEANER = {"sku": "BRK-CLN-500", "name": "Brake cleaner 500 ml", "unit_cost": "8.90", "minimum": 1}


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
        return (f"{seen['number']}: {seen['total_minor'] / 100:.2f} {seen['currency']} incl. {seen['tax_name']} "
                f"{seen['tax_minor'] / 100:.2f}; {len(pdf)}-byte PDF at {stored['pdf_path']}; "
                f"{van['quantity']} {BRAKE_CLEANER['name']} left in the van (reorder at {van['minimum']})")

    return Step(person.uid, "gets a tax invoice", invoice)

