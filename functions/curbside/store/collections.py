"""The single source of truth for collection names, document paths and which model each collection holds.

Names are the spec's exactly (the apps bind to them). Code never spells a collection name or a path by hand:
it asks `doc_path`/`private_doc_path`, so the private sub-document convention lives in one place.
"""

import hashlib
import secrets
import string
from collections.abc import Mapping
from enum import StrEnum

from curbside.domain.documents import (
    AuditEntry,
    BackgroundCheckEvent,
    ChatPresence,
    ClientProfile,
    ClientProfilePrivate,
    ClientReview,
    Conversation,
    DailyStats,
    DentRepairMatrix,
    DispatcherEarnings,
    DispatcherLocation,
    DispatcherProfile,
    DispatcherProfilePrivate,
    Dispute,
    DisputeComment,
    DisputePrivate,
    Document,
    FraudAlert,
    InsuranceClaim,
    Invoice,
    InvoiceSequence,
    JobCompletion,
    JobContact,
    JobOffer,
    JobPayment,
    Lead,
    Merchant,
    MerchantSku,
    MerchantStatement,
    MerchantStatementLine,
    Message,
    MessengerEvent,
    MonitorWatermark,
    Notification,
    NotificationPreferences,
    OutboxEntry,
    PaymentLedgerEntry,
    PhoneVerification,
    PointsLedgerEntry,
    PricingRule,
    PrivateDocument,
    PublicReview,
    QuarantinedUpload,
    Quote,
    RateLimitSlot,
    RecurringBooking,
    ReferralCode,
    Review,
    Reward,
    RewardRedemption,
    Service,
    ServiceRequest,
    StripeEvent,
    SupportMessage,
    SupportTicket,
    SupportTicketPrivate,
    TechnicianCalendar,
    User,
    UserPrivate,
    VanStockItem,
    VanStockMovement,
    Vehicle,
    VehicleService,
    WithheldComment,
)


class Collection(StrEnum):
    """Every top-level collection: the spec's, then the three it implies, then the two the security rules
    need (JobContacts: contact details shared while a job is active; QuarantinedUploads: rejected files),
    and the payments work: the Stripe webhook's processed-event record (StripeEvents), each job's money
    (JobPayments), every money movement (PaymentLedger) and the technicians' Earnings screen
    (DispatcherEarnings); the vendor calls a commit asked for, run after it (Outbox); the background-check
    provider's processed-event record (BackgroundCheckEvents); and the chat's per-job
    summary (Conversations), the apps' presence and typing marks (ChatPresence) and SMS code requests
    (PhoneVerifications); and every admin action (AuditLog) and the calls rate limits let through
    (RateLimitSlots); the reviews work's points, referral codes and withheld comments, and the applied reviews
    of technicians as their public profiles list them (PublicReviews); and where the hourly fraud monitor got
    to (MonitorWatermarks); and what insurers owe for insurance jobs (InsuranceClaims); and photo quotes (Quotes)
    priced by the dent-repair matrix (DentRepairMatrices); and the paperwork work's invoices (Invoices,
    InvoiceSequences), van stock (VanStock, VanStockMovements) and vehicles (Vehicles, VehicleServices); and the
    admin dashboard's daily rollups (DailyStats); and the Messenger prospects (Leads) and the messages handled
    (MessengerEvents); and merchants, their SKUs and month statements (Merchants, MerchantSkus,
    MerchantStatements, MerchantStatementLines); and the calendars work's technician calendars
    (TechnicianCalendars) and recurring bookings (RecurringBookings)."""

    USERS = "Users"
    CLIENT_PROFILES = "ClientProfiles"
    DISPATCHER_PROFILES = "DispatcherProfiles"
    SERVICE_REQUESTS = "ServiceRequests"
    JOB_COMPLETIONS = "JobCompletions"
    REVIEWS = "Reviews"
    CLIENT_REVIEWS = "ClientReviews"
    MESSAGES = "Messages"
    JOB_OFFERS = "JobOffers"
    REWARDS = "Rewards"
    REWARD_REDEMPTIONS = "RewardRedemptions"
    DISPUTES = "Disputes"
    DISPUTE_COMMENTS = "DisputeComments"
    FRAUD_ALERTS = "FraudAlerts"
    PRICING_RULES = "PricingRules"
    SUPPORT_TICKETS = "SupportTickets"
    SUPPORT_MESSAGES = "SupportMessages"
    NOTIFICATION_PREFERENCES = "NotificationPreferences"
    NOTIFICATIONS = "Notifications"
    DISPATCHER_LOCATIONS = "DispatcherLocations"
    POINTS_LEDGER = "PointsLedger"
    REFERRAL_CODES = "ReferralCodes"
    WITHHELD_COMMENTS = "WithheldComments"
    PUBLIC_REVIEWS = "PublicReviews"
    JOB_CONTACTS = "JobContacts"
    QUARANTINED_UPLOADS = "QuarantinedUploads"
    STRIPE_EVENTS = "StripeEvents"
    JOB_PAYMENTS = "JobPayments"
    PAYMENT_LEDGER = "PaymentLedger"
    DISPATCHER_EARNINGS = "DispatcherEarnings"
    OUTBOX = "Outbox"
    BACKGROUND_CHECK_EVENTS = "BackgroundCheckEvents"
    CONVERSATIONS = "Conversations"
    CHAT_PRESENCE = "ChatPresence"
    PHONE_VERIFICATIONS = "PhoneVerifications"
    AUDIT_LOG = "AuditLog"
    RATE_LIMIT_SLOTS = "RateLimitSlots"
    MONITOR_WATERMARKS = "MonitorWatermarks"
    INVOICES = "Invoices"
    INVOICE_SEQUENCES = "InvoiceSequences"
    VAN_STOCK = "VanStock"
    VAN_STOCK_MOVEMENTS = "VanStockMovements"
    VEHICLES = "Vehicles"
    VEHICLE_SERVICES = "VehicleServices"
    SERVICES = "Services"
    INSURANCE_CLAIMS = "InsuranceClaims"
    QUOTES = "Quotes"
    DENT_REPAIR_MATRICES = "DentRepairMatrices"
    DAILY_STATS = "DailyStats"
    LEADS = "Leads"
    MESSENGER_EVENTS = "MessengerEvents"
    MERCHANTS = "Merchants"
    MERCHANT_SKUS = "MerchantSkus"
    MERCHANT_STATEMENTS = "MerchantStatements"
    MERCHANT_STATEMENT_LINES = "MerchantStatementLines"
    TECHNICIAN_CALENDARS = "TechnicianCalendars"
    RECURRING_BOOKINGS = "RecurringBookings"


