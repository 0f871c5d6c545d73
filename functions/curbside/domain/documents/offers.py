"""JobOffers: a job offered to one technician for 60 seconds by auto-dispatch."""

from typing import Any

from pydantic import Field

from curbside.domain.documents.base import Document, UtcDatetime
from curbside.domain.enums import OfferStatus


class JobOffer(Document):
    """JobOffers/{request_id}:{n}, the n-th offer of the job (deterministic, so a repeated dispatch step finds
    the offer it would make already there). Written by server functions only; the technician answers through
    a callable."""

    request_id: str
    dispatcher_id: str
    dispatcher_name: str | None = None
    offer_status: OfferStatus = OfferStatus.PENDING
    offered_at: UtcDatetime
    expires_at: UtcDatetime
    responded_at: UtcDatetime | None = None
    assignment_score: float
    distance_km: float = Field(ge=0)
    job_details: dict[str, Any] = Field(default_factory=dict)
    rejection_reason: str | None = None
