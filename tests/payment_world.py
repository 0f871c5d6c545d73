"""A job ready to be paid for: a client with a saved card, a technician with (or without) a payout account,
an in-progress job, and its completion photos in the Storage emulator."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.deps import Deps
from curbside.domain.enums import RequestStatus
from curbside.services import completions
from curbside.store.collections import Collection, doc_path
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
