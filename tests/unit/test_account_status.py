"""The account lifecycle and what each status means (issue 15), written out independently of the code: every
(status, target, actor) cell of the table, and the effects of every move."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from curbside.domain.account_status import ACCOUNT, BLOCKED, Change
from curbside.domain.enums import AccountStatus, RequestActor
from curbside.domain.errors import NotAllowed, WrongState
from curbside.domain.request_lifecycle import unmatched_deadline
from tests.factories import make_service_request

Ac, A = AccountStatus, RequestActor

EXPECTED_MOVES = {
    (Ac.ACTIVE, Ac.SHADOW_BANNED), (Ac.ACTIVE, Ac.SUSPENDED), (Ac.ACTIVE, Ac.BANNED),
    (Ac.SHADOW_BANNED, Ac.ACTIVE), (Ac.SHADOW_BANNED, Ac.SUSPENDED), (Ac.SHADOW_BANNED, Ac.BANNED),
    (Ac.SUSPENDED, Ac.ACTIVE), (Ac.SUSPENDED, Ac.BANNED),
    (Ac.BANNED, Ac.ACTIVE),
}


@pytest.mark.parametrize(("current", "target", "actor"), list(itertools.product(Ac, Ac, A)),
                         ids=lambda value: value.value)
def test_only_admins_move_an_account_and_a_ban_is_only_lifted(current, target, actor):
    if (current, target) in EXPECTED_MOVES and actor is A.ADMIN:
        ACCOUNT.check(current, target, actor)
    elif actor is not A.ADMIN:
        with pytest.raises(NotAllowed):
            ACCOUNT.check(current, target, actor)
    else:
        with pytest.raises(WrongState):
            ACCOUNT.check(current, target, actor)


# (before, after): leaves dispatch, sessions revoked, Auth changes, told
EFFECTS = {
    (Ac.ACTIVE, Ac.SHADOW_BANNED): (True, False, False, False),
    (Ac.ACTIVE, Ac.SUSPENDED): (True, True, True, True),
    (Ac.ACTIVE, Ac.BANNED): (True, True, True, True),
    (Ac.SHADOW_BANNED, Ac.ACTIVE): (False, False, False, False),
    (Ac.SHADOW_BANNED, Ac.SUSPENDED): (False, True, True, True),
    (Ac.SHADOW_BANNED, Ac.BANNED): (False, True, True, True),
    (Ac.SUSPENDED, Ac.ACTIVE): (False, False, False, True),
    (Ac.SUSPENDED, Ac.BANNED): (False, True, True, True),
    (Ac.BANNED, Ac.ACTIVE): (False, False, True, True),
}


@pytest.mark.parametrize(("before", "after"), sorted(EFFECTS), ids=lambda value: value.value)
def test_each_move_has_exactly_its_effects(before, after):
    change = Change(before, after)
    assert (change.leaves_dispatch, change.revokes_sessions, change.auth_changes,
            change.notice() is not None) == EFFECTS[(before, after)]


def test_a_shadow_ban_is_never_announced_and_blocked_statuses_are_the_two_the_spec_refuses():
    assert Change(Ac.ACTIVE, Ac.SHADOW_BANNED).notice() is None
    assert Change(Ac.SHADOW_BANNED, Ac.ACTIVE).notice() is None
    assert {Ac.SUSPENDED, Ac.BANNED} == BLOCKED


def test_an_unmatched_job_times_out_after_it_was_asked_for_or_after_its_slot_began():
    asked = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    wait = dt.timedelta(minutes=30)
    now_job = make_service_request(created_date=asked)
    slot = asked + dt.timedelta(days=2)
    booked = make_service_request(created_date=asked, is_scheduled=True, scheduled_datetime=slot)
    assert unmatched_deadline(now_job, wait) == asked + wait
    assert unmatched_deadline(booked, wait) == slot + wait
