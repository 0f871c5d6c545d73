"""The Storage finalize trigger: every new object in the default bucket is checked server-side."""

from __future__ import annotations

from firebase_functions import logger, params, storage_fn
from firebase_functions.core import CloudEvent

from curbside import deps
from curbside.services import uploads


@storage_fn.on_object_finalized(bucket=params.STORAGE_BUCKET)
def on_upload_finalized(event: CloudEvent[storage_fn.StorageObjectData]) -> None:
    """Quarantine an upload whose bytes, size or path do not match its folder (safe to deliver twice)."""
    data = event.data
    obj = uploads.UploadedObject(bucket=data.bucket, name=data.name, size=int(data.size),
                                 content_type=data.content_type,
                                 generation=int(data.generation) if data.generation is not None else None)
    verdict = uploads.check_upload(deps.get(), obj)
    if verdict.outcome is uploads.Outcome.QUARANTINED:
        logger.warn("upload.quarantined", object_name=data.name, record_id=verdict.record_id,
                    problems=[problem.value for problem in verdict.problems], event_id=event.id)
    else:
        logger.info(f"upload.{verdict.outcome.value}", object_name=data.name, event_id=event.id)
