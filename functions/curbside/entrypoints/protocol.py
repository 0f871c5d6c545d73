"""What every callable shares: who is calling, payload parsing, and the one table of error codes.

An entry point stays a few lines: `run_callable(req, Payload, action)` checks the caller is signed in,
parses the payload into a typed model (a bad payload is refused before anything is written), runs the
service action, and turns domain errors into the callable protocol's error codes with a message a person
can act on. Firestore's own transient failures (contention, overload, timeout) say "try again" with the
retryable codes; other unexpected exceptions become INTERNAL without their text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, TypeVar

import flask
from firebase_functions import https_fn, logger
from google.api_core import exceptions as google_errors
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from curbside import deps
from curbside.domain import errors
from curbside.services import accounts

Code = https_fn.FunctionsErrorCode

ERROR_CODES: Mapping[type[errors.DomainError], Code] = {
    errors.InvalidInput: Code.INVALID_ARGUMENT,
    errors.Unauthenticated: Code.UNAUTHENTICATED,
    errors.NotAllowed: Code.PERMISSION_DENIED,
    errors.NotFound: Code.NOT_FOUND,
    errors.WrongState: Code.FAILED_PRECONDITION,
    errors.LostRace: Code.ABORTED,
    errors.TooManyRequests: Code.RESOURCE_EXHAUSTED,
    errors.VendorUnavailable: Code.UNAVAILABLE,
}

TRANSIENT_DATABASE_ERRORS: Mapping[type[google_errors.GoogleAPICallError], tuple[Code, str]] = {
    google_errors.Aborted: (Code.ABORTED, "Another change to the same data got in the way; try again."),
    google_errors.ServiceUnavailable: (Code.UNAVAILABLE, "The database is busy; try again in a moment."),
    google_errors.DeadlineExceeded: (Code.UNAVAILABLE, "The database did not answer in time; try again in a "
                                                       "moment."),
}


_BIDI_CONTROLS = frozenset({"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
                            *map(chr, range(0x2066, 0x206A))})
"""Bidirectional embeddings, overrides and isolates: they make stored text display as something else."""


def clean_text(value: str) -> str:
    """What a person typed, without what a forged payload smuggles in: Unicode NFC, no control characters
    (but newline and tab) and no bidirectional overrides. Markup stays as typed: escaping is the display's
    job, and the apps display text, never HTML."""
    text = unicodedata.normalize("NFC", value)
    return "".join(char for char in text
                   if char in "\n\t" or (unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS))


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    return value


class Payload(BaseModel):
    """Base of every callable's input: unknown fields are refused, strings are cleaned (`clean_text`) and
    trimmed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _clean_strings(cls, value: Any) -> Any:
        return _cleaned(value)


@dataclass(frozen=True)
class Caller:
    """The signed-in user behind a call, from the verified ID token."""

    uid: str
    is_admin: bool
    claims: Mapping[str, Any]

    @property
    def email(self) -> str | None:
        """The e-mail Firebase Auth vouches for (the token's, never a document the app wrote)."""
        email = self.claims.get("email")
        return email if isinstance(email, str) and email else None

    @property
    def email_verified(self) -> bool:
        """Whether the person confirmed that e-mail address (Firebase Auth's verification mail)."""
        return self.claims.get("email_verified") is True


P = TypeVar("P", bound=Payload)


MAX_BODY_DEPTH = 32
"""No payload of the contract nests deeper; a deeper body is refused before it is parsed."""


def on_call(**options: Any) -> Callable[[Callable[[https_fn.CallableRequest[Any]], Any]], Any]:
    """`https_fn.on_call`, with the raw body checked first: a body that is not JSON, or nests deeper than any
    payload does, is answered INVALID_ARGUMENT in the callable protocol (the SDK would fail on it with
    INTERNAL, or spend its stack parsing it)."""

    def decorate(handler: Callable[[https_fn.CallableRequest[Any]], Any]) -> Any:
        deployed: Any = https_fn.on_call(**options)(handler)  # served a flask request, as deployed

        @functools.wraps(deployed)
        def guarded(request: flask.Request) -> flask.Response:
            problem = _body_problem(request.get_data(cache=True))
            if problem is not None:
                body = {"error": {"status": "INVALID_ARGUMENT", "message": problem}}
                return flask.Response(json.dumps(body), status=400, mimetype="application/json")
            answer: flask.Response = deployed(request)
            return answer

        return guarded

    return decorate


def _body_problem(raw: bytes) -> str | None:
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:  # a single pass with no recursion: strings are skipped, brackets counted
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    if deepest > MAX_BODY_DEPTH:
        return f"The request nests deeper than {MAX_BODY_DEPTH} levels; send the fields the action takes."
    try:
        json.loads(raw or b"{}")
    except ValueError:
        return "The request body is not JSON: send {\"data\": {...}}."
    return None


