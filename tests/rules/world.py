"""The seeded world the rules tests probe, and what each role tries in each matrix cell.

Five worlds of the same shape — a client, a technician, an ongoing job (accepted), a finished job with its
completion, reviews, dispute and comments, chat, offer, contacts, redemption, ledger entry, tickets,
notifications, preferences, location, a quarantine record, a Stripe event, the finished job's payment and
ledger entry, and the technician's earnings — differ only in who holds the seats:

- `main`: `client_a` and `dispatcher_assigned` (both active, the technician verified);
- `unverified`: a helper client and `dispatcher_unverified` (verification pending);
- `suspended`, `banned`, `shadow`: the role in the client seat, a helper verified technician.

Each role probes one world from one side (see `ACTORS`). The world is written once per package with the
admin client; every write a cell makes is undone from the stored copy, so cells do not depend on order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from google.cloud import firestore
from pydantic import BaseModel

from curbside.domain.documents import ServiceRequest
from curbside.domain.enums import (
    AccountStatus,
    CommentUserType,
    LedgerKind,
    NotificationType,
    PointsReason,
    RequestStatus,
    UserType,
    VerificationStatus,
)
from curbside.domain.insurance import JobType
from curbside.domain.uploads import Purpose
from curbside.store.codec import to_document
from curbside.store.collections import Collection, doc_path, private_doc_path
from devstack.firestore_rest import SERVER_TIMESTAMP, FirestoreRest, RestResult
from tests import factories as f
from tests.rules.access_table import Op, Role


class Side(StrEnum):
    CLIENT = "client"
    DISPATCHER = "dispatcher"


@dataclass(frozen=True)
class Seats:
    """One world: who holds the client and technician seats."""

    key: str
    client: str
    dispatcher: str
    client_status: AccountStatus = AccountStatus.ACTIVE
    verification: VerificationStatus = VerificationStatus.VERIFIED

    @property
    def active_job(self) -> str:
        return f"{self.key}-job-active"

    @property
    def done_job(self) -> str:
        return f"{self.key}-job-done"

    @property
    def dispute(self) -> str:
        return f"{self.key}-dispute"

    def uid(self, side: Side) -> str:
        return self.client if side is Side.CLIENT else self.dispatcher

    def ticket(self, side: Side) -> str:
        return f"{self.key}-ticket-{side.value}"


MAIN = Seats("main", "client-a", "dispatcher-assigned")
WORLDS: tuple[Seats, ...] = (
    MAIN,
    Seats("unverified", "client-u", "dispatcher-unverified", verification=VerificationStatus.PENDING),
    Seats("suspended", "client-suspended", "dispatcher-s", client_status=AccountStatus.SUSPENDED),
    Seats("banned", "client-banned", "dispatcher-b", client_status=AccountStatus.BANNED),
    Seats("shadow", "client-shadow", "dispatcher-sh", client_status=AccountStatus.SHADOW_BANNED),
)
MERCHANT_WORLD = Seats("merchant", "merchant-a", "dispatcher-m")
"""Merchant A's world (D116): the client seat is a merchant, its jobs are merchant orders."""
CLIENT_B, DISPATCHER_OTHER, ADMIN_UID = "client-b", "dispatcher-other", "admin-1"
MERCHANT_B = "merchant-b"
MERCHANT_SKU = f"{MERCHANT_WORLD.client}~PDR-1"
MERCHANT_STATEMENT = f"{MERCHANT_WORLD.client}~2026-11"
REWARD, PRICING_RULE, SERVICE = "reward-catalogue", "rule-peak", "service-pdr"


@dataclass(frozen=True)
class Actor:
    role: Role
    uid: str | None
    world: Seats
    side: Side
    claims: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def target_uid(self) -> str:
        """The uid whose side of the world this actor probes."""
        return self.world.uid(self.side)


ACTORS: dict[Role, Actor] = {actor.role: actor for actor in (
    Actor(Role.ANONYMOUS, None, MAIN, Side.CLIENT),
    Actor(Role.CLIENT_A, MAIN.client, MAIN, Side.CLIENT),
    Actor(Role.CLIENT_B, CLIENT_B, MAIN, Side.CLIENT),
    Actor(Role.DISPATCHER_ASSIGNED, MAIN.dispatcher, MAIN, Side.DISPATCHER),
    Actor(Role.DISPATCHER_OTHER, DISPATCHER_OTHER, MAIN, Side.DISPATCHER),
    Actor(Role.DISPATCHER_UNVERIFIED, WORLDS[1].dispatcher, WORLDS[1], Side.DISPATCHER),
    Actor(Role.SUSPENDED, WORLDS[2].client, WORLDS[2], Side.CLIENT),
    Actor(Role.BANNED, WORLDS[3].client, WORLDS[3], Side.CLIENT),
    Actor(Role.SHADOW_BANNED, WORLDS[4].client, WORLDS[4], Side.CLIENT),
    Actor(Role.MERCHANT_OTHER, MERCHANT_B, MERCHANT_WORLD, Side.CLIENT),
    Actor(Role.ADMIN, ADMIN_UID, MAIN, Side.CLIENT, {"admin": True}),
)}


# ------------------------------------------------------------------------------------------- documents

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _user(uid: str, user_type: UserType, name: str) -> BaseModel:
    return f.make_user(id=uid, uid=uid, email=f"{uid}@example.com", full_name=name, display_name=name,
                       user_type=user_type)


