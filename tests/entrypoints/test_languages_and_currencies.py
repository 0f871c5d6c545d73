"""Languages and currencies through the deployed callables (issue 21 item 7, D119-D122): a person chooses their
locale (validated, nothing written when refused); a Spanish-speaking client's notice, push and e-mail come in
Spanish with amounts in their format; a job in New Zealand is quoted, stored, held and captured in NZD at
localstripe, in NZD's minor units."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from curbside.domain.enums import NotificationType, RequestStatus
from curbside.domain.regions import ServiceRegion
from curbside.services import card_holds
from curbside.services.notifications import notification_id
from curbside.settings import Settings
from curbside.store.collections import Collection, doc_path
from devstack.doubles import RecordingPush
from devstack.mail import MailServer
from main import cancel_request, create_request, create_support_ticket, quote_price, set_locale
from tests.factories import CLIENT_ID, DISPATCHER_ID, make_notification_preferences, put
from tests.payment_world import client_with_saved_card, complete, ledger_of, payment_of
from tests.request_world import add_client, add_dispatcher, add_job, everything, stored, upload_photo
from tests.technicians import add_technician

AUCKLAND = (-36.8485, 174.7633)
NZ = ServiceRegion("NZ", "NZD", -48.0, 166.0, -34.0, 179.0)


@pytest.fixture
def settings() -> Settings:
    """The defaults, with New Zealand as a service region (everywhere else stays in the platform's EUR)."""
    return dataclasses.replace(Settings(), regions=(NZ,))


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
