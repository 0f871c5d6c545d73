"""Scheduled jobs become available 24 hours before their slot (spec section 12).

`activate_scheduled_jobs` runs every 5 minutes: it finds the jobs still `scheduled` whose
`becomes_available_at` has passed, moves each to `pending` with a write conditional on the version it read,
and hands it to dispatch. A job is therefore activated exactly once however often the schedule fires,
however runs overlap, and whatever the client did meanwhile (a cancelled booking stays cancelled).
"""

from __future__ import annotations

from curbside.deps import Deps
from curbside.domain.enums import RequestActor, RequestStatus
from curbside.domain.request_lifecycle import transition
from curbside.services import work
from curbside.services.dispatch_queue import start_dispatch
from curbside.store import queries
from curbside.store.engine import Conflict, Cursor
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

PAGE = 100


def activate(deps: Deps, request_id: str) -> bool:
    """Move one due scheduled job to pending (the system's move of the lifecycle table). Returns False when
    it is not (or no longer) a due scheduled job.

    A conditional commit rather than a transaction: the decision rests on this one document, and the write
    only lands if the document is still the version that was read. Of two overlapping runs, one activates
    and the other is refused at once, with no lock to wait for."""

    def decide(uow: UnitOfWork) -> bool:
        job = uow.requests.get(request_id)
        if job is None or job.status is not RequestStatus.SCHEDULED or job.becomes_available_at is None \
                or job.becomes_available_at > uow.now:
            return False
        step = transition(job.status, RequestStatus.PENDING, RequestActor.SYSTEM)
        uow.requests.save(evolve(job, status=step.target, updated_date=uow.now))
        return True

    try:
        return work.conditional(deps, decide)
    except Conflict:
        return False  # changed since the read (an overlapping run activated it, the client cancelled it)


def activate_due(deps: Deps) -> list[str]:
    """Activate every due scheduled job and start its dispatch; returns the ids this run activated. Pages
    through the due jobs with a cursor, so a job that cannot be activated is passed over, not retried
    forever within one run."""
    now = deps.clock.now()
    activated: list[str] = []
    cursor: Cursor | None = None

    def next_page(uow: UnitOfWork) -> tuple[list[str], Cursor | None]:
        page = uow.requests.find(queries.DUE_SCHEDULED_JOBS, status=RequestStatus.SCHEDULED, due_by=now,
                                 limit=PAGE, start_after=cursor)
        return [job.id for job in page], uow.requests.cursor(page[-1]) if len(page) == PAGE else None

    while True:
        page, cursor = work.reading(deps, next_page)
        for job_id in page:
            if activate(deps, job_id):
                activated.append(job_id)
                start_dispatch(deps, job_id)
        if cursor is None:
            return activated
