"""InsuranceClaims: what an insurer owes for an insurance job (issue 20, D91)."""

from curbside.domain.documents.base import Count, Document, Money, UtcDatetime
from curbside.domain.insurance import ClaimStatus


class InsuranceClaim(Document):
    """InsuranceClaims/{request_id} (added; admin-only): made when an insurance job is charged, in the commit
    that records the capture and the platform's advance of the insurer's share to the technician; admins move
    it through `admin_update_insurance_claim` (open -> submitted -> paid | rejected), each move audited."""

    request_id: str
    client_id: str
    dispatcher_id: str | None = None
    insurer: str
    claim_number: str
    currency: str
    job_price: Money
    excess_amount: Money
    """Charged to the client's card."""
    amount_owed: Money
    """job_price - excess_amount: what the insurer owes the platform."""
    amount_owed_minor: Count
    status: ClaimStatus = ClaimStatus.OPEN
    status_note: str | None = None
    """The admin's note with the last move (the insurer's reference, the reason for a rejection)."""
    updated_by: str | None = None
    created_date: UtcDatetime
    updated_date: UtcDatetime