def _people(uid: str, user_type: UserType, name: str, status: AccountStatus = AccountStatus.ACTIVE,
            verification: VerificationStatus | None = None) -> dict[str, BaseModel]:
    docs: dict[str, BaseModel] = {
        doc_path(Collection.USERS, uid): _user(uid, user_type, name),
        private_doc_path(Collection.USERS, uid): f.make_user_private(account_status=status),
        doc_path(Collection.NOTIFICATION_PREFERENCES, uid): f.make_notification_preferences(id=uid),
    }
    if user_type in (UserType.CLIENT, UserType.BOTH):
        docs[doc_path(Collection.CLIENT_PROFILES, uid)] = f.make_client_profile(
            id=uid, car_images=[f"users/{uid}/{Purpose.CAR_PHOTOS}/front.jpg"])
        docs[private_doc_path(Collection.CLIENT_PROFILES, uid)] = f.make_client_profile_private()
    if user_type in (UserType.DISPATCHER, UserType.BOTH):
        docs[doc_path(Collection.DISPATCHER_PROFILES, uid)] = f.make_dispatcher_profile(
            id=uid, verification_status=verification or VerificationStatus.VERIFIED)
        docs[private_doc_path(Collection.DISPATCHER_PROFILES, uid)] = f.make_dispatcher_profile_private()
        docs[doc_path(Collection.DISPATCHER_LOCATIONS, uid)] = f.make_dispatcher_location(id=uid)
        docs[doc_path(Collection.DISPATCHER_EARNINGS, uid)] = f.make_dispatcher_earnings(id=uid)
    return docs


