"""The outbox sweep: vendor calls a commit recorded that have not run yet (the vendor was down, the function
died after its commit) run again until done (services/outbox.py)."""

from __future__ import annotations

from firebase_functions import logger, scheduler_fn

from curbside import config, deps
from curbside.services import outbox


@scheduler_fn.on_schedule(schedule="every 5 minutes",
                          secrets=[config.STRIPE_SECRET_KEY.name, config.BACKGROUND_CHECK_API_KEY.name])
def sweep_outbox(event: scheduler_fn.ScheduledEvent) -> None:
    """Run every pending vendor call that is due, oldest first."""
    outcomes = outbox.sweep(deps.get())
    logger.info("outbox.swept", **outcomes)
