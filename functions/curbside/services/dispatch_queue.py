"""The one door from the job workflow to auto-dispatch (spec section 2).

Every path that makes a job ready for technicians ends here: `on_request_created` for an immediate job, the
scheduled-job activator when a booking comes within 24 hours. Auto-dispatch itself (ranking technicians,
the 60-second offer, its countdown task) is the next piece of work and plugs in behind `start_dispatch`;
until then the function records, exactly once, that dispatch was started (`dispatch_started_at`), which is
also the marker that makes the hand-over idempotent: a replayed trigger or an overlapping activator run
finds it set and does nothing.

What the dispatch work must keep: (1) idempotence under replay — its first offer keyed by the request (e.g.
the `JobOffers` id `{request_id}:1`, a named Cloud Task), the marker set in the same transaction as that
offer; (2) no external call inside the transaction (enqueue the countdown after it commits, by name);
(3) a pending job whose marker is missing (a crash between activation and this call) is picked up by the
`retry_dispatch` sweep.
"""

from __future__ import annotations

from google.cloud import firestore

from curbside.deps import Deps
from curbside.domain.enums import RequestStatus
from curbside.store.codec import encode_value
from curbside.store.collections import Collection, doc_path


def start_dispatch(deps: Deps, request_id: str) -> bool:
    """Hand a pending job to auto-dispatch once. Returns False when there is nothing to do: the job is gone,
    no longer pending (cancelled, already taken), or dispatch already started."""
    db = deps.db
    ref = db.document(doc_path(Collection.SERVICE_REQUESTS, request_id))
    now = deps.clock.now()

    @firestore.transactional
    def start(transaction: firestore.Transaction) -> bool:
        job = ref.get(transaction=transaction).to_dict()
        if job is None or job.get("status") != RequestStatus.PENDING.value or job.get("dispatch_started_at"):
            return False
        transaction.update(ref, {"dispatch_started_at": encode_value(now), "updated_date": encode_value(now)})
        return True

    return bool(start(db.transaction()))
