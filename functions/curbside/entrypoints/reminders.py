"""The scheduled-job reminder, an hour before each booked slot (services/reminders.py)."""

from __future__ import annotations

from firebase_functions import logger, scheduler_fn

from curbside import deps
from curbside.services import reminders


@scheduler_fn.on_schedule(schedule="every 5 minutes")
def send_scheduled_reminders(event: scheduler_fn.ScheduledEvent) -> None:
    """Remind both parties of every booked job starting within the hour (each job once)."""
    reminded = reminders.send_due(deps.get())
    logger.info("reminders.sent", count=len(reminded), request_ids=reminded[:50])
