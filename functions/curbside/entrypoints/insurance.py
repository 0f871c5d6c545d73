"""Insurance jobs (issue 20, D91): the claim fields `create_request` takes, and the admins' claim callable."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from firebase_functions import https_fn
from pydantic import Field, model_validator

from curbside import deps
from curbside.domain.insurance import ClaimStatus, InsuranceTerms
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.services import insurance


class InsuranceFields(Payload):
    """`job_type` and, for an insurance job, the claim: mixed into create_request's payload."""

    job_type: Literal["private", "insurance"] = "private"
    insurer: Annotated[str, Field(max_length=80)] | None = None
    claim_number: Annotated[str, Field(max_length=40)] | None = None
    excess_amount: Annotated[Decimal, Field(max_digits=12, decimal_places=2, allow_inf_nan=False)] | None = None
    """The client's excess in CURRENCY: what their card pays; the insurer owes the rest of the price."""

    @model_validator(mode="after")
    def _claim_only_for_insurance(self) -> Self:
        claim = {"insurer": self.insurer, "claim_number": self.claim_number, "excess_amount": self.excess_amount}
        if self.job_type == "insurance":
            if missing := [name for name, value in claim.items() if value is None]:
                raise ValueError(f"an insurance job needs {', '.join(missing)}")
        elif given := [name for name, value in claim.items() if value is not None]:
            raise ValueError(f"{', '.join(given)} only go with job_type 'insurance'")
        return self

    def insurance_terms(self) -> InsuranceTerms | None:
        if self.job_type != "insurance" or self.insurer is None or self.claim_number is None \
                or self.excess_amount is None:
            return None
        return InsuranceTerms(self.insurer, self.claim_number, self.excess_amount)


class UpdateInsuranceClaimPayload(Payload):
    claim_id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_:-][A-Za-z0-9_.:-]*$")]
    """The claim's id: its job's request id."""
    status: Literal["submitted", "paid", "rejected"]
    note: Annotated[str, Field(max_length=1000)] | None = None


@on_call()
def admin_update_insurance_claim(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UpdateInsuranceClaimPayload, lambda caller, p: insurance.update_claim(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, claim_id=p.claim_id,
        status=ClaimStatus(p.status), note=p.note), fresh_sign_in=True)
