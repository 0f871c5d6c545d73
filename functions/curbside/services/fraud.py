"""Fraud alerts (spec section 9, "Fraud Monitoring"; issue 15): raising one inside the commit of what was seen,
one alert per person, type and window (`domain.fraud`), admins told; and an admin's update of an alert.

Raising is two steps because reads come before writes: `watch(uow, ...)` reads the alert the occurrence would
join and the person's quiet marks (None: quieted by a false positive), then, once the use case staged its own
writes, `record(uow, watch, ...)` creates the alert or adds to it, and tells the admins of a new one. Checks
that run when their data arrives use it: `complete_job` (a completion far from the job:
`location_mismatch`), `update_location` (`fake_gps`); so does the hourly `monitor_fraud`
(`services.fraud_monitor`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import FraudAlert, User, UserPrivate
from curbside.domain.enums import FraudAlertStatus, FraudAlertType, NotificationType, PartyType
from curbside.domain.errors import NotAllowed, NotFound, WrongState
from curbside.domain.fraud import FRAUD_ALERT, OPEN, SEVERITY, alert_id
from curbside.domain.lifecycle import Actor
from curbside.domain.texts import t
from curbside.services import work
from curbside.services.accounts import admins
from curbside.services.notifications import notify
from curbside.store.collections import Collection
from curbside.store.repositories import evolve
from curbside.store.uow import UnitOfWork

MOST_ADMINS_TOLD = 20
UPDATE_FRAUD_ALERT = "update_fraud_alert"


@dataclass(frozen=True)
class Watch:
    """What `watch` read: the alert an occurrence joins (None: a new one) and who to tell."""

    alert_id: str
    user_id: str
    user_type: PartyType
    alert_type: FraudAlertType
    existing: FraudAlert | None
    admins: tuple[User, ...]


def watch(uow: UnitOfWork, user_id: str, user_type: PartyType, alert_type: FraudAlertType) -> Watch | None:
    """Read what raising `alert_type` for this person needs; None while a false positive quiets it."""
    private = uow.user_private.get(user_id) or UserPrivate()
    quiet_until = private.fraud_quiet_until.get(alert_type.value)
    if quiet_until is not None and uow.now < quiet_until:
        return None
    doc_id = alert_id(user_id, alert_type, uow.now, uow.settings.fraud.window)
    existing = uow.fraud_alerts.get(doc_id)
    told = () if existing is not None else tuple(admins(uow, most=MOST_ADMINS_TOLD))
    return Watch(doc_id, user_id, user_type, alert_type, existing, told)


def record(uow: UnitOfWork, seen: Watch, *, request_id: str | None, details: Mapping[str, Any],
           related: Sequence[str] = ()) -> None:
    """Stage the occurrence: a new alert (admins told), or one more on the window's alert (reopened if an admin
    had resolved it). `request_id` is the job that showed it (seen again: nothing new); `related`, the other
    jobs of the pattern, join `related_jobs` too."""
    occurrence = {**details, "request_id": request_id, "detected_at": uow.now}
    jobs = [*([request_id] if request_id else []), *related]
    alert = seen.existing
    if alert is None:
        uow.fraud_alerts.create(FraudAlert(
            id=seen.alert_id, user_id=seen.user_id, user_type=seen.user_type, alert_type=seen.alert_type,
            severity=SEVERITY[seen.alert_type], alert_details={"occurrences": [occurrence]},
            related_jobs=list(dict.fromkeys(jobs)), created_date=uow.now, updated_date=uow.now))
        for admin in seen.admins:
            notify(uow, user_id=admin.id, kind=NotificationType.FRAUD_ALERT,
                   title=t("Fraud alert: {alert}", alert=seen.alert_type.value.replace("_", " ")),
                   body=t("A {party} was flagged ({severity}); review it in Fraud Alerts.",
                          party=seen.user_type.value, severity=SEVERITY[seen.alert_type].value),
                   request_id=None, key=seen.alert_id,
                   data={"screen": "fraud_alert", "alert_id": seen.alert_id})
        return
    if request_id is not None and request_id in alert.related_jobs:
        return  # the same job seen again: nothing new
    kept = [*alert.alert_details.get("occurrences", []), occurrence][-uow.settings.fraud.max_details:]
    changes: dict[str, Any] = {
        "related_jobs": list(dict.fromkeys([*alert.related_jobs, *jobs])),
        "alert_details": {**alert.alert_details, "occurrences": kept}, "occurrences": alert.occurrences + 1,
        "updated_date": uow.now}
    if alert.status is FraudAlertStatus.RESOLVED:
        uow.fraud_alerts.move(alert, FraudAlertStatus.ACTIVE, Actor.SYSTEM, **changes)
    elif alert.status in OPEN:
        uow.fraud_alerts.save(evolve(alert, **changes))


@dataclass(frozen=True)
class AlertUpdated:
    alert_id: str
    status: FraudAlertStatus


def update_alert(deps: Deps, *, admin_uid: str, is_admin: bool, alert_id: str, status: FraudAlertStatus,
                 resolution_notes: str | None) -> AlertUpdated:
    """An admin works an alert: `investigating`, `resolved`, or `false_positive` — which quiets the same pattern
    for that person for 30 days. Audited."""
    if not is_admin:
        raise NotAllowed("Only admins work fraud alerts.")

    def decide(uow: UnitOfWork) -> AlertUpdated:
        alert = uow.fraud_alerts.get(alert_id)
        if alert is None:
            raise NotFound("There is no fraud alert with that id.")
        private = uow.user_private.get(alert.user_id) or UserPrivate()
        if alert.status is status:
            raise WrongState(f"This alert is already {status.value}.")
        FRAUD_ALERT.check(alert.status, status, Actor.ADMIN)
        uow.fraud_alerts.move(alert, status, Actor.ADMIN, reviewed_by=admin_uid, reviewed_at=uow.now,
                              resolution_notes=resolution_notes or alert.resolution_notes, updated_date=uow.now)
        if status is FraudAlertStatus.FALSE_POSITIVE:
            quiet = {**private.fraud_quiet_until,
                     alert.alert_type.value: uow.now + uow.settings.fraud.quiet_after_false_positive}
            uow.user_private.save(alert.user_id, evolve(private, fraud_quiet_until=quiet))
        uow.audit.record(actor_id=admin_uid, action=UPDATE_FRAUD_ALERT, target=Collection.FRAUD_ALERTS,
                         target_id=alert_id, before={"status": alert.status.value}, after={"status": status.value},
                         reason=resolution_notes)
        return AlertUpdated(alert_id, status)

    return work.transaction(deps, decide, lost_race="The alert changed at the same moment; try again.")
