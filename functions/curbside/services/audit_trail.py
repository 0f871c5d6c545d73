"""The console's audit-trail screen (issue 18): the `AuditLog` newest first, one page at a time, by the admin who
acted, the kind of action or the document acted on (one of them, or an admin's actions of one kind), each a
catalogued query with its index (D48, D77)."""

from __future__ import annotations

from typing import Any

from curbside.deps import Deps
from curbside.domain.errors import InvalidInput
from curbside.services import work
from curbside.services.admin_console import page_after
from curbside.services.verification_review import require_admin
from curbside.store import queries
from curbside.store.uow import UnitOfWork

QUERIES = {
    frozenset(): queries.AUDIT_NEWEST,
    frozenset({"actor_id"}): queries.AUDIT_BY_ACTOR,
    frozenset({"action"}): queries.AUDIT_BY_ACTION,
    frozenset({"target_id"}): queries.AUDIT_BY_TARGET,
    frozenset({"actor_id", "action"}): queries.AUDIT_BY_ACTOR_ACTION,
}
"""The filter combinations the screen offers, each its own indexed query."""


def audit_page(deps: Deps, *, is_admin: bool, filters: dict[str, str], limit: int,
               after: str | None) -> dict[str, Any]:
    """Entries matching `filters` (field -> value), newest first; `after`: the previous page's last entry."""
    require_admin(is_admin)
    spec = QUERIES.get(frozenset(filters))
    if spec is None:
        raise InvalidInput("Filter by one of actor_id, action or target_id, or by actor_id and action together.")

    def look(uow: UnitOfWork) -> dict[str, Any]:
        found, following = page_after(uow.audit, spec, filters, limit=limit, after=after)
        return {"entries": [{"entry_id": entry.id, **entry.model_dump(mode="json", exclude={"id"})}
                            for entry in found], "next": following}

    return work.reading(deps, look)
