"""Scheduled jobs become available 24 hours before their slot (spec section 12).

`activate_scheduled_jobs` runs every 5 minutes: it finds the jobs still `scheduled` whose
`becomes_available_at` has passed, moves each to `pending` with a write conditional on the version it read,
and hands it to dispatch. A job is therefore activated exactly once however often the schedule fires,
however runs overlap, and whatever the client did meanwhile (a cancelled booking stays cancelled).
"""

from __future__ import annotations

from google.api_core.exceptions import FailedPrecondition
from google.cloud.firestore_v1.base_query import FieldFilter

from curbside.deps import Deps
from curbside.domain.documents import ServiceRequest
from curbside.domain.enums import RequestActor, RequestStatus
from curbside.domain.request_lifecycle import transition
from curbside.services.dispatch_queue import start_dispatch
from curbside.store.codec import encode_value, from_snapshot
from curbside.store.collections import Collection, doc_path

PAGE = 100


def activate(deps: Deps, request_id: str) -> bool:
    """Move one due scheduled job to pending (the system's move of the lifecycle table). Returns False when
    it is not (or no longer) a due scheduled job.

    A conditional write rather than a transaction: the decision rests on this one document, and the write
    only lands if the document is still the version that was read (`update_time` precondition). Of two
    overlapping runs, one activates and the other is refused at once, with no lock to wait for."""
    ref = deps.db.document(doc_path(Collection.SERVICE_REQUESTS, request_id))
    now = deps.clock.now()
    snap = ref.get()
    if not snap.exists:
        return False
    job = from_snapshot(ServiceRequest, snap)
    due = job.becomes_available_at is not None and job.becomes_available_at <= now
    if job.status is not RequestStatus.SCHEDULED or not due:
        return False
    step = transition(job.status, RequestStatus.PENDING, RequestActor.SYSTEM)
    try:
        ref.update({"status": encode_value(step.target), "updated_date": encode_value(now)},
                   option=deps.db.write_option(last_update_time=snap.update_time))
    except FailedPrecondition:
        return False  # changed since the read (an overlapping run activated it, the client cancelled it)
    return True


def activate_due(deps: Deps) -> list[str]:
    """Activate every due scheduled job and start its dispatch; returns the ids this run activated. Pages
    through the due jobs with a cursor, so a job that cannot be activated is passed over, not retried
    forever within one run."""
    now = deps.clock.now()
    query = (
        deps.db.collection(Collection.SERVICE_REQUESTS)
        .where(filter=FieldFilter("status", "==", RequestStatus.SCHEDULED.value))
        .where(filter=FieldFilter("becomes_available_at", "<=", encode_value(now)))
        .order_by("becomes_available_at")
        .limit(PAGE)
    )
    activated: list[str] = []
    page = list(query.stream())
    while page:
        for snap in page:
            if activate(deps, snap.id):
                activated.append(snap.id)
                start_dispatch(deps, snap.id)
        page = list(query.start_after(page[-1]).stream()) if len(page) == PAGE else []
    return activated
