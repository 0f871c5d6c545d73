"""A real SMTP server for the local stack and tests (`aiosmtpd`), keeping every message it receives, so the
e-mail gateway is exercised over SMTP exactly as against a provider's relay."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

from curbside.gateways.email import SmtpEmail

LOCAL_SENDER = "Curbside (local) <no-reply@curbside.local>"


@dataclass(frozen=True)
class ReceivedMail:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    at: dt.datetime


@dataclass
class _Keeper:
    """The aiosmtpd handler: parses and keeps each message."""

    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        with self.lock:
            self.received.append(ReceivedMail(
                to=tuple(envelope.rcpt_tos), subject=str(message["Subject"] or ""),
                text=text.get_content() if text is not None else "",
                html=html.get_content() if html is not None else "", at=dt.datetime.now(dt.UTC)))
        return "250 Message accepted for delivery"


class MailServer:
    """`MailServer(port).start()`: an SMTP server on 127.0.0.1 (plain SMTP, no login) keeping what it receives."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.port, self.host = port, host
        self._keeper = _Keeper()
        self._controller: Controller | None = None

    def start(self) -> MailServer:
        self._controller = Controller(self._keeper, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[ReceivedMail]:
        with self._keeper.lock:
            return list(self._keeper.received)

    def clear(self) -> None:
        with self._keeper.lock:
            self._keeper.received.clear()


def local_smtp(port: int, host: str = "127.0.0.1") -> SmtpEmail:
    """The e-mail gateway pointed at a local server (plain SMTP, no login)."""
    return SmtpEmail(host=host, port=port, sender=LOCAL_SENDER, starttls=False)