def _world(seats: Seats) -> dict[str, BaseModel]:
    c, d, key = seats.client, seats.dispatcher, seats.key
    names = {"client_name": f"Client {key}", "dispatcher_name": f"Tech {key}"}
    job = {"client_id": c, "dispatcher_id": d, **names}
    docs = {**_people(c, UserType.CLIENT, names["client_name"], seats.client_status),
            **_people(d, UserType.DISPATCHER, names["dispatcher_name"], verification=seats.verification)}
    models: list[tuple[str, BaseModel]] = [
        (seats.active_job, f.make_service_request(id=seats.active_job, status=RequestStatus.ACCEPTED,
                                                  accepted_at=NOW, **job)),
        (seats.done_job, f.make_service_request(id=seats.done_job, status=RequestStatus.COMPLETED,
                                                accepted_at=NOW, completed_at=NOW, **job)),
    ]
    for path, model in models:
        docs[doc_path(Collection.SERVICE_REQUESTS, path)] = model
    one_job = {"request_id": seats.done_job}
    docs.update({
        doc_path(Collection.JOB_COMPLETIONS, seats.done_job): f.make_job_completion(
            id=seats.done_job, client_id=c, dispatcher_id=d, **one_job),
        doc_path(Collection.REVIEWS, seats.done_job): f.make_review(
            id=seats.done_job, reviewer_id=c, reviewee_id=d, applied=False, **one_job),
        doc_path(Collection.CLIENT_REVIEWS, seats.done_job): f.make_client_review(
            id=seats.done_job, reviewer_id=d, reviewee_id=c, applied=False, **one_job),
        doc_path(Collection.PUBLIC_REVIEWS, seats.done_job): f.make_public_review(id=seats.done_job, dispatcher_id=d),
        doc_path(Collection.MESSAGES, f"{key}-message"): f.make_message(
            id=f"{key}-message", request_id=seats.active_job, sender_id=c, sender_name=names["client_name"]),
        doc_path(Collection.CONVERSATIONS, seats.active_job): f.make_conversation(
            id=seats.active_job, request_id=seats.active_job, client_id=c, dispatcher_id=d, last_sender_id=c,
            unread={c: 0, d: 1}),
        doc_path(Collection.JOB_OFFERS, f"{key}-offer"): f.make_job_offer(
            id=f"{key}-offer", request_id=seats.active_job, dispatcher_id=d, offer_status="accepted"),
        doc_path(Collection.JOB_CONTACTS, seats.active_job): f.make_job_contact(
            id=seats.active_job, request_id=seats.active_job, client_id=c, dispatcher_id=d),
        doc_path(Collection.REWARD_REDEMPTIONS, f"{key}-redemption"): f.make_reward_redemption(
            id=f"{key}-redemption", client_id=c, reward_id=REWARD),
        doc_path(Collection.QUOTES, f"{key}-quote"): f.make_quote(id=f"{key}-quote", client_id=c),
        doc_path(Collection.POINTS_LEDGER, f"earn:{seats.done_job}"): f.make_points_ledger_entry(
            id=f"{PointsReason.EARN}:{seats.done_job}", client_id=c, request_id=seats.done_job),
        doc_path(Collection.DISPUTES, seats.dispute): f.make_dispute(
            id=seats.dispute, request_id=seats.done_job, job_completion_id=seats.done_job, client_id=c,
            dispatcher_id=d, raised_by_user_id=c),
        private_doc_path(Collection.DISPUTES, seats.dispute): f.make_dispute_private(),
        doc_path(Collection.DISPUTE_COMMENTS, f"{key}-comment"): f.make_dispute_comment(
            id=f"{key}-comment", dispute_id=seats.dispute, user_id=c),
        doc_path(Collection.DISPUTE_COMMENTS, f"{key}-internal"): f.make_dispute_comment(
            id=f"{key}-internal", dispute_id=seats.dispute, user_id=ADMIN_UID, user_type=CommentUserType.ADMIN,
            is_internal=True),
        doc_path(Collection.FRAUD_ALERTS, f"{key}-alert"): f.make_fraud_alert(id=f"{key}-alert", user_id=d),
        doc_path(Collection.AUDIT_LOG, f"{key}-audit"): f.make_audit_entry(id=f"{key}-audit", target_id=c),
        doc_path(Collection.RATE_LIMIT_SLOTS, f"{key}-slot"): f.make_rate_limit_slot(id=f"{key}-slot", who=c),
        doc_path(Collection.MONITOR_WATERMARKS, f"{key}-fraud"): f.make_monitor_watermark(id=f"{key}-fraud"),
        doc_path(Collection.INSURANCE_CLAIMS, seats.done_job): f.make_insurance_claim(
            id=seats.done_job, request_id=seats.done_job, client_id=c, dispatcher_id=d),
        doc_path(Collection.DAILY_STATS, f"{key}-stats"): f.make_daily_stats(id=f"{key}-stats"),
        doc_path(Collection.LEADS, f"{key}-lead"): f.make_lead(id=f"{key}-lead", booked_client_id=c),
        doc_path(Collection.MESSENGER_EVENTS, f"{key}-message"): f.make_messenger_event(
            id=f"{key}-message", sender_id=f"{key}-lead"),
        doc_path(Collection.QUARANTINED_UPLOADS, f"{key}-quarantine"): f.make_quarantined_upload(
            id=f"{key}-quarantine", owner_id=c),
        doc_path(Collection.STRIPE_EVENTS, f"{key}-event"): f.make_stripe_event(id=f"{key}-event"),
        doc_path(Collection.BACKGROUND_CHECK_EVENTS, f"{key}-check-event"): f.make_background_check_event(
            id=f"{key}-check-event", dispatcher_id=d),
        doc_path(Collection.OUTBOX, f"capture:{seats.done_job}"): f.make_outbox_entry(
            id=f"capture:{seats.done_job}", key=seats.done_job, payload={"request_id": seats.done_job}),
        doc_path(Collection.JOB_PAYMENTS, seats.done_job): f.make_job_payment(
            id=seats.done_job, client_id=c, dispatcher_id=d, **one_job),
        doc_path(Collection.PAYMENT_LEDGER, f"{seats.done_job}:{LedgerKind.CAPTURE}"): f.make_payment_ledger_entry(
            id=f"{seats.done_job}:{LedgerKind.CAPTURE}", dispatcher_id=d, **one_job),
        doc_path(Collection.INVOICES, seats.done_job): f.make_invoice(
            id=seats.done_job, client_id=c, dispatcher_id=d, **one_job),
        doc_path(Collection.INVOICE_SEQUENCES, d): f.make_invoice_sequence(id=d),
        doc_path(Collection.VEHICLES, f"{key}-car"): f.make_vehicle(id=f"{key}-car", client_id=c),
        doc_path(Collection.VEHICLE_SERVICES, seats.done_job): f.make_vehicle_service(
            id=seats.done_job, vehicle_id=f"{key}-car", client_id=c, dispatcher_id=d, **one_job),
        doc_path(Collection.VAN_STOCK, f"{d}~PAD"): f.make_van_stock_item(id=f"{d}~PAD", dispatcher_id=d, sku="PAD"),
        doc_path(Collection.VAN_STOCK_MOVEMENTS, f"{d}~PAD~receipt~r1"): f.make_van_stock_movement(
            id=f"{d}~PAD~receipt~r1", dispatcher_id=d, sku="PAD"),
        doc_path(Collection.TECHNICIAN_CALENDARS, d): f.make_technician_calendar(id=d),
        doc_path(Collection.RECURRING_BOOKINGS, f"{key}-weekly"): f.make_recurring_booking(
            id=f"{key}-weekly", client_id=c),
    })
    for side in Side:
        uid = seats.uid(side)
        docs[doc_path(Collection.SUPPORT_TICKETS, seats.ticket(side))] = f.make_support_ticket(
            id=seats.ticket(side), user_id=uid)
        docs[private_doc_path(Collection.SUPPORT_TICKETS, seats.ticket(side))] = f.make_support_ticket_private()
        docs[doc_path(Collection.SUPPORT_MESSAGES, f"{seats.ticket(side)}-message")] = f.make_support_message(
            id=f"{seats.ticket(side)}-message", ticket_id=seats.ticket(side), sender_id=uid)
        docs[doc_path(Collection.CHAT_PRESENCE, f"{seats.active_job}:{uid}")] = f.make_chat_presence(
            id=f"{seats.active_job}:{uid}", request_id=seats.active_job, user_id=uid)
        docs[doc_path(Collection.PHONE_VERIFICATIONS, uid)] = f.make_phone_verification(id=uid)
        docs[doc_path(Collection.REFERRAL_CODES, f"{key}-REF-{side.value}")] = f.make_referral_code(
            id=f"{key}-REF-{side.value}", client_id=uid)
        docs[doc_path(Collection.WITHHELD_COMMENTS, f"{key}-withheld-{side.value}")] = f.make_withheld_comment(
            id=f"{key}-withheld-{side.value}", request_id=seats.done_job, reviewer_id=uid, reviewee_id=uid)
        docs[doc_path(Collection.NOTIFICATIONS, f"{key}-note-{side.value}")] = f.make_notification(
            id=f"{key}-note-{side.value}", user_id=uid, type=NotificationType.NEW_MESSAGE,
            request_id=seats.active_job, data={"request_id": seats.active_job})
    return docs


