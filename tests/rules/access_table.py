"""The access table of `firestore.rules`: the single, machine-readable source of who may do what.

`docs/security.md` embeds this table rendered as Markdown (`python -m tests.rules.access_table` rewrites that
block; `test_security_doc.py` fails when the two differ), and the rules tests are parametrised from it:

- every `Entry` says, for one collection (or private sub-document), who may get, list, create, update and
  delete — in words for people, and as the set of test roles whose probe must be let through;
- `SURFACES` lists every client-writable document and, per field, what the rules accept, so that the
  escalation tests can try each server-owned field, an extra field, a wrong type and an oversized value.

A *probe* is the document (or query) a role aims at in the matrix: the roles `client_a`, `client_b`,
`dispatcher_assigned`, `dispatcher_other` and `admin` all aim at the main job (client A's, assigned to
`dispatcher_assigned`); `dispatcher_unverified`, `suspended`, `banned` and `shadow_banned` aim at their own
documents, in a world of the same shape where they hold the client or technician seat (see `world.py`).
Admins are allowed everything and are not repeated in the role sets.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    CLIENT_A = "client_a"
    CLIENT_B = "client_b"
    DISPATCHER_ASSIGNED = "dispatcher_assigned"
    DISPATCHER_OTHER = "dispatcher_other"
    DISPATCHER_UNVERIFIED = "dispatcher_unverified"
    SUSPENDED = "suspended"
    BANNED = "banned"
    SHADOW_BANNED = "shadow_banned"
    MERCHANT_OTHER = "merchant_other"
    ADMIN = "admin"


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ANONYMOUS: "no ID token; probes client A's documents",
    Role.CLIENT_A: "active client who owns the main job (accepted, assigned to `dispatcher_assigned`)",
    Role.CLIENT_B: "another active client; probes client A's documents",
    Role.DISPATCHER_ASSIGNED: "verified technician assigned to the main job; probes its technician side",
    Role.DISPATCHER_OTHER: "verified technician not assigned; probes the main job's technician side",
    Role.DISPATCHER_UNVERIFIED: "technician whose verification is `pending`, holding the technician seat of "
                                "a job of the same shape (e.g. verification withdrawn mid-job); probes its own",
    Role.SUSPENDED: "client whose `account_status` is `suspended`; probes its own documents",
    Role.BANNED: "client whose `account_status` is `banned`; probes its own documents",
    Role.SHADOW_BANNED: "client whose `account_status` is `shadow_banned`; probes its own documents",
    Role.MERCHANT_OTHER: "an active merchant (D115); probes another merchant's documents: its orders (a job "
                         "accepted, one completed), their completion, payment and contacts, its SKUs and statement",
    Role.ADMIN: "custom claim `admin: true`; probes client A's documents",
}


class Op(StrEnum):
    GET = "get"
    LIST = "list"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class Grant:
    rule: str
    """Who may, in words (the rule as docs/security.md states it)."""
    roles: frozenset[Role] = frozenset()
    """The non-admin roles whose probe this rule lets through."""


def grant(rule: str, *roles: Role) -> Grant:
    return Grant(rule, frozenset(roles))


ADMINS = Grant("admins")
"""Nobody but admins (for writes: only Cloud Functions and admins)."""
FUNCTIONS_ONLY = Grant("nobody, admins included: Cloud Functions only")

CA, CB, MO = Role.CLIENT_A, Role.CLIENT_B, Role.MERCHANT_OTHER
DA, DO, DU = Role.DISPATCHER_ASSIGNED, Role.DISPATCHER_OTHER, Role.DISPATCHER_UNVERIFIED
SUSPENDED, BANNED, SHADOW = Role.SUSPENDED, Role.BANNED, Role.SHADOW_BANNED


@dataclass(frozen=True)
class Entry:
    collection: str
    get: Grant = ADMINS
    list: Grant = ADMINS
    create: Grant = ADMINS
    update: Grant = ADMINS
    delete: Grant = ADMINS
    note: str = ""
    admins_write: bool = True
    """False: append-only even for admins' apps (only Cloud Functions write it)."""

    def grant(self, op: Op) -> Grant:
        grant_of_op: Grant = getattr(self, op.value)
        return grant_of_op

    def allows(self, role: Role, op: Op) -> bool:
        if role is Role.ADMIN:
            return self.admins_write or op in (Op.GET, Op.LIST)
        return role in self.grant(op).roles


