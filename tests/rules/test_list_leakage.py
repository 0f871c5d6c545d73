"""List leakage: an unfiltered or foreign-filtered query is refused for every non-admin role.

Firestore rules are not filters: a query is allowed only if the rules can prove from its constraints that
every document it could return is readable. So for every collection and every non-admin role, the query
without a filter and the queries that filter on somebody else (another client, technician, job, dispute,
ticket — or the raw "pending jobs" feed) must all be refused, while an admin's unfiltered query works.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.rules.access_table import ACCESS, NON_ADMIN_ROLES, Role
from tests.rules.world import ACTORS, MAIN, MERCHANT_WORLD, PROBES, WORLDS, Actor, Query, Seats, World


def victim_client(actor: Actor) -> str:
    return MAIN.client if actor.uid != MAIN.client else WORLDS[1].client


def merchant_a(actor: Actor) -> str:
    """Merchant A, whose orders nobody else may list (the `client_id` of its orders is its own, D116)."""
    return MERCHANT_WORLD.client


def victim_dispatcher(actor: Actor) -> str:
    return MAIN.dispatcher if actor.uid != MAIN.dispatcher else WORLDS[1].dispatcher


def victim_world(actor: Actor) -> Seats:
    """A world the actor holds no seat in."""
    return MAIN if actor.uid not in (MAIN.client, MAIN.dispatcher) else WORLDS[1]


def on(collection: str, *where: tuple[str, str, Callable[[Actor], Any]]) -> Callable[[Actor], Query]:
    return lambda actor: Query(collection, tuple((field, op, value(actor)) for field, op, value in where))


def const(value: Any) -> Callable[[Actor], Any]:
    return lambda actor: value


def private_of(collection: str, parent: Callable[[Actor], str]) -> Callable[[Actor], Query]:
    return lambda actor: Query("private", parent=f"{collection}/{parent(actor)}")


FOREIGN: dict[str, list[Callable[[Actor], Query]]] = {
    "Users": [on("Users", ("uid", "==", victim_client)), on("Users", ("user_type", "==", const("client")))],
    "Users/{uid}/private/data": [private_of("Users", victim_client),
                                 private_of("Users", lambda a: a.uid or MAIN.client)],
    "ClientProfiles": [on("ClientProfiles", ("user_id", "==", victim_client))],
    "ClientProfiles/{uid}/private/data": [private_of("ClientProfiles", victim_client)],
    "DispatcherProfiles": [on("DispatcherProfiles", ("user_id", "==", victim_dispatcher)),
                           on("DispatcherProfiles", ("verification_status", "==", const("pending")))],
    "DispatcherProfiles/{uid}/private/data": [private_of("DispatcherProfiles", victim_dispatcher)],
    "ServiceRequests": [on("ServiceRequests", ("client_id", "==", victim_client)),
                        on("ServiceRequests", ("dispatcher_id", "==", victim_dispatcher)),
                        on("ServiceRequests", ("status", "==", const("pending"))),
                        on("ServiceRequests", ("client_id", "==", merchant_a)),
                        on("ServiceRequests", ("merchant_id", "==", merchant_a))],
    "JobCompletions": [on("JobCompletions", ("client_id", "==", victim_client)),
                       on("JobCompletions", ("dispatcher_id", "==", victim_dispatcher)),
                       on("JobCompletions", ("client_id", "==", merchant_a))],
    "Reviews": [on("Reviews", ("reviewer_id", "==", victim_client)),
                on("Reviews", ("reviewee_id", "==", victim_dispatcher))],
    "PublicReviews": [on("PublicReviews", ("rating", "==", const(5)))],
    "ClientReviews": [on("ClientReviews", ("reviewer_id", "==", victim_dispatcher)),
                      on("ClientReviews", ("reviewee_id", "==", victim_client))],
    "Messages": [on("Messages", ("request_id", "==", lambda a: victim_world(a).active_job)),
                 on("Messages", ("sender_id", "==", victim_client))],
    "JobOffers": [on("JobOffers", ("dispatcher_id", "==", victim_dispatcher)),
                  on("JobOffers", ("request_id", "==", lambda a: victim_world(a).active_job))],
    "JobContacts": [on("JobContacts", ("client_id", "==", victim_client)),
                    on("JobContacts", ("request_id", "==", lambda a: victim_world(a).active_job))],
    "Rewards": [on("Rewards", ("is_active", "==", const(False)))],
    "RewardRedemptions": [on("RewardRedemptions", ("client_id", "==", victim_client))],
    "Quotes": [on("Quotes", ("client_id", "==", victim_client))],
    "DentRepairMatrices": [on("DentRepairMatrices", ("currency", "==", const("EUR")))],
    "PointsLedger": [on("PointsLedger", ("client_id", "==", victim_client))],
    "Disputes": [on("Disputes", ("client_id", "==", victim_client)),
                 on("Disputes", ("dispatcher_id", "==", victim_dispatcher))],
    "Disputes/{id}/private/data": [private_of("Disputes", lambda a: victim_world(a).dispute)],
    "DisputeComments": [on("DisputeComments", ("dispute_id", "==", lambda a: victim_world(a).dispute),
                           ("is_internal", "==", const(False))),
                        on("DisputeComments", ("dispute_id", "==", lambda a: a.world.dispute))],
    "FraudAlerts": [on("FraudAlerts", ("user_id", "==", victim_dispatcher)),
                    on("FraudAlerts", ("user_id", "==", lambda a: a.uid or MAIN.dispatcher))],
    "PricingRules": [on("PricingRules", ("is_active", "==", const(True)))],
    "Services": [on("Services", ("is_active", "==", const(False))),
                 on("Services", ("category", "==", const("hail_pdr")))],
    "SupportTickets": [on("SupportTickets", ("user_id", "==", victim_client))],
    "SupportTickets/{id}/private/data": [private_of("SupportTickets", lambda a: victim_world(a).ticket(a.side))],
    "SupportMessages": [on("SupportMessages", ("ticket_id", "==", lambda a: victim_world(a).ticket(a.side)))],
    "NotificationPreferences": [on("NotificationPreferences", ("user_id", "==", victim_client))],
    "Notifications": [on("Notifications", ("user_id", "==", victim_client))],
    "DispatcherLocations": [on("DispatcherLocations", ("dispatcher_id", "==", victim_dispatcher)),
                            on("DispatcherLocations", ("is_online", "==", const(True)))],
    "QuarantinedUploads": [on("QuarantinedUploads", ("owner_id", "==", victim_client))],
    "StripeEvents": [on("StripeEvents", ("type", "==", const("payment_method.attached")))],
    "BackgroundCheckEvents": [on("BackgroundCheckEvents", ("dispatcher_id", "==", victim_dispatcher))],
    "Outbox": [on("Outbox", ("kind", "==", const("capture"))),
               on("Outbox", ("key", "==", lambda a: victim_world(a).done_job))],
    "JobPayments": [on("JobPayments", ("client_id", "==", victim_client)),
                    on("JobPayments", ("dispatcher_id", "==", victim_dispatcher)),
                    on("JobPayments", ("client_id", "==", lambda a: a.uid or MAIN.client))],
    "PaymentLedger": [on("PaymentLedger", ("request_id", "==", lambda a: victim_world(a).done_job)),
                      on("PaymentLedger", ("dispatcher_id", "==", victim_dispatcher)),
                      on("PaymentLedger", ("dispatcher_id", "==", lambda a: a.uid or MAIN.dispatcher))],
    "DispatcherEarnings": [on("DispatcherEarnings", ("user_id", "==", victim_dispatcher)),
                           on("DispatcherEarnings", ("currency", "==", const("EUR")))],
    "Invoices": [on("Invoices", ("client_id", "==", victim_client)),
                 on("Invoices", ("dispatcher_id", "==", victim_dispatcher)),
                 on("Invoices", ("currency", "==", const("EUR")))],
    "InvoiceSequences": [on("InvoiceSequences", ("last", "==", const(1)))],
    "Vehicles": [on("Vehicles", ("client_id", "==", victim_client)),
                 on("Vehicles", ("plate_key", "==", const("ABC123")))],
    "VehicleServices": [on("VehicleServices", ("client_id", "==", victim_client)),
                        on("VehicleServices", ("dispatcher_id", "==", victim_dispatcher))],
    "VanStock": [on("VanStock", ("dispatcher_id", "==", victim_dispatcher)),
                 on("VanStock", ("sku", "==", const("PAD")))],
    "VanStockMovements": [on("VanStockMovements", ("dispatcher_id", "==", victim_dispatcher)),
                          on("VanStockMovements", ("kind", "==", const("receipt")))],
    "TechnicianCalendars": [on("TechnicianCalendars", ("dispatcher_id", "==", victim_dispatcher)),
                            on("TechnicianCalendars", ("time_zone", "==", const("Australia/Sydney")))],
    "RecurringBookings": [on("RecurringBookings", ("client_id", "==", victim_client)),
                          on("RecurringBookings", ("frequency", "==", const("weekly")))],
    "Conversations": [on("Conversations", ("client_id", "==", victim_client)),
                      on("Conversations", ("dispatcher_id", "==", victim_dispatcher)),
                      on("Conversations", ("request_id", "==", lambda a: victim_world(a).active_job))],
    "ChatPresence": [on("ChatPresence", ("request_id", "==", lambda a: victim_world(a).active_job)),
                     on("ChatPresence", ("user_id", "==", victim_client))],
    "RateLimitSlots": [on("RateLimitSlots", ("who", "==", victim_client)),
                       on("RateLimitSlots", ("who", "==", lambda a: a.uid or MAIN.client))],
    "MonitorWatermarks": [on("MonitorWatermarks", ("runs", "==", const(1)))],
    "InsuranceClaims": [on("InsuranceClaims", ("client_id", "==", victim_client)),
                        on("InsuranceClaims", ("client_id", "==", lambda a: a.uid or MAIN.client))],
    "DailyStats": [on("DailyStats", ("month", "==", const("2026-01")))],
    "Leads": [on("Leads", ("booked_client_id", "==", victim_client)),
              on("Leads", ("booked_client_id", "==", lambda a: a.uid or MAIN.client))],
    "MessengerEvents": [on("MessengerEvents", ("outcome", "==", const("greeted")))],
    "AuditLog": [on("AuditLog", ("target_id", "==", victim_client)),
                 on("AuditLog", ("target_id", "==", lambda a: a.uid or MAIN.client))],
    "PhoneVerifications": [on("PhoneVerifications", ("user_id", "==", victim_client)),
                           on("PhoneVerifications", ("user_id", "==", lambda a: a.uid or MAIN.client))],
    "WithheldComments": [on("WithheldComments", ("reviewer_id", "==", victim_client)),
                         on("WithheldComments", ("reviewee_id", "==", lambda a: a.uid or MAIN.client))],
    "Merchants": [on("Merchants", ("id", "==", merchant_a)),
                  on("Merchants", ("is_active", "==", const(True)))],
    "MerchantSkus": [on("MerchantSkus", ("merchant_id", "==", merchant_a)),
                     on("MerchantSkus", ("sku_code", "==", const("PDR-1")))],
    "MerchantStatements": [on("MerchantStatements", ("merchant_id", "==", merchant_a)),
                           on("MerchantStatements", ("merchant_id", "==", lambda a: a.uid or MAIN.client)),
                           on("MerchantStatements", ("month", "==", const("2026-11")))],
    "MerchantStatementLines": [
        on("MerchantStatementLines", ("merchant_id", "==", merchant_a)),
        on("MerchantStatementLines", ("request_id", "==", const(MERCHANT_WORLD.done_job)))],
    "ReferralCodes": [on("ReferralCodes", ("client_id", "==", victim_client)),
                      on("ReferralCodes", ("client_id", "==", lambda a: a.uid or MAIN.client))],
}


def unfiltered(collection: str, actor: Actor) -> Query:
    probe = PROBES[collection].query(actor)
    return Query(probe.collection, (), probe.parent)


def test_every_collection_has_foreign_queries() -> None:
    assert set(FOREIGN) == {entry.collection for entry in ACCESS}


CASES = [pytest.param(entry.collection, role, id=f"{entry.collection}-{role.value}")
         for entry in ACCESS for role in NON_ADMIN_ROLES]


@pytest.mark.parametrize(("collection", "role"), CASES)
def test_unfiltered_and_foreign_queries_are_refused(world: World, collection: str, role: Role) -> None:
    # given a non-admin role and the queries that would show it someone else's documents
    actor = ACTORS[role]
    client = world.rest(role)
    queries = [unfiltered(collection, actor), *(make(actor) for make in FOREIGN[collection])]

    # when it runs each of them
    with ThreadPoolExecutor(max_workers=len(queries)) as pool:
        results = list(pool.map(lambda q: client.query(q.collection, list(q.where), parent=q.parent), queries))

    # then the rules refuse every one
    leaks = [(query, result.status) for query, result in zip(queries, results, strict=True) if result.status != 403]
    assert not leaks, f"{role.value} was not refused: {leaks}"


@pytest.mark.parametrize("collection", [entry.collection for entry in ACCESS])
def test_an_admin_may_run_the_unfiltered_query(world: World, collection: str) -> None:
    # given an admin, when they list a whole collection, then it is served (the queries above are valid)
    query = unfiltered(collection, ACTORS[Role.ADMIN])
    result = world.rest(Role.ADMIN).query(query.collection, parent=query.parent)
    assert result.ok and result.body, f"{collection}: {result.status} {result.body}"


def collection_group_query(world: World, role: Role, collection_id: str) -> int:
    """A collection-group query (every `collection_id` at any depth), which the REST helper does not wrap."""
    client = world.rest(role)
    query = {"structuredQuery": {"from": [{"collectionId": collection_id, "allDescendants": True}]}}
    root = f"projects/{world.project_id}/databases/(default)/documents"
    return client._call("POST", f"{root}:runQuery", json=query).status


@pytest.mark.parametrize("collection_id", ["private", "Messages", "Users"])
def test_collection_group_queries_are_refused_to_non_admins(world: World, collection_id: str) -> None:
    # given every non-admin role, when it asks for a collection at any depth, then it is refused
    statuses = {role.value: collection_group_query(world, role, collection_id) for role in NON_ADMIN_ROLES}
    assert statuses == dict.fromkeys(statuses, 403)
    # and an admin's is served
    assert collection_group_query(world, Role.ADMIN, collection_id) == 200
