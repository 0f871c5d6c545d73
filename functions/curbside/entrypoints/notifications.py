"""The in-app notices: marking them read (services/notifications.py). The rules let the app read its notices and
write none, so the badge count kept on `Users` moves only with the server (D60)."""

from __future__ import annotations

from typing import Annotated, Any, Self

from firebase_functions import https_fn
from pydantic import AfterValidator, Field, StrictBool, model_validator

from curbside import deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import not_reserved
from curbside.services import notifications

NoticeId = Annotated[str, Field(min_length=1, max_length=400, pattern=r"^[^/]+$"), AfterValidator(not_reserved)]
"""A notice's id as the app read it (`{type}:{key}:{uid}`; keys may hold `+` and `:`), never a path."""


class MarkNotificationsReadPayload(Payload):
    notification_ids: Annotated[list[NoticeId], Field(min_length=1, max_length=notifications.MARK_MOST)] | None = None
    """The notices to mark read (those the list shows, or the one opened)."""
    all: StrictBool = False
    """Instead of ids: every unread notice of the caller."""

    @model_validator(mode="after")
    def _ids_or_all(self) -> Self:
        if (self.notification_ids is None) == (not self.all):
            raise ValueError("send either notification_ids or all: true, not both")
        return self


@on_call()
def mark_notifications_read(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, MarkNotificationsReadPayload, lambda caller, p: notifications.mark_read(
        deps.get(), caller.uid, None if p.all else p.notification_ids))
