"""Recording doubles for the paid or emulator-less third-party APIs the local stack and tests stand in for
(no Firebase Auth emulator runs here). Each keeps what it was told so a test or the stack can look."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass, field

from curbside.domain.clock import Clock
from curbside.domain.errors import VendorUnavailable
from curbside.gateways.assistant import ModelReply, Prompt
from curbside.gateways.push import PushMessage, PushResult
from curbside.gateways.sms import CodeCheck, NumberRefused


@dataclass
class RecordingAuthAdmin:
    """Firebase Auth's admin API: `revoke` stands for `revoke_refresh_tokens`."""

    revoked_at: dict[str, dt.datetime] = field(default_factory=dict)

    def sessions_valid_after(self, uid: str) -> dt.datetime | None:
        return self.revoked_at.get(uid)

    def revoke(self, uid: str, at: dt.datetime) -> None:
        self.revoked_at[uid] = at


@dataclass(frozen=True)
class SentPush:
    tokens: tuple[str, ...]
    message: PushMessage
    at: dt.datetime


@dataclass
class RecordingPush:
    """Firebase Cloud Messaging: keeps every push handed to it. Tokens in `dead` answer as uninstalled apps;
    `down` makes every send fail as an FCM outage would."""

    clock: Clock
    sent: list[SentPush] = field(default_factory=list)
    dead: set[str] = field(default_factory=set)
    down: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, tokens: tuple[str, ...], message: PushMessage) -> PushResult:
        if self.down:
            raise VendorUnavailable("FCM is down (recording double)")
        live = tuple(token for token in tokens if token not in self.dead)
        with self._lock:
            if live:
                self.sent.append(SentPush(live, message, self.clock.now()))
        return PushResult(delivered=len(live), dead_tokens=tuple(token for token in tokens if token in self.dead))


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    at: dt.datetime


CODE_LIFETIME = dt.timedelta(minutes=10)
"""How long a Twilio Verify code stays valid."""


@dataclass
class RecordingSms:
    """Twilio: keeps every SMS and plays Verify — a random six-digit code per number (in `codes`, as the phone
    would show it), valid for ten minutes and used once. Numbers in `refused` are not mobile numbers."""

    clock: Clock
    sent: list[SentSms] = field(default_factory=list)
    codes: dict[str, tuple[str, dt.datetime]] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)
    down: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, to: str, body: str) -> None:
        self._check(to)
        with self._lock:
            self.sent.append(SentSms(to, body, self.clock.now()))

    def start_verification(self, to: str) -> None:
        self._check(to)
        code = f"{secrets.randbelow(10**6):06d}"
        with self._lock:
            self.codes[to] = (code, self.clock.now())
            self.sent.append(SentSms(to, f"Your Curbside verification code is: {code}", self.clock.now()))

    def check_verification(self, to: str, code: str) -> CodeCheck:
        if self.down:
            raise VendorUnavailable("Twilio is down (recording double)")
        with self._lock:
            waiting = self.codes.get(to)
            if waiting is None or self.clock.now() - waiting[1] > CODE_LIFETIME:
                return CodeCheck.EXPIRED
            if waiting[0] != code:
                return CodeCheck.WRONG
            del self.codes[to]
        return CodeCheck.APPROVED

    def _check(self, to: str) -> None:
        if self.down:
            raise VendorUnavailable("Twilio is down (recording double)")
        if to in self.refused:
            raise NumberRefused(f"not a mobile number: {to}")


@dataclass
class ScriptedAssistant:
    """OpenAI's Chat Completions for the support assistant: keeps every prompt it is given and answers with the
    next scripted reply (or the default one); `down` makes it fail as an outage or a timeout would."""

    replies: list[ModelReply] = field(default_factory=list)
    default: ModelReply = field(default_factory=lambda: ModelReply("Scripted answer.", 0.9, False, 120))
    prompts: list[Prompt] = field(default_factory=list)
    down: bool = False

    def reply(self, prompt: Prompt) -> ModelReply:
        self.prompts.append(prompt)
        if self.down:
            raise VendorUnavailable("OpenAI is down (scripted double)")
        return self.replies.pop(0) if self.replies else self.default
