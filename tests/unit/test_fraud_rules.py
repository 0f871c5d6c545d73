"""The fraud alert's lifecycle and keys (issue 15), written out independently of the code."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from curbside.domain.enums import FraudAlertStatus, FraudAlertType, RequestActor
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.fraud import FRAUD_ALERT, alert_id

F, A = FraudAlertStatus, RequestActor
EXPECTED = {
    (F.ACTIVE, F.INVESTIGATING): {A.ADMIN}, (F.ACTIVE, F.RESOLVED): {A.ADMIN},
    (F.ACTIVE, F.FALSE_POSITIVE): {A.ADMIN}, (F.INVESTIGATING, F.RESOLVED): {A.ADMIN},
    (F.INVESTIGATING, F.FALSE_POSITIVE): {A.ADMIN}, (F.INVESTIGATING, F.ACTIVE): {A.ADMIN},
    (F.RESOLVED, F.ACTIVE): {A.ADMIN, A.SYSTEM}, (F.FALSE_POSITIVE, F.ACTIVE): {A.ADMIN},
}


@pytest.mark.parametrize(("current", "target", "actor"), list(itertools.product(F, F, A)),
                         ids=lambda value: value.value)
def test_every_cell_of_the_alert_table(current, target, actor):
    allowed = EXPECTED.get((current, target), set())
    may_reach = {who for (_, into), actors in EXPECTED.items() if into is target for who in actors}
    if actor in allowed:
        FRAUD_ALERT.check(current, target, actor)
    elif (current, target) in EXPECTED or actor not in may_reach:
        with pytest.raises(NotAllowed):
            FRAUD_ALERT.check(current, target, actor)
    else:
        with pytest.raises(WrongState):
            FRAUD_ALERT.check(current, target, actor)


def test_one_alert_per_person_type_and_week():
    week = dt.timedelta(days=7)
    monday = dt.datetime(2026, 11, 16, 0, 0, tzinfo=dt.UTC)
    key = alert_id("uid-1", FraudAlertType.LOCATION_MISMATCH, monday, week)
    assert key == alert_id("uid-1", FraudAlertType.LOCATION_MISMATCH, monday + dt.timedelta(days=2), week)
    assert key != alert_id("uid-2", FraudAlertType.LOCATION_MISMATCH, monday, week)
    assert key != alert_id("uid-1", FraudAlertType.FAKE_GPS, monday, week)
    assert key.startswith("uid-1:location_mismatch:")
