"""E-mail over SMTP (any provider's SMTP relay: SendGrid, Mailgun, SES), behind a small Protocol. Locally the
stack runs a real SMTP server (`aiosmtpd`, `devstack/mail.py`) that keeps what it receives."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from curbside.domain.errors import VendorUnavailable

TIMEOUT_S = 10.0


class AddressRefused(Exception):
    """The server refused the recipient for good (no such mailbox): retrying will not help."""


class Email(Protocol):
    def send(self, *, to: str, subject: str, text: str, html: str, message_id: str) -> None:
        """Send one message (plain-text and HTML alternatives); raises VendorUnavailable when the server could
        not take it now, AddressRefused when it never will."""


@dataclass(frozen=True)
class SmtpEmail:
    host: str
    port: int
    sender: str
    """The From header, e.g. `Curbside <no-reply@curbside.app>`."""
    username: str = ""
    password: str = ""
    starttls: bool = True
    """Upgrade to TLS before logging in (port 587); the local server speaks plain SMTP."""

    def send(self, *, to: str, subject: str, text: str, html: str, message_id: str) -> None:
        if not self.host:
            raise VendorUnavailable("E-mail is not configured (SMTP_HOST is empty).")
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Message-ID"] = make_msgid(idstring=message_id.replace(":", "."), domain="curbside.app")
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S) as server:
                if self.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.username:
                    server.login(self.username, self.password)
                server.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise AddressRefused(f"the mail server refused {to}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise VendorUnavailable(f"The mail server did not take the message: {type(exc).__name__}") from None
