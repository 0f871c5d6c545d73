"""Messages: the per-job chat between client and technician."""

from curbside.domain.documents.base import Document, UtcDatetime
from curbside.domain.enums import MessageType, SenderType


class Message(Document):
    """Messages/{auto id}, scoped to a job by request_id; written through send_message."""

    request_id: str
    sender_id: str
    sender_name: str | None = None
    sender_type: SenderType
    message: str | None = None
    message_type: MessageType = MessageType.TEXT
    image_url: str | None = None
    read: bool = False
    read_at: UtcDatetime | None = None
    delivered: bool = False
    delivered_at: UtcDatetime | None = None
    created_date: UtcDatetime
