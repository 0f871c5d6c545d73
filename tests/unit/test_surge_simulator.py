"""The surge simulator (`bench/surge`) on a small city: it runs the production policy (a window in a surge,
immediate outside one), keeps the world's rules (a job accepted once, a technician never beyond capacity), is
repeatable, cancels a job nobody took as production does, and its oracle never drives farther than the
policies it judges on a normal day; storm-day shifts add technicians for the storm only. And the bench's
reading of search-cell tokens, which the reads-per-dispatch figures rely on."""

from __future__ import annotations

import random

import pytest

from bench.ring_reads import cell_of
from bench.surge.measures import summarise
from bench.surge.simulate import RETRY_EVERY_S, Policy, Simulation, simulate
from bench.surge.world import Scenario, Storm, build
from curbside.domain.dispatch_policy import SurgeSettings
from curbside.domain.documents.locations import DEFAULT_CAPACITY
from curbside.domain.search_cells import MAX_DEPTH, MIN_DEPTH, Cell
from curbside.settings import Settings

STORM = Scenario("Toowoomba", jobs_per_day=60, technicians=12, storm=Storm(start_h=13, hours=2, multiplier=10))


@pytest.fixture(scope="module")
def storm_day():
    return build(STORM, seed=3)



@pytest.mark.parametrize("policy", list(Policy))
def test_every_job_is_accepted_at_most_once_and_no_technician_holds_more_than_capacity(storm_day, policy):
    simulation = Simulation(storm_day, policy)
    outcome = simulation.run()

    jobs = [job for job, _, _ in simulation.acceptances]
    assert len(jobs) == len(set(jobs)) == sum(state.accepted_s is not None for state in outcome.jobs)
    assert max(held for _, _, held in simulation.acceptances) <= DEFAULT_CAPACITY
    assert len(jobs) > len(outcome.jobs) / 2


def test_in_a_surge_batched_dispatch_waits_for_windows_and_greedy_never_does(storm_day):
    batched = Simulation(storm_day, Policy.BATCHED, surge=SurgeSettings(pending_jobs=5))
    batched.run()
    greedy = Simulation(storm_day, Policy.GREEDY, surge=SurgeSettings(pending_jobs=5))
    greedy.run()

    assert batched.windows, "the storm put the region in a surge"
    assert not greedy.windows


@pytest.mark.parametrize("policy", [Policy.BATCHED, Policy.ORACLE])
def test_a_job_nobody_took_is_cancelled_by_the_first_sweep_past_its_deadline(storm_day, policy):
    simulation = Simulation(storm_day, policy)
    outcome = simulation.run()

    wait = Settings().unmatched_request_timeout.total_seconds()
    cancelled = [state for state in outcome.jobs if state.cancelled_s is not None]
    assert cancelled, "the storm is beyond the 12 technicians: some jobs wait past the deadline"
    for state in cancelled:
        assert state.accepted_s is None and state.open_offer is None and state.cancelled_s is not None
        assert state.job.at_s + wait <= state.cancelled_s < state.job.at_s + wait + RETRY_EVERY_S
    assert not {state.job.id for state in cancelled} & {job for job, _, _ in simulation.acceptances}
    summary = summarise(outcome)
    assert summary.cancelled == len(cancelled)
    assert summary.cancelled + summary.never_served + sum(s.arrival_s is not None for s in outcome.jobs) == len(
        outcome.jobs)


def test_storm_day_shifts_add_technicians_for_the_storm_to_the_same_regular_fleet():
    staffed = build(Scenario("Toowoomba", 60, technicians=12, storm=Storm(start_h=13), storm_shifts=5), seed=3)
    regular = build(Scenario("Toowoomba", 60, technicians=12, storm=Storm(start_h=13)), seed=3)

    assert staffed.technicians[:12] == regular.technicians and len(staffed.technicians) == 17
    assert all(12 * 3600 <= tech.shift_start_s <= 13 * 3600 for tech in staffed.technicians[12:])
    assert staffed.jobs == regular.jobs
    with pytest.raises(ValueError, match="storm"):
        Scenario("Toowoomba", 60, technicians=12, storm=None, storm_shifts=5)


def test_a_day_is_repeatable(storm_day):
    first, second = simulate(storm_day, Policy.BATCHED), simulate(storm_day, Policy.BATCHED)

    assert summarise(first) == summarise(second)


def test_on_a_quiet_day_the_oracle_drives_no_farther_than_greedy():
    quiet = build(Scenario("Toowoomba", jobs_per_day=40, technicians=12, storm=None), seed=5)

    oracle, greedy = summarise(simulate(quiet, Policy.ORACLE)), summarise(simulate(quiet, Policy.GREEDY))

    assert oracle.offers_per_job <= 1.0 and oracle.expired == 0, "every oracle offer is accepted at once"
    assert oracle.pickup_km <= greedy.pickup_km * 1.0001


def test_a_token_names_its_cell():
    rng = random.Random(1)
    for _ in range(200):
        depth = rng.randint(MIN_DEPTH, MAX_DEPTH)
        cell = Cell.containing(rng.uniform(-44, -10), rng.uniform(113, 154), depth)
        assert cell_of(cell.token) == cell
