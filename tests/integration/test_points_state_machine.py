"""Random lives of a referred client's loyalty points (issue 16): captures of completed jobs (earning, and the
first-job bonus that pays the referrer), partial refunds, redemptions, expiry, and replays of every money
event — with the invariants checked after every step against the emulator's documents:

- each profile's `loyalty_points` is the sum of its `PointsLedger` entries;
- `total_points_earned` is the sum of all but the spending entries, and `loyalty_tier` its tier;
- the balances are what the rules say (10 a whole euro of what stays paid, 200 once, 500 to the referrer
  once, 300 a redemption): a replayed capture, refund or bonus books nothing;
- a redemption is made exactly when the points pay for it.

The services are the real ones (`services.loyalty`, `services.rewards`) on the Firestore emulator; the money
events are the calls the payment steps make in their commits. `POINTS_MACHINE_RUNS` changes the number of
runs (150 in the suite, where the payment state machine already walks the money paths 500 times; raise it
to explore further).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from typing import Any, ClassVar

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from curbside.deps import Deps
from curbside.domain.enums import PointsReason, RequestStatus
from curbside.domain.errors import WrongState
from curbside.domain.loyalty import FIRST_JOB_POINTS, REFERRAL_POINTS, points_for, tier_of
from curbside.services import loyalty, rewards, work
from curbside.store.collections import Collection
from tests.factories import make_job_payment, make_reward, make_service_request, put
from tests.request_world import add_client

RUNS = int(os.environ.get("POINTS_MACHINE_RUNS", "150"))
REWARD = "reward-300"
COST = 300
JOBS = ("job-0", "job-1", "job-2")
_runs = itertools.count()


class PointsMachine(RuleBasedStateMachine):
    world: ClassVar[dict[str, Any]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.deps: Deps = self.world["deps"]
        self.db = self.deps.db
        run = next(_runs)  # a client and referrer of its own per run: no emptying of the emulator between runs
        self.client, self.referrer = f"uid-client-{run}", f"uid-referrer-{run}"
        self.jobs = tuple(f"{self.client}-{job}" for job in JOBS)
        add_client(self.db, self.client)
        add_client(self.db, self.referrer)
        self.db.document(f"ClientProfiles/{self.client}").update({"referred_by": self.referrer})
        self.captured: dict[str, int] = {}
        self.refunds: dict[str, dict[str, int]] = {}
        self.redemptions = 0

    # --- the money events, as the payment steps ask for them

    def _capture(self, job: str) -> None:
        request = make_service_request(id=job, client_id=self.client, status=RequestStatus.COMPLETED)
        work.transaction(self.deps, lambda uow: loyalty.earn_for_capture(uow, request, self.captured[job]))

    def _refund(self, job: str, key: str) -> None:
        """The refund `key` of `job`, recorded with the payment as it stood right after it."""
        keys = list(self.refunds[job])
        refunded_after = sum(self.refunds[job][k] for k in keys[:keys.index(key) + 1])
        payment = make_job_payment(id=job, request_id=job, client_id=self.client, captured_minor=self.captured[job],
                                   refunded_minor=refunded_after, held_minor=0, refunds={})
        request = make_service_request(id=job, client_id=self.client, status=RequestStatus.COMPLETED)
        work.transaction(self.deps, lambda uow: loyalty.take_back_for_refund(
            uow, request, payment, key, self.refunds[job][key]))

    @rule(index=st.integers(min_value=0, max_value=len(JOBS) - 1), minor=st.integers(min_value=0, max_value=40_000))
    def capture(self, index: int, minor: int) -> None:
        """A completed job's payment captured — or, for a job captured before, its capture replayed."""
        job = self.jobs[index]
        self.captured.setdefault(job, minor)
        self.refunds.setdefault(job, {})
        self._capture(job)

    @precondition(lambda self: self.captured)
    @rule(data=st.data(), share=st.floats(min_value=0.01, max_value=1.0))
    def refund(self, data: st.DataObject, share: float) -> None:
        job = data.draw(st.sampled_from(sorted(self.captured)))
        left = self.captured[job] - sum(self.refunds[job].values())
        amount = max(1, int(left * share))
        if left <= 0:
            return
        key = f"refund-{len(self.refunds[job])}"
        self.refunds[job][key] = min(amount, left)
        self._refund(job, key)

    @precondition(lambda self: any(self.refunds.values()))
    @rule(data=st.data())
    def replay_refund(self, data: st.DataObject) -> None:
        job = data.draw(st.sampled_from(sorted(j for j, keys in self.refunds.items() if keys)))
        self._refund(job, data.draw(st.sampled_from(sorted(self.refunds[job]))))

    @precondition(lambda self: self.captured)
    @rule()
    def replay_first_job_bonus(self) -> None:
        work.transaction(self.deps, lambda uow: loyalty.ask_for_points(
            uow, self.client, PointsReason.FIRST_JOB, self.client, FIRST_JOB_POINTS))

    @rule()
    def redeem(self) -> None:
        affordable = self.expected_balance() >= COST
        try:
            rewards.redeem_reward(self.deps, self.client, REWARD)
        except WrongState:
            assert not affordable
        else:
            assert affordable
            self.redemptions += 1

    @rule()
    def a_month_passes(self) -> None:
        self.deps.clock.advance(dt.timedelta(days=31))  # type: ignore[attr-defined]
        rewards.expire_redemptions(self.deps)

    # --- the model

    def expected_earned(self) -> int:
        kept = sum(points_for(captured - sum(self.refunds[job].values()), "EUR")
                   for job, captured in self.captured.items())
        return kept + (FIRST_JOB_POINTS if self.captured else 0)

    def expected_balance(self) -> int:
        return self.expected_earned() - COST * self.redemptions

    @invariant()
    def the_ledger_the_balances_and_the_tiers_agree_with_the_rules(self) -> None:
        """Three reads: both profiles, both ledgers, the client's redemptions."""
        profiles = {snap.id: snap.to_dict() or {} for snap in self.db.get_all(
            [self.db.document(f"{Collection.CLIENT_PROFILES}/{uid}") for uid in (self.client, self.referrer)])}
        entries = [snap.to_dict() or {} for snap in self.db.collection(Collection.POINTS_LEDGER)
                   .where(filter=FieldFilter("client_id", "in", [self.client, self.referrer])).stream()]
        for uid, profile in profiles.items():
            mine = [e for e in entries if e["client_id"] == uid]
            assert profile["loyalty_points"] == sum(e["points"] for e in mine)
            earned = sum(e["points"] for e in mine if e["reason"] != PointsReason.REDEEM)
            assert profile["total_points_earned"] == earned
            assert profile["loyalty_tier"] == tier_of(earned).value
        # No points from a replayed event: the balances are what the rules give.
        client, referrer = profiles[self.client], profiles[self.referrer]
        assert (client["loyalty_points"], client["total_points_earned"]) == (self.expected_balance(),
                                                                             self.expected_earned())
        assert referrer["loyalty_points"] == (REFERRAL_POINTS if self.captured else 0)
        made = [snap.id for snap in self.db.collection(Collection.REWARD_REDEMPTIONS)
                .where(filter=FieldFilter("client_id", "==", self.client)).stream()]
        assert len(made) == self.redemptions


# 150 runs of up to 8 steps take a minute or two on a quiet 2-core machine, more when it is loaded: above the
# suite's 300 s hang guard.
@pytest.mark.timeout(1200)
def test_random_points_lives_keep_the_balance_the_ledgers_sum(deps) -> None:
    PointsMachine.world.clear()
    PointsMachine.world.update({"deps": deps})
    put(deps.db, make_reward(id=REWARD, points_required=COST, expiry_days=30))
    run_state_machine_as_test(PointsMachine, settings=settings(
        max_examples=RUNS, stateful_step_count=8, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
