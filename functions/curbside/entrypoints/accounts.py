"""Onboarding: the trigger that completes a new user, and the callables to pick a role, register a device for
push and choose the language texts come in."""

from __future__ import annotations

from typing import Any, Literal

from firebase_functions import firestore_fn, https_fn, logger
from firebase_functions.core import Change
from google.cloud.firestore_v1 import DocumentSnapshot
from pydantic import Field, field_validator

from curbside import deps
from curbside.domain.enums import UserType
from curbside.domain.name_search import name_prefixes
from curbside.domain.texts import MAX_LOCALE_CHARS, normalise_locale
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.services import accounts
from curbside.store.collections import Collection


@firestore_fn.on_document_created(document=f"{Collection.USERS}/{{uid}}")
def on_user_created(event: firestore_fn.Event[DocumentSnapshot[Any] | None]) -> None:
    """Fill the server-owned defaults of a new user (safe to deliver twice)."""
    uid = event.params["uid"]
    wrote = accounts.fill_user_defaults(deps.get(), uid)
    logger.info("user.defaults_filled" if wrote else "user.defaults_already_present", uid=uid, event_id=event.id)


@firestore_fn.on_document_written(document=f"{Collection.USERS}/{{uid}}")
def on_user_written(event: firestore_fn.Event[Change[DocumentSnapshot[Any] | None]]) -> None:
    """Keep the console's search by name in step with the names the app writes (D102). A write that leaves the
    prefixes right (a badge count, a device token, this trigger's own write) costs no read."""
    after = event.data.after.to_dict() if event.data.after is not None else None
    if not after or after.get("search_prefixes") == name_prefixes(after.get("full_name"), after.get("display_name")):
        return
    uid = event.params["uid"]
    if accounts.refresh_name_search(deps.get(), uid):
        logger.info("user.name_search_refreshed", uid=uid, event_id=event.id)


class SetUserTypePayload(Payload):
    user_type: UserType


@on_call()
def set_user_type(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetUserTypePayload,
                        lambda caller, p: accounts.set_user_type(deps.get(), caller.uid, p.user_type),
                        fresh_sign_in=True)


class SetLocalePayload(Payload):
    locale: str = Field(min_length=2, max_length=MAX_LOCALE_CHARS)

    @field_validator("locale")
    @classmethod
    def _known(cls, value: str) -> str:
        try:
            return normalise_locale(value)
        except ValueError:
            raise ValueError("not a language tag we know; send one such as en-AU, en or es") from None


@on_call()
def set_locale(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, SetLocalePayload, lambda caller, p: accounts.set_locale(deps.get(), caller.uid, p.locale))


class RegisterDevicePayload(Payload):
    fcm_token: str = Field(min_length=20, max_length=4096, pattern=r"^[A-Za-z0-9_:\-.]+$")
    platform: Literal["ios", "android", "web"]


@on_call()
def register_device(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, RegisterDevicePayload, lambda caller, p: accounts.register_device(
        deps.get(), caller.uid, p.fcm_token, accounts.TokenIdentity(caller.email, caller.email_verified)))
