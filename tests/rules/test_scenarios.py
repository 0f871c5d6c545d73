"""The access rules that depend on a document's state, and the promises about account statuses.

The matrix probes one state per collection; these tests move the state (a review applied, a job finished,
an internal comment, an image message, an inactive reward) and check the table's promises about roles.
"""

from __future__ import annotations

from typing import Any

import pytest

from curbside.store.codec import to_document
from devstack.firestore_rest import SERVER_TIMESTAMP
from tests import factories as f
from tests.rules.access_table import ACCESS, Op, Role
from tests.rules.world import ACTORS, MAIN, WORLDS, World, message_body, signup_body

CLIENT_A, TECH = Role.CLIENT_A, Role.DISPATCHER_ASSIGNED


def temporarily(world: World, path: str, **changes: Any) -> None:
    """Change a seeded document with the admin client (the caller restores it)."""
    world.db.document(path).set({**world.documents[path], **changes})


# ------------------------------------------------------------------------------------------- table promises

def allowed_cells(role: Role) -> set[tuple[str, Op]]:
    return {(entry.collection, op) for entry in ACCESS for op in Op if entry.allows(role, op)}


def test_suspended_and_banned_users_can_read_nothing_but_their_own_user_document() -> None:
    for role in (Role.SUSPENDED, Role.BANNED):
        assert allowed_cells(role) == {("Users", Op.GET)}


def test_shadow_banned_users_keep_exactly_the_rights_of_an_active_client() -> None:
    assert allowed_cells(Role.SHADOW_BANNED) == allowed_cells(Role.CLIENT_A)


def test_no_non_admin_role_may_delete_anything() -> None:
    assert not any(entry.allows(role, Op.DELETE) for entry in ACCESS for role in Role if role is not Role.ADMIN)


# ------------------------------------------------------------------------------------------- account status

def test_a_shadow_banned_user_cannot_see_the_ban(world: World) -> None:
    # given a shadow-banned client
    shadow = world.rest(Role.SHADOW_BANNED)
    uid = ACTORS[Role.SHADOW_BANNED].uid

    # when they read their own records
    own = shadow.get(f"Users/{uid}")
    private = shadow.get(f"Users/{uid}/private/data")

    # then nothing they can read mentions the ban
    assert own.ok and "account_status" not in own.body
    assert private.status == 403


def test_a_string_admin_claim_is_not_an_admin(world: World) -> None:
    # given tokens whose admin claim is not the boolean true
    pretenders = [world.as_uid("pretender", admin="true"), world.as_uid("pretender", admin=1),
                  world.as_uid("pretender", role="admin")]

    # when they read an admin-only collection, then they are refused
    assert [p.get(f"FraudAlerts/{MAIN.key}-alert").status for p in pretenders] == [403, 403, 403]


def test_a_suspended_user_cannot_sign_up_again(world: World) -> None:
    # given a suspended user whose Users document is gone (their private part remains)
    uid = ACTORS[Role.SUSPENDED].uid

    # when they create it again, then the rules refuse: the account status still applies
    result = world.write(world.rest(Role.SUSPENDED), Op.CREATE, f"Users/{uid}", signup_body(uid or ""), fresh=True)
    assert result.status == 403


def test_a_phone_sign_up_without_email_is_accepted(world: World) -> None:
    # given a person signing up by phone (FlutterFlow writes an empty email and the token's phone number)
    body = {"email": "", "phone_number": "+353871112223", "display_name": "", "photo_url": None,
            "uid": "phone-person", "created_time": SERVER_TIMESTAMP}
    person = world.as_uid("phone-person", email=None, phone_number="+353871112223")

    # when they create their record, then it is accepted
    result = world.write(person, Op.CREATE, "Users/phone-person", body)
    assert result.ok, result.body


@pytest.mark.parametrize(("field", "value"), [("email", "someone-else@example.com"),
                                               ("phone_number", "+353870000000")])
