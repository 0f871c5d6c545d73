"""Messages: the per-job chat between client and technician."""

from pydantic import Field

from curbside.domain.documents.base import Document, UtcDatetime
from curbside.domain.enums import MessageType, SenderType


class Message(Document):
    """Messages/{id}, scoped to a job by request_id; written only by send_message (the id is
    `{request_id}:{sender}:{client_message_id}` when the app sends a key, so a resent message is stored once)."""

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


class Conversation(Document):
    """Conversations/{request_id} (added): the job's entry in each party's Messages list — who takes part, the
    last message and each party's unread count. Written only by the chat functions, in the commit of the
    message (counts by increments, so concurrent senders never lose one) or of the read receipts."""

    request_id: str
    client_id: str
    dispatcher_id: str
    """The two parties (the Messages list queries its seat: `client_id` or `dispatcher_id` == me)."""
    last_message: str | None = None
    """A preview of the last message (its first 100 characters, or "Photo")."""
    last_message_at: UtcDatetime | None = None
    last_sender_id: str | None = None
    unread: dict[str, int] = Field(default_factory=dict)
    """Messages each participant has not read yet, by uid."""


class ChatPresence(Document):
    """ChatPresence/{request_id}:{uid} (added): written by the app itself (rules throttle it) while the job's
    screen is open: `last_seen_at` at most once a minute (online = seen within two minutes) and `typing_at`
    at most every three seconds while typing (shown while under eight seconds old, so it vanishes by itself)."""

    request_id: str
    user_id: str
    last_seen_at: UtcDatetime | None = None
    typing_at: UtcDatetime | None = None
