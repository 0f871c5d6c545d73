"""Insurance jobs (issue 20, D91): booking one, the insurer's share when it is charged, and the claim.

- Booking: `request_fields` checks the client's terms against the server's price and gives the job's
  insurance fields (create_request stores them; the card then holds and is charged only the excess —
  `ServiceRequest.client_pays`).
- Charging: in the commit that records the capture (`charges.captured_step`), `advance_insurer_share` adds
  the price beyond the excess to the money held for the technician (ledger `insurer_share`) and opens the
  claim, so the technician's payout and the platform's fee are reckoned on the whole price.
- Collecting: admins move the claim with `update_claim` (audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from curbside.deps import Deps
from curbside.domain.documents import InsuranceClaim
from curbside.domain.enums import LedgerKind, RequestStatus
from curbside.domain.errors import InvalidInput, NotAllowed, NotFound, WrongState
from curbside.domain.insurance import INSURANCE_CLAIM, ClaimStatus, InsuranceTerms, JobType, check_terms
from curbside.domain.lifecycle import Actor
from curbside.domain.money import from_minor, to_minor
from curbside.services import work
from curbside.services.payment_records import Loaded, ledger_entry
from curbside.store.collections import Collection
from curbside.store.uow import UnitOfWork

UPDATE_INSURANCE_CLAIM = "update_insurance_claim"


def request_fields(terms: InsuranceTerms | None, final_price: Decimal, *, with_reward: bool) -> dict[str, Any]:
    """The new job's `job_type` and insurance fields; refuses terms its price cannot honour."""
    if terms is None:
        return {"job_type": JobType.PRIVATE}
    if with_reward:
        raise InvalidInput("reward_redemption_id: a reward cannot be used on an insurance job (the insurer pays "
                           "beyond your excess); keep the reward for a private job.")
    check_terms(terms, final_price)
    return {"job_type": JobType.INSURANCE, "insurer": terms.insurer.strip(), "claim_number": terms.claim_number,
            "excess_amount": terms.excess}


def advance_insurer_share(uow: UnitOfWork, loaded: Loaded) -> None:
    """In the capture's commit: an insurance job's price beyond the excess joins the money held for the
    technician, and the insurer is recorded as owing it. Not for a late-cancellation fee (no work was done)."""
    request, payment = loaded.request, loaded.payment
    if request.job_type is not JobType.INSURANCE or request.status is RequestStatus.CANCELLED \
            or payment.insurer_share_minor:
        return
    share = to_minor(request.final_price, payment.currency) - to_minor(request.client_pays, payment.currency)
    if share <= 0:
        return
    payment.insurer_share_minor = share
    payment.held_minor += share
    uow.ledger.put(ledger_entry(payment, LedgerKind.INSURER_SHARE, share, uow.now,
                                note=f"{request.insurer} claim {request.claim_number}"))
    uow.insurance_claims.put(InsuranceClaim(
        id=request.id, request_id=request.id, client_id=request.client_id, dispatcher_id=request.dispatcher_id,
        insurer=request.insurer or "", claim_number=request.claim_number or "", currency=payment.currency,
        job_price=request.final_price, excess_amount=request.client_pays,
        amount_owed=from_minor(share, payment.currency), amount_owed_minor=share, created_date=uow.now,
        updated_date=uow.now))


@dataclass(frozen=True)
class ClaimUpdated:
    claim_id: str
    status: ClaimStatus


def update_claim(deps: Deps, *, admin_uid: str, is_admin: bool, claim_id: str, status: ClaimStatus,
                 note: str | None) -> ClaimUpdated:
    """An admin records the claim's progress with the insurer (submitted, paid, rejected). Audited."""
    if not is_admin:
        raise NotAllowed("Only admins work insurance claims.")

    def decide(uow: UnitOfWork) -> ClaimUpdated:
        claim = uow.insurance_claims.get(claim_id)
        if claim is None:
            raise NotFound("There is no insurance claim with that id.")
        if claim.status is status:
            raise WrongState(f"This claim is already {status.value}.")
        if not INSURANCE_CLAIM.allows(claim.status, status):
            raise WrongState(f"A claim that is {claim.status.value} cannot become {status.value}.")
        uow.insurance_claims.move(claim, status, Actor.ADMIN, status_note=note or claim.status_note,
                                  updated_by=admin_uid, updated_date=uow.now)
        uow.audit.record(actor_id=admin_uid, action=UPDATE_INSURANCE_CLAIM, target=Collection.INSURANCE_CLAIMS,
                         target_id=claim_id, before={"status": claim.status.value},
                         after={"status": status.value}, reason=note)
        return ClaimUpdated(claim_id, status)

    return work.transaction(deps, decide, lost_race="The claim changed at the same moment; try again.")