OWNER_READS = "owner (active)"
PARTIES = "the job's client or its verified assigned technician (active)"

ACCESS: tuple[Entry, ...] = (
    Entry("Users",
          get=grant("owner, whatever the account status", CA, DA, DU, SUSPENDED, BANNED, SHADOW),
          create=grant("owner (not suspended/banned): sign-up fields only", CA, DA, DU, SHADOW),
          update=grant("owner (active): profile fields, `updated_date` = request time", CA, DA, DU, SHADOW)),
    Entry("Users/{uid}/private/data", note="`account_status`: invisible to its owner, so a shadow ban is too"),
    Entry("ClientProfiles",
          get=grant(OWNER_READS, CA, SHADOW),
          list=grant(f"{OWNER_READS}, query filtered on `user_id` = caller", CA, SHADOW),
          update=grant("owner (active): car details and photo", CA, SHADOW),
          note="the job carries the car details the technician needs"),
    Entry("ClientProfiles/{uid}/private/data", note="phone, payment method, billing address, Stripe id"),
    Entry("DispatcherProfiles",
          get=grant("active users if `verification_status` is verified; the owner always",
                    CA, CB, DA, DO, DU, SHADOW, MO),
          list=grant("the same; a query must filter `user_id` = caller or `verification_status` = verified",
                     CA, CB, DA, DO, DU, SHADOW, MO),
          update=grant("owner (active): `bio`, `profile_image_url`", DA, DU),
          note="vehicle details and documents go through `submit_verification_step`"),
    Entry("DispatcherProfiles/{uid}/private/data", note="identity documents, bank details, verification notes"),
    Entry("ServiceRequests",
          get=grant(PARTIES, CA, DA, SHADOW),
          list=grant("the same; a query must filter `client_id` or `dispatcher_id` = caller", CA, DA, SHADOW),
          note="available jobs come from `list_available_jobs`, never from a raw query"),
    Entry("JobCompletions",
          get=grant("the job's client or technician (active); earnings stay visible if verification lapses",
                    CA, DA, DU, SHADOW),
          list=grant("the same; a query must filter `client_id` or `dispatcher_id` = caller", CA, DA, DU, SHADOW)),
    Entry("Reviews",
          get=grant("the reviewer (active); the reviewee once `applied`", CA, SHADOW),
          list=grant("the same; a query must filter `reviewer_id` = caller, or `reviewee_id` = caller and "
                     "`applied` = true", CA, SHADOW),
          note="hidden from the reviewee until applied (no retaliation); never public: it names its reviewer "
               "(the public profile lists `PublicReviews`)"),
    Entry("PublicReviews",
          get=grant("active users while the technician is verified; the technician always",
                    CA, CB, DA, DO, DU, SHADOW, MO),
          list=grant("the same; a query must filter `dispatcher_id`", CA, CB, DA, DO, DU, SHADOW, MO),
          note="a technician's applied reviews without their reviewers' uids, written when applied"),
    Entry("ClientReviews",
          get=grant("the reviewer (active); once `applied`, the reviewee and verified technicians", DA, DU),
          list=grant("the same; a query must filter `reviewer_id` = caller, or `applied` = true (and "
                     "`reviewee_id` = caller, unless a verified technician)", DA, DU),
          note="the matrix's review is not yet applied: who reads an applied one is a scenario test"),
    Entry("Messages",
          get=grant(f"{PARTIES}; read-only once the job ended", CA, DA, SHADOW),
          list=grant("the same; a query must filter `request_id`", CA, DA, SHADOW),
          note="posted only through `send_message`; read and delivery receipts through `mark_messages_read` / "
               "`mark_messages_delivered`"),
    Entry("Conversations",
          get=grant("the job's client, or its technician while verified (active)", CA, DA, SHADOW),
          list=grant("the same; a query must filter `client_id` or `dispatcher_id` = caller", CA, DA, SHADOW),
          note="each job's Messages-list entry: last message, unread counts; written by the chat functions"),
    Entry("ChatPresence",
          get=grant(f"{PARTIES}", CA, DA, SHADOW),
          create=grant("the person it is about, a party of the ongoing job: `last_seen_at` / `typing_at` = "
                       "request time", CA, DA, SHADOW),
          update=grant("the same; `last_seen_at` at most once a minute, `typing_at` every 3 s", CA, DA, SHADOW),
          note="`{request_id}:{uid}`: online = seen within 2 minutes, typing = within 8 seconds"),
    Entry("JobOffers",
          get=grant("the offered technician, while verified (active)", DA),
          list=grant("the same; a query must filter `dispatcher_id` = caller", DA)),
    Entry("JobContacts",
          get=grant(f"{PARTIES}, while the job is ongoing", CA, DA, SHADOW),
          note="keyed by request id; the job's live status decides, nothing has to be deleted"),
    Entry("Rewards",
          get=grant("active users whose `user_type` is client/both, active rewards only", CA, CB, SHADOW),
          list=grant("the same; a query must filter `is_active` = true", CA, CB, SHADOW)),
    Entry("RewardRedemptions",
          get=grant("the client (active)", CA, SHADOW),
          list=grant("the same; a query must filter `client_id` = caller", CA, SHADOW)),
    Entry("PointsLedger",
          get=grant("the client (active)", CA, SHADOW),
          list=grant("the same; a query must filter `client_id` = caller", CA, SHADOW)),
    Entry("Quotes",
          get=grant("the client (active)", CA, SHADOW),
          list=grant("the same; a query must filter `client_id` = caller", CA, SHADOW),
          note="photo quotes, written by `quote_from_photos` and marked used by `create_request`"),
    Entry("Disputes",
          get=grant("the dispute's client or technician (active)", CA, DA, DU, SHADOW),
          list=grant("the same; a query must filter `client_id` or `dispatcher_id` = caller", CA, DA, DU, SHADOW)),
    Entry("Disputes/{id}/private/data", note="`admin_notes`"),
    Entry("SupportTickets/{id}/private/data", note="the admins' `internal_notes`"),
    Entry("DisputeComments",
          get=grant("the dispute's parties (active), non-internal comments only", CA, DA, DU, SHADOW),
          list=grant("the same; a query must filter `dispute_id` and `is_internal` = false", CA, DA, DU, SHADOW),
          note="comments are added through `add_dispute_comment`"),
    Entry("FraudAlerts"),
    Entry("PricingRules", note="clients get prices from `quote_price`"),
    Entry("Services",
          get=grant("active users, active services only", CA, CB, DA, DO, DU, SHADOW, MO),
          list=grant("the same; a query must filter `is_active` = true", CA, CB, DA, DO, DU, SHADOW, MO),
          note="the service catalogue; admins edit it through the audited catalogue callables"),
    Entry("DentRepairMatrices", note="clients get prices from `quote_from_photos`; admins replace it with "
                                     "`admin_set_dent_matrix` (audited)"),
    Entry("SupportTickets",
          get=grant("the ticket's owner (active)", CA, DA, DU, SHADOW),
          list=grant("the same; a query must filter `user_id` = caller", CA, DA, DU, SHADOW)),
    Entry("SupportMessages",
          get=grant("the ticket's owner (active)", CA, DA, DU, SHADOW),
          list=grant("the same; a query must filter `ticket_id`", CA, DA, DU, SHADOW)),
    Entry("NotificationPreferences",
          get=grant(OWNER_READS, CA, DA, DU, SHADOW),
          list=grant(f"{OWNER_READS}, query filtered on `user_id` = caller", CA, DA, DU, SHADOW),
          update=grant("owner (active): toggles, quiet hours and their time zone", CA, DA, DU, SHADOW),
          note="created with the spec's defaults by `on_user_created`"),
    Entry("Notifications",
          get=grant(OWNER_READS, CA, DA, DU, SHADOW),
          list=grant("the same; a query must filter `user_id` = caller", CA, DA, DU, SHADOW),
          note="marked read only through `mark_notifications_read`, which moves `Users.unread_notifications` "
               "with them"),
    Entry("DispatcherLocations", note="technicians' positions never reach clients"),
    Entry("QuarantinedUploads", note="written by the Storage finalize trigger"),
    Entry("StripeEvents", note="written by the Stripe webhook"),
    Entry("JobPayments", note="each job's money in minor units; written by the payment functions"),
    Entry("PaymentLedger", note="one money movement per entry, deterministic ids; written by the payment functions"),
    Entry("DispatcherEarnings",
          get=grant("the technician (active); stays visible if verification lapses", DA, DU),
          list=grant("the same; a query must filter `user_id` = caller", DA, DU),
          note="the Earnings screen, kept in step with `JobPayments` by the payment functions"),
    Entry("Invoices",
          get=grant("the job's client or technician (active)", CA, DA, DU, SHADOW),
          list=grant("the same; a query must filter `client_id` or `dispatcher_id` = caller", CA, DA, DU, SHADOW),
          note="tax invoices and credit notes, written by the invoicing functions (D103)"),
    Entry("InvoiceSequences", note="each issuer's last invoice number; moved with the document that uses the next"),
    Entry("Vehicles",
          get=grant("the client (active)", CA, SHADOW),
          list=grant("the same; a query must filter `client_id` = caller", CA, SHADOW),
          note="saved through `save_vehicle`; the completion moves the next service's date"),
    Entry("VehicleServices",
          get=grant("the vehicle's client (active)", CA, SHADOW),
          list=grant("the same; a query must filter `client_id` = caller", CA, SHADOW),
          note="the service history; the technician of a job on the vehicle reads it through `get_vehicle_history`"),
    Entry("VanStock",
          get=grant("the technician (active)", DA, DU),
          list=grant("the same; a query must filter `dispatcher_id` = caller", DA, DU),
          note="the parts in the van; changed through `set_van_part`, `receive_van_stock` and `complete_job`"),
    Entry("VanStockMovements",
          get=grant("the technician (active)", DA, DU),
          list=grant("the same; a query must filter `dispatcher_id` = caller", DA, DU),
          note="each delivery and use, written with the count it changed"),
    Entry("TechnicianCalendars",
          get=grant("the technician (active)", DA, DU),
          list=grant("the same; a query must filter `dispatcher_id` = caller", DA, DU),
          note="working hours, time off and reserved scheduled jobs; changed through `set_calendar`, "
               "`set_time_off` and bookings (D110)"),
    Entry("RecurringBookings",
          get=grant("the client (active)", CA, SHADOW),
          list=grant("the same; a query must filter `client_id` = caller", CA, SHADOW),
          note="a client's repeating booking; made by `create_recurring_booking`, booked ahead daily (D113)"),
    Entry("Outbox", note="vendor calls a commit asked for, run after it; written by the functions only"),
    Entry("BackgroundCheckEvents", note="written by the background-check webhook"),
    Entry("PhoneVerifications", note="the number an SMS code went to, and the rate limit's window"),
    Entry("WithheldComments", note="review comments moderation kept from the public, with why; the admins' list"),
    Entry("ReferralCodes", note="whose referral code each is (the code is the id: unique); the owner reads their "
                                "code on `ClientProfiles.referral_code`"),
    Entry("RateLimitSlots", note="one per call a rate limit let through (D47); written by the functions only"),
    Entry("InsuranceClaims", note="what insurers owe for insurance jobs (D91); moved by "
          "`admin_update_insurance_claim`"),
    Entry("Leads", note="Messenger prospects by page-scoped sender id (D83); written by `messenger_webhook`"),
    Entry("MessengerEvents", note="Messenger messages already handled (D83); written by `messenger_webhook`"),
    Entry("MonitorWatermarks", note="where the hourly fraud monitor got to (D69); written by the functions only"),
    Entry("DailyStats", note="the admin dashboard's daily rollups (D95-D96), added to by the functions in the "
                             "commits that change what they count"),
    Entry("Merchants", note="a merchant's business record (D115); set by `admin_upsert_merchant`"),
    Entry("MerchantSkus",
          get=grant("the merchant (active)"),
          list=grant("the same; a query must filter `merchant_id` = caller"),
          note="what a merchant orders by (brand, model, SKU -> service and price); set by "
               "`admin_upsert_merchant_sku`; the merchant's own reads are in `test_merchant_rules.py`"),
    Entry("MerchantStatements", note="a merchant's month bill, added to by each completed order (D117); e-mailed"),
    Entry("MerchantStatementLines", note="one completed order on a statement, keyed by the job (D117)"),
    Entry("AuditLog", create=FUNCTIONS_ONLY, update=FUNCTIONS_ONLY, delete=FUNCTIONS_ONLY, admins_write=False,
          note="every admin action; admins read it, nobody's app writes it (append-only)"),
)

