"""Every query the functions run, declared once, with the composite index production needs for it.

The Firestore emulator answers any query; production refuses one whose composite index is missing, at run
time ("The query requires an index"). So no service writes `.where(...)` itself: it runs a `QuerySpec` from
this catalogue through the unit of work, and `tests/unit/test_indexes.py` checks each spec against
`firestore.indexes.json` with Firestore's rules for when an index is needed (`QuerySpec.required_index`):

- one field (any filters on it, ordered by it): the automatic single-field index — for a collection-group
  query, only if a field override enables the collection-group scope;
- equality filters (`==`, `in`) on several fields and nothing else: index merging, no composite index;
- anything else — equality with a range or an order on another field, ranges on several fields,
  `array-contains(-any)` with any other filter, a collection-group query on several fields — needs a
  composite index: the equality and array fields first (in any order), then the range and order fields in
  order.

Adding a query: declare it here, add its index to `firestore.indexes.json` if the test says so (the test
prints the index to add), and run it with `uow.<repository>.find(SPEC, ...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from curbside.store.collections import PRIVATE_SUBCOLLECTION, Collection


class Op(StrEnum):
    EQ = "=="
    IN = "in"
    CONTAINS = "array_contains"
    CONTAINS_ANY = "array_contains_any"
    LT = "<"
    LTE = "<="
    GT = ">"
    GTE = ">="
    NE = "!="


EQUALITY = frozenset({Op.EQ, Op.IN})
ARRAY = frozenset({Op.CONTAINS, Op.CONTAINS_ANY})


class Direction(StrEnum):
    ASCENDING = "ASCENDING"
    DESCENDING = "DESCENDING"


@dataclass(frozen=True)
class Filter:
    field: str
    op: Op
    param: str
    """The keyword argument that carries the value when the query runs."""


def where(field: str, op: Op, param: str | None = None) -> Filter:
    return Filter(field, op, param or field)


@dataclass(frozen=True)
class IndexField:
    field: str
    order: Direction | None = None
    """None for an array field (`arrayConfig: CONTAINS`)."""


@dataclass(frozen=True)
class RequiredIndex:
    """What `firestore.indexes.json` must hold for a query: a composite index (`fields` in that order,
    the first `unordered` of them in any order), or a collection-group field override (`override_field`)."""

    collection: str
    scope: str
    fields: tuple[IndexField, ...] = ()
    unordered: int = 0
    override_field: str | None = None


@dataclass(frozen=True)
class QuerySpec:
    """One query shape. Values are given when it runs (`Filter.param`); limits and cursors are not part of
    the shape (they need no index)."""

    name: str
    collection: str
    filters: tuple[Filter, ...]
    order_by: tuple[tuple[str, Direction], ...] = ()
    group: bool = False
    """A collection-group query (every collection with this id, at any depth)."""

    def __post_init__(self) -> None:
        arrays = [f for f in self.filters if f.op in ARRAY]
        if len(arrays) > 1:
            raise ValueError(f"{self.name}: Firestore allows one array-contains filter per query")
        if len({f.param for f in self.filters}) != len(self.filters):
            raise ValueError(f"{self.name}: two filters take the same parameter")

    @property
    def scope(self) -> str:
        return "COLLECTION_GROUP" if self.group else "COLLECTION"

    def required_index(self) -> RequiredIndex | None:
        """The index production needs beyond its automatic ones (module docstring), or None."""
        fields = list(dict.fromkeys([f.field for f in self.filters] + [name for name, _ in self.order_by]))
        equality = list(dict.fromkeys(f.field for f in self.filters if f.op in EQUALITY))
        array = [f.field for f in self.filters if f.op in ARRAY]
        ordered = list(dict.fromkeys([name for name, _ in self.order_by]
                                     + [f.field for f in self.filters if f.op not in EQUALITY | ARRAY]))
        if len(fields) == 1:
            return RequiredIndex(self.collection, self.scope, override_field=fields[0]) if self.group else None
        if not array and not ordered and not self.group:
            return None  # equality filters only: served by merging single-field indexes
        directions = dict(self.order_by)
        prefix = [IndexField(name, Direction.ASCENDING) for name in equality if name not in ordered]
        prefix += [IndexField(name) for name in array]
        suffix = [IndexField(name, directions.get(name, Direction.ASCENDING)) for name in ordered]
        return RequiredIndex(self.collection, self.scope, tuple(prefix + suffix), unordered=len(prefix))


S = Collection

# --- ServiceRequests --------------------------------------------------------------------------------------------
PENDING_JOBS_IN_CELLS = QuerySpec("pending jobs in cells", S.SERVICE_REQUESTS, (
    where("status", Op.EQ), where("search_cells", Op.CONTAINS_ANY, "cells")))
"""The jobs feed: pending jobs in the cells covering the technician's radius."""
PENDING_JOBS_OF_REGION = QuerySpec("a region's pending jobs, longest waiting first", S.SERVICE_REQUESTS, (
    where("status", Op.EQ), where("search_cells", Op.CONTAINS, "region")),
    order_by=(("created_date", Direction.ASCENDING),))
