"""`python -m devstack dev` and `demo` as a person runs them: real `functions/main.py`, real signals."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore

from devstack.client import CallableClient
from devstack.emulators import PROJECT_ID, free_port, port_in_use
from devstack.polling import poll
from devstack.stack import ROOT, LocalStack, Ports, warn_if_exposed
from tests.stack.helpers import emulator_processes

EMULATOR_VARIABLES = ("FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST", "CLOUD_TASKS_EMULATOR_HOST",
                      "FIREBASE_AUTH_EMULATOR_HOST", "FUNCTIONS_EMULATOR", "FIREBASE_CONFIG")


def devstack(command: str, ports: Ports, *extra: str) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if key not in EMULATOR_VARIABLES}
    args = [sys.executable, "-m", "devstack", command, "--firestore-port", str(ports.firestore),
            "--functions-port", str(ports.functions), "--storage-port", str(ports.storage),
            "--hosting-port", str(ports.hosting), *extra]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def assert_nothing_left(ports: Ports) -> None:
    busy = [port for port in (ports.firestore, ports.functions, ports.storage, ports.hosting) if port_in_use(port)]
    assert busy == [] and emulator_processes(ports.firestore) == []


@pytest.fixture
def ports() -> Iterator[Ports]:
    chosen = Ports(free_port(), free_port(), free_port(), hosting=free_port())
    yield chosen
    assert_nothing_left(chosen)


def health(ports: Ports) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{ports.functions}/__devstack/health", timeout=1).ok
    except requests.ConnectionError:
        return False


def test_dev_runs_the_real_functions_and_ctrl_c_stops_everything(ports: Ports, monkeypatch: pytest.MonkeyPatch):
    # given `dev` runs in the foreground with the project's functions/main.py
    process = devstack("dev", ports)
    try:
        poll(lambda: health(ports) or process.poll() is not None, timeout=90, what="a running dev stack")
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{ports.firestore}")
        admin = firestore.Client(project=PROJECT_ID, credentials=AnonymousCredentials())

        # when a user document is created with the admin client, the real on_user_created completes it
        admin.document("Users/carol").set({"email": "carol@example.com", "full_name": "Carol Diaz"})
        prefs = poll(lambda: admin.document("NotificationPreferences/carol").get().to_dict(),
                     what="NotificationPreferences/carol from on_user_created")
        assert prefs["user_id"] == "carol"

        # and a real callable answers over HTTP as the signed-in user
        answer = CallableClient(f"http://127.0.0.1:{ports.functions}").call(
            "set_user_type", {"user_type": "client"}, uid="carol")
        assert answer.result == {"user_type": "client"}

        # and the admin console is served on the hosting port, its API calls reaching the same functions
        console = requests.get(f"http://127.0.0.1:{ports.hosting}/admin/", timeout=10)
        assert console.ok and "<title>Curbside admin</title>" in console.text
        refused = requests.post(f"http://127.0.0.1:{ports.hosting}/admin/api/admin_dashboard", json={"data": {}},
                                timeout=30)
        assert refused.status_code == 401 and "result" not in refused.json()
    finally:
        # when Ctrl-C arrives
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)

    # then it stops cleanly (the fixture checks no port and no JVM is left)
    assert process.returncode == 0, output
    assert "Functions:" in output and "useFunctionsEmulator" in output and "on_user_created" in output
    assert "nothing left running" in output


def test_demo_plays_the_day_prints_timeline_and_summary_and_stops(ports: Ports):
    process = devstack("demo", ports)
    output, _ = process.communicate(timeout=240)

    assert process.returncode == 0, output
    assert "Timeline" in output and "Summary" in output and "FAILED" not in output
    assert "jobs               created 5" in output and "reads" in output and "writes" in output
    assert "requests a technician: create_request ->" in output and "cancel_request -> cancelled" in output
    assert "accepted it -> accepted" in output and "offered 2, accepted 2, completed 2" in output
    # a brand-new technician is verified (admin for identity and vehicle, the local provider's clear) and
    # takes the day's job as his first
    assert "submit_verification_step identity, vehicle, background_check -> under_review, under_review, " \
           "under_review" in output
    assert "identity and vehicle approved -> under_review" in output
    assert "signed report.completed (clear) approved the background check; bob's app reads verification_status " \
           "verified" in output
    assert "bob (0.0 km away" in output and "(his first job)" in output
    assert "check_phone_verification -> {'phone_number': '+61400000001', 'phone_verified': True}" in output
    assert "pushed to the technician's phone" in output and "unread 1 -> 0" in output
    # the client clears the notifications badge their day's notices built up
    assert re.search(r"badge [1-9]\d* -> 0 \(mark_notifications_read marked [1-9]", output), output
    messages_out = next(line for line in output.splitlines() if "messages out" in line)
    sms = re.search(r"(\d+) SMS", messages_out)
    assert "New job offer" in messages_out and sms and int(sms[1]) >= 2 and " 0 e-mails" not in messages_out
    # the job used a part from the van, and the client has a tax invoice with its PDF in their folder
    invoiced = (r"gets a tax invoice: INV-BOB-000001: \d+\.\d\d [A-Z]{3} incl\. GST \d+\.\d\d; \d+-byte PDF at "
                r"users/alice/invoices/\S+; 1 Brake cleaner 500 ml left in the van \(reorder at 1\)")
    assert re.search(invoiced, output), output
    # the job booked a catalogue service with an add-on, offered only to the technician qualified for it; the
    # invoice shows them as lines and the technician's ABN
    assert "list_services shows 1" in output and "bob's skills -> ['pdr']" in output
    assert re.search(r"lines: Hail dent repair 120\.00, Urgency \(50%\) 60\.00, .*Hand wax 25\.00.*; "
                     r"ABN 51824753556; parts included: Brake cleaner 500 ml", output), output
    # that night the review of the day's job is applied: the technician's rating moves, the review is public
    assert re.search(r"apply_pending_reviews -> bob's rating \S+ \(0 reviews\) -> 5\.0 \(1\)", output), output
    # after a hailstorm the client books a photo quote at its quoted price, once (issue 20)
    assert re.search(r"quote_from_photos \(customer's description\) -> .* = 1[\d,.]+ EUR", output), output
    assert re.search(r"create_request with the quote -> \S+ pending [\d.]+ \(the quoted price\)", output), output
    assert "booking it again is refused (400, the quote is used)" in output
    # a Messenger prospect is matched (a redelivery answered once) and books through the link
    assert "messenger_webhook -> matched=1 (its redelivery -> duplicate=1)" in output
    assert "Leads/7000000000000042: booked" in output
    # at the day's end a free hour is booked and kept: on the day before, it is offered first to the technician
    # whose calendar holds it, who does it with a part from his van; its invoice PDF is in the client's folder
    kept = re.search(r"create_request \(\S+ \S+\) -> scheduled, [\d.]+; (\S+)'s calendar holds the hour", output)
    assert kept, output
    assert f"offered first to {kept[1]}, whose calendar holds it -> accepted" in output
    assert "drives over on the booked day: the clock moves to half an hour before the slot; update_job_status " \
           "en_route -> arrived -> in_progress" in output
    last_invoice = output[output.index("offered first to"):]
    assert re.search(r"gets a tax invoice: INV-\S+: [\d.]+ [A-Z]{3} incl\. GST [\d.]+; \d+-byte PDF at "
                     r"users/alice/invoices/\S+; .*parts included: Brake cleaner 500 ml", last_invoice), output
    assert "devstack: stack stopped." in output


def test_a_busy_port_is_reported_in_one_sentence(ports: Ports, tmp_path: Path):
    with subprocess.Popen([sys.executable, "-m", "http.server", str(ports.functions), "--bind", "127.0.0.1"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as squatter:
        try:
            poll(lambda: port_in_use(ports.functions), what="the squatter listening")
            process = devstack("dev", ports)
            output, _ = process.communicate(timeout=60)
        finally:
            squatter.terminate()

    assert process.returncode == 2 and f"functions {ports.functions}" in output


def test_an_exposed_stack_warns_that_anyone_can_act_as_any_user(caplog):
    with caplog.at_level(logging.WARNING, logger="devstack.stack"):
        assert not warn_if_exposed("127.0.0.1")
        assert warn_if_exposed("0.0.0.0")
    assert [record.getMessage() for record in caplog.records if "unsigned tokens" in record.getMessage()] != []
    assert LocalStack().host == "127.0.0.1", "the default listens on this machine only"
