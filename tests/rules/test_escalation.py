"""Escalation: no non-admin role can write a server-owned field, an extra field, a wrong type or an
oversized value — proven per field.

- For every client-writable document (`SURFACES` in the access table) its owner, the most privileged
  non-admin writer, sends the valid write plus one change at a time: each server-owned field of the model,
  an extra field, each accepted field with a wrong type, each bounded field one past its limit. The valid
  write itself is allowed (so each refusal is about that one change) and a value exactly at a limit passes.
- For every other collection and private part, each field of its model is written alone by the roles that
  can read the document; all are refused. (The matrix already shows that every other non-admin role can
  write nothing at all there.)
- "Create a valid document, then update it into an invalid one" is refused for every client-created kind.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel

from curbside.store.collections import MODELS, PRIVATE_MODELS, Collection
from devstack.firestore_rest import SERVER_TIMESTAMP
from tests.rules.access_table import ACCESS, SURFACES, Entry, FieldRule, Kind, Op, Role, Surface
from tests.rules.world import ACTORS, PROBES, VALID_UPDATES, World, presence_body, signup_body

CLIENT_TIME = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
EXTRA_FIELDS: dict[str, Any] = {"admin": True, "account_status": "active", "is_verified": True}


def model_of(collection: str) -> type[BaseModel]:
    """The model of a collection label of the access table (`X/{id}/private/data` -> the private model)."""
    name, _, rest = collection.partition("/")
    return PRIVATE_MODELS[Collection(name)] if rest else MODELS[Collection(name)]


def _types(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (list, dict):
        return [typing.get_origin(annotation)]
    if not args:
        return [annotation]
    return [t for arg in args for t in _types(arg)]


def escalated(model: type[BaseModel], field: str, current: Any) -> Any:
    """A different value of the field's own type: the write an attacker would want to make."""
    types = _types(model.model_fields[field].annotation)
    enums = [t for t in types if isinstance(t, type) and issubclass(t, enum.Enum)]
    if enums:
        return next(member.value for member in enums[0] if member.value != current)
    makers: list[tuple[Any, Any]] = [
        (bool, lambda: not current),
        (dt.datetime, lambda: dt.datetime(2099, 1, 1, tzinfo=dt.UTC)),
        (Decimal, lambda: 0.0 if current else 999.0),
        (float, lambda: 0.0 if current else 999.0),
        (int, lambda: (current or 0) + 1000),
        (list, lambda: [*(current or []), "escalated"]),
        (dict, lambda: {**(current or {}), "escalated": "1"}),
        (str, lambda: f"escalated-{current}"),
    ]
    for kind, make in makers:
        if kind in types:
            return make()
    raise AssertionError(f"no escalation value for {model.__name__}.{field}: {types}")


# ------------------------------------------------------------------------------------------- surfaces

def surface_path(surface: Surface) -> str:
    return PROBES[surface.collection].path(ACTORS[surface.writer])


def valid_body(surface: Surface) -> dict[str, Any]:
    actor = ACTORS[surface.writer]
    if surface.collection == "Users" and surface.op is Op.CREATE:
        return signup_body(actor.uid or "")
    if surface.collection == "ChatPresence" and surface.op is Op.CREATE:
        return presence_body(actor)
    return dict(VALID_UPDATES[surface.collection])


def attempt(world: World, surface: Surface, body: dict[str, Any]) -> Any:
    client = world.rest(surface.writer)
    return world.write(client, surface.op, surface_path(surface), body, fresh=surface.op is Op.CREATE)


def wrong_values(surface: Surface, name: str, rule: FieldRule) -> list[Any]:
    """Values of the wrong type, or of the right type but not what the rules accept."""
    uid = ACTORS[surface.writer].uid
    by_kind: dict[Kind, list[Any]] = {
        Kind.TEXT: [12345, ["a list"]],
        Kind.TOKEN: [42, "someone-else@example.com", "+353870000000"],
        Kind.IMAGE_URL: [42, "javascript:alert(1)", "https://tracker.example/pixel.gif",
                         own_photo_url("someone-else"), own_photo_url(uid or "", folder="chat_images"),
                         own_photo_url(uid or "", host="https://evil.example/v0/b/demo-curbside.appspot.com")],
        Kind.PLATE: [42, "191/D<script>"],
        Kind.PATHS: [f"users/{uid}/car_photos/front.jpg", ["users/client-b/car_photos/front.jpg"],
                     [f"users/{uid}/chat_images/front.jpg"], [42]],
        Kind.BOOL: ["yes", 1],
        Kind.CLOCK: ["25:00", 2300, "7:5"],
        Kind.ZONE: [42, "Europe/Paris; DROP", ""],
        Kind.STAMP: [CLIENT_TIME, "2026-11-20T09:00:00Z"],
        Kind.OWN_UID: ["someone-else", 42],
    }
    forced: dict[str, list[Any]] = {
        "id": ["another-id"], "request_id": ["main-job-done", "unverified-job-active", 42],
        "sender_name": ["Support Team"], "sender_type": ["dispatcher", "admin"], "message_type": ["file", 1],
        "image_url": ["users/client-a/chat_images/main-job-active/x.jpg"],
    }
    return forced[name] if rule.kind is Kind.FORCED else by_kind[rule.kind]


