"""Reviews (client -> technician) and ClientReviews (technician -> client).

Both are applied a day late (spec section 6): written with `applied` false and `apply_date` tomorrow, then
folded into the reviewee's profile by the daily job.
"""

from pydantic import Field

from curbside.domain.documents.base import DateString, Document, Stars, UtcDatetime
from curbside.domain.enums import ReviewCategory, ReviewerType


class _Rated(Document):
    """What a review says, wherever it is shown."""

    rating: Stars
    comment: str | None = None
    comment_withheld: bool = False
    """Added (D51): moderation flagged the comment; it is kept for admins in `WithheldComments`, and `comment`
    stays empty here (the rating still counts)."""
    created_date: UtcDatetime
    """When the review was written."""


class _DelayedReview(_Rated):
    """The fields both review collections share."""

    request_id: str
    reviewer_id: str
    reviewee_id: str
    applied: bool = False
    apply_date: DateString


class WithheldComment(Document):
    """WithheldComments/{collection}:{request_id} (added, D51): a review comment moderation kept from the
    public, with why; admins read the list."""

    review_collection: str
    request_id: str
    reviewer_id: str
    reviewee_id: str
    comment: str
    categories: list[str] = Field(default_factory=list)
    checked_by: str
    created_date: UtcDatetime


class PublicReview(_Rated):
    """PublicReviews/{request_id} (added, D64): an applied review of a technician as their public profile lists
    it, for every signed-in user — without its reviewer's uid, which the review itself keeps for its two
    parties. Written by `apply_pending_reviews` in the commit that applies the review; a withheld comment stays
    withheld here too."""

    dispatcher_id: str
    applied_date: DateString
    """The day it was applied (and became public)."""


class Review(_DelayedReview):
    """Reviews/{request_id}: the client's review of the technician, one per job."""

    reviewer_type: ReviewerType


class ClientReview(_DelayedReview):
    """ClientReviews/{request_id}: the technician's review of the client, one per job."""

    reviewer_name: str | None = None
    verified_service: bool = True
    service_categories: list[ReviewCategory] = Field(default_factory=list)