"""A surge window's jobs (`region` is a search cell token: every job stores the cells containing it)."""
JOBS_OF_TECHNICIAN_IN = QuerySpec("a technician's jobs in states", S.SERVICE_REQUESTS, (
    where("dispatcher_id", Op.EQ), where("status", Op.IN, "statuses")))
"""A technician's active jobs (the dispatch index's count), or those on a live map."""
JOBS_BY_STATUS = QuerySpec("jobs by status, oldest first", S.SERVICE_REQUESTS, (where("status", Op.EQ),),
                           order_by=(("created_date", Direction.ASCENDING),))
"""retry_dispatch's page: when more jobs wait than a run takes (a storm), the longest-waiting come first."""
PRIORITY_JOBS_BY_STATUS = QuerySpec("priority-booked jobs by status", S.SERVICE_REQUESTS, (
    where("status", Op.EQ), where("priority_booking", Op.EQ)))
"""retry_dispatch: jobs booked with a priority_booking reward go first."""
DUE_SCHEDULED_JOBS = QuerySpec("scheduled jobs falling due", S.SERVICE_REQUESTS, (
    where("status", Op.EQ), where("becomes_available_at", Op.LTE, "due_by")),
    order_by=(("becomes_available_at", Direction.ASCENDING),))
PENDING_JOBS_IN_BOX = QuerySpec("pending jobs in a box", S.SERVICE_REQUESTS, (
    where("status", Op.EQ), where("location_lat", Op.GTE, "south"), where("location_lat", Op.LTE, "north"),
    where("location_lng", Op.GTE, "west"), where("location_lng", Op.LTE, "east")))
"""Demand pricing's count of open requests near a job."""
JOBS_AWAITING_A_CARD = QuerySpec("a client's jobs waiting for a card", S.SERVICE_REQUESTS, (
    where("client_id", Op.EQ), where("awaiting_payment_method", Op.EQ)))

# --- JobOffers ----------------------------------------------------------------------------------------------------
OFFERS_OF_JOB = QuerySpec("a job's offers", S.JOB_OFFERS, (where("request_id", Op.EQ),))
OFFERS_OF_JOB_IN_STATE = QuerySpec("a job's offers in a state", S.JOB_OFFERS, (
    where("request_id", Op.EQ), where("offer_status", Op.EQ)))

OFFERS_OF_TECHNICIAN_IN_STATE = QuerySpec("a technician's offers in a state", S.JOB_OFFERS, (
    where("dispatcher_id", Op.EQ), where("offer_status", Op.EQ)))
"""Withdrawing the pending offers of a technician who loses their verification."""

# --- DispatcherProfiles (verification) ----------------------------------------------------------------------------
TECHNICIANS_AWAITING_REVIEW = QuerySpec("technicians awaiting a verification review", S.DISPATCHER_PROFILES, (
    where("awaiting_review_since", Op.GT, "since"),), order_by=(("awaiting_review_since", Direction.ASCENDING),))
"""The admins' review queue, oldest submission first (one field: its automatic index serves it)."""
VEHICLES_WITH_LAPSED_INSURANCE = QuerySpec("approved vehicles whose insurance lapsed", S.DISPATCHER_PROFILES, (
    where("vehicle_verification_status", Op.EQ, "status"), where("vehicle_insurance_expiry", Op.LT, "before")))
"""The daily insurance check: approved vehicle steps whose insurance ended before today."""

# --- DispatcherLocations (the dispatch index) ---------------------------------------------------------------------
FRESH_TECHNICIANS_IN_CELLS = QuerySpec("fresh technicians in cells", S.DISPATCHER_LOCATIONS, (
    where("search_cells", Op.CONTAINS_ANY, "cells"), where("location_updated_at", Op.GTE, "fresh_since")))
"""The candidate search."""
FREE_TECHNICIANS_IN_BOX = QuerySpec("free technicians in a box", S.DISPATCHER_LOCATIONS, (
    where("searchable", Op.EQ), where("active_jobs", Op.EQ), where("lat", Op.GTE, "south"),
    where("lat", Op.LTE, "north"), where("lng", Op.GTE, "west"), where("lng", Op.LTE, "east")))