def oversized(surface: Surface, rule: FieldRule) -> Any:
    uid = ACTORS[surface.writer].uid
    if rule.kind in (Kind.TEXT, Kind.ZONE):
        return "x" * (rule.max + 1)
    if rule.kind is Kind.PLATE:
        return "A" * (rule.max + 1)
    if rule.kind is Kind.PATHS:
        return [f"users/{uid}/car_photos/{n}.jpg" for n in range(rule.max + 1)]
    return None


def own_photo_url(uid: str, *, folder: str = "profile_photos",
                  host: str = "https://firebasestorage.googleapis.com/v0/b/curbside-prod.appspot.com") -> str:
    """A Firebase Storage download URL of `users/{uid}/{folder}/me.jpg` (the shape the apps store)."""
    return f"{host}/o/users%2F{uid}%2F{folder}%2Fme.jpg?alt=media&token=abc"


def at_limit(surface: Surface, rule: FieldRule) -> Any:
    uid = ACTORS[surface.writer].uid
    if rule.kind is Kind.IMAGE_URL:
        return own_photo_url(uid or "")
    if rule.kind in (Kind.TEXT, Kind.ZONE):
        return "x" * rule.max
    if rule.kind is Kind.PATHS:
        return [f"users/{uid}/car_photos/{n}.jpg" for n in range(rule.max)]
    if rule.kind is Kind.PLATE:
        return "A" * rule.max
    return None


def server_owned(surface: Surface) -> list[str]:
    return [name for name in model_of(surface.collection).model_fields if name not in surface.fields]


def _cases() -> list[Any]:
    cases = []
    for surface in SURFACES:
        for name in server_owned(surface):
            cases.append(pytest.param(surface, name, "server", id=f"{surface.id}-server-{name}"))
        for name in EXTRA_FIELDS:
            cases.append(pytest.param(surface, name, "extra", id=f"{surface.id}-extra-{name}"))
        for name, rule in surface.fields.items():
            for n, _ in enumerate(wrong_values(surface, name, rule)):
                cases.append(pytest.param(surface, name, f"wrong{n}", id=f"{surface.id}-wrong{n}-{name}"))
            if oversized(surface, rule) is not None:
                cases.append(pytest.param(surface, name, "oversized", id=f"{surface.id}-oversized-{name}"))
    return cases


@pytest.mark.parametrize("surface", SURFACES, ids=[s.id for s in SURFACES])
def test_the_valid_client_write_is_allowed(world: World, surface: Surface) -> None:
    # given the owner's valid write, when it is sent, then the rules accept it
    result = attempt(world, surface, valid_body(surface))
    assert result.ok, f"{surface.id}: {result.status} {result.body}"


@pytest.mark.parametrize(("surface", "name", "change"), _cases())
def test_a_single_bad_change_is_refused(world: World, surface: Surface, name: str, change: str) -> None:
    # given the owner's valid write
    body = valid_body(surface)
    stored = world.documents.get(surface_path(surface), {})
    rule = surface.fields.get(name)

    # when exactly one thing about it is wrong
    if change == "server":
        body[name] = escalated(model_of(surface.collection), name, stored.get(name))
    elif change == "extra":
        body[name] = EXTRA_FIELDS[name]
    elif change == "oversized":
        assert rule is not None
        body[name] = oversized(surface, rule)
    else:
        assert rule is not None
        body[name] = wrong_values(surface, name, rule)[int(change.removeprefix("wrong"))]
    result = attempt(world, surface, body)

    # then the rules refuse the whole write
    assert result.status == 403, f"{surface.id} accepted {name}={body[name]!r}: {result.status} {result.body}"


LIMIT_CASES = [pytest.param(surface, name, id=f"{surface.id}-{name}") for surface in SURFACES
               for name, rule in surface.fields.items() if at_limit(surface, rule) is not None]


@pytest.mark.parametrize(("surface", "name"), LIMIT_CASES)
def test_a_value_exactly_at_the_limit_is_accepted(world: World, surface: Surface, name: str) -> None:
    # given the owner's valid write with one field at its maximum size
    body = {**valid_body(surface), name: at_limit(surface, surface.fields[name])}

    # when it is sent, then it is accepted: the limit is where the table says
    result = attempt(world, surface, body)
    assert result.ok, f"{surface.id} refused {name} at its limit: {result.status} {result.body}"


# ------------------------------------------------------------------------------------------- server-only

def _readers(entry: Entry) -> list[Role]:
    """The non-admin roles closest to the document: those who may read it, else the main job's parties."""
    readers: list[Role] = [role for role in (Role.CLIENT_A, Role.DISPATCHER_ASSIGNED) if role in entry.get.roles]
    return readers or [Role.CLIENT_A, Role.DISPATCHER_ASSIGNED]