ENTRIES: dict[str, Entry] = {entry.collection: entry for entry in ACCESS}

NON_ADMIN_ROLES: tuple[Role, ...] = tuple(role for role in Role if role is not Role.ADMIN)


@dataclass(frozen=True)
class Cell:
    collection: str
    role: Role
    op: Op

    @property
    def allowed(self) -> bool:
        return ENTRIES[self.collection].allows(self.role, self.op)

    @property
    def id(self) -> str:
        return f"{self.collection}-{self.role.value}-{self.op.value}"


CELLS: tuple[Cell, ...] = tuple(Cell(entry.collection, role, op) for entry in ACCESS for role in Role for op in Op)
"""Every (collection, role, operation) of the matrix."""


# ------------------------------------------------------------------------------------------- client writes

class Kind(StrEnum):
    TEXT = "text"
    TOKEN = "token"
    IMAGE_URL = "image url"
    PLATE = "plate"
    PATHS = "paths"
    BOOL = "bool"
    CLOCK = "clock"
    STAMP = "stamp"
    ZONE = "zone"
    OWN_UID = "own uid"
    FORCED = "forced"


@dataclass(frozen=True)
class FieldRule:
    kind: Kind
    max: int = 0
    """Longest text / most list items accepted."""
    text: str = ""
    """What a FORCED field is forced to."""

    def describe(self) -> str:
        if self.text:
            return self.text
        return {
            Kind.TEXT: f"string ≤ {self.max}",
            Kind.TOKEN: "empty, or the caller's ID token's",
            Kind.IMAGE_URL: "empty, or a download URL of the caller's own `profile_photos/` file",
            Kind.PLATE: "`[A-Za-z0-9 -]{1,20}`",
            Kind.PATHS: f"≤ {self.max} own `car_photos` paths",
            Kind.BOOL: "bool",
            Kind.CLOCK: "`HH:MM` or null",
            Kind.STAMP: "server timestamp",
            Kind.ZONE: f"null or an IANA zone name ≤ {self.max}",
            Kind.OWN_UID: "caller's uid",
            Kind.FORCED: "forced to the caller / job",
        }[self.kind]