"""Demand pricing's count of available technicians near a job."""

# --- TechnicianCalendars -----------------------------------------------------------------------------------------
CALENDARS_IN_CELLS = QuerySpec("bookable calendars in cells", S.TECHNICIAN_CALENDARS, (
    where("search_cells", Op.CONTAINS_ANY, "cells"),))
"""The slot search (`services.slots`): the same ring search as dispatch, over the calendars' bases."""
ACTIVE_RECURRING_BOOKINGS = QuerySpec("active recurring bookings", S.RECURRING_BOOKINGS, (where("active", Op.EQ),))
"""The daily booking of recurring jobs, paged by document id."""

# --- PricingRules -------------------------------------------------------------------------------------------------
ACTIVE_PRICING_RULES = QuerySpec("active pricing rules", S.PRICING_RULES, (where("is_active", Op.EQ),))
PRICING_RULES_BY_PRIORITY = QuerySpec("every pricing rule, highest priority first", S.PRICING_RULES, (),
                                      order_by=(("priority", Direction.DESCENDING),))
"""The console's pricing-rules editor (a handful of rules: one page)."""

ACTIVE_SERVICES = QuerySpec("the active services", S.SERVICES, (where("is_active", Op.EQ),))
"""What can be booked (`list_services`); the apps run it too (the rules require the filter)."""
ALL_SERVICES = QuerySpec("every service, by name", S.SERVICES, (), order_by=(("name", Direction.ASCENDING),))
"""The console's catalogue editor."""

# --- JobCompletions -----------------------------------------------------------------------------------------------
COMPLETIONS_DUE_FOR_APPROVAL = QuerySpec("completions due for auto-approval", S.JOB_COMPLETIONS, (
    where("payment_status", Op.EQ), where("auto_approve_at", Op.LTE, "due_by")))
DISPUTED_COMPLETIONS_OF_JOBS = QuerySpec("which of some jobs are disputed", S.JOB_COMPLETIONS, (
    where("request_id", Op.IN, "request_ids"), where("payment_status", Op.EQ)))
"""The review job's dispute check, one query per 30 reviews of a page (Firestore's `in` limit): billed one read
per disputed job found, not one per review."""

# --- Reviews and ClientReviews (applied a day late) ---------------------------------------------------------------
_DUE_ORDER = (("apply_date", Direction.ASCENDING), ("reviewee_id", Direction.ASCENDING))
DUE_REVIEWS = QuerySpec("reviews of technicians due to apply", S.REVIEWS, (
    where("applied", Op.EQ), where("apply_date", Op.LTE, "due_by")), order_by=_DUE_ORDER)
"""The daily review job: unapplied reviews whose day has come, oldest day first, one reviewee's together (they
are applied in one commit per reviewee and page)."""
REVIEWS_OF_TECHNICIAN = QuerySpec("reviews of a technician, newest first (admins)", S.REVIEWS, (
    where("reviewee_id", Op.EQ),), order_by=(("created_date", Direction.DESCENDING),))
REVIEWS_OF_CLIENT = QuerySpec("reviews of a client, newest first (admins)", S.CLIENT_REVIEWS, (
    where("reviewee_id", Op.EQ),), order_by=(("created_date", Direction.DESCENDING),))
"""The console's user details: the reviews a person received, applied or not."""
DUE_CLIENT_REVIEWS = QuerySpec("reviews of clients due to apply", S.CLIENT_REVIEWS, (
    where("applied", Op.EQ), where("apply_date", Op.LTE, "due_by")), order_by=_DUE_ORDER)

# --- RewardRedemptions ------------------------------------------------------------------------------------------
REDEMPTIONS_OF_REWARD = QuerySpec("a reward's redemptions", S.REWARD_REDEMPTIONS, (where("reward_id", Op.EQ),))
"""Whether a reward was ever redeemed: `admin_delete_reward` refuses then (D99)."""
REDEMPTIONS_EXPIRING = QuerySpec("active redemptions past their expiry", S.REWARD_REDEMPTIONS, (
    where("status", Op.EQ), where("expires_at", Op.LTE, "due_by")), order_by=(("expires_at", Direction.ASCENDING),))
"""The daily expiry of unused redemptions."""

# --- JobPayments --------------------------------------------------------------------------------------------------
PAYMENT_BY_INTENT = QuerySpec("the payment of a PaymentIntent", S.JOB_PAYMENTS, (
    where("payment_intent_id", Op.EQ),))
PAYMENTS_OF_TECHNICIAN_IN = QuerySpec("a technician's payments by payout status", S.JOB_PAYMENTS, (
    where("dispatcher_id", Op.EQ), where("payout_status", Op.EQ)))

