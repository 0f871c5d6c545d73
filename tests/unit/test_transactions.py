"""Background work retries a lost race itself, a bounded number of times, and then lets it show."""

from __future__ import annotations

import pytest

from curbside.domain.errors import LostRace, WrongState
from curbside.store.transactions import retry_lost_races


def losing(times: int, then: str = "done"):
    """An action that loses `times` races, then returns `then`; records each call."""
    calls: list[int] = []

    def action() -> str:
        calls.append(len(calls) + 1)
        if len(calls) <= times:
            raise LostRace("the job changed meanwhile")
        return then

    return action, calls


def test_an_action_that_lost_races_runs_again_until_it_wins():
    action, calls = losing(2)

    assert retry_lost_races(action, attempts=4, first_pause_s=0.001) == "done"
    assert calls == [1, 2, 3]


def test_the_last_lost_race_propagates_after_the_attempts():
    action, calls = losing(10)

    with pytest.raises(LostRace):
        retry_lost_races(action, attempts=3, first_pause_s=0.001)
    assert calls == [1, 2, 3]


def test_other_refusals_are_not_retried():
    calls: list[int] = []

    def refused() -> None:
        calls.append(1)
        raise WrongState("the job is no longer pending")

    with pytest.raises(WrongState):
        retry_lost_races(refused, first_pause_s=0.001)
    assert calls == [1]