def test_sign_up_identity_fields_are_the_tokens(world: World, field: str, value: str) -> None:
    # given a person whose ID token vouches for one e-mail and one phone number
    person = world.as_uid("identity-person", email="identity-person@example.com", phone_number="+353871112223")
    body = {"email": "identity-person@example.com", "phone_number": "+353871112223", "uid": "identity-person",
            "created_time": SERVER_TIMESTAMP}
    assert world.write(person, Op.CREATE, "Users/identity-person", body, fresh=True).ok

    # when the record names another (the e-mail goes to Stripe, the phone to the other party's card)
    result = world.write(person, Op.CREATE, "Users/identity-person", body | {field: value}, fresh=True)

    # then the rules refuse it
    assert result.status == 403


# ------------------------------------------------------------------------------------------- reviews

def test_an_applied_review_reaches_its_reviewee_and_nobody_else(world: World) -> None:
    path = f"Reviews/{MAIN.done_job}"
    technician, stranger = world.rest(TECH), world.rest(Role.CLIENT_B)
    # given a pending review: the reviewed technician cannot see it yet (no retaliation)
    assert technician.get(path).status == 403
    try:
        # when the daily job applies it
        temporarily(world, path, applied=True)

        # then the technician reads it, but no other user (it names its reviewer): not one by one, and not
        # by listing a technician's reviews platform-wide
        assert technician.get(path).ok and stranger.get(path).status == 403
        mine = technician.query("Reviews", [("reviewee_id", "==", MAIN.dispatcher), ("applied", "==", True)])
        assert mine.ok and [doc_id for doc_id, _ in mine.body] == [MAIN.done_job]
        listed = stranger.query("Reviews", [("reviewee_id", "==", MAIN.dispatcher), ("applied", "==", True)])
        assert listed.status == 403
        assert world.rest(Role.SUSPENDED).get(path).status == 403
    finally:
        world.restore(path)


def test_a_technicians_public_reviews_are_public_while_they_are_verified(world: World) -> None:
    # given the main technician's applied review as their public profile lists it
    path, profile = f"PublicReviews/{MAIN.done_job}", f"DispatcherProfiles/{MAIN.dispatcher}"
    stranger, technician = world.rest(Role.CLIENT_B), world.rest(TECH)
    of_technician = [("dispatcher_id", "==", MAIN.dispatcher)]

    # then any active user reads it, alone or in the technician's list, and it does not name its reviewer
    assert stranger.get(path).ok and "reviewer_id" not in stranger.get(path).body
    listed = stranger.query("PublicReviews", of_technician)
    assert listed.ok and [doc_id for doc_id, _ in listed.body] == [MAIN.done_job]
    # but not platform-wide: a list must name its technician
    assert stranger.query("PublicReviews", [("rating", ">=", 1)]).status == 403
    try:
        # when the technician's verification is withdrawn, their reviews leave the public with their profile
        temporarily(world, profile, verification_status="pending")

        assert stranger.get(path).status == 403 and stranger.query("PublicReviews", of_technician).status == 403
        assert technician.get(path).ok  # the technician still reads their own
    finally:
        world.restore(profile)


def test_a_client_review_reaches_the_client_and_technicians_once_applied(world: World) -> None:
    # given the technician's pending review of client A, hidden from client A and from other technicians
    path = f"ClientReviews/{MAIN.done_job}"
    client_a, other_technician = world.rest(CLIENT_A), world.rest(Role.DISPATCHER_OTHER)
    applied_of_a = [("reviewee_id", "==", MAIN.client), ("applied", "==", True)]
    assert client_a.get(path).status == 403 and other_technician.get(path).status == 403
    try:
        # when it is applied
        temporarily(world, path, applied=True)

        # then client A reads it (alone and by query), and so do verified technicians (public to them), with a
        # query filtered on `applied`; other clients still do not
        assert client_a.get(path).ok
        mine = client_a.query("ClientReviews", applied_of_a)
        assert mine.ok and len(mine.body) == 1
        assert other_technician.get(path).ok
        theirs = other_technician.query("ClientReviews", applied_of_a)
        assert theirs.ok and len(theirs.body) == 1
        assert other_technician.query("ClientReviews", [("reviewee_id", "==", MAIN.client)]).status == 403
        assert world.rest(Role.CLIENT_B).get(path).status == 403
        assert world.as_uid(WORLDS[1].client).get(path).status == 403
    finally:
        world.restore(path)


