"""Internal notes on a support ticket (issue 18): admins leave each other notes in the ticket's private part,
which its owner never reads; each note is one audited commit. The console shows them with the conversation."""

from __future__ import annotations

from typing import Any

from curbside.deps import Deps
from curbside.domain.documents.support import InternalNote
from curbside.domain.errors import NotFound, WrongState
from curbside.services import work
from curbside.services.verification_review import require_admin
from curbside.store.collections import Collection
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

MAX_NOTES = 200
"""Notes one ticket holds (one document; a ticket is deleted 10 days after closing)."""
ADD_TICKET_NOTE = "add_ticket_note"
"""The audit trail's name for the action."""


def add_note(deps: Deps, *, admin_uid: str, is_admin: bool, ticket_id: str, note: str) -> dict[str, Any]:
    require_admin(is_admin)

    def decide(uow: UnitOfWork) -> dict[str, Any]:
        if uow.support_tickets.get(ticket_id) is None:
            raise NotFound("ticket_id: there is no such support ticket.")
        admin = uow.users.get(admin_uid)
        private = uow.ticket_private.get_or_default(ticket_id)
        if len(private.internal_notes) >= MAX_NOTES:
            raise WrongState(f"This ticket holds {MAX_NOTES} notes already; summarise them in a new one elsewhere.")
        added = InternalNote(admin_id=admin_uid, admin_name=admin.full_name if admin else None, note=note,
                             created_date=uow.now)
        uow.ticket_private.save(ticket_id, evolve(private, internal_notes=[*private.internal_notes, added]))
        uow.audit.record(actor_id=admin_uid, action=ADD_TICKET_NOTE, target=Collection.SUPPORT_TICKETS,
                         target_id=ticket_id, before={}, after={"note": note}, reason=None)
        return {"ticket_id": ticket_id, "notes": len(private.internal_notes) + 1}

    return work.transaction(deps, decide)