TEXT100, TEXT2048 = FieldRule(Kind.TEXT, 100), FieldRule(Kind.TEXT, 2048)
TOKEN, IMAGE_URL = FieldRule(Kind.TOKEN), FieldRule(Kind.IMAGE_URL, 2048)
BOOL, STAMP = FieldRule(Kind.BOOL), FieldRule(Kind.STAMP)

TOGGLES = ("job_accepted", "dispatcher_en_route", "dispatcher_arrived", "job_started", "job_completed",
           "new_job_offer", "new_message", "support_reply", "dispute_update", "dispute_resolved",
           "verification_update", "payment_processed", "review_received", "fraud_alert", "rewards_earned",
           "scheduled_job_reminder", "job_cancelled", "dispatch_delayed", "stock_low", "service_due",
           "nearby_lead", "email_notifications",
           "push_notifications", "sms_notifications", "sound_enabled", "do_not_disturb", "quiet_hours_enabled")


@dataclass(frozen=True)
class Surface:
    """One client write the rules accept: which collection, which operation, by whom, and its fields."""

    collection: str
    op: Op
    writer: Role
    fields: dict[str, FieldRule] = field(default_factory=dict)
    by: str = "owner"

    @property
    def id(self) -> str:
        return f"{self.collection}.{self.op.value}"