def test_withheld_comments_are_listed_for_admins_and_nobody_else(world: World) -> None:
    # given a comment moderation withheld from a review of client A
    about_a = [("reviewee_id", "==", MAIN.client)]

    # when an admin lists the withheld comments about client A (the console's query), they are served
    listed = world.rest(Role.ADMIN).query("WithheldComments", about_a)
    assert listed.ok and [fields["comment"] for _, fields in listed.body] == ["You idiot."]

    # but client A, whose review it is, and the technician who wrote it, are refused the same query
    assert world.rest(CLIENT_A).query("WithheldComments", about_a).status == 403
    assert world.rest(TECH).query("WithheldComments", about_a).status == 403


# ------------------------------------------------------------------------------------------- disputes

def test_internal_dispute_comments_stay_with_admins(world: World) -> None:
    # given a dispute with an admin's internal comment
    internal = f"DisputeComments/{MAIN.key}-internal"

    # when the parties read it or query the thread without excluding internal comments
    reads = [world.rest(role).get(internal).status for role in (CLIENT_A, TECH)]
    thread = world.rest(CLIENT_A).query("DisputeComments", [("dispute_id", "==", MAIN.dispute)])

    # then both are refused, and only an admin reads it
    assert reads == [403, 403] and thread.status == 403
    assert world.rest(Role.ADMIN).get(internal).ok


# ------------------------------------------------------------------------------------------- chat and contacts

def test_the_chat_turns_read_only_and_contacts_close_when_the_job_is_completed(world: World) -> None:
    message, contacts = f"Messages/{MAIN.key}-message", f"JobContacts/{MAIN.active_job}"
    presence = f"ChatPresence/{MAIN.active_job}:{MAIN.client}"
    job = f"ServiceRequests/{MAIN.active_job}"
    client_a, technician = world.rest(CLIENT_A), world.rest(TECH)
    # given an ongoing job the parties chat on and share contacts for
    assert client_a.get(message).ok and technician.get(contacts).ok
    assert technician.get(presence).ok
    try:
        # when the job is completed
        temporarily(world, job, status="completed")

        # then the chat can still be read by both parties, but nobody can mark themselves present on it
        assert client_a.get(message).ok and technician.get(message).ok
        assert client_a.query("Messages", [("request_id", "==", MAIN.active_job)]).ok
        seen = world.write(client_a, Op.UPDATE, presence, {"last_seen_at": SERVER_TIMESTAMP})
        assert seen.status == 403
        # and the contact details are closed to both, while the job itself stays visible
        assert [client_a.get(contacts).status, technician.get(contacts).status] == [403, 403]
        assert client_a.get(job).ok and technician.get(job).ok
    finally:
        world.restore(job)


def test_a_technician_whose_verification_lapses_loses_the_job_but_keeps_earnings(world: World) -> None:
    # given a technician holding a job while their verification is pending
    seats = WORLDS[1]
    unverified = world.rest(Role.DISPATCHER_UNVERIFIED)
    # then they see neither the job nor the client's contacts, but keep their earnings
    assert unverified.get(f"ServiceRequests/{seats.active_job}").status == 403
    assert unverified.get(f"JobContacts/{seats.active_job}").status == 403
    assert unverified.get(f"JobCompletions/{seats.done_job}").ok
    profile = f"DispatcherProfiles/{seats.dispatcher}"
    try:
        # and once verified again, the job and the contacts come back
        temporarily(world, profile, verification_status="verified")
        assert unverified.get(f"ServiceRequests/{seats.active_job}").ok
        assert unverified.get(f"JobContacts/{seats.active_job}").ok
    finally:
        world.restore(profile)


