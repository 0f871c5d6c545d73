"""Vendor calls that fail after their commit are finished by the outbox sweep, exactly once.

Each money movement a commit records — the capture after `complete_job`, the late fee after
`cancel_request`, a refund, a transfer — is tried right after the commit against a Stripe that is down
(the request never reaches it) or whose answer is lost (Stripe did the work, the function never heard).
The commit stands and the call waits in the outbox; once Stripe is back, the sweep finishes it with the
same idempotency key, so Stripe moves the money once and the ledger records it once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from curbside import deps as deps_module
from curbside.deps import Deps
from curbside.domain.enums import EffectStatus, RequestStatus
from curbside.gateways.payments import StripePayments
from curbside.services import card_holds, outbox, refunds
from curbside.store.collections import Collection, doc_path
from main import cancel_request, review_dispatcher
from tests.entrypoints.test_payouts_and_refunds import (
    JOB,
    LATE_FEE_MINOR,
    PRICE_MINOR,
    SHARE_MINOR,
    completed_job,
    held_job,
    intent_of,
    refunds_of,
    transfers_to,
)
from tests.factories import CLIENT_ID
from tests.payment_world import (
    add_job_in_progress,
    assert_ledger_balanced,
    client_with_saved_card,
    complete,
    ledger_sums,
    payment_of,
)
from tests.payment_world import technician_with_account as technician_account
from tests.payments_server import TEST_SECRET_KEY, TEST_WEBHOOK_SECRET, LocalStripe
from tests.stripe_outage import Mode, StripeOutage, stripe_behind_outage

OUTAGES = [Mode.DOWN, Mode.ANSWER_LOST]


@pytest.fixture
def outage(localstripe: LocalStripe) -> Iterator[StripeOutage]:
    with stripe_behind_outage(localstripe.url) as proxy:
        yield proxy


@pytest.fixture
def outage_deps(stripe_deps: Deps, outage: StripeOutage) -> Deps:
    """The production Stripe gateway, reaching localstripe through the switchable outage."""
    installed = dataclasses.replace(stripe_deps, payments=StripePayments(
        api_key=TEST_SECRET_KEY, webhook_secret=TEST_WEBHOOK_SECRET, api_base=outage.url))
    deps_module.install(installed)
    return installed


@pytest.fixture
def card(db, call, localstripe) -> str:
    return client_with_saved_card(db, call, localstripe)


@pytest.fixture
def technician(db, call, localstripe) -> str:
    return technician_account(db, call, localstripe)


def effect(db, effect_id: str) -> dict[str, Any]:
    return db.document(doc_path(Collection.OUTBOX, effect_id)).get().to_dict() or {}


def sweep_after_recovery(deps: Deps, outage: StripeOutage) -> dict[str, int]:
    """Stripe is back; the sweep runs once the entry's pause is over."""
    outage.mode = Mode.UP
    deps.clock.advance(dt.timedelta(minutes=2))  # type: ignore[attr-defined]
    return outbox.sweep(deps)


def assert_waiting(db, effect_id: str, outage: StripeOutage) -> None:
    entry = effect(db, effect_id)
    assert outage.failed > 0, "the first attempt met the outage"
    assert (entry["status"], entry["attempts"]) == ("pending", 1)
    assert entry["last_error"].startswith("VendorUnavailable")


@pytest.mark.parametrize("mode", OUTAGES)
def test_a_capture_after_complete_job_is_finished_by_the_sweep_once(db, *, bucket, outage_deps, outage, card,
                                                                     technician, localstripe, mode):
    add_job_in_progress(db, JOB)
    assert card_holds.follow_request(outage_deps, JOB) == "authorization_authorized"
    outage.mode = mode

    complete(outage_deps, bucket, JOB)

    assert stored_status(db) == "completed", "the completion is committed whatever Stripe does"
    assert payment_of(db, JOB)["captured_minor"] == 0
    assert_waiting(db, f"capture:{JOB}", outage)

    assert sweep_after_recovery(outage_deps, outage) == {"done": 1}

    intent = intent_of(localstripe, db)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", PRICE_MINOR)
    assert ledger_sums(db, JOB)["capture"] == PRICE_MINOR
    assert effect(db, f"capture:{JOB}")["status"] == EffectStatus.DONE
    assert outbox.sweep(outage_deps) == {}, "nothing left to run"
    assert_ledger_balanced(db, JOB)


def stored_status(db) -> str:
    return str((db.document(doc_path(Collection.SERVICE_REQUESTS, JOB)).get().to_dict() or {})["status"])


@pytest.mark.parametrize("mode", OUTAGES)
def test_a_late_fee_after_cancel_request_is_finished_by_the_sweep_once(db, call, *, outage_deps, outage, card,
                                                                        technician, localstripe, mode):
    held_job(outage_deps, db, RequestStatus.EN_ROUTE)
    outage.mode = mode

    assert call(cancel_request, {"request_id": JOB}, uid=CLIENT_ID).status == 200
    card_holds.follow_request(outage_deps, JOB)  # the status trigger

    assert stored_status(db) == "cancelled"
    assert payment_of(db, JOB)["captured_minor"] == 0
    assert_waiting(db, f"capture:{JOB}", outage)

    sweep_after_recovery(outage_deps, outage)

    intent = intent_of(localstripe, db)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", LATE_FEE_MINOR)
    [transfer] = transfers_to(localstripe, technician)
    assert transfer["amount"] == LATE_FEE_MINOR - 150
    assert payment_of(db, JOB)["payout_status"] == "paid"
    assert ledger_sums(db, JOB)["capture"] == LATE_FEE_MINOR
    assert_ledger_balanced(db, JOB)


@pytest.mark.parametrize("mode", OUTAGES)
def test_a_refund_is_finished_by_the_sweep_once(db, *, bucket, outage_deps, outage, card, technician, localstripe,
                                                mode):
    completed_job(outage_deps, db, bucket)
    outage.mode = mode

    refunds.refund(outage_deps, JOB, 1200, "goodwill")

    assert payment_of(db, JOB)["refund_in_flight"] == "goodwill"
    assert_waiting(db, f"refund:{JOB}:goodwill", outage)

    sweep_after_recovery(outage_deps, outage)

    [refund] = refunds_of(localstripe, db)
    assert refund["amount"] == 1200
    payment = payment_of(db, JOB)
    assert (payment["refunded_minor"], payment["refund_in_flight"]) == (1200, None)
    assert ledger_sums(db, JOB)["refund"] == 1200
    assert_ledger_balanced(db, JOB)


@pytest.mark.parametrize("mode", OUTAGES)
def test_a_transfer_is_finished_by_the_sweep_once(db, call, *, bucket, outage_deps, outage, card, technician,
                                                  localstripe, mode):
    completed_job(outage_deps, db, bucket)
    outage.mode = mode

    assert call(review_dispatcher, {"request_id": JOB, "rating": 5}, uid=CLIENT_ID).status == 200

    assert transfers_to(localstripe, technician) == [] or mode is Mode.ANSWER_LOST
    assert payment_of(db, JOB)["payout_status"] == "released"
    assert_waiting(db, f"transfer:{JOB}", outage)

    sweep_after_recovery(outage_deps, outage)

    [transfer] = transfers_to(localstripe, technician)
    assert transfer["amount"] == SHARE_MINOR
    payment = payment_of(db, JOB)
    assert (payment["payout_status"], payment["paid_out_minor"]) == ("paid", SHARE_MINOR)
    assert ledger_sums(db, JOB)["transfer"] == SHARE_MINOR
    assert_ledger_balanced(db, JOB)