SURFACES: tuple[Surface, ...] = (
    Surface("Users", Op.CREATE, CA, {
        "email": TOKEN, "full_name": TEXT100, "phone_number": TOKEN,
        "profile_image_url": IMAGE_URL, "display_name": TEXT100, "photo_url": IMAGE_URL,
        "uid": FieldRule(Kind.OWN_UID), "created_time": STAMP}),
    Surface("Users", Op.UPDATE, CA, {
        "full_name": TEXT100, "display_name": TEXT100, "photo_url": IMAGE_URL, "profile_image_url": IMAGE_URL,
        "updated_date": STAMP}),
    Surface("ClientProfiles", Op.UPDATE, CA, {
        "car_model": TEXT100, "license_plate": FieldRule(Kind.PLATE, 20), "car_images": FieldRule(Kind.PATHS, 8),
        "profile_image_url": IMAGE_URL, "updated_date": STAMP}),
    Surface("DispatcherProfiles", Op.UPDATE, DA, {
        "bio": FieldRule(Kind.TEXT, 1000), "profile_image_url": IMAGE_URL, "updated_date": STAMP}),
    Surface("NotificationPreferences", Op.UPDATE, CA, {
        **dict.fromkeys(TOGGLES, BOOL), "quiet_hours_start": FieldRule(Kind.CLOCK),
        "quiet_hours_end": FieldRule(Kind.CLOCK), "time_zone": FieldRule(Kind.ZONE, 64)}),
    Surface("ChatPresence", Op.CREATE, CA, {
        "request_id": FieldRule(Kind.FORCED, text="an ongoing job the caller is a party of (the id's first part)"),
        "user_id": FieldRule(Kind.OWN_UID), "last_seen_at": STAMP, "typing_at": STAMP},
        by="a party of the job, about themselves"),
    Surface("ChatPresence", Op.UPDATE, CA, {"last_seen_at": STAMP, "typing_at": STAMP},
        by="the person it is about"),
)


