"""Step 3, the background check, against the local provider (a real HTTP server playing a Checkr-style API that
signs its webhooks) and the deployed `background_check_webhook`: automatic approval on `clear`, manual review on
`consider`, an outage finished by the outbox sweep, and the webhook's signature, replay and ordering rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from typing import Any

import flask
import pytest
import requests

from curbside import deps as deps_module
from curbside.deps import Deps
from curbside.domain.verification import local_today
from curbside.gateways.background_checks import SIGNATURE_HEADER, HttpBackgroundChecks, signature
from curbside.services import outbox
from curbside.store.collections import Collection, doc_path, private_doc_path
from devstack.background_check_provider import API_KEY, WEBHOOK_SECRET
from devstack.polling import poll
from main import (
    admin_list_verification_queue,
    admin_review_verification,
    background_check_webhook,
    submit_verification_step,
)
from tests.request_world import everything, stored
from tests.verification_world import (
    ADMIN,
    APPLICANT,
    CONSENT,
    add_applicant,
    identity_payload,
    running_provider,
    vehicle_payload,
)

APP = flask.Flask("background-check-webhook-tests")


def profile_of(db) -> dict[str, Any]:
    return stored(db, Collection.DISPATCHER_PROFILES, APPLICANT)


def private_of(db) -> dict[str, Any]:
    return db.document(private_doc_path(Collection.DISPATCHER_PROFILES, APPLICANT)).get().to_dict() or {}


def approve(call, step: str) -> None:
    answer = call(admin_review_verification, {"dispatcher_id": APPLICANT, "step": step, "decision": "approved"},
                  uid=ADMIN, admin=True)
    assert answer.result["step_status"] == "approved"


@pytest.fixture
def identity_and_vehicle_approved(db, call, bucket, deps) -> str:
    add_applicant(db)
    today = local_today(deps.clock.now(), deps.settings.default_time_zone)
    call(submit_verification_step, identity_payload(bucket), uid=APPLICANT)
    call(submit_verification_step, vehicle_payload(bucket, today), uid=APPLICANT)
    approve(call, "identity")
    approve(call, "vehicle")
    return APPLICANT


# --- the whole step against the local provider ----------------------------------------------------------------


def test_a_clear_report_approves_the_step_and_completes_verification(db, call, deps, identity_and_vehicle_approved):
    with running_provider(deps) as (provider, _):
        answer = call(submit_verification_step, CONSENT, uid=APPLICANT)
        assert answer.result == {"verification_status": "under_review", "step_status": "under_review"}
        verified = poll(lambda: profile_of(db)["verification_status"] == "verified", what="the provider's clear")

    assert verified
    private = private_of(db)
    [candidate] = provider.candidates.values()
    assert (candidate["custom_id"], candidate["email"], candidate["first_name"]) == (
        APPLICANT, f"{APPLICANT}@example.com", "Nia")
    [report] = provider.reports.values()
    assert (private["background_check_candidate_id"], private["background_check_report_id"]) == (
        candidate["id"], report["id"])
    assert (private["background_check_report_status"], private["background_check_result"]) == ("complete", "clear")
    assert private["step_reviews"]["background_check"]["reviewed_by"] == "system"
    assert stored(db, Collection.OUTBOX, f"background_check:{APPLICANT}:1")["status"] == "done"
    [event] = [snap.to_dict() for snap in db.collection(Collection.BACKGROUND_CHECK_EVENTS).stream()]
    assert (event["type"], event["report_id"], event["outcome"]) == ("report.completed", report["id"], "applied")
    assert profile_of(db)["background_check_status"] == "approved"


def test_a_consider_report_waits_for_an_admin_in_the_queue(db, call, deps, identity_and_vehicle_approved, clock):
    db.document(doc_path(Collection.USERS, APPLICANT)).update({"email": "nia+consider@example.com"})
    with running_provider(deps, result="clear"):  # the e-mail's +consider wins over the switch
        call(submit_verification_step, CONSENT, uid=APPLICANT)
        poll(lambda: private_of(db).get("background_check_result") == "consider", what="the provider's consider")

    profile = profile_of(db)
    assert (profile["background_check_status"], profile["verification_status"]) == ("under_review", "under_review")
    assert profile["awaiting_review_since"] == clock.now()
    queue = call(admin_list_verification_queue, {}, uid=ADMIN, admin=True).result
    assert [row["dispatcher_id"] for row in queue["technicians"]] == [APPLICANT]
    titles = [snap.to_dict()["title"] for snap in db.collection(Collection.NOTIFICATIONS).stream()]
    assert "Background check in review" in titles

    approve(call, "background_check")

    assert profile_of(db)["verification_status"] == "verified" and profile_of(db)["awaiting_review_since"] is None


def test_the_switch_makes_the_provider_answer_consider(deps):
    with running_provider(deps) as (provider, _):
        switched = requests.post(f"{provider.url}/_curbside/config", json={"result": "consider"}, timeout=5).json()
        refused = requests.post(f"{provider.url}/_curbside/config", json={"result": "maybe"}, timeout=5)
        unauthorised = requests.post(f"{provider.url}/v1/candidates", json={}, timeout=5)

    assert switched["result"] == "consider" and provider.result == "consider"
    assert refused.status_code == 400 and unauthorised.status_code == 401


def test_a_provider_outage_is_finished_by_the_outbox_sweep(db, call, deps, clock, identity_and_vehicle_approved):
    call(submit_verification_step, CONSENT, uid=APPLICANT)  # nobody answers at the provider's address
    entry = stored(db, Collection.OUTBOX, f"background_check:{APPLICANT}:1")
    assert (entry["status"], entry["attempts"]) == ("pending", 1)

    with running_provider(deps) as (provider, installed):
        clock.advance(dt.timedelta(minutes=3))
        assert outbox.sweep(installed) == {"done": 1}
        poll(lambda: profile_of(db)["verification_status"] == "verified", what="the clear after the outage")
        assert outbox.sweep(installed) == {}

    assert len(provider.candidates) == len(provider.reports) == 1


# --- the webhook --------------------------------------------------------------------------------------------


@pytest.fixture
def checks(deps: Deps) -> Deps:
    """The production gateway with the local provider's secrets (the webhook tests need no provider running)."""
    installed = dataclasses.replace(deps, background_checks=HttpBackgroundChecks(
        api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, api_base=""))
    deps_module.install(installed)
    return installed


