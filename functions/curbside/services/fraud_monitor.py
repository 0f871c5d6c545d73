"""`monitor_fraud` (spec section 9, "Fraud Monitoring", and its hourly `monitorFraud`; issue 15): the five
checks that need a person's history — `high_volume_short_jobs`, `rapid_earnings_increase`,
`multiple_disputes`, `suspicious_completion_pattern`, `rapid_cancellations`.

A run reads what happened since the watermark (`MonitorWatermarks/fraud`): completions, cancellations and
disputes in (watermark, now - settle]. Only the people in that activity are looked at, each through windowed
queries of their own recent activity, so a run's cost grows with the hour's activity, not with the age of the
platform. Each pattern found is raised through `services.fraud` (one alert per person, type and window, the
pattern's newest job its occurrence key, admins told of a new alert), each in its own commit; the watermark
moves last. A run cut short, retried or run twice finds the same patterns and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import Dispute, JobCompletion, MonitorWatermark, ServiceRequest
from curbside.domain.enums import FraudAlertType, PartyType, RequestActor
from curbside.domain.fraud import FraudThresholds
from curbside.domain.fraud_checks import WEEK, Event, Finding, burst, earnings_jump, photo_reuse, same_durations
from curbside.services import fraud, work
from curbside.store import queries
from curbside.store.engine import Cursor
from curbside.store.queries import QuerySpec
from curbside.store.uow import UnitOfWork

MONITOR = "fraud"
PAGE = 300
MOST_PHOTO_MATCHES = 10
PARTY_OF_CANCELLER = {RequestActor.CLIENT: PartyType.CLIENT, RequestActor.DISPATCHER: PartyType.DISPATCHER}


@dataclass(frozen=True)
class Span:
    """The activity one run checks: after `after`, up to and including `until`."""

    after: dt.datetime
    until: dt.datetime


@dataclass(frozen=True)
class MonitorRun:
    span: Span | None
    """None: nothing new since the last run."""
    findings: tuple[Finding, ...]


def monitor_fraud(deps: Deps) -> MonitorRun:
    """One hourly run: check the people active since the watermark, raise what is found, move the watermark."""
    limits = deps.settings.fraud
    until = deps.clock.now() - limits.settle
    mark = work.reading(deps, lambda uow: uow.watermarks.get(MONITOR))
    span = Span(mark.until if mark else until - limits.first_run_lookback, until)
    if span.until <= span.after:
        return MonitorRun(None, ())
    findings = (*_technician_findings(deps, span, limits), *_cancellation_findings(deps, span, limits),
                *_dispute_findings(deps, span, limits))
    for finding in findings:
        work.transaction(deps, partial(_raise, finding=finding))
    work.transaction(deps, partial(_advance, until=span.until))
    return MonitorRun(span, findings)


def _raise(uow: UnitOfWork, *, finding: Finding) -> None:
    seen = fraud.watch(uow, finding.user_id, finding.user_type, finding.alert_type)
    if seen is not None:
        fraud.record(uow, seen, request_id=finding.trigger, related=finding.related, details=finding.details)


def _advance(uow: UnitOfWork, *, until: dt.datetime) -> None:
    mark = uow.watermarks.get(MONITOR)
    if mark is not None and mark.until >= until:
        return  # a later run already got further
    uow.watermarks.put(MonitorWatermark(id=MONITOR, until=until, runs=(mark.runs if mark else 0) + 1,
                                        updated_date=uow.now))


def _all(deps: Deps, spec: QuerySpec, repository: Callable[[UnitOfWork], Any], **params: Any) -> Iterator[Any]:
    """Every match of `spec`, in pages of reads of their own."""
    cursor: Cursor | None = None
    while True:
        def page(uow: UnitOfWork, start: Cursor | None = cursor) -> tuple[list[Any], Cursor | None]:
            found = repository(uow).find(spec, limit=PAGE, start_after=start, **params)
            return found, (repository(uow).cursor(found[-1]) if len(found) == PAGE else None)

        found, cursor = work.reading(deps, page)
        yield from found
        if cursor is None:
            return


def _completions(deps: Deps, spec: QuerySpec, **params: Any) -> list[JobCompletion]:
    return list(_all(deps, spec, lambda uow: uow.completions, **params))


# --- technicians who completed jobs: volume, earnings, durations, photos --------------------------------------------
def _technician_findings(deps: Deps, span: Span, limits: FraudThresholds) -> Iterator[Finding]:
    new = _completions(deps, queries.COMPLETIONS_BETWEEN, after=span.after, until=span.until)
    history_from = min(span.after - limits.short_jobs_within, span.until - 2 * WEEK)
    for technician in dict.fromkeys(completion.dispatcher_id for completion in new):
        recent = _completions(deps, queries.COMPLETIONS_OF_TECHNICIAN_BETWEEN, dispatcher_id=technician,
                              after=history_from, until=span.until)
        yield from _volume_and_earnings(technician, recent, span, limits)
    for completion in new:
        yield from _photos_seen_before(deps, completion)


def _volume_and_earnings(technician: str, recent: list[JobCompletion], span: Span,
                         limits: FraudThresholds) -> Iterator[Finding]:
    events = [(Event(done.request_id, done.completed_at), done) for done in recent]
    busy = burst((event for event, _ in events), more_than=limits.short_jobs, within=limits.short_jobs_within,
                 since=span.after)
    if busy is not None:
        yield _finding(technician, PartyType.DISPATCHER, FraudAlertType.HIGH_VOLUME_SHORT_JOBS, busy,
                       completions=len(busy), minutes=round((busy[-1].at - busy[0].at).total_seconds() / 60))
    jump = earnings_jump([(event, done.amount) for event, done in events], until=span.until, since=span.after,
                         limits=limits)
    if jump is not None:
        earned, before, newest = jump
        yield Finding(technician, PartyType.DISPATCHER, FraudAlertType.RAPID_EARNINGS_INCREASE, newest.request_id,
                      (), {"last_7_days": str(earned), "previous_7_days": str(before),
                           "increase_percent": str(round((earned - before) * 100 / before))})
    timed = [(event, done.completed_at - done.started_at) for event, done in events if done.started_at is not None]
    alike = same_durations(timed, since=span.after, limits=limits)
    if alike is not None:
        jobs, duration = alike
        yield _finding(technician, PartyType.DISPATCHER, FraudAlertType.SUSPICIOUS_COMPLETION_PATTERN, jobs,
                       pattern="same_duration", jobs=len(jobs), duration_minutes=round(duration.total_seconds() / 60))


def _photos_seen_before(deps: Deps, completion: JobCompletion) -> Iterator[Finding]:
    if not completion.completion_image_hashes:
        return
    matches = work.reading(deps, lambda uow: uow.completions.find(
        queries.COMPLETIONS_WITH_PHOTO_HASHES, hashes=completion.completion_image_hashes[:30],
        limit=MOST_PHOTO_MATCHES + 1))
    shared = photo_reuse(completion.completion_image_hashes,
                         ((other.request_id, other.completion_image_hashes) for other in matches
                          if other.request_id != completion.request_id))
    if shared:
        yield Finding(completion.dispatcher_id, PartyType.DISPATCHER, FraudAlertType.SUSPICIOUS_COMPLETION_PATTERN,
                      completion.request_id, tuple(sorted(shared)),
                      {"pattern": "same_photo", "shared_with": {job: len(hashes) for job, hashes in shared.items()}})


# --- cancellations, either side -------------------------------------------------------------------------------------
def _cancellation_findings(deps: Deps, span: Span, limits: FraudThresholds) -> Iterator[Finding]:
    new: Iterable[ServiceRequest] = _all(deps, queries.CANCELLATIONS_BETWEEN, lambda uow: uow.requests,
                                         after=span.after, until=span.until)
    cancellers = {(job.cancelled_by, PARTY_OF_CANCELLER[job.cancelled_by_type]): None for job in new
                  if job.cancelled_by and job.cancelled_by_type in PARTY_OF_CANCELLER}
    for who, party in cancellers:
        history = _all(deps, queries.CANCELLATIONS_BY_BETWEEN, lambda uow: uow.requests, cancelled_by=who,
                       after=span.after - limits.cancellations_within, until=span.until)
        cancelled = burst((Event(job.id, job.cancelled_at) for job in history if job.cancelled_at is not None),
                          more_than=limits.cancellations, within=limits.cancellations_within, since=span.after)
        if cancelled is not None:
            yield _finding(who, party, FraudAlertType.RAPID_CANCELLATIONS, cancelled, cancellations=len(cancelled))


# --- disputes on a person's jobs, either side -----------------------------------------------------------------------
def _dispute_findings(deps: Deps, span: Span, limits: FraudThresholds) -> Iterator[Finding]:
    new: list[Dispute] = list(_all(deps, queries.DISPUTES_OPENED_BETWEEN, lambda uow: uow.disputes,
                                   after=span.after, until=span.until))
    sides = ((PartyType.CLIENT, queries.DISPUTES_OF_CLIENT_BETWEEN, "client_id"),
             (PartyType.DISPATCHER, queries.DISPUTES_OF_TECHNICIAN_BETWEEN, "dispatcher_id"))
    for party, spec, field_name in sides:
        for who in dict.fromkeys(getattr(dispute, field_name) for dispute in new):
            history = _all(deps, spec, lambda uow: uow.disputes, after=span.after - limits.disputes_within,
                           until=span.until, **{field_name: who})
            disputed = burst((Event(dispute.request_id, dispute.opened_at) for dispute in history),
                             more_than=limits.disputes, within=limits.disputes_within, since=span.after)
            if disputed is not None:
                yield _finding(who, party, FraudAlertType.MULTIPLE_DISPUTES, disputed, disputes=len(disputed))


def _finding(user_id: str, user_type: PartyType, alert_type: FraudAlertType, events: tuple[Event, ...],
             **details: Any) -> Finding:
    """A pattern of several jobs: the newest is its key, the others its related jobs."""
    return Finding(user_id, user_type, alert_type, events[-1].request_id,
                   tuple(event.request_id for event in events[:-1]),
                   {**details, "from": events[0].at, "to": events[-1].at})