# --- private parts (collection group) -----------------------------------------------------------------------------
OWNER_OF_STRIPE_CUSTOMER = QuerySpec("the client of a Stripe customer", PRIVATE_SUBCOLLECTION, (
    where("stripe_customer_id", Op.EQ),), group=True)
OWNER_OF_STRIPE_ACCOUNT = QuerySpec("the technician of a Stripe account", PRIVATE_SUBCOLLECTION, (
    where("stripe_account_id", Op.EQ),), group=True)
OWNER_OF_BACKGROUND_CHECK_CANDIDATE = QuerySpec("the technician of a background-check candidate",
                                                PRIVATE_SUBCOLLECTION, (
                                                    where("background_check_candidate_id", Op.EQ),), group=True)

# --- Outbox -------------------------------------------------------------------------------------------------------
DUE_EFFECTS = QuerySpec("vendor calls due", S.OUTBOX, (
    where("status", Op.EQ), where("next_attempt_at", Op.LTE, "due_by")),
    order_by=(("next_attempt_at", Direction.ASCENDING),))
"""The outbox sweep."""

# --- Notifications ------------------------------------------------------------------------------------------------
DUE_NOTICES = QuerySpec("notices due to fan out", S.NOTIFICATIONS, (
    where("delivery_status", Op.EQ), where("deliver_after", Op.LTE, "due_by")),
    order_by=(("deliver_after", Direction.ASCENDING),))
"""The notice sweep: held by quiet hours until now, or failed earlier."""
UNREAD_NOTICES = QuerySpec("a person's unread notices", S.NOTIFICATIONS, (
    where("user_id", Op.EQ), where("read", Op.EQ)))
"""`mark_notifications_read` with `all`: the notices it marks (the badge is a count on `Users`, D60)."""

# --- Messages (the job chat) --------------------------------------------------------------------------------------
MESSAGES_OF_JOB_READ = QuerySpec("a job's messages by read flag", S.MESSAGES, (
    where("request_id", Op.EQ), where("read", Op.EQ)))
MESSAGES_OF_JOB_DELIVERED = QuerySpec("a job's messages by delivered flag", S.MESSAGES, (
    where("request_id", Op.EQ), where("delivered", Op.EQ)))
MESSAGES_OF_SENDER_SINCE = QuerySpec("a sender's recent messages in a job", S.MESSAGES, (
    where("request_id", Op.EQ), where("sender_id", Op.EQ), where("created_date", Op.GTE, "since")))
"""The chat's rate limit (a count)."""

# --- ServiceRequests, again: reminders ----------------------------------------------------------------------------
SCHEDULED_JOBS_STARTING = QuerySpec("scheduled jobs starting soon", S.SERVICE_REQUESTS, (
    where("is_scheduled", Op.EQ), where("scheduled_datetime", Op.GT, "after"),
    where("scheduled_datetime", Op.LTE, "until")))
"""The reminder an hour before a scheduled slot."""

# --- Vehicles and their history (issue 21) ---------------------------------------------------------------------------
VEHICLE_OF_PLATE = QuerySpec("a client's vehicle by its plate", S.VEHICLES, (
    where("client_id", Op.EQ), where("plate_key", Op.EQ)))
"""One vehicle per plate and client: `save_vehicle` of a known plate updates it."""
VEHICLE_HISTORY = QuerySpec("a vehicle's service history", S.VEHICLE_SERVICES, (where("vehicle_id", Op.EQ),),
                            order_by=(("completed_at", Direction.DESCENDING),))
MERCHANT_STATEMENTS_OF_MONTH = QuerySpec("the merchants' statements of a month", S.MERCHANT_STATEMENTS,
                                       (where("month", Op.EQ),))
"""The monthly schedule's statements to issue (those already issued are skipped as read)."""
LINES_OF_STATEMENT = QuerySpec("the lines of a merchant's statement", S.MERCHANT_STATEMENT_LINES,
                               (where("statement_id", Op.EQ),))
"""The statement e-mail's lines (sorted by completion in code: no composite index for a monthly read)."""
MERCHANTS_BY_NAME = QuerySpec("every merchant, by business name", S.MERCHANTS, (),
                              order_by=(("business_name", Direction.ASCENDING),))
"""The console's Merchants screen (a few dozen businesses: one page)."""
SKUS_OF_MERCHANT = QuerySpec("the merchant's SKU list", S.MERCHANT_SKUS, (where("merchant_id", Op.EQ),))
"""The merchant app's SKU list, and the console's."""
STATEMENTS_OF_MERCHANT = QuerySpec("a merchant's statements, newest month first", S.MERCHANT_STATEMENTS,
                                   (where("merchant_id", Op.EQ),), order_by=(("month", Direction.DESCENDING),))
