"""Languages and currencies through the deployed callables (issue 21 items 5 and 7, D119-D122, D130-D132): a
person chooses their locale (validated, nothing written when refused); a Spanish-speaking client's notice, push
and e-mail come in Spanish with amounts in their format; a job in New Zealand is quoted, stored, held and
captured in NZD at localstripe, in NZD's minor units; a job in Japan in whole yen, invoiced to the yen; in a
region that adds its sales tax on top, the card is held for net + tax (also after a revised price) and the
invoice prints the quote's net lines and tax; amounts a currency cannot charge are refused, writing nothing."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from curbside.domain.enums import NotificationType, RequestStatus
from curbside.domain.errors import InvalidInput
from curbside.domain.invoicing import TaxRegime
from curbside.domain.regions import ServiceRegion
from curbside.services import card_holds, refunds
from curbside.services.notifications import notification_id
from curbside.settings import Settings
from curbside.store.collections import Collection, doc_path
from devstack.doubles import RecordingPush
from devstack.mail import MailServer
from main import (
    accept_revised_price,
    cancel_request,
    create_request,
    create_support_ticket,
    propose_revised_price,
    quote_price,
    set_locale,
)
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_job_payment, make_notification_preferences, put
from tests.payment_world import client_with_saved_card, complete, ledger_of, payment_of
from tests.request_world import add_client, add_dispatcher, add_job, everything, stored, upload_photo
from tests.technicians import add_technician

AUCKLAND = (-36.8485, 174.7633)
TOKYO = (35.6812, 139.7671)
NZ = ServiceRegion("NZ", "NZD", -48.0, 166.0, -34.0, 179.0)
JP = ServiceRegion("JP", "JPY", 24.0, 122.0, 46.0, 146.0, TaxRegime("JCT", Decimal(10), prices_include_tax=True),
                   base_price=Decimal(4500))
AUSTIN = (30.2672, -97.7431)
TX = ServiceRegion("TX", "USD", 25.0, -107.0, 37.0, -93.0, TaxRegime("Sales tax", Decimal("8.25"), False),
                   base_price=Decimal(40))


@pytest.fixture
def settings() -> Settings:
    """The defaults, with New Zealand, Japan (yen: no decimals, its own base price and consumption tax) and Texas
    (a sales tax added on top) as service regions (everywhere else stays in the platform's EUR)."""
    return dataclasses.replace(Settings(), regions=(NZ, JP, TX))


def test_a_locale_is_stored_normalised_and_a_tag_nobody_knows_is_refused_writing_nothing(db, call, deps):
    add_client(db)

    assert call(set_locale, {"locale": "es_MX"}, uid=CLIENT_ID).result == {"locale": "es-MX", "language": "es"}
    assert call(set_locale, {"locale": "de-DE"}, uid=CLIENT_ID).result == {"locale": "de-DE", "language": "en"}
    before = everything(db)
    refused = call(set_locale, {"locale": "xx-YY"}, uid=CLIENT_ID)

    assert refused.error == "INVALID_ARGUMENT" and "such as en-AU" in refused.message
    assert everything(db) == before and stored(db, Collection.USERS, CLIENT_ID)["locale"] == "de-DE"


def test_a_spanish_client_gets_the_notice_push_and_e_mail_in_spanish_with_amounts_in_their_format(
        db, call, deps, push: RecordingPush, mail_server: MailServer):
    add_client(db)
    add_dispatcher(db)
    put(db, make_notification_preferences(id=CLIENT_ID, user_id=CLIENT_ID, email_notifications=True))
    call(set_locale, {"locale": "es-ES"}, uid=CLIENT_ID)
    job = add_job(db, RequestStatus.ACCEPTED)

    call(cancel_request, {"request_id": job.id}, uid=DISPATCHER_ID)

    body = "Tu trabajo en 1 George St, Sydney fue cancelado por tu técnico; no se te cobra (56,00\xa0€ liberados)."
    note = stored(db, Collection.NOTIFICATIONS, notification_id(NotificationType.JOB_CANCELLED, job.id, CLIENT_ID))
    assert (note["title"], note["body"]) == ("Trabajo cancelado", body)  # the in-app list too
    assert [(sent.message.title, sent.message.body) for sent in push.sent] == [("Trabajo cancelado", body)]
    [mail] = mail_server.received
    assert mail.subject == "Trabajo cancelado" and body in mail.text and "Abre la app de Curbside" in mail.text
    assert '<html lang="es">' in mail.html and "Perfil &gt; Configuración de notificaciones" in mail.html


def test_the_support_assistant_answers_a_spanish_question_from_the_spanish_articles(db, call, deps):
    add_client(db)
    call(set_locale, {"locale": "es"}, uid=CLIENT_ID)

    def ask(question: str) -> Any:
        return call(create_support_ticket, {"subject": "Pago", "category": "payment_issue", "message": question},
                    uid=CLIENT_ID).result["reply"]

    known, unknown = ask("¿Dónde está mi pago?"), ask("¿Puedo pintar mi casa?")

    assert known["message"].startswith("Cuando se completa un trabajo, el precio se cobra de la tarjeta del cliente")
    assert known["requires_human"] is False
    assert unknown["requires_human"] is True and unknown["message"] == (
        "No estoy seguro de haber entendido tu pregunta. Toca «Pedir un agente» y alguien de nuestro equipo "
        "seguirá esta conversación.")


def test_a_job_in_new_zealand_is_quoted_held_and_captured_in_nzd_at_localstripe(
        db, call, localstripe, stripe_deps, bucket, *, clock):
    client_with_saved_card(db, call, localstripe)
    add_technician(db, DISPATCHER_ID, at=AUCKLAND, fixed_at=clock.now())
    where = {"location_lat": AUCKLAND[0], "location_lng": AUCKLAND[1], "is_urgent": False, "is_scheduled": False}

    quoted = call(quote_price, {"lat": AUCKLAND[0], "lng": AUCKLAND[1], "is_urgent": False, "is_scheduled": False},
                  uid=CLIENT_ID).result
    created = call(create_request, {**where, "car_model": "Toyota Aqua", "license_plate": "NZ-123",
                                    "location_address": "1 Queen St, Auckland",
                                    "car_location_images": [upload_photo(bucket)]}, uid=CLIENT_ID).result
    request_id = created["request_id"]
    assert quoted["currency"] == created["breakdown"]["currency"] == "NZD"
    assert stored(db, Collection.SERVICE_REQUESTS, request_id)["currency"] == "NZD"

    db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).update(
        {"status": "accepted", "dispatcher_id": DISPATCHER_ID, "dispatcher_name": "Sam"})
    assert card_holds.follow_request(stripe_deps, request_id) == "authorization_authorized"
    payment = payment_of(db, request_id)
    price_minor = round(created["final_price"] * 100)
    assert (payment["currency"], payment["amount_minor"]) == ("NZD", price_minor)
    intent = localstripe.get(f"/v1/payment_intents/{payment['payment_intent_id']}")
    assert (intent["currency"], intent["amount"]) == ("nzd", price_minor)

    db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).update({"status": "in_progress"})
    complete(stripe_deps, bucket, request_id, at=AUCKLAND)

    captured = [entry for entry in ledger_of(db, request_id) if entry["kind"] == "capture"]
    assert [(entry["amount_minor"], entry["currency"]) for entry in captured] == [(price_minor, "NZD")]
    assert localstripe.get(f"/v1/payment_intents/{payment['payment_intent_id']}")["amount_received"] == price_minor


