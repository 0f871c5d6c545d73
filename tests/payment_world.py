"""A job ready to be paid for: a client with a saved card, a technician with (or without) a payout account,
an in-progress job, and its completion photos in the Storage emulator."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.deps import Deps
from curbside.domain.enums import RequestStatus
from curbside.services import completions
from curbside.store.collections import Collection, doc_path, private_doc_path
from tests.factories import (
    CLIENT_ID,
    DISPATCHER_ID,
    make_client_profile_private,
    make_dispatcher_profile_private,
    put_private,
)
from tests.request_world import NEAR_CBD, add_client, add_dispatcher, add_job, upload_photo

SIDES = ("front", "back", "left", "right")


def add_paying_client(db: firestore.Client, uid: str = CLIENT_ID, *, customer_id: str = "cus_test",
                      payment_method: str | None = "pm_card_visa") -> str:
    add_client(db, uid)
    put_private(db, uid, make_client_profile_private(stripe_customer_id=customer_id, payment_method=payment_method))
    return uid


def add_paid_technician(db: firestore.Client, uid: str = DISPATCHER_ID, *, account_id: str | None = "acct_test",
                        payouts_enabled: bool = True) -> str:
    add_dispatcher(db, uid)
    put_private(db, uid, make_dispatcher_profile_private(stripe_account_id=account_id,
                                                          payouts_enabled=payouts_enabled))
    return uid


def add_job_in_progress(db: firestore.Client, request_id: str, *, client_id: str = CLIENT_ID,
                        dispatcher_id: str = DISPATCHER_ID, **overrides: Any) -> str:
    add_job(db, RequestStatus.IN_PROGRESS, id=request_id, client_id=client_id, dispatcher_id=dispatcher_id,
            **overrides)
    return request_id


def upload_completion_photos(bucket: Any, request_id: str, uid: str = DISPATCHER_ID) -> tuple[str, ...]:
    return tuple(upload_photo(bucket, uid, name=f"{side}.jpg", folder=f"completion_photos/{request_id}")
                 for side in SIDES)


def complete(deps: Deps, bucket: Any, request_id: str, uid: str = DISPATCHER_ID,
             at: tuple[float, float] = NEAR_CBD) -> completions.Completed:
    """The technician completes the job from the job's own address."""
    photos = upload_completion_photos(bucket, request_id, uid)
    return completions.complete_job(deps, uid, request_id, completions.Proof(photos, None, *at))


def payment_of(db: firestore.Client, request_id: str) -> dict[str, Any]:
    return db.document(doc_path(Collection.JOB_PAYMENTS, request_id)).get().to_dict() or {}


def ledger_of(db: firestore.Client, request_id: str) -> list[dict[str, Any]]:
    return [snap.to_dict() or {} for snap in db.collection(Collection.PAYMENT_LEDGER)
            .where(filter=FieldFilter("request_id", "==", request_id)).stream()]


# --- against localstripe, through the deployed callables (tests/entrypoints) --------------------------------

APP_RETURN_URL = "https://app.example/payouts/done"
APP_REFRESH_URL = "https://app.example/payouts/retry"


def client_with_saved_card(db: firestore.Client, call: Any, localstripe: Any, uid: str = CLIENT_ID) -> str:
    """A client whose Stripe customer was made by `setup_payment_method` and whose card is attached to it on
    localstripe and stored as their payment method (what `payment_method.attached` records). Returns the card."""
    from curbside.entrypoints.payments import setup_payment_method
    from tests.entrypoints.test_payments import attached_card

    add_client(db, uid, card=False)
    customer_id = str(call(setup_payment_method, {}, uid=uid).result["customer_id"])
    card_id = str(attached_card(localstripe, customer_id)["id"])
    db.document(private_doc_path(Collection.CLIENT_PROFILES, uid)).update({"payment_method": card_id})
    return card_id


def technician_with_account(db: firestore.Client, call: Any, localstripe: Any, uid: str = DISPATCHER_ID, *,
                            onboarded: bool = True) -> str:
    """A technician whose Connect account was made by `create_payout_account`; `onboarded`: they finished
    Stripe's onboarding (transfers active there) and `account.updated` was recorded. Returns the account id."""
    from curbside.entrypoints.payments import create_payout_account

    add_dispatcher(db, uid)
    response = call(create_payout_account, {"return_url": APP_RETURN_URL, "refresh_url": APP_REFRESH_URL}, uid=uid)
    assert response.status == 200, response.body
    private_ref = db.document(private_doc_path(Collection.DISPATCHER_PROFILES, uid))
    account_id = str((private_ref.get().to_dict() or {})["stripe_account_id"])
    if onboarded:
        localstripe.complete_onboarding(account_id)
        private_ref.update({"payouts_enabled": True})
    return account_id


def earnings_of(db: firestore.Client, uid: str = DISPATCHER_ID) -> dict[str, Any]:
    return db.document(doc_path(Collection.DISPATCHER_EARNINGS, uid)).get().to_dict() or {}


def ledger_sums(db: firestore.Client, request_id: str) -> dict[str, int]:
    """The job's ledger summed by kind (minor units)."""
    sums: dict[str, int] = {}
    for entry in ledger_of(db, request_id):
        sums[entry["kind"]] = sums.get(entry["kind"], 0) + int(entry["amount_minor"])
    return sums


def assert_ledger_balanced(db: firestore.Client, request_id: str) -> None:
    """captured + insurer share + merchant billed - refunded == transferred - reversed + fee - platform loss
    + held, to the cent (D91, D117)."""
    sums = ledger_sums(db, request_id)
    held = int(payment_of(db, request_id).get("held_minor", 0))
    left = (sums.get("capture", 0) + sums.get("insurer_share", 0) + sums.get("merchant_billed", 0)
            - sums.get("refund", 0))
    right = (sums.get("transfer", 0) - sums.get("reversal", 0) + sums.get("fee", 0) - sums.get("platform_loss", 0)
             + held)
    assert left == right, f"ledger out of balance for {request_id}: {sums}, held {held}"