def _merchant_world() -> dict[str, BaseModel]:
    """Merchant A's world: the shape of the others, its jobs merchant orders for a customer, plus the merchant's
    record, a SKU, its statement and the completed order's line; and merchant B, another merchant."""
    seats, merchant = MERCHANT_WORLD, MERCHANT_WORLD.client
    docs = _world(seats)
    order = {"job_type": JobType.MERCHANT, "merchant_id": merchant, "merchant_sku": "PDR-1",
             "client_name": "Carol Customer", "customer_phone": "+61412345678", "car_location_images": []}
    for job in (seats.active_job, seats.done_job):
        path = doc_path(Collection.SERVICE_REQUESTS, job)
        docs[path] = ServiceRequest.model_validate({**docs[path].model_dump(), **order})
    for uid in (merchant, MERCHANT_B):
        docs[doc_path(Collection.USERS, uid)] = _user(uid, UserType.MERCHANT, f"Merchant {uid}")
        docs[doc_path(Collection.MERCHANTS, uid)] = f.make_merchant(id=uid)
    docs[private_doc_path(Collection.USERS, MERCHANT_B)] = f.make_user_private()
    docs[doc_path(Collection.MERCHANT_SKUS, MERCHANT_SKU)] = f.make_merchant_sku(
        id=MERCHANT_SKU, merchant_id=merchant, sku_code="PDR-1")
    docs[doc_path(Collection.MERCHANT_STATEMENTS, MERCHANT_STATEMENT)] = f.make_merchant_statement(
        id=MERCHANT_STATEMENT, merchant_id=merchant)
    docs[doc_path(Collection.MERCHANT_STATEMENT_LINES, seats.done_job)] = f.make_merchant_statement_line(
        id=seats.done_job, request_id=seats.done_job, merchant_id=merchant, statement_id=MERCHANT_STATEMENT)
    return docs


def world_documents() -> dict[str, dict[str, Any]]:
    """Every document of the seeded world, as stored (path -> fields)."""
    docs: dict[str, BaseModel] = {}
    for seats in WORLDS:
        docs.update(_world(seats))
    docs.update(_merchant_world())
    docs.update(_people(CLIENT_B, UserType.CLIENT, "Client B"))
    docs.update(_people(DISPATCHER_OTHER, UserType.DISPATCHER, "Tech other"))
    docs[doc_path(Collection.USERS, ADMIN_UID)] = _user(ADMIN_UID, UserType.CLIENT, "Admin")
    docs[doc_path(Collection.REWARDS, REWARD)] = f.make_reward(id=REWARD, is_active=True)
    docs[doc_path(Collection.PRICING_RULES, PRICING_RULE)] = f.make_pricing_rule(id=PRICING_RULE)
    docs[doc_path(Collection.SERVICES, SERVICE)] = f.make_service(id=SERVICE, is_active=True)
    docs[doc_path(Collection.SERVICES, f"{SERVICE}-retired")] = f.make_service(id=f"{SERVICE}-retired",
                                                                              is_active=False)
    docs[doc_path(Collection.DENT_REPAIR_MATRICES, "pdr")] = f.make_dent_repair_matrix()
    return {path: to_document(model) for path, model in docs.items()}


# ------------------------------------------------------------------------------------------- probes

@dataclass(frozen=True)
class Query:
    collection: str
    where: tuple[tuple[str, str, Any], ...] = ()
    parent: str = ""


def _job_side_filter(actor: Actor) -> tuple[tuple[str, str, Any], ...]:
    field = "client_id" if actor.side is Side.CLIENT else "dispatcher_id"
    return ((field, "==", actor.target_uid),)


@dataclass(frozen=True)
class ProbeSpec:
    """How one collection is probed: the document an actor aims at and the query that would return it."""

    path: Callable[[Actor], str]
    query: Callable[[Actor], Query]


def _keyed(collection: Collection, key_field: str, who: Callable[[Actor], str]) -> ProbeSpec:
    return ProbeSpec(lambda a: doc_path(collection, who(a)),
                     lambda a: Query(collection.value, ((key_field, "==", who(a)),)))


def _private(collection: Collection, who: Callable[[Actor], str]) -> ProbeSpec:
    return ProbeSpec(lambda a: private_doc_path(collection, who(a)),
                     lambda a: Query("private", parent=doc_path(collection, who(a))))


def _side(a: Actor) -> str:
    return a.target_uid


def _client(a: Actor) -> str:
    return a.world.client


def _dispatcher(a: Actor) -> str:
    return a.world.dispatcher