"""The console's Merchants screen: a merchant's monthly bills."""
SERVICES_DUE = QuerySpec("vehicles due for a service reminder", S.VEHICLES, (where("reminder_due_at", Op.LTE, "now"),),
                         order_by=(("reminder_due_at", Direction.ASCENDING),))

# --- Users ----------------------------------------------------------------------------------------------------------
ADMINS = QuerySpec("admins", S.USERS, (where("role", Op.EQ),))
"""Who is told of a fraud alert, a dispute or a ticket (`Users.role` mirrors the `admin` claim)."""

# --- RateLimitSlots -------------------------------------------------------------------------------------------------
RATE_SLOTS_OF_BUCKET = QuerySpec("a rate limit's slots in one window", S.RATE_LIMIT_SLOTS, (
    where("bucket", Op.EQ),))
"""Counted (one read per 1,000) to find a window's next free slot."""

# --- Disputes, SupportTickets (disputes and support) ----------------------------------------------------------------
DISPUTES_WITHOUT_ADMIN_ACTIVITY = QuerySpec("disputes without admin activity", S.DISPUTES, (
    where("status", Op.IN, "statuses"), where("last_admin_activity_at", Op.LTE, "before")))
"""The hourly escalation: undecided disputes no admin has touched for 72 hours."""
IDLE_ASSISTANT_TICKETS = QuerySpec("tickets only the assistant answered, idle", S.SUPPORT_TICKETS,
                                   (where("status", Op.EQ), where("last_message_at", Op.LTE, "before")))
"""The daily cleanup: `open` tickets (nobody took them over) whose last message is older than the idle limit."""
EXPIRED_TICKETS = QuerySpec("expired support tickets", S.SUPPORT_TICKETS, (where("expires_at", Op.LTE, "before"),))
"""The daily cleanup: closed tickets past their 10 days."""
MESSAGES_OF_TICKET = QuerySpec("a ticket's messages", S.SUPPORT_MESSAGES, (where("ticket_id", Op.EQ),),
                               order_by=(("created_date", Direction.ASCENDING),))
"""The conversation the assistant continues, and what the cleanup deletes (ordered by one field: no index)."""
JOBS_OF_CLIENT = QuerySpec("a client's latest jobs", S.SERVICE_REQUESTS, (where("client_id", Op.EQ),),
                           order_by=(("created_date", Direction.DESCENDING),))
JOBS_OF_TECHNICIAN = QuerySpec("a technician's latest jobs", S.SERVICE_REQUESTS, (where("dispatcher_id", Op.EQ),),
                               order_by=(("created_date", Direction.DESCENDING),))
"""The support assistant's view of the caller's own jobs (and nobody else's)."""

# --- A person's data (privacy rights: export and deletion) --------------------------------------------------------
JOBS_OF_CLIENT_IN = QuerySpec("a client's jobs in states", S.SERVICE_REQUESTS, (
    where("client_id", Op.EQ), where("status", Op.IN, "statuses")))
PAYMENTS_OF_CLIENT_IN = QuerySpec("a client's payments by payout status", S.JOB_PAYMENTS, (
    where("client_id", Op.EQ), where("payout_status", Op.IN, "statuses")))
PAYMENTS_OF_TECHNICIAN_AMONG = QuerySpec("a technician's payments among payout statuses", S.JOB_PAYMENTS, (
    where("dispatcher_id", Op.EQ), where("payout_status", Op.IN, "statuses")))
DISPUTES_OF_CLIENT_IN = QuerySpec("a client's disputes in states", S.DISPUTES, (
    where("client_id", Op.EQ), where("status", Op.IN, "statuses")))
DISPUTES_OF_TECHNICIAN_IN = QuerySpec("a technician's disputes in states", S.DISPUTES, (
    where("dispatcher_id", Op.EQ), where("status", Op.IN, "statuses")))
NOTICES_OF_JOB = QuerySpec("a job's notices", S.NOTIFICATIONS, (where("request_id", Op.EQ),))
"""A deleted person's name is taken out of the notices their jobs gave the other party.
What keeps an account from being deleted: an ongoing job, an open dispute, money still moving (equalities
only: no composite index)."""


def of_person(collection: Collection, owner_field: str) -> QuerySpec:
    """A person's documents in one collection, by the field that holds their uid (`services.personal_data`).
    One equality filter: served by the automatic single-field index, paged by document id."""
    return QuerySpec(f"{collection} of a person by {owner_field}", collection, (where(owner_field, Op.EQ, "uid"),))

