"""One pydantic model per Firestore collection, with the spec's field names, types and defaults.

Decisions that hold for every collection (docs/data-model.md has the per-collection detail):
- The document id is also stored as the field `id` (the spec lists `"id": "string (auto)"` everywhere and
  FlutterFlow binds to fields); `Document.id` is always the id the document is stored under.
- Per-user documents (ClientProfiles, DispatcherProfiles, NotificationPreferences, DispatcherLocations)
  are stored under the user's uid, and the model refuses any other id.
- Money is `Decimal` here and a double in Firestore; timestamps are aware UTC `datetime`s; the spec's
  "YYYY-MM-DD" and "HH:MM" fields stay strings.
- Fields a role must not read live in a `private/data` sub-document, modelled as `...Private` classes:
  Users: account_status (+ account_status_reason, who changed it and when, the status last applied);
  ClientProfiles: phone_number, payment_method, billing_address (+ stripe_customer_id);
  DispatcherProfiles: phone_number, passport_image_url, drivers_license_url, vehicle_registration_url,
  vehicle_insurance_url, verification_notes, bank_details (+ stripe_account_id);
  Disputes: admin_notes.
- Collections the spec implies but does not list: Notifications, DispatcherLocations, PointsLedger; and two
  the security work adds: JobContacts (contact details shared while a job is active) and QuarantinedUploads;
  and the payments work: StripeEvents, JobPayments, PaymentLedger, DispatcherEarnings; and the unit of
  work's Outbox (vendor calls to run after a commit); the verification work's BackgroundCheckEvents; and the
  notifications work: Conversations,
  ChatPresence and PhoneVerifications; and trust and safety's AuditLog and RateLimitSlots.
"""

from curbside.domain.documents.audit import AuditEntry
from curbside.domain.documents.base import Document, PrivateDocument, UserKeyedDocument
from curbside.domain.documents.calendars import RecurringBooking, TechnicianCalendar
from curbside.domain.documents.catalogue import AddOn, Service
from curbside.domain.documents.completions import JobCompletion
from curbside.domain.documents.contacts import JobContact
from curbside.domain.documents.disputes import Dispute, DisputeComment, DisputePrivate
from curbside.domain.documents.fraud import FraudAlert, MonitorWatermark
from curbside.domain.documents.insurance import InsuranceClaim
from curbside.domain.documents.invoices import Invoice, InvoiceLine, InvoicePart, InvoiceSequence
from curbside.domain.documents.leads import Lead, MessengerEvent
from curbside.domain.documents.locations import DispatcherLocation
from curbside.domain.documents.merchants import Merchant, MerchantSku, MerchantStatement, MerchantStatementLine
from curbside.domain.documents.messages import ChatPresence, Conversation, Message
from curbside.domain.documents.notifications import Notification, NotificationPreferences
from curbside.domain.documents.offers import JobOffer
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.documents.payments import DispatcherEarnings, JobPayment, PaymentLedgerEntry, StripeEvent
from curbside.domain.documents.phone import PhoneVerification
from curbside.domain.documents.pricing_rules import PricingRule
from curbside.domain.documents.quarantine import QuarantinedUpload
from curbside.domain.documents.quotes import DamageEntry, DentRepairMatrix, Quote
from curbside.domain.documents.rate_limits import RateLimitSlot
from curbside.domain.documents.requests import ServiceRequest
from curbside.domain.documents.reviews import ClientReview, PublicReview, Review, WithheldComment
from curbside.domain.documents.rewards import (
    PointsLedgerEntry,
    ReferralCode,
    Reward,
    RewardRedemption,
    ledger_entry_id,
)
from curbside.domain.documents.stats import DailyStats
from curbside.domain.documents.support import SupportMessage, SupportTicket, SupportTicketPrivate
from curbside.domain.documents.users import (
    ClientProfile,
    ClientProfilePrivate,
    DispatcherProfile,
    DispatcherProfilePrivate,
    StepReview,
    User,
    UserPrivate,
)
from curbside.domain.documents.van_stock import PartUsed, VanStockItem, VanStockMovement
from curbside.domain.documents.vehicles import Vehicle, VehicleService
from curbside.domain.documents.verification import BackgroundCheckEvent

__all__ = [
    "AddOn",
    "AuditEntry",
    "BackgroundCheckEvent",
    "ChatPresence",
    "ClientProfile",
    "ClientProfilePrivate",
    "ClientReview",
    "Conversation",
    "DailyStats",
    "DamageEntry",
    "DentRepairMatrix",
    "DispatcherEarnings",
    "DispatcherLocation",
    "DispatcherProfile",
    "DispatcherProfilePrivate",
    "Dispute",
    "DisputeComment",
    "DisputePrivate",
    "Document",
    "FraudAlert",
    "InsuranceClaim",
    "Invoice",
    "InvoiceLine",
    "InvoicePart",
    "InvoiceSequence",
    "JobCompletion",
    "JobContact",
    "JobOffer",
    "JobPayment",
    "Lead",
    "Merchant",
    "MerchantSku",
    "MerchantStatement",
    "MerchantStatementLine",
    "Message",
    "MessengerEvent",
    "MonitorWatermark",
    "Notification",
    "NotificationPreferences",
    "OutboxEntry",
    "PartUsed",
    "PaymentLedgerEntry",
    "PhoneVerification",
    "PointsLedgerEntry",
    "PricingRule",
    "PrivateDocument",
    "PublicReview",
    "QuarantinedUpload",
    "Quote",
    "RateLimitSlot",
    "RecurringBooking",
    "ReferralCode",
    "Review",
    "Reward",
    "RewardRedemption",
    "Service",
    "ServiceRequest",
    "StepReview",
    "StripeEvent",
    "SupportMessage",
    "SupportTicket",
    "SupportTicketPrivate",
    "TechnicianCalendar",
    "User",
    "UserKeyedDocument",
    "UserPrivate",
    "VanStockItem",
    "VanStockMovement",
    "Vehicle",
    "VehicleService",
    "WithheldComment",
    "ledger_entry_id",
]
