"""The scheduled-job reminder: an hour before a booked slot, the client and the technician (once one has
accepted) are reminded, once (spec section 14; docs/decisions.md D31)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from curbside.deps import Deps
from curbside.domain.enums import NotificationType, RequestStatus
from curbside.domain.texts import t
from curbside.services import work
from curbside.services.notifications import notify
from curbside.store import queries
from curbside.store.engine import Conflict
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

AHEAD = dt.timedelta(hours=1)
STILL_BOOKED = frozenset({RequestStatus.SCHEDULED, RequestStatus.PENDING, RequestStatus.ACCEPTED})
PAGE = 200


def send_due(deps: Deps) -> list[str]:
    """Remind the parties of every booked job whose slot starts within the hour; returns the jobs reminded by
    this run (a job is reminded once however often the schedule fires)."""
    starting = work.reading(deps, lambda uow: uow.requests.find(
        queries.SCHEDULED_JOBS_STARTING, is_scheduled=True, after=uow.now, until=uow.now + AHEAD, limit=PAGE))
    return [job.id for job in starting
            if job.status in STILL_BOOKED and job.reminder_sent_at is None and _remind(deps, job.id)]


def _remind(deps: Deps, request_id: str) -> bool:
    def decide(uow: UnitOfWork) -> bool:
        job = uow.requests.get(request_id)
        if job is None or job.reminder_sent_at is not None or job.status not in STILL_BOOKED \
                or job.scheduled_datetime is None:
            return False
        at = job.scheduled_datetime
        uow.requests.save(evolve(job, reminder_sent_at=uow.now, updated_date=uow.now))
        where = job.location_area or t("the job's address")
        notify(uow, user_id=job.client_id, kind=NotificationType.SCHEDULED_JOB_REMINDER,
               title=t("Your booking is in an hour"),
               body=t("Your {car} booking starts at {time} ({where}).", car=job.car_model, time=_clock(at, uow),
                      where=where),
               request_id=job.id, expires_at=at)
        if job.dispatcher_id is not None and job.status is RequestStatus.ACCEPTED:
            notify(uow, user_id=job.dispatcher_id, kind=NotificationType.SCHEDULED_JOB_REMINDER,
                   title=t("Scheduled job in an hour"),
                   body=t("{car} in {where} at {time}: plan to set off in time.", car=job.car_model, where=where,
                          time=_clock(at, uow)),
                   request_id=job.id, expires_at=at)
        return True

    try:
        return work.conditional(deps, decide)
    except Conflict:
        return False  # an overlapping run reminded it, or the job changed meanwhile


def _clock(at: dt.datetime, uow: UnitOfWork) -> str:
    """The slot's time in the platform's zone (a job does not keep the client's)."""
    return at.astimezone(ZoneInfo(uow.settings.default_time_zone)).strftime("%H:%M")