PROBES: dict[str, ProbeSpec] = {
    "Users": _keyed(Collection.USERS, "uid", _side),
    "Users/{uid}/private/data": _private(Collection.USERS, _side),
    "ClientProfiles": _keyed(Collection.CLIENT_PROFILES, "user_id", _client),
    "ClientProfiles/{uid}/private/data": _private(Collection.CLIENT_PROFILES, _client),
    "DispatcherProfiles": ProbeSpec(
        lambda a: doc_path(Collection.DISPATCHER_PROFILES, a.world.dispatcher),
        lambda a: Query(Collection.DISPATCHER_PROFILES.value, (
            ("user_id", "==", a.world.dispatcher), ("verification_status", "==", a.world.verification.value)))),
    "DispatcherProfiles/{uid}/private/data": _private(Collection.DISPATCHER_PROFILES, _dispatcher),
    "ServiceRequests": ProbeSpec(lambda a: doc_path(Collection.SERVICE_REQUESTS, a.world.active_job),
                                 lambda a: Query(Collection.SERVICE_REQUESTS.value, _job_side_filter(a))),
    "JobCompletions": ProbeSpec(lambda a: doc_path(Collection.JOB_COMPLETIONS, a.world.done_job),
                                lambda a: Query(Collection.JOB_COMPLETIONS.value, _job_side_filter(a))),
    "Reviews": ProbeSpec(lambda a: doc_path(Collection.REVIEWS, a.world.done_job), lambda a: Query(
        Collection.REVIEWS.value,
        (("reviewer_id" if a.side is Side.CLIENT else "reviewee_id", "==", a.target_uid),))),
    "ClientReviews": ProbeSpec(lambda a: doc_path(Collection.CLIENT_REVIEWS, a.world.done_job), lambda a: Query(
        Collection.CLIENT_REVIEWS.value,
        (("reviewee_id" if a.side is Side.CLIENT else "reviewer_id", "==", a.target_uid),))),
    "PublicReviews": ProbeSpec(lambda a: doc_path(Collection.PUBLIC_REVIEWS, a.world.done_job), lambda a: Query(
        Collection.PUBLIC_REVIEWS.value, (("dispatcher_id", "==", a.world.dispatcher),))),
    "Messages": ProbeSpec(lambda a: doc_path(Collection.MESSAGES, f"{a.world.key}-message"),
                          lambda a: Query(Collection.MESSAGES.value, (("request_id", "==", a.world.active_job),))),
    "Conversations": ProbeSpec(lambda a: doc_path(Collection.CONVERSATIONS, a.world.active_job),
                               lambda a: Query(Collection.CONVERSATIONS.value, _job_side_filter(a))),
    "ChatPresence": ProbeSpec(lambda a: doc_path(Collection.CHAT_PRESENCE, f"{a.world.active_job}:{a.target_uid}"),
                              lambda a: Query(Collection.CHAT_PRESENCE.value,
                                              (("request_id", "==", a.world.active_job),))),
    "JobOffers": ProbeSpec(lambda a: doc_path(Collection.JOB_OFFERS, f"{a.world.key}-offer"), lambda a: Query(
        Collection.JOB_OFFERS.value, (("dispatcher_id", "==", a.target_uid),) if a.side is Side.DISPATCHER
        else (("request_id", "==", a.world.active_job),))),
    "JobContacts": ProbeSpec(lambda a: doc_path(Collection.JOB_CONTACTS, a.world.active_job),
                             lambda a: Query(Collection.JOB_CONTACTS.value, _job_side_filter(a))),
    "Rewards": ProbeSpec(lambda a: doc_path(Collection.REWARDS, REWARD),
                         lambda a: Query(Collection.REWARDS.value, (("is_active", "==", True),))),
    "RewardRedemptions": ProbeSpec(lambda a: doc_path(Collection.REWARD_REDEMPTIONS, f"{a.world.key}-redemption"),
                                   lambda a: Query(Collection.REWARD_REDEMPTIONS.value,
                                                   (("client_id", "==", a.world.client),))),
    "Quotes": ProbeSpec(lambda a: doc_path(Collection.QUOTES, f"{a.world.key}-quote"),
                        lambda a: Query(Collection.QUOTES.value, (("client_id", "==", a.world.client),))),
    "DentRepairMatrices": ProbeSpec(lambda a: doc_path(Collection.DENT_REPAIR_MATRICES, "pdr"),
                                    lambda a: Query(Collection.DENT_REPAIR_MATRICES.value, (("id", "==", "pdr"),))),
    "PointsLedger": ProbeSpec(lambda a: doc_path(Collection.POINTS_LEDGER, f"earn:{a.world.done_job}"),
                              lambda a: Query(Collection.POINTS_LEDGER.value, (("client_id", "==", a.world.client),))),
    "Disputes": ProbeSpec(lambda a: doc_path(Collection.DISPUTES, a.world.dispute),
                          lambda a: Query(Collection.DISPUTES.value, _job_side_filter(a))),
    "Disputes/{id}/private/data": ProbeSpec(lambda a: private_doc_path(Collection.DISPUTES, a.world.dispute),
                                            lambda a: Query("private",
                                                            parent=doc_path(Collection.DISPUTES, a.world.dispute))),
    "DisputeComments": ProbeSpec(lambda a: doc_path(Collection.DISPUTE_COMMENTS, f"{a.world.key}-comment"),
                                 lambda a: Query(Collection.DISPUTE_COMMENTS.value, (
                                     ("dispute_id", "==", a.world.dispute), ("is_internal", "==", False)))),
    "FraudAlerts": ProbeSpec(lambda a: doc_path(Collection.FRAUD_ALERTS, f"{a.world.key}-alert"),
                             lambda a: Query(Collection.FRAUD_ALERTS.value, (("user_id", "==", a.world.dispatcher),))),
    "PricingRules": ProbeSpec(lambda a: doc_path(Collection.PRICING_RULES, PRICING_RULE),
                              lambda a: Query(Collection.PRICING_RULES.value, (("is_active", "==", True),))),
    "Services": ProbeSpec(lambda a: doc_path(Collection.SERVICES, SERVICE),
                          lambda a: Query(Collection.SERVICES.value, (("is_active", "==", True),))),
    "SupportTickets": ProbeSpec(lambda a: doc_path(Collection.SUPPORT_TICKETS, a.world.ticket(a.side)),
                                lambda a: Query(Collection.SUPPORT_TICKETS.value, (("user_id", "==", a.target_uid),))),
    "SupportTickets/{id}/private/data": ProbeSpec(
        lambda a: private_doc_path(Collection.SUPPORT_TICKETS, a.world.ticket(a.side)),
        lambda a: Query("private", parent=doc_path(Collection.SUPPORT_TICKETS, a.world.ticket(a.side)))),
    "SupportMessages": ProbeSpec(
        lambda a: doc_path(Collection.SUPPORT_MESSAGES, f"{a.world.ticket(a.side)}-message"),
        lambda a: Query(Collection.SUPPORT_MESSAGES.value, (("ticket_id", "==", a.world.ticket(a.side)),))),
    "NotificationPreferences": _keyed(Collection.NOTIFICATION_PREFERENCES, "user_id", _side),
    "Notifications": ProbeSpec(lambda a: doc_path(Collection.NOTIFICATIONS, f"{a.world.key}-note-{a.side.value}"),
                               lambda a: Query(Collection.NOTIFICATIONS.value, (("user_id", "==", a.target_uid),))),
    "DispatcherLocations": _keyed(Collection.DISPATCHER_LOCATIONS, "dispatcher_id", _dispatcher),
    "QuarantinedUploads": ProbeSpec(lambda a: doc_path(Collection.QUARANTINED_UPLOADS, f"{a.world.key}-quarantine"),
                                    lambda a: Query(Collection.QUARANTINED_UPLOADS.value,
                                                    (("owner_id", "==", a.world.client),))),
    "StripeEvents": ProbeSpec(lambda a: doc_path(Collection.STRIPE_EVENTS, f"{a.world.key}-event"),
                              lambda a: Query(Collection.STRIPE_EVENTS.value, (("id", "==", f"{a.world.key}-event"),))),
    "JobPayments": ProbeSpec(lambda a: doc_path(Collection.JOB_PAYMENTS, a.world.done_job),
                             lambda a: Query(Collection.JOB_PAYMENTS.value, _job_side_filter(a))),
    "PaymentLedger": ProbeSpec(
        lambda a: doc_path(Collection.PAYMENT_LEDGER, f"{a.world.done_job}:{LedgerKind.CAPTURE}"),
        lambda a: Query(Collection.PAYMENT_LEDGER.value, (("request_id", "==", a.world.done_job),))),
    "DispatcherEarnings": _keyed(Collection.DISPATCHER_EARNINGS, "user_id", _dispatcher),
    "Invoices": ProbeSpec(lambda a: doc_path(Collection.INVOICES, a.world.done_job),
                          lambda a: Query(Collection.INVOICES.value, _job_side_filter(a))),
    "InvoiceSequences": ProbeSpec(lambda a: doc_path(Collection.INVOICE_SEQUENCES, a.world.dispatcher),
                                  lambda a: Query(Collection.INVOICE_SEQUENCES.value, (("last", "==", 1),))),
    "Vehicles": ProbeSpec(lambda a: doc_path(Collection.VEHICLES, f"{a.world.key}-car"),
                          lambda a: Query(Collection.VEHICLES.value, (("client_id", "==", a.world.client),))),
    "VehicleServices": ProbeSpec(lambda a: doc_path(Collection.VEHICLE_SERVICES, a.world.done_job),
                                 lambda a: Query(Collection.VEHICLE_SERVICES.value,
                                                 (("client_id", "==", a.world.client),))),
    "VanStock": ProbeSpec(lambda a: doc_path(Collection.VAN_STOCK, f"{a.world.dispatcher}~PAD"),
                          lambda a: Query(Collection.VAN_STOCK.value, (("dispatcher_id", "==", a.world.dispatcher),))),
    "VanStockMovements": ProbeSpec(
        lambda a: doc_path(Collection.VAN_STOCK_MOVEMENTS, f"{a.world.dispatcher}~PAD~receipt~r1"),
        lambda a: Query(Collection.VAN_STOCK_MOVEMENTS.value, (("dispatcher_id", "==", a.world.dispatcher),))),
    "TechnicianCalendars": _keyed(Collection.TECHNICIAN_CALENDARS, "dispatcher_id", _dispatcher),
    "RecurringBookings": ProbeSpec(lambda a: doc_path(Collection.RECURRING_BOOKINGS, f"{a.world.key}-weekly"),
                                   lambda a: Query(Collection.RECURRING_BOOKINGS.value,
                                                   (("client_id", "==", a.world.client),))),
    "Outbox": ProbeSpec(lambda a: doc_path(Collection.OUTBOX, f"capture:{a.world.done_job}"),
                        lambda a: Query(Collection.OUTBOX.value, (("key", "==", a.world.done_job),))),
    "BackgroundCheckEvents": ProbeSpec(
        lambda a: doc_path(Collection.BACKGROUND_CHECK_EVENTS, f"{a.world.key}-check-event"),
        lambda a: Query(Collection.BACKGROUND_CHECK_EVENTS.value, (("dispatcher_id", "==", a.world.dispatcher),))),
    "PhoneVerifications": _keyed(Collection.PHONE_VERIFICATIONS, "user_id", _side),
    "ReferralCodes": ProbeSpec(lambda a: doc_path(Collection.REFERRAL_CODES, f"{a.world.key}-REF-{a.side.value}"),
                               lambda a: Query(Collection.REFERRAL_CODES.value, (("client_id", "==", a.target_uid),))),
    "WithheldComments": ProbeSpec(
        lambda a: doc_path(Collection.WITHHELD_COMMENTS, f"{a.world.key}-withheld-{a.side.value}"),
        lambda a: Query(Collection.WITHHELD_COMMENTS.value, (("reviewer_id", "==", a.target_uid),))),
    "RateLimitSlots": ProbeSpec(lambda a: doc_path(Collection.RATE_LIMIT_SLOTS, f"{a.world.key}-slot"),
                                lambda a: Query(Collection.RATE_LIMIT_SLOTS.value, (("who", "==", a.world.client),))),
    "MonitorWatermarks": ProbeSpec(lambda a: doc_path(Collection.MONITOR_WATERMARKS, f"{a.world.key}-fraud"),
                                   lambda a: Query(Collection.MONITOR_WATERMARKS.value, (("runs", "==", 1),))),
    "InsuranceClaims": ProbeSpec(lambda a: doc_path(Collection.INSURANCE_CLAIMS, a.world.done_job),
                                 lambda a: Query(Collection.INSURANCE_CLAIMS.value, _job_side_filter(a))),
    "DailyStats": ProbeSpec(lambda a: doc_path(Collection.DAILY_STATS, f"{a.world.key}-stats"),
                            lambda a: Query(Collection.DAILY_STATS.value, (("month", "==", "2026-01"),))),
    "Leads": ProbeSpec(lambda a: doc_path(Collection.LEADS, f"{a.world.key}-lead"),
                       lambda a: Query(Collection.LEADS.value, (("booked_client_id", "==", a.world.client),))),
    "MessengerEvents": ProbeSpec(
        lambda a: doc_path(Collection.MESSENGER_EVENTS, f"{a.world.key}-message"),
        lambda a: Query(Collection.MESSENGER_EVENTS.value, (("sender_id", "==", f"{a.world.key}-lead"),))),
    "Merchants": ProbeSpec(lambda a: doc_path(Collection.MERCHANTS, MERCHANT_WORLD.client),
                           lambda a: Query(Collection.MERCHANTS.value, (("id", "==", MERCHANT_WORLD.client),))),
    "MerchantSkus": ProbeSpec(lambda a: doc_path(Collection.MERCHANT_SKUS, MERCHANT_SKU), lambda a: Query(
        Collection.MERCHANT_SKUS.value, (("merchant_id", "==", MERCHANT_WORLD.client),))),
    "MerchantStatements": ProbeSpec(
        lambda a: doc_path(Collection.MERCHANT_STATEMENTS, MERCHANT_STATEMENT),
        lambda a: Query(Collection.MERCHANT_STATEMENTS.value, (("merchant_id", "==", MERCHANT_WORLD.client),))),
    "MerchantStatementLines": ProbeSpec(
        lambda a: doc_path(Collection.MERCHANT_STATEMENT_LINES, MERCHANT_WORLD.done_job),
        lambda a: Query(Collection.MERCHANT_STATEMENT_LINES.value, (("merchant_id", "==", MERCHANT_WORLD.client),))),
    "AuditLog": ProbeSpec(lambda a: doc_path(Collection.AUDIT_LOG, f"{a.world.key}-audit"),
                          lambda a: Query(Collection.AUDIT_LOG.value, (("target_id", "==", a.world.client),))),
}


