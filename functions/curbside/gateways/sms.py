"""SMS and phone verification through Twilio (Programmable Messaging and Verify v2), behind a small Protocol,
over Twilio's REST API with `requests` (two endpoints do not need the SDK). There is no Twilio emulator: the
local stack and tests use a recording double that plays Verify's codes (`devstack/doubles.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import requests

from curbside.domain.errors import TooManyRequests, VendorUnavailable

TIMEOUT_S = 10.0
MESSAGES_URL = "https://api.twilio.com/2010-04-01/Accounts/{account}/Messages.json"
VERIFY_URL = "https://verify.twilio.com/v2/Services/{service}/{resource}"

MAX_SEND_ATTEMPTS = 60203
"""Twilio error: too many codes sent to this number."""
MAX_CHECK_ATTEMPTS = 60202
"""Twilio error: too many wrong codes for this verification."""
NOT_FOUND = 20404
"""Twilio error on a check: no pending verification (it expired after 10 minutes, or was used)."""
INVALID_NUMBER = (21211, 21614, 60200)
"""Twilio errors meaning the number cannot receive SMS (invalid, landline, bad parameter)."""


class NumberRefused(Exception):
    """Twilio refused the number for good (not a mobile number): retrying will not help."""


class CodeCheck(StrEnum):
    APPROVED = "approved"
    WRONG = "wrong"
    """Not this code: the person may try again."""
    EXPIRED = "expired"
    """No code waits for this number any more (10 minutes passed, or too many wrong tries)."""


class Sms(Protocol):
    def send(self, to: str, body: str) -> None:
        """Send one SMS; raises VendorUnavailable (try later) or NumberRefused (never)."""

    def start_verification(self, to: str) -> None:
        """Text a one-time code to `to` (Twilio Verify); raises TooManyRequests, NumberRefused or
        VendorUnavailable."""

    def check_verification(self, to: str, code: str) -> CodeCheck:
        """Whether `code` is the one sent to `to`."""


@dataclass(frozen=True)
class TwilioSms:
    account_sid: str
    auth_token: str
    sender: str
    """The From number (E.164) or a Messaging Service SID (`MG...`)."""
    verify_service_sid: str

    def send(self, to: str, body: str) -> None:
        sender = {"MessagingServiceSid": self.sender} if self.sender.startswith("MG") else {"From": self.sender}
        self._post(MESSAGES_URL.format(account=self.account_sid), {"To": to, "Body": body, **sender})

    def start_verification(self, to: str) -> None:
        self._post(VERIFY_URL.format(service=self.verify_service_sid, resource="Verifications"),
                   {"To": to, "Channel": "sms"})

    def check_verification(self, to: str, code: str) -> CodeCheck:
        try:
            answer = self._post(VERIFY_URL.format(service=self.verify_service_sid, resource="VerificationCheck"),
                                {"To": to, "Code": code})
        except _TwilioError as exc:
            if exc.code in (NOT_FOUND, MAX_CHECK_ATTEMPTS) or exc.status == 404:
                return CodeCheck.EXPIRED
            raise VendorUnavailable("Twilio could not check the code; try again in a moment.") from None
        return CodeCheck.APPROVED if answer.get("status") == "approved" else CodeCheck.WRONG

    def _post(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        if not self.account_sid:
            raise VendorUnavailable("SMS is not configured (TWILIO_ACCOUNT_SID is empty).")
        try:
            response = requests.post(url, data=form, auth=(self.account_sid, self.auth_token), timeout=TIMEOUT_S)
        except requests.RequestException:
            raise VendorUnavailable("Twilio did not answer; try again in a moment.") from None
        if response.ok:
            answer: dict[str, Any] = response.json()
            return answer
        body = _json(response)
        error = _TwilioError(response.status_code, int(body.get("code") or 0))
        if "VerificationCheck" in url:
            raise error
        if error.code == MAX_SEND_ATTEMPTS or response.status_code == 429:
            raise TooManyRequests("Too many codes were sent to this number; wait 10 minutes and try again.")
        if error.code in INVALID_NUMBER:
            raise NumberRefused(f"Twilio refused the number (error {error.code})")
        raise VendorUnavailable(f"Twilio answered HTTP {response.status_code}; try again in a moment.")


@dataclass(frozen=True)
class _TwilioError(Exception):
    status: int
    code: int


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
