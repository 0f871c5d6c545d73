"""The outbox sweep: vendor calls a commit recorded that have not run yet (the vendor was down, the function
died after its commit) run again until done (services/outbox.py), and notices whose fan-out is due — held by
quiet hours, or failed earlier — go out (services/notice_delivery.py)."""

from __future__ import annotations

from firebase_functions import logger, scheduler_fn

from curbside import config, deps
from curbside.services import notice_delivery, outbox


@scheduler_fn.on_schedule(schedule="every 5 minutes",
                          secrets=config.secrets(config.STRIPE_SECRET_KEY, config.BACKGROUND_CHECK_API_KEY,
                                                 config.ROUTES_API_KEY))
def sweep_outbox(event: scheduler_fn.ScheduledEvent) -> None:
    """Run every pending vendor call that is due, oldest first, then every notice due to go out."""
    outcomes = outbox.sweep(deps.get())
    logger.info("outbox.swept", **outcomes)
    notices = notice_delivery.sweep(deps.get())
    logger.info("notices.swept", **notices)