@pytest.fixture
def awaiting_report(db, call, checks, identity_and_vehicle_approved) -> str:
    """The technician consented; the provider has candidate cand_1 and report rep_1 for the check."""
    call(submit_verification_step, CONSENT, uid=APPLICANT)
    db.document(private_doc_path(Collection.DISPATCHER_PROFILES, APPLICANT)).update({
        "background_check_candidate_id": "cand_1", "background_check_report_id": "rep_1",
        "background_check_report_status": "pending"})
    return "rep_1"


def event(event_id: str, event_type: str = "report.completed", *, report_id: str = "rep_1", status: str = "complete",
          result: str | None = "clear", candidate: str = "cand_1", created: str = "2026-11-20T09:00:05Z") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": event_type, "created_at": created, "data": {
        "object": {"id": report_id, "object": "report", "status": status, "result": result,
                   "candidate_id": candidate}}}).encode()


def deliver(body: bytes, header: str | None = "sign") -> tuple[int, str]:
    """POST a raw body to the deployed webhook, signed now with the provider's secret unless told otherwise."""
    headers = {"Content-Type": "application/json"}
    if header == "sign":
        header = signature(body, WEBHOOK_SECRET, int(time.time()))
    if header is not None:
        headers[SIGNATURE_HEADER] = header
    with APP.test_request_context("/", method="POST", data=body, headers=headers):
        response = background_check_webhook(flask.request)
    return response.status_code, response.get_data(as_text=True)


def test_a_clear_event_approves_the_step_once_however_often_it_arrives(db, awaiting_report):
    body = event("evt_1")

    assert deliver(body) == (200, "applied")
    after_first = everything(db)
    assert deliver(body) == (200, "duplicate")

    assert everything(db) == after_first
    assert [snap.id for snap in db.collection(Collection.BACKGROUND_CHECK_EVENTS).stream()] == ["evt_1"]
    assert profile_of(db)["verification_status"] == "verified"