def booked_at(db, call, localstripe, bucket, clock, *, place: tuple[float, float], urgent: bool,
              status: str) -> dict[str, Any]:
    """A job created through `create_request` at `place` by a client with a saved card, then taken to `status` by
    a technician there; `create_request`'s result."""
    client_with_saved_card(db, call, localstripe)
    add_technician(db, DISPATCHER_ID, at=place, fixed_at=clock.now())
    created: dict[str, Any] = call(create_request, {
        "location_lat": place[0], "location_lng": place[1], "is_urgent": urgent, "is_scheduled": False,
        "car_model": "Toyota Prius", "license_plate": "AB-123", "location_address": "1 Main Street",
        "car_location_images": [upload_photo(bucket)]}, uid=CLIENT_ID).result
    db.document(doc_path(Collection.SERVICE_REQUESTS, created["request_id"])).update(
        {"status": status, "dispatcher_id": DISPATCHER_ID, "dispatcher_name": "Sam"})
    return created


def test_a_job_in_japan_is_quoted_in_whole_yen_held_and_captured_for_that_many_yen_and_invoiced_to_the_yen(
        db, call, localstripe, stripe_deps, bucket, *, clock):
    created = booked_at(db, call, localstripe, bucket, clock, place=TOKYO, urgent=True, status="arrived")
    request_id = created["request_id"]
    # 4500 yen and 50 % urgency; JCT 10 % is in the price: 6750 x 10/110 = 613.6 -> 614 yen
    assert (created["final_price"], created["breakdown"]["currency"]) == (6750, "JPY")
    assert created["breakdown"]["tax"] == {"name": "JCT", "rate_percent": 10.0, "prices_include_tax": True,
                                           "amount": 614}
    before = everything(db)
    refused = call(propose_revised_price, {"request_id": request_id, "price": 7000.5, "reason": "A second panel."},
                   uid=DISPATCHER_ID)
    assert (refused.error, refused.message) == (
        "INVALID_ARGUMENT", "price: JPY is charged in steps of 1; propose 7001 or another whole number of them.")
    assert everything(db) == before
    db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).update({"status": "in_progress"})
    assert card_holds.follow_request(stripe_deps, request_id) == "authorization_authorized"
    payment = payment_of(db, request_id)
    intent = localstripe.get(f"/v1/payment_intents/{payment['payment_intent_id']}")
    assert (payment["currency"], payment["amount_minor"], intent["currency"], intent["amount"]) == (
        "JPY", 6750, "jpy", 6750)  # yen are Stripe's minor unit: 6750, not 675000
    complete(stripe_deps, bucket, request_id, at=TOKYO)

    assert localstripe.get(f"/v1/payment_intents/{payment['payment_intent_id']}")["amount_received"] == 6750
    assert [(e["amount_minor"], e["currency"]) for e in ledger_of(db, request_id) if e["kind"] == "capture"] == [
        (6750, "JPY")]
    invoice = stored(db, Collection.INVOICES, request_id)
    assert (invoice["currency"], invoice["total_minor"], invoice["tax_name"], invoice["tax_minor"]) == (
        "JPY", 6750, "JCT", 614)
    assert [line["amount_minor"] for line in invoice["lines"]] == [4500, 2250]