def run_callable(req: https_fn.CallableRequest[Any], payload_type: type[P],
                 action: Callable[[Caller, P], Any], *, fresh_sign_in: bool = False) -> dict[str, Any]:
    """Authenticate, parse, refuse a suspended or banned account, act, and map errors — the whole callable
    protocol for one entry point.
    `fresh_sign_in`: the action moves money or changes an account, so a token of a session that was revoked
    (signed out everywhere, banned) is refused even before it expires."""
    caller = caller_of(req)
    try:
        require_app_check(req)
        accounts.refuse_blocked(deps.get(), caller.uid)  # suspended and banned: refused by every callable
        payload = parse_payload(payload_type, req.data)
        if fresh_sign_in:
            require_live_session(caller)
        result = action(caller, payload)
    except errors.DomainError as exc:
        raise to_https_error(exc) from exc
    except tuple(TRANSIENT_DATABASE_ERRORS) as exc:
        code, message = next(answer for cls, answer in TRANSIENT_DATABASE_ERRORS.items() if isinstance(exc, cls))
        logger.warn("callable.database_transient", code=code.value, error=type(exc).__name__)
        raise https_fn.HttpsError(code, message) from exc
    encoded = to_json(result)
    if not isinstance(encoded, dict):
        raise TypeError(f"a callable result must be an object, not {type(result).__name__}")
    return encoded


def to_json(value: Any) -> Any:
    """A service result in the contract's wire form: enums as strings, money as numbers with two decimals,
    timestamps as ISO-8601 UTC strings."""
    if isinstance(value, BaseModel):
        value = dict(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value


def require_live_session(caller: Caller) -> None:
    """Refuse a token issued before the account's sessions were revoked (UNAUTHENTICATED: sign in again)."""
    valid_after = deps.get().auth.sessions_valid_after(caller.uid)
    signed_in = caller.claims.get("auth_time")
    if valid_after is not None and (not isinstance(signed_in, int | float) or
                                    dt.datetime.fromtimestamp(signed_in, tz=dt.UTC) < valid_after):
        raise errors.Unauthenticated("Your session has ended; sign in again.")


def caller_of(req: https_fn.CallableRequest[Any]) -> Caller:
    if req.auth is None or not req.auth.uid:
        raise https_fn.HttpsError(Code.UNAUTHENTICATED, "Sign in first: this action needs a signed-in user.")
    claims = dict(req.auth.token or {})
    return Caller(uid=req.auth.uid, is_admin=claims.get("admin") is True, claims=claims)


def parse_payload(payload_type: type[P], data: Any) -> P:
    """Validate the payload; the message lists each bad field so the app can show it."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise https_fn.HttpsError(Code.INVALID_ARGUMENT, "The request data must be an object of named fields.")
    try:
        return payload_type.model_validate(data)
    except ValidationError as exc:
        raise https_fn.HttpsError(Code.INVALID_ARGUMENT, describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        field = ".".join(str(part) for part in error["loc"]) or "data"
        message = "is not an accepted field" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{field}: {message}")
    return "Invalid request: " + "; ".join(problems) + "."


def to_https_error(exc: errors.DomainError) -> https_fn.HttpsError:
    code = next((code for cls, code in ERROR_CODES.items() if isinstance(exc, cls)), Code.INTERNAL)
    logger.info("callable.refused", code=code.value, error=type(exc).__name__)
    if isinstance(exc, errors.TooManyRequests) and exc.retry_after_s is not None:
        return https_fn.HttpsError(code, str(exc), {"retry_after_seconds": exc.retry_after_s})
    return https_fn.HttpsError(code, str(exc))


EMULATOR_VARIABLES = ("FIREBASE_AUTH_EMULATOR_HOST", "FUNCTIONS_EMULATOR")


def app_check_required(enforce: bool, environ: Mapping[str, str]) -> bool:
    """Whether a callable refuses a request without a valid App Check token: when the deployment enforces it
    (`ENFORCE_APP_CHECK`), never on the emulators (bootstrap refuses emulator variables in a real project)."""
    return enforce and not any(environ.get(name) for name in EMULATOR_VARIABLES)


def require_app_check(req: https_fn.CallableRequest[Any]) -> None:
    """The SDK verifies an App Check token when one is sent (`req.app`); enforcement is decided here, at run
    time, because the SDK's own switch is fixed when the module is imported (before any parameter is read)."""
    if app_check_required(deps.get().settings.enforce_app_check, os.environ) and req.app is None:
        raise errors.Unauthenticated("This app could not be verified; update Curbside from the app store.")
