"""QuarantinedUploads: uploads the finalize trigger moved out of `users/` because they broke the rules.

Not in the spec. The Storage rules emulator cannot run locally and rules trust the declared content type,
so every object is re-checked server-side (`curbside.services.uploads`); one that fails is moved to
`quarantine/{original name}` and this record tells admins what was wrong. Admin-only.
"""

from typing import Annotated

from pydantic import Field

from curbside.domain.documents.base import Document, UtcDatetime


class QuarantinedUpload(Document):
    """QuarantinedUploads/{id}: the id is derived from the object name and generation, so a retried
    trigger rewrites the same record."""

    bucket: str
    object_name: str
    quarantine_name: str
    generation: int | None = None
    owner_id: str | None = None
    purpose: str | None = None
    request_id: str | None = None
    size_bytes: Annotated[int, Field(ge=0)]
    declared_content_type: str | None = None
    detected_content_type: str | None = None
    problems: list[str] = Field(min_length=1)
    created_date: UtcDatetime
