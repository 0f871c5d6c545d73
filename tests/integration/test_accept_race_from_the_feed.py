"""The other half of the accept race's repetitions (test_accept_race.py): fifty technicians on one job, ten
through their own offer and forty from the feed. Exactly one wins every time."""

from __future__ import annotations

import pytest

from tests.integration.test_accept_race import RACERS, REPS, race_repeatedly


@pytest.mark.timeout(900)  # see test_accept_race.py
def test_fifty_technicians_mostly_from_the_feed_one_job_exactly_one_wins(db, deps, clock):
    race_repeatedly(db, deps, clock, offered=RACERS // 5, reps=REPS - REPS // 2)