# ------------------------------------------------------------------------------------------- write bodies

def signup_body(uid: str) -> dict[str, Any]:
    """What the app writes at sign-up (FlutterFlow's auth fields included)."""
    return {"email": f"{uid}@example.com", "full_name": "New Person", "profile_image_url": None,
            "display_name": "New Person", "photo_url": None, "uid": uid, "created_time": SERVER_TIMESTAMP}


def message_body(actor: Actor, message_id: str) -> dict[str, Any]:
    """A chat message as the app writes it: sender fields are the caller's, in the caller's seat."""
    seats = actor.world
    side = actor.side.value
    return {"id": message_id, "request_id": seats.active_job, "sender_id": actor.uid or "nobody",
            "sender_name": f"Client {seats.key}" if actor.side is Side.CLIENT else f"Tech {seats.key}",
            "sender_type": side, "message": "I'm on my way.", "message_type": "text",
            "created_date": SERVER_TIMESTAMP}


def presence_body(actor: Actor) -> dict[str, Any]:
    """The app marking its user seen on the job's screen."""
    return {"request_id": actor.world.active_job, "user_id": actor.uid or "nobody", "last_seen_at": SERVER_TIMESTAMP}


VALID_UPDATES: dict[str, dict[str, Any]] = {
    "Users": {"full_name": "Renamed Person", "updated_date": SERVER_TIMESTAMP},
    "ClientProfiles": {"car_model": "Toyota Yaris", "updated_date": SERVER_TIMESTAMP},
    "DispatcherProfiles": {"bio": "Tyres and brakes, 12 years.", "updated_date": SERVER_TIMESTAMP},
    "NotificationPreferences": {"new_message": False, "quiet_hours_start": "23:00"},
    "ChatPresence": {"last_seen_at": SERVER_TIMESTAMP},
}
"""The change an owner legitimately makes, per client-updatable collection."""