SURFACE_COLLECTIONS = {surface.collection for surface in SURFACES}
SERVER_FIELD_CASES = [pytest.param(entry, name, id=f"{entry.collection}-{name}") for entry in ACCESS
                      if entry.collection not in SURFACE_COLLECTIONS
                      for name in model_of(entry.collection).model_fields]


@pytest.mark.parametrize(("entry", "name"), SERVER_FIELD_CASES)
def test_no_server_owned_field_can_be_written(world: World, entry: Entry, name: str) -> None:
    # given a server-owned document and the non-admin roles closest to it
    model = model_of(entry.collection)
    accepted = []
    for role in _readers(entry):
        path = PROBES[entry.collection].path(ACTORS[role])
        value = escalated(model, name, world.documents[path].get(name))

        # when one of them writes that single field
        result = world.write(world.rest(role), Op.UPDATE, path, {name: value})
        if result.status != 403:
            accepted.append((role.value, result.status))

    # then every attempt is refused
    assert not accepted, f"{entry.collection}.{name} was not refused for {accepted}"


# ------------------------------------------------------------------------------------------- valid, then invalid

def test_a_new_user_cannot_grow_their_record_into_an_admin(world: World) -> None:
    # given a person who has just signed up with a valid record
    newcomer = world.as_uid("newcomer")
    path = "Users/newcomer"
    try:
        assert newcomer.create(path, signup_body("newcomer")).ok

        # when they update it into something the server owns
        attempts = {field: newcomer.update(path, {field: value, "updated_date": SERVER_TIMESTAMP})
                    for field, value in (("role", "admin"), ("user_type", "dispatcher"),
                                         ("account_status", "active"), ("phone_verified", True),
                                         ("email", "other@example.com"), ("fcm_tokens", ["x" * 40]))}

        # then each change is refused, while a plain profile edit still goes through
        assert {field: result.status for field, result in attempts.items()} == dict.fromkeys(attempts, 403)
        assert newcomer.update(path, {"full_name": "Still Me", "updated_date": SERVER_TIMESTAMP}).ok
    finally:
        world.restore(path)


def test_a_message_cannot_be_edited_or_marked_read_by_the_parties(world: World) -> None:
    # given a message client A sent on the ongoing job (through send_message)
    client_a, technician = world.rest(Role.CLIENT_A), world.rest(Role.DISPATCHER_ASSIGNED)
    path = PROBES["Messages"].path(ACTORS[Role.CLIENT_A])

    # when client A (or the technician) edits it afterwards
    edits = [world.write(client_a, Op.UPDATE, path, {"message": "something else"}),
             world.write(client_a, Op.UPDATE, path, {"read": True}),
             world.write(technician, Op.UPDATE, path, {"read": True, "read_at": SERVER_TIMESTAMP}),
             world.write(client_a, Op.DELETE, path, {})]

    # then every edit is refused: read receipts belong to the server
    assert [edit.status for edit in edits] == [403] * 4


def test_presence_cannot_be_written_more_often_than_the_rules_allow(world: World) -> None:
    # given client A seen on the job's screen just now
    client_a = world.rest(Role.CLIENT_A)
    path = PROBES["ChatPresence"].path(ACTORS[Role.CLIENT_A])
    try:
        assert client_a.update(path, {"last_seen_at": SERVER_TIMESTAMP, "typing_at": SERVER_TIMESTAMP}).ok

        # when the app writes again within the minute (seen) or the three seconds (typing)
        again = [client_a.update(path, {"last_seen_at": SERVER_TIMESTAMP}),
                 client_a.update(path, {"typing_at": SERVER_TIMESTAMP})]

        # then both are refused: a chat screen costs a few small writes, not one per keystroke
        assert [result.status for result in again] == [403, 403]
    finally:
        world.restore(path)


def test_the_owner_cannot_mark_a_notice_read_or_change_it_directly(world: World) -> None:
    # given client A's own notification (marking it read goes through mark_notifications_read, which moves the
    # badge count on their Users document in the same commit)
    client_a = world.rest(Role.CLIENT_A)
    path = PROBES["Notifications"].path(ACTORS[Role.CLIENT_A])
    try:
        # when they write it themselves
        edits = [client_a.update(path, {"read": True, "read_at": SERVER_TIMESTAMP}),
                 client_a.update(path, {"counted_unread": 0}),
                 client_a.update(path, {"title": "You won a prize"})]

        # then nothing is accepted, and they still read it
        assert [edit.status for edit in edits] == [403] * 3
        assert client_a.get(path).ok
    finally:
        world.restore(path)


def test_preferences_stay_booleans_after_a_valid_change(world: World) -> None:
    # given client A switched message notifications off
    client_a = world.rest(Role.CLIENT_A)
    path = PROBES["NotificationPreferences"].path(ACTORS[Role.CLIENT_A])
    try:
        assert client_a.update(path, {"new_message": False}).ok

        # when they try to turn the toggle into another type or move the document to another user
        edits = [client_a.update(path, {"new_message": "off"}), client_a.update(path, {"user_id": "client-b"}),
                 client_a.update(path, {"quiet_hours_end": "8 am"})]

        # then every change is refused
        assert [edit.status for edit in edits] == [403] * 3
    finally:
        world.restore(path)