# --- Leads (Messenger prospects, issue 20) --------------------------------------------------------------------------
LEADS_TO_LOSE = QuerySpec("open leads created before", S.LEADS, (
    where("status", Op.IN, "statuses"), where("created_date", Op.LTE, "before")),
    order_by=(("created_date", Direction.ASCENDING),))
"""The daily expire_leads: leads still open a week after their first message, oldest first (D84)."""
LEADS_IN_STATUS = QuerySpec("leads in a status", S.LEADS, (where("status", Op.EQ),))
"""The conversion funnel: leads counted by status (one equality filter: the automatic index)."""

# --- The admin console's dashboard (`services/admin_console.py`): counted, one read per 1,000 counted -------------
ALL_USERS = QuerySpec("every user", S.USERS, ())
USERS_OF_TYPE = QuerySpec("users of a type", S.USERS, (where("user_type", Op.EQ),))
JOBS_IN_STATUSES = QuerySpec("jobs in states", S.SERVICE_REQUESTS, (where("status", Op.IN, "statuses"),))
DISPUTES_IN_STATUSES = QuerySpec("disputes in states", S.DISPUTES, (where("status", Op.IN, "statuses"),))
FRAUD_ALERTS_IN_STATUSES = QuerySpec("fraud alerts in states", S.FRAUD_ALERTS, (where("status", Op.IN, "statuses"),))
TECHNICIANS_ONLINE = QuerySpec("online technicians by account status", S.DISPATCHER_LOCATIONS, (
    where("is_online", Op.EQ), where("account_status", Op.EQ)))
"""Two equality filters: served by merging single-field indexes."""
DISPUTE_QUEUE = QuerySpec("admin Dispute Management by statuses", S.DISPUTES, (where("status", Op.IN, "statuses"),),
                          order_by=(("last_activity_at", Direction.DESCENDING),))
"""The console's dispute queue, latest activity first (the apps' by-status index serves `in` as well)."""
DISPUTE_THREAD = QuerySpec("a dispute's thread (admins)", S.DISPUTE_COMMENTS, (where("dispute_id", Op.EQ),),
                           order_by=(("created_date", Direction.ASCENDING),))
LIVE_AGENT_QUEUE = QuerySpec("admin Support Tickets (live agent requested)", S.SUPPORT_TICKETS, (
    where("live_agent_requested", Op.EQ), where("status", Op.IN, "statuses")),
    order_by=(("last_message_at", Direction.DESCENDING),))
"""The console's ticket queue (and the apps' admin screen), latest message first."""
TICKETS_FOR_LIVE_AGENT = QuerySpec("tickets waiting for a live agent", S.SUPPORT_TICKETS, (
    where("live_agent_requested", Op.EQ), where("status", Op.IN, "statuses")))

# --- The admin console's Users screen: a tab newest first, or one person by e-mail or phone ---------------------
RECENT_JOBS = QuerySpec("jobs, latest change first", S.SERVICE_REQUESTS, (),
                        order_by=(("updated_date", Direction.DESCENDING),))
"""The dashboard's recent-activity feed: one field, the automatic index."""
USERS_NEWEST = QuerySpec("every user, newest first", S.USERS, (), order_by=(("created_date", Direction.DESCENDING),))
USERS_BY_NAME_PREFIX = QuerySpec("users whose name has a word starting so, newest first", S.USERS, (
    where("search_prefixes", Op.CONTAINS, "prefix"),), order_by=(("created_date", Direction.DESCENDING),))
"""The console's search by name (`Users.search_prefixes`, D102)."""
USERS_OF_TYPE_NEWEST = QuerySpec("users of a type, newest first", S.USERS, (where("user_type", Op.EQ),),
                                 order_by=(("created_date", Direction.DESCENDING),))
USERS_OF_ROLE_NEWEST = QuerySpec("users of a role, newest first", S.USERS, (where("role", Op.EQ),),
                                 order_by=(("created_date", Direction.DESCENDING),))
USERS_BY_EMAIL = QuerySpec("users by e-mail", S.USERS, (where("email", Op.EQ),))
USERS_BY_PHONE = QuerySpec("users by phone number", S.USERS, (where("phone_number", Op.EQ),))

# --- The admin console's fraud alerts: by status, optionally severity and type, newest first ------------------------
_NEWEST = (("created_date", Direction.DESCENDING),)
ALERTS_BY_STATUS = QuerySpec("fraud alerts by status", S.FRAUD_ALERTS, (where("status", Op.IN, "statuses"),),
                             order_by=_NEWEST)