SERVER_UPDATES: dict[str, dict[str, Any]] = {
    "Users/{uid}/private/data": {"account_status": "active"},
    "ClientProfiles/{uid}/private/data": {"payment_method": "pm_stolen"},
    "DispatcherProfiles/{uid}/private/data": {"bank_details": "enc:v1:attacker"},
    "ServiceRequests": {"final_price": 0.0},
    "JobCompletions": {"payment_status": "completed"},
    "Reviews": {"rating": 1},
    "ClientReviews": {"rating": 1},
    "PublicReviews": {"rating": 5},
    "Messages": {"read": True},
    "Notifications": {"read": True, "counted_unread": 0},
    "JobOffers": {"offer_status": "accepted"},
    "JobContacts": {"client_phone": "+353870000000"},
    "Rewards": {"points_required": 0},
    "RewardRedemptions": {"status": "active"},
    "Quotes": {"total": 1.0},
    "DentRepairMatrices": {"minimum_charge": 1.0},
    "PointsLedger": {"points": 100000},
    "Disputes": {"status": "resolved_client_favor"},
    "Disputes/{id}/private/data": {"admin_notes": "nothing to see"},
    "SupportTickets/{id}/private/data": {"internal_notes": []},
    "DisputeComments": {"is_internal": False},
    "FraudAlerts": {"status": "false_positive"},
    "PricingRules": {"multiplier": 0.1},
    "Services": {"base_price": 0.0},
    "SupportTickets": {"priority": "urgent"},
    "SupportMessages": {"ai_confidence": 1.0},
    "DispatcherLocations": {"is_online": True},
    "QuarantinedUploads": {"problems": ["none"]},
    "StripeEvents": {"outcome": "older_than_stored"},
    "JobPayments": {"payout_status": "paid"},
    "PaymentLedger": {"amount_minor": 0},
    "DispatcherEarnings": {"completed_payments": 100000.0},
    "Invoices": {"total_minor": 1},
    "InvoiceSequences": {"last": 0},
    "Vehicles": {"next_service_due": None},
    "VehicleServices": {"odometer_km": 1},
    "VanStock": {"quantity": 1000},
    "TechnicianCalendars": {"reservations": []},
    "RecurringBookings": {"skipped_dates": ["2026-12-01"]},
    "VanStockMovements": {"quantity": 1000},
    "Outbox": {"status": "done"},
    "BackgroundCheckEvents": {"outcome": "superseded"},
    "Conversations": {"unread": {}},
    "PhoneVerifications": {"started_at": []},
    "ReferralCodes": {"client_id": "someone-else"},
    "WithheldComments": {"comment": "Lovely."},
    "AuditLog": {"reason": "nothing happened"},
    "RateLimitSlots": {"bucket": "reset"},
    "MonitorWatermarks": {"runs": 0},
    "InsuranceClaims": {"status": "paid"},
    "DailyStats": {"shard": 3},
    "Leads": {"status": "booked"},
    "MessengerEvents": {"outcome": "duplicate"},
    "Merchants": {"is_active": True},
    "MerchantSkus": {"price": 0.01},
    "MerchantStatements": {"total_minor": 0},
    "MerchantStatementLines": {"amount_minor": 0},
}
"""A change only the server may make, per collection without a client update."""


