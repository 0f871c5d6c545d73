"""The job chat: posting a message (the only way: the rules allow no direct create), read receipts and delivery
receipts (services/chat.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from firebase_functions import https_fn
from pydantic import Field, model_validator

from curbside import deps
from curbside.domain.enums import MessageType
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.entrypoints.requests import DocId, RetryKey, StoragePath
from curbside.services import chat


class SendMessagePayload(Payload):
    request_id: DocId
    message_type: Literal["text", "image"]
    message: Annotated[str, Field(max_length=2000)] | None = None
    """The text; for an image, an optional caption."""
    image_url: StoragePath | None = None
    """For an image: its path under users/{your uid}/chat_images/{request_id}/."""
    client_message_id: RetryKey | None = None
    """Made once per message by the app and sent again with every retry of it: the message is stored once."""

    @model_validator(mode="after")
    def _fits_its_type(self) -> Self:
        if self.message_type == "text" and (not self.message or self.image_url is not None):
            raise ValueError("a text message needs a non-empty message and no image_url")
        if self.message_type == "image" and self.image_url is None:
            raise ValueError("an image message needs image_url")
        return self

    def new_message(self) -> chat.NewMessage:
        return chat.NewMessage(request_id=self.request_id, message_type=MessageType(self.message_type),
                               text=self.message or None, image_path=self.image_url,
                               client_key=self.client_message_id)


class JobChatPayload(Payload):
    request_id: DocId


@on_call()
def send_message(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SendMessagePayload, lambda caller, p: chat.send_message(
        deps.get(), caller.uid, p.new_message()))


@on_call()
def mark_messages_read(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, JobChatPayload, lambda caller, p: chat.mark_messages_read(
        deps.get(), caller.uid, p.request_id))


@on_call()
def mark_messages_delivered(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, JobChatPayload, lambda caller, p: chat.mark_messages_delivered(
        deps.get(), caller.uid, p.request_id))
