"""JobCompletions: the technician's proof of work and the held payment it starts."""

from typing import Annotated

from pydantic import Field

from curbside.domain.documents.base import Document, Latitude, Longitude, Money, UtcDatetime
from curbside.domain.documents.van_stock import PartUsed
from curbside.domain.enums import PaymentStatus


class JobCompletion(Document):
    """JobCompletions/{request_id}: one per job, keyed by the request so complete_job is idempotent.
    Written by server functions only; the payment is released by a review or 48 h later."""

    request_id: str
    dispatcher_id: str
    client_id: str
    completion_images: Annotated[list[str], Field(min_length=4)]
    completion_video_url: str | None = None
    completed_at: UtcDatetime
    started_at: UtcDatetime | None = None
    """When the job was started (added: `monitor_fraud` compares how long a technician's jobs take)."""
    completion_image_hashes: list[str] = Field(default_factory=list)
    """Storage's MD5 of each photo, as checked at completion (added: the same bytes on another job is a
    `suspicious_completion_pattern`)."""
    completion_location_lat: Latitude
    completion_location_lng: Longitude
    location_verified: bool = False
    location_distance_meters: Annotated[float, Field(ge=0)] | None = None
    payment_status: PaymentStatus = PaymentStatus.PENDING_REVIEW
    payment_release_time: UtcDatetime | None = None
    auto_approve_at: UtcDatetime
    client_reviewed: bool = False
    client_reviewed_at: UtcDatetime | None = None
    auto_approved: bool = False
    amount: Money
    parts_used: list[PartUsed] = Field(default_factory=list)
    """Added (issue 21): the parts the job took from the technician's van, as recorded with the completion."""
    created_date: UtcDatetime