TTL_FIELDS: Mapping[Collection, str] = {
    Collection.RATE_LIMIT_SLOTS: "expires_at",
}
"""Collections Firestore empties by itself: the timestamp field of each one's TTL policy, declared (with its
single-field index turned off: nothing queries it) in `firestore.indexes.json` (D72)."""

PRIVATE_SUBCOLLECTION = "private"
PRIVATE_DOC_ID = "data"

MODELS: Mapping[Collection, type[Document]] = {
    Collection.USERS: User,
    Collection.CLIENT_PROFILES: ClientProfile,
    Collection.DISPATCHER_PROFILES: DispatcherProfile,
    Collection.SERVICE_REQUESTS: ServiceRequest,
    Collection.JOB_COMPLETIONS: JobCompletion,
    Collection.REVIEWS: Review,
    Collection.CLIENT_REVIEWS: ClientReview,
    Collection.MESSAGES: Message,
    Collection.JOB_OFFERS: JobOffer,
    Collection.REWARDS: Reward,
    Collection.REWARD_REDEMPTIONS: RewardRedemption,
    Collection.DISPUTES: Dispute,
    Collection.DISPUTE_COMMENTS: DisputeComment,
    Collection.FRAUD_ALERTS: FraudAlert,
    Collection.INSURANCE_CLAIMS: InsuranceClaim,
    Collection.PRICING_RULES: PricingRule,
    Collection.SUPPORT_TICKETS: SupportTicket,
    Collection.SUPPORT_MESSAGES: SupportMessage,
    Collection.NOTIFICATION_PREFERENCES: NotificationPreferences,
    Collection.NOTIFICATIONS: Notification,
    Collection.DISPATCHER_LOCATIONS: DispatcherLocation,
    Collection.POINTS_LEDGER: PointsLedgerEntry,
    Collection.REFERRAL_CODES: ReferralCode,
    Collection.WITHHELD_COMMENTS: WithheldComment,
    Collection.PUBLIC_REVIEWS: PublicReview,
    Collection.JOB_CONTACTS: JobContact,
    Collection.QUARANTINED_UPLOADS: QuarantinedUpload,
    Collection.STRIPE_EVENTS: StripeEvent,
    Collection.JOB_PAYMENTS: JobPayment,
    Collection.PAYMENT_LEDGER: PaymentLedgerEntry,
    Collection.DISPATCHER_EARNINGS: DispatcherEarnings,
    Collection.OUTBOX: OutboxEntry,
    Collection.BACKGROUND_CHECK_EVENTS: BackgroundCheckEvent,
    Collection.CONVERSATIONS: Conversation,
    Collection.CHAT_PRESENCE: ChatPresence,
    Collection.PHONE_VERIFICATIONS: PhoneVerification,
    Collection.AUDIT_LOG: AuditEntry,
    Collection.RATE_LIMIT_SLOTS: RateLimitSlot,
    Collection.MONITOR_WATERMARKS: MonitorWatermark,
    Collection.INVOICES: Invoice,
    Collection.INVOICE_SEQUENCES: InvoiceSequence,
    Collection.TECHNICIAN_CALENDARS: TechnicianCalendar,
    Collection.RECURRING_BOOKINGS: RecurringBooking,
    Collection.VAN_STOCK: VanStockItem,
    Collection.VAN_STOCK_MOVEMENTS: VanStockMovement,
    Collection.VEHICLES: Vehicle,
    Collection.VEHICLE_SERVICES: VehicleService,
    Collection.SERVICES: Service,
    Collection.QUOTES: Quote,
    Collection.DENT_REPAIR_MATRICES: DentRepairMatrix,
    Collection.DAILY_STATS: DailyStats,
    Collection.LEADS: Lead,
    Collection.MESSENGER_EVENTS: MessengerEvent,
    Collection.MERCHANTS: Merchant,
    Collection.MERCHANT_SKUS: MerchantSku,
    Collection.MERCHANT_STATEMENTS: MerchantStatement,
    Collection.MERCHANT_STATEMENT_LINES: MerchantStatementLine,
}
"""The model of each collection's documents."""

