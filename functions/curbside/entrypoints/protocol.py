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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, TypeVar

from firebase_functions import https_fn, logger
from google.api_core import exceptions as google_errors
from pydantic import BaseModel, ConfigDict, ValidationError

from curbside.domain import errors

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


class Payload(BaseModel):
    """Base of every callable's input: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(frozen=True)
class Caller:
    """The signed-in user behind a call, from the verified ID token."""

    uid: str
    is_admin: bool
    claims: Mapping[str, Any]


P = TypeVar("P", bound=Payload)


def run_callable(req: https_fn.CallableRequest[Any], payload_type: type[P],
                 action: Callable[[Caller, P], Any]) -> dict[str, Any]:
    """Authenticate, parse, act, and map errors — the whole callable protocol for one entry point."""
    caller = caller_of(req)
    payload = parse_payload(payload_type, req.data)
    try:
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
    return https_fn.HttpsError(code, str(exc))