def test_no_one_posts_a_message_directly_not_even_a_valid_one(world: World) -> None:
    # given a well-formed message in client A's seat on the ongoing job (what the rules accepted before
    # send_message became the only way to post)
    body = message_body(ACTORS[CLIENT_A], "direct")

    # when client A writes it straight into Messages, then it is refused: no rate limit or cleaning is skipped
    assert world.write(world.rest(CLIENT_A), Op.CREATE, "Messages/direct", body).status == 403


# ------------------------------------------------------------------------------------------- profiles and loyalty

def test_an_unverified_technician_profile_is_not_public(world: World) -> None:
    # given a technician whose verification is pending: clients cannot read the profile, its owner can
    path = f"DispatcherProfiles/{WORLDS[1].dispatcher}"
    assert world.rest(CLIENT_A).get(path).status == 403
    assert world.rest(Role.DISPATCHER_UNVERIFIED).get(path).ok


def test_inactive_rewards_are_hidden_from_clients(world: World) -> None:
    # given a reward an admin switched off
    path = "Rewards/reward-catalogue"
    try:
        temporarily(world, path, is_active=False)
        # then clients no longer read it, admins still do
        assert world.rest(CLIENT_A).get(path).status == 403
        assert world.rest(Role.ADMIN).get(path).ok
    finally:
        world.restore(path)


def test_a_client_may_clear_their_car_photos(world: World) -> None:
    # given client A's profile with one car photo, when they remove all photos, then it is accepted
    path = f"ClientProfiles/{MAIN.client}"
    result = world.write(world.rest(CLIENT_A), Op.UPDATE, path, {"car_images": [], "updated_date": SERVER_TIMESTAMP})
    assert result.ok, result.body


def test_only_the_changed_fields_are_validated(world: World) -> None:
    # given a profile whose car photos the server stored in an older format
    path = f"ClientProfiles/{MAIN.client}"
    try:
        temporarily(world, path, car_images=["https://legacy.example.com/car.jpg"])

        # when client A edits only the car model, then it is accepted; touching the photos is still checked
        client_a = world.rest(CLIENT_A)
        assert client_a.update(path, {"car_model": "Mazda 3", "updated_date": SERVER_TIMESTAMP}).ok
        again = client_a.update(path, {"car_images": ["https://elsewhere.example.com/car.jpg"],
                                       "updated_date": SERVER_TIMESTAMP})
        assert again.status == 403
    finally:
        world.restore(path)


# ------------------------------------------------------------------------------------------- paths

def test_a_uid_with_regex_characters_matches_only_its_own_paths(world: World) -> None:
    # given a person whose uid holds a regex wildcard ("a.b" as a pattern also matches "aXb")
    uid, path = "a.b", "ClientProfiles/a.b"
    world.db.document(path).set(to_document(f.make_client_profile(user_id=uid)))
    world.db.document(f"Users/{uid}").set(to_document(f.make_user(id=uid, uid=uid, user_type="client")))
    person = world.as_uid(uid)
    try:
        def car_images(paths: list[str]) -> Any:
            return world.write(person, Op.UPDATE, path, {"car_images": paths, "updated_date": SERVER_TIMESTAMP})

        # when they name another person's photo whose uid the pattern would match, then it is refused
        assert car_images(["users/aXb/car_photos/front.jpg"]).status == 403
        # and their own photo is accepted
        assert car_images(["users/a.b/car_photos/front.jpg"]).ok
    finally:
        world.db.document(path).delete()
        world.db.document(f"Users/{uid}").delete()