PRIVATE_MODELS: Mapping[Collection, type[PrivateDocument]] = {
    Collection.USERS: UserPrivate,
    Collection.CLIENT_PROFILES: ClientProfilePrivate,
    Collection.DISPATCHER_PROFILES: DispatcherProfilePrivate,
    Collection.DISPUTES: DisputePrivate,
    Collection.SUPPORT_TICKETS: SupportTicketPrivate,
}
"""The model of the `private/data` sub-document, for the collections that have one."""

_COLLECTION_OF: Mapping[type[Document] | type[PrivateDocument], Collection] = {
    **{model: collection for collection, model in MODELS.items()},
    **{model: collection for collection, model in PRIVATE_MODELS.items()},
}


def collection_for(model_cls: type[Document] | type[PrivateDocument]) -> Collection:
    """The collection a model's documents are stored in (for a private part: its parent's collection)."""
    try:
        return _COLLECTION_OF[model_cls]
    except KeyError:
        raise TypeError(f"{model_cls.__name__} is not the model of any collection") from None


def _checked_id(doc_id: str) -> str:
    if not doc_id or "/" in doc_id:
        raise ValueError(f"not a document id: {doc_id!r}")
    return doc_id


def doc_path(collection: Collection, doc_id: str) -> str:
    """`{Collection}/{id}`."""
    return f"{collection}/{_checked_id(doc_id)}"


def private_doc_path(collection: Collection, doc_id: str) -> str:
    """`{Collection}/{id}/private/data`, refused for collections without a private part."""
    if collection not in PRIVATE_MODELS:
        raise ValueError(f"{collection} has no private sub-document")
    return f"{doc_path(collection, doc_id)}/{PRIVATE_SUBCOLLECTION}/{PRIVATE_DOC_ID}"


_ID_ALPHABET = string.ascii_letters + string.digits


def new_document_id() -> str:
    """A new random document id, as Firestore's client makes them (20 letters and digits)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))


def retry_document_id(*scope: str, key: str | None) -> str:
    """The id of the document a call creates: with the app's retry `key` (made once per tap, sent again with
    every retry of that call) the same for every retry and different for every `scope` (the caller, the job),
    so a retry addresses the document its first attempt created (D22); without a key a new random id."""
    if key is None:
        return new_document_id()
    return hashlib.sha256("\n".join((*scope, key)).encode()).hexdigest()[:20]