@pytest.mark.parametrize("header", [None, "t=1,v1=deadbeef", "v1=abc", "forged"])
def test_an_unsigned_or_forged_delivery_is_refused_and_writes_nothing(db, awaiting_report, header):
    body = event("evt_forged")
    before = everything(db)

    assert deliver(body, header if header != "forged" else signature(body, "another secret", int(time.time())))[0] \
        == 400
    assert everything(db) == before


def test_a_captured_delivery_replayed_later_is_refused(db, awaiting_report):
    body = event("evt_old")
    stale = signature(body, WEBHOOK_SECRET, int(time.time()) - 3600)
    before = everything(db)

    assert deliver(body, stale) == (400, "invalid signature")
    assert everything(db) == before


def test_an_older_event_arriving_late_changes_nothing(db, awaiting_report):
    assert deliver(event("evt_done", result="consider", created="2026-11-20T09:00:09Z")) == (200, "applied")

    late = event("evt_created", "report.created", status="pending", result=None, created="2026-11-20T09:00:01Z")
    assert deliver(late) == (200, "older_than_stored")

    private = private_of(db)
    assert (private["background_check_report_status"], private["background_check_result"]) == ("complete", "consider")
    assert stored(db, Collection.BACKGROUND_CHECK_EVENTS, "evt_created")["outcome"] == "older_than_stored"


def test_an_event_about_an_earlier_report_is_recorded_as_superseded(db, awaiting_report):
    assert deliver(event("evt_previous", report_id="rep_0")) == (200, "superseded")

    assert profile_of(db)["background_check_status"] == "under_review"


def test_an_event_before_its_report_is_recorded_is_asked_again_later(db, call, checks,
                                                                     identity_and_vehicle_approved):
    call(submit_verification_step, CONSENT, uid=APPLICANT)
    db.document(private_doc_path(Collection.DISPATCHER_PROFILES, APPLICANT)).update(
        {"background_check_candidate_id": "cand_1"})
    body = event("evt_early")
    before = everything(db)

    assert deliver(body)[0] == 503
    assert everything(db) == before

    db.document(private_doc_path(Collection.DISPATCHER_PROFILES, APPLICANT)).update(
        {"background_check_report_id": "rep_1", "background_check_report_status": "pending"})
    assert deliver(body) == (200, "applied")
    assert profile_of(db)["verification_status"] == "verified"


def test_events_the_webhook_cannot_use_are_acknowledged_or_refused_without_effect(db, awaiting_report):
    before = everything(db)
    assert deliver(event("evt_stranger", candidate="cand_unknown")) == (200, "unknown_candidate")
    assert stored(db, Collection.BACKGROUND_CHECK_EVENTS, "evt_stranger")["outcome"] == "unknown_candidate"
    assert deliver(json.dumps({"id": "evt_other", "type": "candidate.created", "data": {}}).encode()) == (
        200, "ignored")
    assert deliver(json.dumps({"id": "evt_broken", "type": "report.completed", "data": {}}).encode())[0] == 400
    assert deliver(b"not json") == (400, "invalid signature")
    after = everything(db)
    assert {path for path in after if path not in before} == {"BackgroundCheckEvents/evt_stranger"}


def test_concurrent_deliveries_of_one_event_apply_it_once(db, awaiting_report):
    body = event("evt_raced")
    barrier = threading.Barrier(6)
    answers: list[tuple[int, str]] = []

    def send() -> None:
        barrier.wait()
        answers.append(deliver(body))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [answer for answer in answers if answer == (200, "applied")] == [(200, "applied")]
    assert all(answer in ((200, "duplicate"), (500, "processing failed")) for answer in answers
               if answer != (200, "applied"))
    notices = [snap.to_dict() for snap in db.collection(Collection.NOTIFICATIONS).stream()]
    assert [note["title"] for note in notices].count("You are verified") == 1
