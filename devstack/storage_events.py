"""Cloud Storage triggers: `storage_fn.on_object_finalized` / `on_object_deleted` on the Storage emulator.

`gcp-storage-emulator` sends no notifications, so the stack watches its object store where every upload
ends (`Storage.create_file`: simple, multipart and resumable uploads, copies, composes) and where objects are
deleted (`Storage.delete_file`), and publishes the CloudEvent Eventarc would: type
`google.cloud.storage.object.v1.finalized|deleted`, the object resource as JSON data. Delivery is
asynchronous (one worker thread, in order), never inside the upload request, as in production — a function
that downloads the object it is told about must not wait on the upload that told it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cloudevents.http import CloudEvent

from devstack.activity import Activity
from devstack.loader import FunctionDef, Functions, Kind, resolve

log = logging.getLogger("devstack.storage_events")

FINALIZED = "google.cloud.storage.object.v1.finalized"
DELETED = "google.cloud.storage.object.v1.deleted"


def object_event(event_type: str, resource: dict[str, Any]) -> CloudEvent:
    bucket, name = resource["bucket"], resource["name"]
    attributes = {
        "type": event_type, "specversion": "1.0", "id": str(uuid.uuid4()),
        "source": f"//storage.googleapis.com/projects/_/buckets/{bucket}", "subject": f"objects/{name}",
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"), "datacontenttype": "application/json",
    }
    return CloudEvent(attributes, resource)


class StorageEvents:
    def __init__(self, functions: Functions, activity: Activity) -> None:
        self._functions = functions.of_kind(Kind.STORAGE)
        self._activity = activity
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="devstack-storage-events")

    def watch(self, store: Any) -> None:
        """Publish the events of `store`, the emulator's `gcp_storage_emulator.storage.Storage`."""
        if not self._functions:
            return
        create_file, delete_file = store.create_file, store.delete_file

        def created(bucket_name: str, file_name: str, content: bytes, file_obj: dict[str, Any],
                    file_id: str | None = None) -> None:
            create_file(bucket_name, file_name, content, file_obj, file_id)
            self.publish(FINALIZED, dict(file_obj))

        def deleted(bucket_name: str, file_name: str) -> None:
            resource = store.objects.get(bucket_name, {}).get(file_name)
            delete_file(bucket_name, file_name)
            if resource is not None:
                self.publish(DELETED, dict(resource))

        store.create_file, store.delete_file = created, deleted

    def publish(self, event_type: str, resource: dict[str, Any]) -> None:
        for fn in self._functions:
            trigger = fn.event_trigger
            bucket = resolve((trigger.get("eventFilters") or {}).get("bucket"))
            if trigger["eventType"] == event_type and bucket in (None, "", resource["bucket"]):
                self._pool.submit(self._deliver, fn, object_event(event_type, resource))

    def _deliver(self, fn: FunctionDef, event: CloudEvent) -> None:
        started = time.monotonic()
        try:
            fn.handler(event)
            status = 204
        except Exception:
            log.exception("storage_event.failed function=%s event_id=%s", fn.name, event["id"])
            status = 500
        detail = f"{event['type'].rsplit('.', 1)[-1]} {event['subject'].removeprefix('objects/')}"
        self._activity.record(Kind.STORAGE, fn.name, status, detail, started)

    def stop(self) -> None:
        """Deliver what is queued, then stop."""
        self._pool.shutdown(wait=True)