def test_where_tax_is_added_on_top_the_card_is_held_for_it_and_the_invoice_prints_the_quotes_net_lines_and_tax(
        db, call, localstripe, stripe_deps, bucket, *, clock):
    created = booked_at(db, call, localstripe, bucket, clock, place=AUSTIN, urgent=False, status="arrived")
    request_id = created["request_id"]
    # 40.00 net; 8.25 % of it is 3.30, added: the card is held for 43.30
    assert (created["breakdown"]["subtotal"], created["breakdown"]["tax"]["amount"], created["final_price"]) == (
        40.0, 3.3, 43.3)
    assert card_holds.follow_request(stripe_deps, request_id) == "authorization_authorized"
    assert payment_of(db, request_id)["amount_minor"] == 4330

    call(propose_revised_price, {"request_id": request_id, "price": 50.0, "reason": "A second dented panel."},
         uid=DISPATCHER_ID)
    accepted = call(accept_revised_price, {"request_id": request_id}, uid=CLIENT_ID).result

    assert accepted == {"final_price": 54.13, "currency": "USD", "card_hold": "authorized"}  # 50.00 + 4.125 -> 4.13
    payment = payment_of(db, request_id)
    intent = localstripe.get(f"/v1/payment_intents/{payment['payment_intent_id']}")
    assert (payment["amount_minor"], intent["amount"], intent["currency"]) == (5413, 5413, "usd")
    db.document(doc_path(Collection.SERVICE_REQUESTS, request_id)).update({"status": "in_progress"})
    complete(stripe_deps, bucket, request_id, at=AUSTIN)

    invoice = stored(db, Collection.INVOICES, request_id)
    assert [(line["description"], line["amount_minor"]) for line in invoice["lines"]] == [
        ("Base price", 4000), ("Revised on site: A second dented panel.", 1000)]
    assert (invoice["tax_name"], invoice["prices_include_tax"], invoice["tax_minor"], invoice["total_minor"]) == (
        "Sales tax", False, 413, 5413)
    assert payment_of(db, request_id)["captured_minor"] == 5413


def test_a_dinar_refund_finer_than_the_ten_fils_stripe_charges_in_is_refused_and_writes_nothing(db, deps):
    job = add_job(db, RequestStatus.COMPLETED, currency="KWD", final_price=Decimal("19.46"))
    put(db, make_job_payment(id=job.id, request_id=job.id, currency="KWD", amount_minor=19460, captured_minor=19460,
                             refunded_minor=0, held_minor=19460, refunds={}, stripe_refund_ids=[]))
    before = everything(db)

    with pytest.raises(InvalidInput, match=r"^refund_amount: KWD is refunded in steps of 0\.010, so not 1\.235\.$"):
        refunds.refund(deps, job.id, 1235, "goodwill")
    assert everything(db) == before
