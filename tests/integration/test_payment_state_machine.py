"""Random lifecycles of one job's money (issue 7): complete, review, auto-approve, dispute, resolve, refund,
transfer attempts, the technician's payout account appearing, the technician withdrawing their balance,
duplicate calls of each, and Stripe webhooks delivered again and out of order — with the invariants checked
after every step against the emulator's documents and the Stripe double's own books:

- at most one capture per job at Stripe;
- refunded <= captured, at Stripe and in our records;
- no transfer before the job was approved, and none while a dispute is open;
- captured - refunded = paid out + fee + held, from the ledger entries, and the JobPayments totals agree
  with the ledger and with Stripe;
- every Stripe call carries a deterministic idempotency key derived from the job;
- the technician's DispatcherEarnings equal the job's share.

Services and the webhook handlers are the real ones on the Firestore and Storage emulators; only Stripe is
the in-memory double (tests/stripe_double.py), so 500 runs finish in minutes. `PAYMENT_MACHINE_RUNS`
changes the number of runs and `PAYMENT_MACHINE_STEPS` their length (12 steps by default: every path the
invariants guard — capture, release, payout, dispute, refund after payout, a replayed webhook — is at most seven
steps from the completed job a run usually starts from, and each step now also issues invoices and notices, so
longer runs bought time, not paths). They are split in two halves — the technician can already be paid when the job
starts, or not — in two modules, so that the suite's two workers share them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import os
import re
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from curbside.deps import Deps
from curbside.domain.enums import DisputeReason, LedgerKind, PayoutStatus, ResolutionAction
from curbside.domain.errors import InvalidInput, WrongState
from curbside.domain.money import technician_earnings
from curbside.services import (
    card_holds,
    charges,
    completions,
    dispute_resolution,
    disputes,
    refunds,
    stripe_events,
)
from curbside.store.collections import Collection, doc_path
from tests.factories import CLIENT_ID, DISPATCHER_ID
from tests.payment_world import (
    add_job_in_progress,
    add_paid_technician,
    add_paying_client,
    ledger_of,
    payment_of,
    upload_completion_photos,
)
from tests.request_world import NEAR_CBD
from tests.stripe_double import StripeDouble

RUNS = int(os.environ.get("PAYMENT_MACHINE_RUNS", "500"))
STEPS = int(os.environ.get("PAYMENT_MACHINE_STEPS", "12"))
ACCOUNT = "acct_machine"
_runs = itertools.count()


class PaymentMachine(RuleBasedStateMachine):
    """One job per run; the Firestore emulator is emptied at the start of each run."""

    world: ClassVar[dict[str, Any]] = {}
    ONBOARDED: ClassVar[bool] = False
    """Whether the technician can already be paid when the job starts (each half of the runs fixes it)."""

    def __init__(self) -> None:
        super().__init__()
        self.deps: Deps = self.world["deps"]
        self.db = self.deps.db
        self.world["emulator"].clear()
        self.stripe = StripeDouble()
        self.deps = dataclasses.replace(self.deps, payments=self.stripe)
        self.request_id = f"job-{next(_runs)}"
        add_paying_client(self.db)
        add_paid_technician(self.db, account_id=ACCOUNT, payouts_enabled=False)
        add_job_in_progress(self.db, self.request_id)
        card_holds.follow_request(self.deps, self.request_id)
        self.photos: tuple[str, ...] | None = None
        self.completed = False
        self.approved = False
        self.dispute_open = False
        self.dispute_id = ""
        self.events: list[dict[str, Any]] = []
        self.event_ids = itertools.count()
        self.account_event_time = 1_800_000_000

    # --- helpers

    def _event(self, event_type: str, obj: dict[str, Any], created: int | None = None) -> dict[str, Any]:
        event = {"id": f"evt_{self.request_id}_{next(self.event_ids)}", "type": event_type,
                 "created": created or 1_800_000_000, "data": {"object": obj}}
        self.events.append(event)
        return event

    def _intent_events(self) -> None:
        """What Stripe would send about the job's PaymentIntents now (delivered later, maybe twice)."""
        for intent in self.stripe.intents.values():
            obj = {"id": intent.id, "object": "payment_intent", "status": intent.status,
                   "amount_received": intent.captured, "metadata": {"request_id": intent.request_id}}
            kind = {"requires_capture": "payment_intent.amount_capturable_updated",
                    "succeeded": "payment_intent.succeeded", "canceled": "payment_intent.canceled"}[intent.status]
            self._event(kind, obj)
            if intent.refunded:
                refunds = [{"id": refund_id, "amount": amount, "status": "succeeded"}
                           for refund_id, (intent_id, amount) in self.stripe.refunds.items() if intent_id == intent.id]
                self._event("charge.refunded", {"id": f"ch_{intent.id}", "payment_intent": intent.id,
                                                "refunds": {"data": refunds}})

    def _payment(self) -> dict[str, Any]:
        return payment_of(self.db, self.request_id)

    def _transfers(self) -> int:
        return len([t for t in self.stripe.transfers.values() if t.transfer_group == self.request_id])

    def _checked(self, action: Any) -> None:
        """Run an action; a transfer may appear only when the job is approved and not disputed."""
        before = self._transfers()
        action()
        if self._transfers() > before:
            assert self.approved, "money was transferred before the job was approved"
            assert not self.dispute_open, "money was transferred during a dispute"
        self._intent_events()

    # --- rules

    @initialize(completed=st.sampled_from([True, True, False]))
    def start(self, completed: bool) -> None:
        """Most runs start from a completed job, half of them with a technician who can already be paid, so
        that the short random sequences reach releases, payouts and refunds after payout often."""
        if self.ONBOARDED:
            self.technician_onboards()
        if completed:
            self.complete_job()

    @rule()
    def complete_job(self) -> None:
        if self.photos is None:  # uploaded once per run: a repeat of the call is the duplicate delivery
            self.photos = upload_completion_photos(self.world["bucket"], self.request_id)
        proof = completions.Proof(self.photos, None, *NEAR_CBD)
        self._checked(lambda: completions.complete_job(self.deps, DISPATCHER_ID, self.request_id, proof))
        self.completed = True

    @rule()
    def review(self) -> None:
        def act() -> None:
            try:
                completions.review_dispatcher(self.deps, CLIENT_ID, self.request_id, 5, None)
            except WrongState:
                assert not self.completed
                return
            if not self.dispute_open:
                self.approved = True

        self._checked(act)

    @rule()
    def auto_approve(self) -> None:
        self.deps.clock.advance(dt.timedelta(hours=49))  # type: ignore[attr-defined]

        def act() -> None:
            approved = completions.auto_approve_completions(self.deps)
            if self.request_id in approved:
                assert not self.dispute_open
                self.approved = True

        self._checked(act)

    @rule()
    def open_dispute(self) -> None:
        if not self.completed or self.dispute_open:
            return

        def act() -> None:
            with contextlib.suppress(WrongState):  # past the dispute window: refused
                self.dispute_id = disputes.raise_dispute(
                    self.deps, CLIENT_ID, self.request_id, reason=DisputeReason.SERVICE_QUALITY,
                    description="Dents are still there.", evidence_urls=()).dispute_id
                self.dispute_open = True

        self._checked(act)

    @rule(refund_percent=st.sampled_from([0, 30, 100]), release=st.booleans())
    def resolve_dispute(self, refund_percent: int, release: bool) -> None:
        if not self.dispute_open:
            return
        payment = self._payment()
        refund = (payment["captured_minor"] - payment["refunded_minor"]) * refund_percent // 100
        paying = ResolutionAction.PARTIAL_REFUND if refund else ResolutionAction.NO_REFUND
        action = (ResolutionAction.PAYMENT_HELD if not release else ResolutionAction.FULL_REFUND
                  if refund_percent == 100 else paying)
        amount = Decimal(refund) / 100 if action is ResolutionAction.PARTIAL_REFUND else None

        def act() -> None:
            with contextlib.suppress(InvalidInput, WrongState):  # nothing captured yet to refund: refused
                dispute_resolution.admin_resolve_dispute(
                    self.deps, "admin-1", True, self.dispute_id,
                    dispute_resolution.Decision(action, "Decided by the state machine.", amount))
                if release:
                    self.approved = True
                    self.dispute_open = False

        self._checked(act)

    @rule(amount=st.integers(min_value=1, max_value=7000), key=st.sampled_from(["a", "b", "c"]))
    def refund(self, amount: int, key: str) -> None:
        def act() -> None:
            with contextlib.suppress(InvalidInput, WrongState):  # too much, or nothing charged yet: refused
                refunds.refund(self.deps, self.request_id, amount, key)

        self._checked(act)

    @rule()
    def attempt_transfer(self) -> None:
        self._checked(lambda: charges.pay_out(self.deps, self.request_id))

    @rule()
    def technician_onboards(self) -> None:
        self.stripe.enabled_accounts.add(ACCOUNT)
        self.account_event_time += 10
        event = self._event("account.updated", {"id": ACCOUNT, "object": "account", "payouts_enabled": True,
                                                "capabilities": {"transfers": "active"}}, self.account_event_time)
        self._checked(lambda: stripe_events.process_event(self.deps, event))

    @rule()
    def technician_withdraws_balance(self) -> None:
        self.stripe.balances[ACCOUNT] = 0

    @rule(data=st.data())
    def redeliver_an_event(self, data: st.DataObject) -> None:
        """Any earlier webhook again: a duplicate, or an old one arriving after newer ones."""
        if self.events:
            event = data.draw(st.sampled_from(self.events))
            self._checked(lambda: stripe_events.process_event(self.deps, event))

    @rule()
    def replay_the_status_trigger(self) -> None:
        self._checked(lambda: card_holds.follow_request(self.deps, self.request_id))

    # --- invariants

    @invariant()
    def money_adds_up_and_earnings_show_the_jobs_share(self) -> None:
        """One read of the payment and the technician's earnings (and one query of the ledger) per step: the
        invariants run after every step of 500 runs, so their reads are most of this test's time."""
        payment_snap, earnings_snap = self.db.get_all([
            self.db.document(doc_path(Collection.JOB_PAYMENTS, self.request_id)),
            self.db.document(doc_path(Collection.DISPATCHER_EARNINGS, DISPATCHER_ID))])
        if payment_snap.reference.id != self.request_id:
            payment_snap, earnings_snap = earnings_snap, payment_snap
        payment, earnings = payment_snap.to_dict() or {}, earnings_snap.to_dict() or {}
        entries = ledger_of(self.db, self.request_id)
        sums = {kind: sum(e["amount_minor"] for e in entries if e["kind"] == kind.value) for kind in LedgerKind}
        captured, refunded = sums[LedgerKind.CAPTURE], sums[LedgerKind.REFUND]
        paid_out = sums[LedgerKind.TRANSFER] - sums[LedgerKind.REVERSAL]
        fee = sums[LedgerKind.FEE] - sums[LedgerKind.PLATFORM_LOSS]
        assert captured - refunded == paid_out + fee + payment["held_minor"]
        assert (payment["captured_minor"], payment["refunded_minor"], payment["paid_out_minor"], payment["fee_minor"]) \
            == (captured, refunded, paid_out, fee)
        assert self.stripe.captures_for(self.request_id) <= 1
        assert self.stripe.captured_for(self.request_id) == captured
        assert self.stripe.refunded_for(self.request_id) == refunded <= captured
        assert self.stripe.paid_out_for(self.request_id) == paid_out
        assert payment["held_minor"] >= 0
        share = technician_earnings(PayoutStatus(payment["payout_status"]), held=payment["held_minor"],
                                    paid_out=payment["paid_out_minor"],
                                    fee_percent=self.deps.settings.payments.platform_fee_percent,
                                    currency=payment["currency"])
        assert (earnings.get("pending_minor", 0), earnings.get("awaiting_minor", 0), earnings.get("paid_minor", 0)) \
            == (share.pending, share.awaiting_payout_account, share.paid)

    @invariant()
    def every_stripe_call_is_keyed_by_the_job(self) -> None:
        rid = re.escape(self.request_id)
        pattern = re.compile(rf"^(authorize:{rid}:\d+|capture:{rid}|cancel:{rid}(:\d+)?|transfer:{rid}(:\d+)?|"
                             rf"refund:{rid}:(dispute:)?[\w-]+|reversal:{rid}:(dispute:)?[\w-]+)$")
        for call in self.stripe.calls:
            assert call.key is not None and pattern.match(call.key), f"{call.method} with key {call.key!r}"


class UnpaidTechnicianMachine(PaymentMachine):
    """The technician has no payout account that can receive money yet when the job starts."""


def run_machine(machine: type[PaymentMachine], deps: Any, bucket: Any, emulator: Any) -> None:
    machine.world.clear()
    machine.world.update({"deps": deps, "bucket": bucket, "emulator": emulator})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=RUNS // 2, stateful_step_count=STEPS, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))


# 250 runs (of up to 20 steps, before the 12) took about 3 minutes on a quiet 2-core machine and more under load,
# near the suite's 300 s hang guard (pyproject.toml), which is meant for a stuck call, not for a long property test.
@pytest.mark.timeout(1200)
def test_random_payment_lifecycles_keep_every_cent_accounted_for(deps, bucket, firestore_emulator) -> None:
    run_machine(UnpaidTechnicianMachine, deps, bucket, firestore_emulator)
