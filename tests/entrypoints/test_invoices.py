"""Tax invoices and credit notes (issue 21, D103): a captured job gets its invoice, each refund its credit note,
numbered per issuer without gaps — through the real capture and refund paths (production Stripe gateway against
localstripe), the outbox, and the Firestore and Storage emulators."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from curbside.domain.documents import Invoice
from curbside.domain.enums import AuthorizationStatus, NotificationType, PayoutStatus, RequestStatus
from curbside.domain.invoicing import issuer_code, tax_in
from curbside.services import card_holds, invoices, outbox, refunds
from curbside.services.invoices import credit_note_id
from curbside.store.codec import from_document
from curbside.store.collections import Collection
from curbside.store.transactions import retry_lost_races
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_job_payment, make_outbox_entry, put
from tests.payment_world import add_job_in_progress, client_with_saved_card, complete, technician_with_account
from tests.request_world import add_job, stored

pytestmark = pytest.mark.usefixtures("stripe_deps")

JOB = "job-1"
PRICE_MINOR = 5600
CODE = issuer_code(DISPATCHER_ID)


@pytest.fixture
def captured(db, call, bucket, stripe_deps, localstripe) -> str:
    """A job completed and charged: the capture's commit asked for the invoice, which ran after it."""
    client_with_saved_card(db, call, localstripe)
    technician_with_account(db, call, localstripe)
    add_job_in_progress(db, JOB)
    assert card_holds.follow_request(stripe_deps, JOB) == "authorization_authorized"
    complete(stripe_deps, bucket, JOB)
    return JOB


def invoice_of(db, doc_id: str) -> Invoice:
    return from_document(Invoice, stored(db, Collection.INVOICES, doc_id))


def test_a_charged_job_gets_a_numbered_tax_invoice_with_its_pdf_in_the_clients_folder(db, bucket, captured):
    invoice = invoice_of(db, JOB)

    assert (invoice.number, invoice.sequence, invoice.kind) == (f"INV-{CODE}-000001", 1, "invoice")
    charged = stored(db, Collection.JOB_PAYMENTS, JOB)
    assert (invoice.total_minor, invoice.currency) == (charged["captured_minor"], charged["currency"]) == (
        PRICE_MINOR, charged["currency"])
    assert sum(line.amount_minor for line in invoice.lines) == PRICE_MINOR  # GST is in the prices
    assert invoice.tax_minor == 509 and invoice.tax_name == "GST"  # 56.00 x 10/110 = 5.09
    assert (invoice.client_id, invoice.dispatcher_id) == (CLIENT_ID, DISPATCHER_ID)
    assert invoice.pdf_path == f"users/{CLIENT_ID}/invoices/{JOB}/INV-{CODE}-000001.pdf"
    assert bucket.blob(invoice.pdf_path).download_as_bytes().startswith(b"%PDF")
    assert stored(db, Collection.INVOICE_SEQUENCES, DISPATCHER_ID)["last"] == 1
    notices = [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream()]
    told = [n for n in notices if n["user_id"] == CLIENT_ID and n["title"] == f"Tax invoice INV-{CODE}-000001"]
    assert len(told) == 1 and told[0]["type"] == NotificationType.PAYMENT_PROCESSED


def test_each_refund_gets_a_credit_note_and_together_they_give_back_the_invoices_tax(db, bucket, stripe_deps,
                                                                                     captured):
    refunds.refund(stripe_deps, JOB, 1000, "goodwill")
    refunds.refund(stripe_deps, JOB, PRICE_MINOR - 1000, "rest")

    notes = [invoice_of(db, credit_note_id(JOB, key)) for key in ("goodwill", "rest")]
    assert [note.number for note in notes] == [f"CN-{CODE}-000002", f"CN-{CODE}-000003"]
    assert [note.total_minor for note in notes] == [1000, PRICE_MINOR - 1000]
    assert sum(note.tax_minor for note in notes) == invoice_of(db, JOB).tax_minor == tax_in(
        PRICE_MINOR, stripe_deps.settings.tax, invoice_of(db, JOB).currency)
    assert all(note.credits_invoice == f"INV-{CODE}-000001" for note in notes)
    assert invoice_of(db, JOB).credited_minor == PRICE_MINOR
    assert all(bucket.blob(str(note.pdf_path)).exists() for note in notes)