ALERTS_BY_STATUS_SEVERITY = QuerySpec("fraud alerts by status and severity", S.FRAUD_ALERTS, (
    where("status", Op.IN, "statuses"), where("severity", Op.EQ)), order_by=_NEWEST)
ALERTS_BY_STATUS_TYPE = QuerySpec("fraud alerts by status and type", S.FRAUD_ALERTS, (
    where("status", Op.IN, "statuses"), where("alert_type", Op.EQ)), order_by=_NEWEST)
ALERTS_BY_STATUS_SEVERITY_TYPE = QuerySpec("fraud alerts by status, severity and type", S.FRAUD_ALERTS, (
    where("status", Op.IN, "statuses"), where("severity", Op.EQ), where("alert_type", Op.EQ)), order_by=_NEWEST)

# --- The admin console's rewards editor -----------------------------------------------------------------------------
REWARDS_BY_POINTS = QuerySpec("every reward, cheapest first", S.REWARDS, (),
                              order_by=(("points_required", Direction.ASCENDING),))
# --- monitor_fraud: what is new since the watermark, then one person's recent activity -------------------------
COMPLETIONS_BETWEEN = QuerySpec("completions in a span", S.JOB_COMPLETIONS, (
    where("completed_at", Op.GT, "after"), where("completed_at", Op.LTE, "until")),
    order_by=(("completed_at", Direction.ASCENDING),))
COMPLETIONS_OF_TECHNICIAN_BETWEEN = QuerySpec("a technician's completions in a span", S.JOB_COMPLETIONS, (
    where("dispatcher_id", Op.EQ), where("completed_at", Op.GT, "after"), where("completed_at", Op.LTE, "until")),
    order_by=(("completed_at", Direction.ASCENDING),))
COMPLETIONS_WITH_PHOTO_HASHES = QuerySpec("completions with any of these photos", S.JOB_COMPLETIONS, (
    where("completion_image_hashes", Op.CONTAINS_ANY, "hashes"),))
"""The same photo bytes on another job (Storage's MD5, kept at completion)."""
CANCELLATIONS_BETWEEN = QuerySpec("jobs cancelled in a span", S.SERVICE_REQUESTS, (
    where("cancelled_at", Op.GT, "after"), where("cancelled_at", Op.LTE, "until")),
    order_by=(("cancelled_at", Direction.ASCENDING),))
CANCELLATIONS_BY_BETWEEN = QuerySpec("jobs one person cancelled in a span", S.SERVICE_REQUESTS, (
    where("cancelled_by", Op.EQ), where("cancelled_at", Op.GT, "after"), where("cancelled_at", Op.LTE, "until")),
    order_by=(("cancelled_at", Direction.ASCENDING),))
DISPUTES_OPENED_BETWEEN = QuerySpec("disputes opened in a span", S.DISPUTES, (
    where("opened_at", Op.GT, "after"), where("opened_at", Op.LTE, "until")),
    order_by=(("opened_at", Direction.ASCENDING),))
DISPUTES_OF_CLIENT_BETWEEN = QuerySpec("a client's disputes in a span", S.DISPUTES, (
    where("client_id", Op.EQ), where("opened_at", Op.GT, "after"), where("opened_at", Op.LTE, "until")),
    order_by=(("opened_at", Direction.ASCENDING),))
DISPUTES_OF_TECHNICIAN_BETWEEN = QuerySpec("a technician's disputes in a span", S.DISPUTES, (
    where("dispatcher_id", Op.EQ), where("opened_at", Op.GT, "after"), where("opened_at", Op.LTE, "until")),
    order_by=(("opened_at", Direction.ASCENDING),))

# --- The admin console's audit trail: newest first, by actor, action or target (one filter, or actor and action) ---
AUDIT_NEWEST = QuerySpec("the audit trail, newest first", S.AUDIT_LOG, (), order_by=_NEWEST)
AUDIT_BY_ACTOR = QuerySpec("an admin's actions", S.AUDIT_LOG, (where("actor_id", Op.EQ),), order_by=_NEWEST)
AUDIT_BY_ACTION = QuerySpec("one kind of action", S.AUDIT_LOG, (where("action", Op.EQ),), order_by=_NEWEST)
AUDIT_BY_TARGET = QuerySpec("what was done to one document", S.AUDIT_LOG, (where("target_id", Op.EQ),),
                            order_by=_NEWEST)
AUDIT_BY_ACTOR_ACTION = QuerySpec("an admin's actions of one kind", S.AUDIT_LOG, (
    where("actor_id", Op.EQ), where("action", Op.EQ)), order_by=_NEWEST)

