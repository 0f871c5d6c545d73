"""The console's audit-trail screen (services/audit_trail.py). Admins only; it reads, so it is not audited."""

from __future__ import annotations

from typing import Annotated, Any

from firebase_functions import https_fn
from pydantic import Field

from curbside import deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId
from curbside.services import audit_trail


class AuditPagePayload(Payload):
    actor_id: DocId | None = None
    """The admin who acted (a uid)."""
    action: Annotated[str, Field(pattern=r"^[a-z][a-z_]{2,63}$")] | None = None
    """What was done: `set_account_status`, `upsert_pricing_rule`, ..."""
    target_id: DocId | None = None
    """The document acted on (a uid, a rule's id, ...)."""
    limit: Annotated[int, Field(strict=True, ge=1, le=100)] = 25
    after: DocId | None = None
    """The `next` of the page before."""

    def filters(self) -> dict[str, str]:
        return {name: value for name in ("actor_id", "action", "target_id")
                if (value := getattr(self, name)) is not None}


@on_call()
def admin_list_audit_log(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, AuditPagePayload, lambda caller, p: audit_trail.audit_page(
        deps.get(), is_admin=caller.is_admin, filters=p.filters(), limit=p.limit, after=p.after))