def create_body(collection: str, actor: Actor, path: str, stored: dict[str, Any]) -> dict[str, Any]:
    if collection == "Users":
        return signup_body(actor.uid or "anonymous")
    if collection == "Messages":
        return message_body(actor, path.rsplit("/", 1)[1])
    if collection == "ChatPresence":
        return presence_body(actor)
    return stored


def update_body(collection: str) -> dict[str, Any]:
    return VALID_UPDATES.get(collection) or SERVER_UPDATES[collection]


# ------------------------------------------------------------------------------------------- the world

@dataclass
class World:
    base_url: str
    project_id: str
    db: firestore.Client
    documents: dict[str, dict[str, Any]] = dataclasses.field(default_factory=world_documents)
    cells_run: int = 0

    def seed(self) -> None:
        paths = list(self.documents)
        for start in range(0, len(paths), 400):
            batch = self.db.batch()
            for path in paths[start:start + 400]:
                batch.set(self.db.document(path), self.documents[path])
            batch.commit()

    def restore(self, path: str) -> None:
        """Put one document back as seeded (or remove it if the world has none there)."""
        ref = self.db.document(path)
        if path in self.documents:
            ref.set(self.documents[path])
        else:
            ref.delete()

    def rest(self, role: Role) -> FirestoreRest:
        actor = ACTORS[role]
        return self.as_uid(actor.uid, **actor.claims)

    def as_uid(self, uid: str | None, **claims: Any) -> FirestoreRest:
        """A client signed in as `uid`, its token carrying `claims` and, like Firebase Auth's, the e-mail
        `{uid}@example.com` (unless `claims` name another)."""
        token_claims = ({"email": f"{uid}@example.com"} if uid else {}) | claims
        return FirestoreRest(self.base_url, uid=uid, claims=token_claims, project_id=self.project_id)

    def probe_path(self, collection: str, role: Role) -> str:
        return PROBES[collection].path(ACTORS[role])

    def attempt(self, collection: str, role: Role, op: Op) -> RestResult:
        """Run one matrix cell; any write it makes is undone before returning."""
        actor, probe = ACTORS[role], PROBES[collection]
        client = self.rest(role)
        path = probe.path(actor)
        if op is Op.GET:
            return client.get(path)
        if op is Op.LIST:
            query = probe.query(actor)
            return client.query(query.collection, list(query.where), parent=query.parent)
        if op is Op.CREATE:
            return self.write(client, op, path, create_body(collection, actor, path, self.documents[path]),
                              fresh=True)
        if op is Op.UPDATE:
            return self.write(client, op, path, update_body(collection))
        return self.write(client, op, path, {})

    def write(self, client: FirestoreRest, op: Op, path: str, body: dict[str, Any],
              fresh: bool = False) -> RestResult:
        """A create, update or delete by `client`, undone afterwards. `fresh` deletes the document first,
        for a create at a path the world already holds. A refused write changed nothing, so only a fresh
        or an accepted one needs restoring."""
        changed = fresh
        try:
            if fresh:
                self.db.document(path).delete()
            if op is Op.CREATE:
                result = client.create(path, body)
            elif op is Op.UPDATE:
                result = client.update(path, body)
            else:
                result = client.delete(path)
            changed = changed or result.status != 403
            return result
        except BaseException:
            changed = True
            raise
        finally:
            if changed:
                self.restore(path)