CATALOGUE: tuple[QuerySpec, ...] = tuple(value for value in list(globals().values()) if isinstance(value, QuerySpec))
"""Every query the functions run (and `of_person`'s, which need no index by construction)."""

APP_QUERIES: tuple[QuerySpec, ...] = (
    QuerySpec("the client's Messages list", S.CONVERSATIONS, (where("client_id", Op.EQ),),
              order_by=(("last_message_at", Direction.DESCENDING),)),
    QuerySpec("the technician's Messages list", S.CONVERSATIONS, (where("dispatcher_id", Op.EQ),),
              order_by=(("last_message_at", Direction.DESCENDING),)),
    QuerySpec("a job's chat", S.MESSAGES, (where("request_id", Op.EQ),),
              order_by=(("created_date", Direction.ASCENDING),)),
    QuerySpec("the Notifications list", S.NOTIFICATIONS, (where("user_id", Op.EQ),),
              order_by=(("created_date", Direction.DESCENDING),)),
    QuerySpec("My Disputes (client)", S.DISPUTES, (where("client_id", Op.EQ),),
              order_by=(("opened_at", Direction.DESCENDING),)),
    QuerySpec("My Disputes (technician)", S.DISPUTES, (where("dispatcher_id", Op.EQ),),
              order_by=(("opened_at", Direction.DESCENDING),)),
    QuerySpec("admin Dispute Management by status", S.DISPUTES, (where("status", Op.EQ),),
              order_by=(("last_activity_at", Direction.DESCENDING),)),
    QuerySpec("admin Dispute Management by priority", S.DISPUTES, (where("priority", Op.EQ),),
              order_by=(("last_activity_at", Direction.DESCENDING),)),
    QuerySpec("a dispute's thread (parties)", S.DISPUTE_COMMENTS, (
        where("dispute_id", Op.EQ), where("is_internal", Op.EQ)), order_by=(("created_date", Direction.ASCENDING),)),
    QuerySpec("a dispute's thread (admins)", S.DISPUTE_COMMENTS, (where("dispute_id", Op.EQ),),
              order_by=(("created_date", Direction.ASCENDING),)),
    QuerySpec("Public Dispatcher Profile: the technician's reviews, newest first", S.PUBLIC_REVIEWS, (
        where("dispatcher_id", Op.EQ),), order_by=(("created_date", Direction.DESCENDING),)),
    QuerySpec("a client's applied reviews (the client, or a technician)", S.CLIENT_REVIEWS, (
        where("reviewee_id", Op.EQ), where("applied", Op.EQ)), order_by=(("created_date", Direction.DESCENDING),)),
    QuerySpec("admin Withheld comments, newest first", S.WITHHELD_COMMENTS, (),
              order_by=(("created_date", Direction.DESCENDING),)),
    QuerySpec("admin Withheld comments of one person", S.WITHHELD_COMMENTS, (where("reviewee_id", Op.EQ),),
              order_by=(("created_date", Direction.DESCENDING),)),
    DISPUTE_THREAD,
    QuerySpec("My support tickets", S.SUPPORT_TICKETS, (where("user_id", Op.EQ),),
              order_by=(("created_date", Direction.DESCENDING),)),
    LIVE_AGENT_QUEUE,
    QuerySpec("My receipts: the client's invoices and credit notes", S.INVOICES, (where("client_id", Op.EQ),),
              order_by=(("issued_at", Direction.DESCENDING),)),
    QuerySpec("the technician's invoices and credit notes", S.INVOICES, (where("dispatcher_id", Op.EQ),),
              order_by=(("issued_at", Direction.DESCENDING),)),
    ACTIVE_SERVICES,
    QuerySpec("My vehicles", S.VEHICLES, (where("client_id", Op.EQ),),
              order_by=(("created_date", Direction.ASCENDING),)),
    QuerySpec("a vehicle's service history (its client)", S.VEHICLE_SERVICES, (
        where("client_id", Op.EQ), where("vehicle_id", Op.EQ)), order_by=(("completed_at", Direction.DESCENDING),)),
    QuerySpec("My repeat bookings", S.RECURRING_BOOKINGS, (where("client_id", Op.EQ),)),
    QuerySpec("the technician's Van Stock screen", S.VAN_STOCK, (where("dispatcher_id", Op.EQ),),
              order_by=(("name", Direction.ASCENDING),)),
    QuerySpec("a part's deliveries and uses, newest first", S.VAN_STOCK_MOVEMENTS, (
        where("dispatcher_id", Op.EQ), where("sku", Op.EQ)), order_by=(("created_date", Direction.DESCENDING),)),
    SKUS_OF_MERCHANT,
)
"""Queries the apps run themselves (the rules allow them): they need their indexes in production too."""
