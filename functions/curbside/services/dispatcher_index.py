"""Repairing a technician's dispatch-index entry.

Every commit that changes what the entry copies (verification, rating, account status, active jobs) rebuilds
it in the same commit (`store.derived`). This rebuilds it on demand, from the sources, for changes that
bypassed the functions (a hand edit in the Firebase console) and for repairs.
"""

from __future__ import annotations

from curbside.deps import Deps
from curbside.domain.documents import DispatcherLocation
from curbside.services import work
from curbside.store.uow import UnitOfWork


def refresh_dispatcher_index(deps: Deps, uid: str) -> DispatcherLocation | None:
    """Rebuild the entry from the source documents; returns it (None for a user who is not a technician)."""

    def refresh(uow: UnitOfWork) -> None:
        uow.refresh_requested.add(uid)

    work.transaction(deps, refresh, lost_race="The technician's records were changing at the same moment; try again.")
    return work.reading(deps, lambda uow: uow.locations.get(uid))
