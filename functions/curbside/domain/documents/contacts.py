"""JobContacts: the two parties' contact details for one job, shared only while the job is active.

Not in the spec. The issue's access table says a party sees the other party's contact details only while a
job is active; `Users` (where a person's phone number lives) is readable by its owner alone, and rules can
only check a job when its id is in the path. So the server writes `JobContacts/{request_id}` when a
technician accepts the job, and `firestore.rules` lets the job's client and its verified technician read it
while the job's status is accepted, en_route, arrived or in_progress — the live status decides, so nothing
has to be deleted when the job ends.
"""

from curbside.domain.documents.base import Document, UtcDatetime


class JobContact(Document):
    """JobContacts/{request_id}."""

    request_id: str
    client_id: str
    dispatcher_id: str
    client_name: str | None = None
    client_phone: str | None = None
    dispatcher_name: str | None = None
    dispatcher_phone: str | None = None
    created_date: UtcDatetime
