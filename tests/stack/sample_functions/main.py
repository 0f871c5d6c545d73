"""A small functions module for the local stack's own tests, written with the real SDK decorators.

Each function leaves a visible trace in Firestore so a test can see that the stack ran it, with what.
It builds a Firestore client per call: the tests start several stacks in one process.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import firebase_admin
from firebase_admin import exceptions, functions
from firebase_functions import firestore_fn, https_fn, params, scheduler_fn, storage_fn, tasks_fn
from firebase_functions.core import Change, CloudEvent
from firebase_functions.https_fn import CallableRequest
from firebase_functions.options import RetryConfig
from flask import Request, Response
from google.cloud import firestore
from google.cloud.firestore_v1 import DocumentSnapshot

if not firebase_admin._apps:
    firebase_admin.initialize_app()


def db() -> firestore.Client:
    return firestore.Client(project=os.environ["GCLOUD_PROJECT"])


@firestore_fn.on_document_created(document="Orders/{order_id}")
def on_order_created(event: firestore_fn.Event[DocumentSnapshot[Any] | None]) -> None:
    assert event.data is not None
    db().document(f"OrderEvents/{event.id}").set({
        "order_id": event.params["order_id"], "item": event.data.get("item"), "document": event.document})


@firestore_fn.on_document_updated(document="Orders/{order_id}")
def on_order_updated(event: firestore_fn.Event[Change[DocumentSnapshot[Any] | None]]) -> None:
    before, after = event.data.before, event.data.after
    assert before is not None and after is not None
    db().document(f"OrderChanges/{event.id}").set({
        "order_id": event.params["order_id"], "before": before.get("status"), "after": after.get("status")})


@firestore_fn.on_document_created(document="Explosions/{id}")
def explode(event: firestore_fn.Event[DocumentSnapshot[Any] | None]) -> None:
    raise RuntimeError("this trigger always fails")


@https_fn.on_call()
def whoami(req: CallableRequest[Any]) -> dict[str, Any]:
    if req.auth is None:
        raise https_fn.HttpsError(https_fn.FunctionsErrorCode.UNAUTHENTICATED, "Sign in first.")
    return {"uid": req.auth.uid, "admin": req.auth.token.get("admin") is True, "echo": req.data}


@https_fn.on_request()
def hello(req: Request) -> Response:
    return Response(f"{req.method} {req.path}", mimetype="text/plain")


@scheduler_fn.on_schedule(schedule="every 5 minutes")
def tick(event: scheduler_fn.ScheduledEvent) -> None:
    db().collection("Ticks").add({"job_name": event.job_name, "schedule_time": event.schedule_time})


@tasks_fn.on_task_dispatched(retry_config=RetryConfig(max_attempts=3, min_backoff_seconds=10))
def ping(req: CallableRequest[Any]) -> None:
    retries = int(req.raw_request.headers.get("X-CloudTasks-TaskRetryCount", "0"))
    db().collection("Pings").add({"note": req.data["note"], "retry_count": retries})
    if retries < int(req.data.get("fail_times", 0)):
        raise RuntimeError("failing on purpose")


@https_fn.on_call()
def enqueue_ping(req: CallableRequest[Any]) -> dict[str, Any]:
    at = req.data.get("at")
    options = functions.TaskOptions(
        schedule_time=dt.datetime.fromisoformat(at) if at else None,
        schedule_delay_seconds=None if at else int(req.data.get("delay_s", 0)), task_id=req.data.get("task_id"))
    try:
        task_id = functions.task_queue("ping").enqueue({"data": req.data}, options)
    except exceptions.AlreadyExistsError:
        raise https_fn.HttpsError(https_fn.FunctionsErrorCode.ALREADY_EXISTS, "That ping is already queued.") from None
    return {"task_id": task_id}


@storage_fn.on_object_finalized(bucket=params.STORAGE_BUCKET)
def on_upload(event: CloudEvent[storage_fn.StorageObjectData]) -> None:
    data = event.data
    db().collection("Uploads").add({"name": data.name, "bucket": data.bucket, "size": int(data.size),
                                    "content_type": data.content_type})


@storage_fn.on_object_deleted()
def on_upload_deleted(event: CloudEvent[storage_fn.StorageObjectData]) -> None:
    db().collection("Deletions").add({"name": event.data.name, "subject": event.subject})