# ------------------------------------------------------------------------------------------- rendering

BEGIN, END = "<!-- access-table:begin (generated by `python -m tests.rules.access_table`) -->", \
    "<!-- access-table:end -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def _cell(grant_of_op: Grant) -> str:
    return grant_of_op.rule if grant_of_op is not ADMINS else "—"


def render() -> str:
    """The generated block of docs/security.md."""
    lines = [BEGIN, "", "### Access table", "",
             "Admins (custom claim `admin: true`) may do everything and are left out; \"—\" means nobody "
             "else (server-owned: only Cloud Functions and admins write it).", "",
             "| collection | get | list | create | update | delete | note |", "|---|---|---|---|---|---|---|"]
    for entry in ACCESS:
        row = [f"`{entry.collection}`", *(_cell(entry.grant(op)) for op in Op), entry.note]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "### Client-writable fields", "",
              "Every other field of these documents, every extra field, a wrong type and an oversized value "
              "are refused (tested per field in `tests/rules/test_escalation.py`).", "",
              "| document | operation | by | fields the rules accept |", "|---|---|---|---|"]
    for surface in SURFACES:
        fields = ", ".join(f"`{name}` ({rule.describe()})" for name, rule in surface.fields.items()
                           if name not in TOGGLES)
        if any(name in TOGGLES for name in surface.fields):
            fields = f"the {len(TOGGLES)} toggles (bool), " + fields
        lines.append(f"| `{surface.collection}` | {surface.op.value} | {surface.by} | {fields} |")
    lines += ["", "### Roles of the matrix", "", "| role | who |", "|---|---|"]
    lines += [f"| `{role.value}` | {ROLE_DESCRIPTIONS[role]} |" for role in Role]
    lines += ["", "### The matrix", "",
              f"{len(CELLS)} cells: {len(ACCESS)} collections x {len(Role)} roles x {len(Op)} operations, "
              "each asserted against the emulator by `tests/rules/test_matrix.py`. A letter is an allowed "
              "operation (**g**et, **l**ist, **c**reate, **u**pdate, **d**elete); `·` a refused one.", "",
              "| collection | " + " | ".join(f"`{role.value}`" for role in Role) + " |",
              "|---|" + "---|" * len(Role)]
    for entry in ACCESS:
        marks = ["".join(op.value[0] if entry.allows(role, op) else "·" for op in Op) for role in Role]
        lines.append(f"| `{entry.collection}` | " + " | ".join(marks) + " |")
    lines += ["", END]
    return "\n".join(lines)


def rendered_block(text: str) -> str:
    """The generated block as it stands in a document (empty if the markers are missing)."""
    if BEGIN not in text or END not in text:
        return ""
    return text[text.index(BEGIN):text.index(END) + len(END)]


def write_doc(path: Path = DOC) -> None:
    text = path.read_text(encoding="utf-8")
    current = rendered_block(text)
    if not current:
        raise SystemExit(f"{path}: the access-table markers are missing")
    path.write_text(text.replace(current, render()), encoding="utf-8")


if __name__ == "__main__":
    write_doc(Path(sys.argv[1]) if len(sys.argv) > 1 else DOC)