def test_running_the_invoice_and_credit_note_entries_again_changes_nothing(db, bucket, stripe_deps, captured):
    refunds.refund(stripe_deps, JOB, 1000, "goodwill")
    before = {snap.id: snap.to_dict() for snap in db.collection(Collection.INVOICES).stream()}

    handlers = outbox.handlers()
    handlers[invoices.INVOICE](stripe_deps, make_outbox_entry(id=f"invoice:{JOB}", kind="invoice", key=JOB,
                                                              payload={"request_id": JOB}))
    handlers[invoices.CREDIT_NOTE](stripe_deps, make_outbox_entry(
        id=f"credit_note:{JOB}:goodwill", kind="credit_note", key=f"{JOB}:goodwill",
        payload={"request_id": JOB, "refund_key": "goodwill", "amount_minor": 1000}))

    assert {snap.id: snap.to_dict() for snap in db.collection(Collection.INVOICES).stream()} == before
    assert stored(db, Collection.INVOICE_SEQUENCES, DISPATCHER_ID)["last"] == 2
    assert len(list(bucket.list_blobs(prefix=f"users/{CLIENT_ID}/invoices/"))) == 2


def charged_job(db, n: int) -> str:
    """A completed job of the same technician whose payment was captured (written directly: set-up only)."""
    job_id = f"job-{n:02d}"
    add_job(db, RequestStatus.COMPLETED, id=job_id)
    put(db, make_job_payment(id=job_id, request_id=job_id, amount_minor=3300, captured_minor=3300,
                             held_minor=3300, refunded_minor=0, refunds={}, stripe_refund_ids=[],
                             authorization_status=AuthorizationStatus.CAPTURED, payout_status=PayoutStatus.HELD))
    return job_id


def test_many_invoices_of_one_technician_at_once_take_every_number_once_without_gaps(db, bucket, stripe_deps):
    jobs = [charged_job(db, n) for n in range(5)]
    start = threading.Barrier(len(jobs))

    def issue(job_id: str) -> Any:
        start.wait()
        entry = make_outbox_entry(id=f"invoice:{job_id}", kind="invoice", key=job_id, payload={"request_id": job_id})
        return retry_lost_races(lambda: outbox.handlers()[invoices.INVOICE](stripe_deps, entry), attempts=10)

    with ThreadPoolExecutor(len(jobs)) as pool:
        list(pool.map(issue, jobs))

    numbers = sorted(invoice_of(db, job).sequence for job in jobs)
    assert numbers == list(range(1, len(jobs) + 1))
    assert stored(db, Collection.INVOICE_SEQUENCES, DISPATCHER_ID)["last"] == len(jobs)


def test_a_job_not_charged_yet_gets_no_invoice_and_uses_no_number(db, bucket, stripe_deps):
    add_job(db, RequestStatus.COMPLETED, id=JOB)
    put(db, make_job_payment(id=JOB, request_id=JOB, captured_minor=0, held_minor=0, refunded_minor=0, refunds={},
                             stripe_refund_ids=[], authorization_status=AuthorizationStatus.AUTHORIZED,
                             payout_status=PayoutStatus.NONE))

    outbox.handlers()[invoices.INVOICE](stripe_deps, make_outbox_entry(id=f"invoice:{JOB}", kind="invoice", key=JOB,
                                                                       payload={"request_id": JOB}))

    assert stored(db, Collection.INVOICES, JOB) == {}
    assert stored(db, Collection.INVOICE_SEQUENCES, DISPATCHER_ID) == {}
    assert list(bucket.list_blobs(prefix=f"users/{CLIENT_ID}/invoices/")) == []
