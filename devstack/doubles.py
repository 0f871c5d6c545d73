"""Recording doubles for the paid or emulator-less third-party APIs the local stack and tests stand in for
(no Firebase Auth emulator runs here; Google's Routes API and Meta's Send API have no local server). Each
keeps what it was told so a test or the stack can look."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from curbside.domain.clock import Clock
from curbside.domain.dent_repair import PanelDamage
from curbside.domain.errors import VendorUnavailable
from curbside.gateways.assistant import ModelReply, Prompt
from curbside.gateways.messenger import GraphMessenger
from curbside.gateways.push import PushMessage, PushResult
from curbside.gateways.sms import CodeCheck, NumberRefused


@dataclass
class RecordingAuthAdmin:
    """Firebase Auth's admin API: `revoke` stands for `revoke_refresh_tokens`, `disabled` holds the accounts
    `update_user(disabled=True)` disabled, `deleted` those `delete_user` deleted; `down` makes every change fail
    as an outage would."""

    revoked_at: dict[str, dt.datetime] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    down: bool = False
    calls: list[tuple[str, str]] = field(default_factory=list)
    """(method, uid) of every change asked for, in order (the e-mail for a password-reset link)."""

    def sessions_valid_after(self, uid: str) -> dt.datetime | None:
        return self.revoked_at.get(uid)

    def revoke(self, uid: str, at: dt.datetime) -> None:
        self.revoked_at[uid] = at

    def revoke_sessions(self, uid: str, at: dt.datetime) -> None:
        self._change("revoke_sessions", uid)
        self.revoke(uid, at)

    def set_disabled(self, uid: str, disabled: bool) -> None:
        self._change("disable" if disabled else "enable", uid)
        (self.disabled.add if disabled else self.disabled.discard)(uid)

    def delete_account(self, uid: str) -> None:
        self._change("delete", uid)
        self.deleted.add(uid)
        self.revoked_at[uid] = dt.datetime.max.replace(tzinfo=dt.UTC)  # as the real one reads a missing account

    def password_reset_link(self, email: str) -> str:
        """A link of the shape Firebase makes (`oobCode` standing for the one-time code)."""
        self._change("password_reset_link", email)
        return f"https://demo-curbside.firebaseapp.com/__/auth/action?mode=resetPassword&oobCode=local-{len(self.calls)}"

    def _change(self, method: str, uid: str) -> None:
        if self.down:
            raise VendorUnavailable("Firebase Auth is down (recording double)")
        self.calls.append((method, uid))


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
class RoutesApiDouble:
    """Google's Routes API `computeRoutes` on a local HTTP server, so tests drive the production gateway
    (`gateways.maps.GoogleRoutes`: its request, headers, parsing and fallback) over a real socket. It answers
    one route of `duration_s` and `distance_m`, or `status` with `body`, after `delay_s`; `requests` keeps
    what it was sent (headers and JSON body)."""

    duration_s: float = 600.0
    distance_m: int = 5_000
    status: int = 200
    body: str | None = None
    delay_s: float = 0.0
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the double first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RoutesApiDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                double.requests.append(({key.lower(): value for key, value in self.headers.items()},
                                        json.loads(self.rfile.read(length) or b"{}")))
                time.sleep(double.delay_s)
                answer = double.body if double.body is not None else json.dumps({"routes": [
                    {"distanceMeters": double.distance_m, "duration": f"{double.duration_s:g}s"}]})
                self.send_response(double.status if self.path == "/directions/v2:computeRoutes" else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                with contextlib.suppress(OSError):  # the caller may have given up (a timeout test)
                    self.wfile.write(answer.encode())

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


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


@dataclass
class ScriptedDamageReader:
    """OpenAI reading hail damage from photos: keeps the links it was shown and answers the scripted panels;
    `down` makes it fail as an outage or a timeout would."""

    panels: list[PanelDamage] = field(default_factory=list)
    seen: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    """(car model, photo links) of every call."""
    down: bool = False

    def read_damage(self, car_model: str, photo_urls: Sequence[str]) -> list[PanelDamage]:
        self.seen.append((car_model, tuple(photo_urls)))
        if self.down:
            raise VendorUnavailable("OpenAI is down (scripted double)")
        return list(self.panels)
LOCAL_MESSENGER_APP_SECRET = "curbside_local_messenger_app_secret"
"""The local stack's (and tests') published Meta app secret: sign deliveries to `messenger_webhook` with it."""
LOCAL_MESSENGER_VERIFY_TOKEN = "curbside_local_verify_token"
"""The local stack's (and tests') published webhook verify token."""


@dataclass(frozen=True)
class SentReply:
    recipient_id: str
    text: str
    sent_at: dt.datetime


class RecordingMessenger(GraphMessenger):
    """Meta's Send API: a recording double (there is no local Graph API). The webhook checks are the production
    gateway's own, with the published local app secret and verify token; `down` makes sending fail as an outage
    would."""

    def __init__(self, clock: Clock, *, app_secret: str = LOCAL_MESSENGER_APP_SECRET,
                 verify_token: str = LOCAL_MESSENGER_VERIFY_TOKEN) -> None:
        super().__init__(app_secret=app_secret, verify_token=verify_token, page_token="")
        self._clock = clock
        self._lock = threading.Lock()
        self.sent: list[SentReply] = []
        self.down = False

    def send(self, recipient_id: str, text: str) -> str:
        if self.down:
            raise VendorUnavailable("Messenger is down (recording double)")
        with self._lock:
            self.sent.append(SentReply(recipient_id, text, self._clock.now()))
            return f"m_local_{len(self.sent)}"

    def to(self, recipient_id: str) -> list[str]:
        """The texts sent to one person, in order."""
        with self._lock:
            return [reply.text for reply in self.sent if reply.recipient_id == recipient_id]
