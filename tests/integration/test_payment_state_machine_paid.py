"""The other half of the payment lifecycles of test_payment_state_machine.py: the technician can already be
paid when the job starts, so releases go straight to transfers and refunds often come after a payout."""

from __future__ import annotations

import pytest

from tests.integration.test_payment_state_machine import PaymentMachine, run_machine


class PaidTechnicianMachine(PaymentMachine):
    ONBOARDED = True


@pytest.mark.timeout(1200)  # see test_payment_state_machine.py
def test_random_payment_lifecycles_with_a_paid_technician_keep_every_cent_accounted_for(
        deps, bucket, firestore_emulator) -> None:
    run_machine(PaidTechnicianMachine, deps, bucket, firestore_emulator)
