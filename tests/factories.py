"""Factories: a valid, deterministic model of every collection (and private part), with keyword overrides.

`make(Model, **overrides)` is the one mechanism; `make_service_request(status="accepted")` and friends are
it bound to a model. Defaults describe one coherent small world (a client, a verified technician, a job in
Dublin at a fixed instant); every call draws a fresh numbered id, and a per-user document's id follows its
user key (`make_client_profile(user_id="u1")` is stored as ClientProfiles/u1).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from google.cloud import firestore
from pydantic import BaseModel

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
    UserKeyedDocument,
    UserPrivate,
    VanStockItem,
    VanStockMovement,
    Vehicle,
    VehicleService,
    WithheldComment,
    ledger_entry_id,
)
from curbside.domain.enums import (
    AuditSource,
    AuthorizationStatus,
    CommentUserType,
    DisputeReason,
    FraudAlertType,
    InvoiceKind,
    LeadStatus,
    LedgerKind,
    NotificationType,
    PartyType,
    PayoutStatus,
    PointsReason,
    RequestStatus,
    ReviewCategory,
    RewardType,
    RuleType,
    ServiceCategory,
    Severity,
    StepStatus,
    SupportSenderType,
    TicketCategory,
    UserType,
    VerificationStatus,
)
from curbside.store.codec import to_document
from curbside.store.collections import collection_for, doc_path, private_doc_path
from seed.dent_matrix import dent_matrix

M = TypeVar("M", bound=BaseModel)

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
CLIENT_ID = "uid-client"
DISPATCHER_ID = "uid-dispatcher"
REQUEST_ID = "request-main"
DISPUTE_ID = "dispute-main"
TICKET_ID = "ticket-main"
REWARD_ID = "reward-main"
DUBLIN = (53.3419, -6.2597)
SIDES = ("front", "back", "left", "right")

_serial = itertools.count(1)

DEFAULTS: dict[type[BaseModel], Callable[[str], dict[str, Any]]] = {
    User: lambda n: {
        "id": f"uid-{n}", "uid": f"uid-{n}", "email": f"user{n}@example.com", "full_name": f"User {n}",
        "display_name": f"User {n}", "user_type": UserType.CLIENT, "phone_number": "+353871234567",
        "phone_verified": True, "email_verified": True, "fcm_tokens": [f"fcm-{n}"],
        "onboarding_completed": True, "created_time": NOW, "created_date": NOW, "updated_date": NOW,
    },
    UserPrivate: lambda n: {},
    ClientProfile: lambda n: {
        "id": f"uid-{n}", "user_id": f"uid-{n}", "car_model": "Volkswagen Golf",
        "license_plate": "191-D-12345", "car_images": [f"users/uid-{n}/car/front.jpg"],
        "card_last_four": "4242", "created_date": NOW, "updated_date": NOW,
    },
    ClientProfilePrivate: lambda n: {
        "phone_number": "+353871234567", "payment_method": f"pm_{n}", "billing_address": "1 Main St, Dublin",
        "stripe_customer_id": f"cus_{n}",
    },
    DispatcherProfile: lambda n: {
        "id": f"uid-{n}", "user_id": f"uid-{n}", "passport_verified": True,
        "verification_status": VerificationStatus.VERIFIED,
        "identity_verification_status": StepStatus.APPROVED,
        "vehicle_verification_status": StepStatus.APPROVED, "background_check_status": StepStatus.APPROVED,
        "vehicle_make_model": "Ford Transit", "vehicle_year": "2021", "vehicle_color": "white",
        "vehicle_license_plate": "211-D-54321",
        "vehicle_images": [f"users/uid-{n}/vehicle/{side}.jpg" for side in ("front", "back")],
        "background_check_consent": True, "background_check_consent_date": NOW,
        "verification_submitted_date": NOW, "verification_completed_date": NOW, "rating": 4.8,
        "total_jobs": 12, "total_reviews": 10, "bio": "Mobile mechanic, 10 years.", "created_date": NOW,
    },
    DispatcherProfilePrivate: lambda n: {
        "phone_number": "+353879876543", "passport_image_url": f"users/uid-{n}/docs/passport.jpg",
        "drivers_license_url": f"users/uid-{n}/docs/license.jpg", "verification_notes": "Documents valid.",
        "bank_details": "enc:v1:b64cipher", "stripe_account_id": f"acct_{n}", "payouts_enabled": True,
        "account_event_created": NOW,
    },
    ServiceRequest: lambda n: {
        "id": f"request-{n}", "client_id": CLIENT_ID, "client_name": "Alex Client", "client_rating": 4.9,
        "car_model": "Volkswagen Golf", "license_plate": "191-D-12345",
        "location_address": "Grafton St, Dublin", "location_lat": DUBLIN[0], "location_lng": DUBLIN[1],
        "car_location_images": [f"users/{CLIENT_ID}/requests/{n}/car.jpg"], "status": RequestStatus.PENDING,
        "price": Decimal("33.00"), "final_price": Decimal("33.00"), "priority_score": 1.0,
        "created_date": NOW, "updated_date": NOW,
    },
    JobCompletion: lambda n: {
        "id": f"request-{n}", "request_id": f"request-{n}", "dispatcher_id": DISPATCHER_ID,
        "client_id": CLIENT_ID,
        "completion_images": [f"users/{DISPATCHER_ID}/jobs/{n}/{side}.jpg" for side in SIDES],
        "completed_at": NOW, "completion_location_lat": DUBLIN[0], "completion_location_lng": DUBLIN[1],
        "location_verified": True, "location_distance_meters": 12.5,
        "auto_approve_at": NOW + timedelta(hours=48), "amount": Decimal("33.00"), "created_date": NOW,
    },
    Review: lambda n: {
        "id": f"request-{n}", "request_id": f"request-{n}", "reviewer_id": CLIENT_ID,
        "reviewee_id": DISPATCHER_ID, "reviewer_type": PartyType.CLIENT, "rating": 5, "comment": "Great job.",
        "apply_date": "2025-03-04", "created_date": NOW,
    },
    ClientReview: lambda n: {
        "id": f"request-{n}", "request_id": f"request-{n}", "reviewer_id": DISPATCHER_ID,
        "reviewee_id": CLIENT_ID, "reviewer_name": "Sam Tech", "rating": 5, "apply_date": "2025-03-04",
        "service_categories": [ReviewCategory.COMMUNICATION, ReviewCategory.PUNCTUALITY], "created_date": NOW,
    },
    Message: lambda n: {
        "id": f"message-{n}", "request_id": REQUEST_ID, "sender_id": CLIENT_ID, "sender_name": "Alex Client",
        "sender_type": PartyType.CLIENT, "message": "I'm parked by the blue door.", "created_date": NOW,
    },
    JobOffer: lambda n: {
        "id": f"offer-{n}", "request_id": REQUEST_ID, "dispatcher_id": DISPATCHER_ID,
        "dispatcher_name": "Sam Tech", "offered_at": NOW, "expires_at": NOW + timedelta(seconds=60),
        "assignment_score": 4.2, "distance_km": 3.1,
        "job_details": {"car_model": "Volkswagen Golf", "price": 33.0, "is_urgent": False},
    },
    Reward: lambda n: {
        "id": f"reward-{n}", "title": "€5 off", "description": "Five euro off your next service.",
        "points_required": 500, "discount_amount": Decimal("5.00"), "reward_type": RewardType.FIXED_DISCOUNT,
        "icon": "gift",
    },
    RewardRedemption: lambda n: {
        "id": f"redemption-{n}", "client_id": CLIENT_ID, "reward_id": REWARD_ID, "reward_title": "€5 off",
        "points_spent": 500, "discount_code": f"CURB-{n}", "expires_at": NOW + timedelta(days=30),
        "discount_amount": Decimal("5.00"), "created_date": NOW,
    },
    PointsLedgerEntry: lambda n: {
        "id": ledger_entry_id(PointsReason.EARN, f"request-{n}"), "client_id": CLIENT_ID, "points": 330,
        "reason": PointsReason.EARN, "request_id": f"request-{n}", "created_date": NOW,
    },
    Dispute: lambda n: {
        "id": f"dispute-{n}", "request_id": REQUEST_ID, "job_completion_id": REQUEST_ID,
        "client_id": CLIENT_ID, "dispatcher_id": DISPATCHER_ID, "raised_by_user_id": CLIENT_ID,
        "raised_by_name": "Alex Client",
        "raised_by_type": PartyType.CLIENT, "dispute_reason": DisputeReason.SERVICE_QUALITY,
        "description": "Scratches were not removed.",
        "evidence_urls": [f"users/{CLIENT_ID}/disputes/{n}.jpg"],
        "opened_at": NOW, "last_activity_at": NOW,
    },
    DisputePrivate: lambda n: {"admin_notes": "Photos are consistent with the claim."},
    SupportTicketPrivate: lambda n: {"internal_notes": [
        {"admin_id": f"admin-{n}", "note": "Refund promised by phone.", "created_date": NOW}]},
    DisputeComment: lambda n: {
        "id": f"comment-{n}", "dispute_id": DISPUTE_ID, "user_id": CLIENT_ID, "user_name": "Alex Client",
        "user_type": CommentUserType.CLIENT, "comment": "Added a closer photo.", "created_date": NOW,
    },
    FraudAlert: lambda n: {
        "id": f"alert-{n}", "user_id": DISPATCHER_ID, "user_type": PartyType.DISPATCHER,
        "alert_type": FraudAlertType.LOCATION_MISMATCH, "severity": Severity.HIGH,
        "alert_details": {"distance_m": 750.0, "detected_at": NOW}, "related_jobs": [REQUEST_ID],
        "created_date": NOW,
    },
    MonitorWatermark: lambda n: {"id": f"monitor-{n}", "until": NOW, "runs": 1, "updated_date": NOW},
    InsuranceClaim: lambda n: {
        "id": f"claim-{n}", "request_id": REQUEST_ID, "client_id": CLIENT_ID, "dispatcher_id": DISPATCHER_ID,
        "insurer": "NRMA", "claim_number": "HC-2026-00172", "currency": "EUR", "job_price": Decimal("56.00"),
        "excess_amount": Decimal("15.00"), "amount_owed": Decimal("41.00"), "amount_owed_minor": 4100,
        "created_date": NOW, "updated_date": NOW,
    },
    DailyStats: lambda n: {"id": "2026-01_0", "month": "2026-01", "shard": 0,
                           "days": {"d15": {"jobs_created": 3}}},
    Service: lambda n: {
        "id": f"service-{n}", "name": "Paintless dent repair", "category": ServiceCategory.HAIL_PDR,
        "estimated_duration_minutes": 90, "base_price": Decimal("120.00"), "required_skills": ["pdr"],
        "add_ons": [{"add_on_id": "wax", "name": "Hand wax", "price": Decimal("25.00"), "duration_minutes": 20}],
        "created_date": NOW, "updated_date": NOW,
    },
    PricingRule: lambda n: {
        "id": f"rule-{n}", "rule_name": "Evening peak", "rule_type": RuleType.TIME_OF_DAY, "multiplier": 1.2,
        "time_conditions": {"start": "17:00", "end": "19:00"}, "priority": 10,
    },
    SupportTicket: lambda n: {
        "id": f"ticket-{n}", "user_id": CLIENT_ID, "user_name": "Alex Client",
        "user_email": "alex@example.com", "user_type": UserType.CLIENT, "subject": "Charged twice?",
        "category": TicketCategory.PAYMENT_ISSUE, "ai_handled": True, "last_message_at": NOW,
        "tags": ["payment"], "created_date": NOW,
    },
    SupportMessage: lambda n: {
        "id": f"support-message-{n}", "ticket_id": TICKET_ID, "sender_id": CLIENT_ID,
        "sender_name": "Alex Client", "sender_type": SupportSenderType.USER,
        "message": "I see two charges for one job.", "created_date": NOW,
    },
    NotificationPreferences: lambda n: {
        "id": f"uid-{n}", "user_id": f"uid-{n}", "quiet_hours_start": "22:00", "quiet_hours_end": "08:00",
    },
    Notification: lambda n: {
        "id": f"notification-{n}", "user_id": CLIENT_ID, "type": NotificationType.JOB_ACCEPTED,
        "title": "Technician on the way", "body": "Sam accepted your job.",
        "data": {"screen": "job_details", "request_id": REQUEST_ID}, "request_id": REQUEST_ID,
        "created_date": NOW,
    },
    DispatcherLocation: lambda n: {  # geohash and the search fields follow from these (see the model)
        "id": f"uid-{n}", "dispatcher_id": f"uid-{n}", "is_online": True, "lat": 53.35, "lng": -6.26,
        "accuracy_m": 8.0, "location_updated_at": NOW, "verified": True, "rating": 4.8,
    },
    JobContact: lambda n: {
        "id": f"request-{n}", "request_id": f"request-{n}", "client_id": CLIENT_ID, "dispatcher_id": DISPATCHER_ID,
        "client_name": "Alex Client", "client_phone": "+353871234567", "dispatcher_name": "Sam Tech",
        "dispatcher_phone": "+353879876543", "created_date": NOW,
    },
    QuarantinedUpload: lambda n: {
        "id": f"quarantine-{n}", "bucket": "demo-curbside.appspot.com",
        "object_name": f"users/{CLIENT_ID}/car_photos/{n}.jpg",
        "quarantine_name": f"quarantine/users/{CLIENT_ID}/car_photos/{n}.jpg", "generation": 1,
        "owner_id": CLIENT_ID, "purpose": "car_photos", "size_bytes": 2048, "declared_content_type": "image/jpeg",
        "detected_content_type": "application/pdf", "problems": ["type_not_allowed", "content_type_mismatch"],
        "created_date": NOW,
    },
    StripeEvent: lambda n: {
        "id": f"evt_{n}", "type": "payment_method.attached", "object_id": f"pm_{n}", "outcome": "applied",
        "event_created": NOW, "processed_date": NOW,
    },
    JobPayment: lambda n: {  # captured 33.00, 1.00 refunded, the rest held: captured - refunded = held
        "id": f"request-{n}", "request_id": f"request-{n}", "client_id": CLIENT_ID, "dispatcher_id": DISPATCHER_ID,
        "currency": "EUR", "amount_minor": 3300, "payment_intent_id": f"pi_{n}",
        "authorization_status": AuthorizationStatus.CAPTURED, "payout_status": PayoutStatus.HELD,
        "captured_minor": 3300, "refunded_minor": 100, "held_minor": 3200,
        "refunds": {f"refund:request-{n}:partial": 100}, "stripe_refund_ids": [f"re_{n}"],
        "created_date": NOW, "updated_date": NOW,
    },
    PaymentLedgerEntry: lambda n: {
        "id": f"request-{n}:{LedgerKind.CAPTURE}", "request_id": f"request-{n}", "kind": LedgerKind.CAPTURE,
        "amount_minor": 3300, "amount": 33.0, "currency": "EUR", "dispatcher_id": DISPATCHER_ID,
        "stripe_object_id": f"pi_{n}", "created_date": NOW,
    },
    OutboxEntry: lambda n: {
        "id": f"capture:request-{n}", "kind": "capture", "key": f"request-{n}",
        "payload": {"request_id": f"request-{n}"}, "next_attempt_at": NOW, "created_date": NOW, "updated_date": NOW,
    },
    Conversation: lambda n: {
        "id": f"request-{n}", "request_id": f"request-{n}", "client_id": CLIENT_ID, "dispatcher_id": DISPATCHER_ID,
        "last_message": "On my way", "last_message_at": NOW, "last_sender_id": DISPATCHER_ID,
        "unread": {CLIENT_ID: 1, DISPATCHER_ID: 0},
    },
    ChatPresence: lambda n: {
        "id": f"request-{n}:{CLIENT_ID}", "request_id": f"request-{n}", "user_id": CLIENT_ID, "last_seen_at": NOW,
    },
    WithheldComment: lambda n: {
        "id": f"Reviews:request-{n}", "review_collection": "Reviews", "request_id": f"request-{n}",
        "reviewer_id": CLIENT_ID, "reviewee_id": DISPATCHER_ID, "comment": "You idiot.",
        "categories": ["harassment"], "checked_by": "word_list", "created_date": NOW,
    },
    PublicReview: lambda n: {
        "id": f"request-{n}", "dispatcher_id": DISPATCHER_ID, "rating": 5, "comment": "Quick and careful.",
        "created_date": NOW, "applied_date": "2026-11-21",
    },
    ReferralCode: lambda n: {"id": f"REF-{n}", "client_id": CLIENT_ID, "created_date": NOW},
    AuditEntry: lambda n: {
        "id": f"audit-{n}", "actor_id": "uid-admin", "source": AuditSource.ADMIN, "action": "set_account_status",
        "target_collection": "Users", "target_id": f"uid-{n}", "before": {"account_status": "active"},
        "after": {"account_status": "suspended"}, "reason": "Three chargebacks in a week.", "created_date": NOW,
    },
    RateLimitSlot: lambda n: {
        "id": f"create_request:uid-{n}:2940000:0", "bucket": f"create_request:uid-{n}:2940000",
        "limit": "create_request", "who": f"uid-{n}", "created_date": NOW, "expires_at": NOW + timedelta(minutes=20),
    },
    PhoneVerification: lambda n: {
        "id": f"uid-{n}", "user_id": f"uid-{n}", "phone_number": "+61412345678", "started_at": [NOW],
    },
    DispatcherEarnings: lambda n: {
        "id": f"uid-{n}", "user_id": f"uid-{n}", "currency": "EUR", "total_earnings": 120.5,
        "pending_payments": 33.0, "awaiting_payout_account": 0.0, "completed_payments": 87.5,
        "updated_date": NOW,
    },
    Invoice: lambda n: {
        "id": f"request-{n}", "kind": InvoiceKind.INVOICE, "number": f"INV-UIDDISPA-{int(n):06d}", "sequence": int(n),
        "request_id": f"request-{n}", "client_id": CLIENT_ID, "dispatcher_id": DISPATCHER_ID,
        "issuer_name": "Bob Tech", "client_name": "Alice Client", "car_model": "Mazda 3", "service_date": NOW,
        "currency": "EUR", "lines": [{"description": "Base price", "amount_minor": 3300}], "tax_name": "GST",
        "tax_rate_percent": 10.0, "prices_include_tax": True, "tax_minor": 300, "total_minor": 3300,
        "issued_at": NOW,
    },
    InvoiceSequence: lambda n: {"id": f"uid-{n}", "last": 1},
    VanStockItem: lambda n: {
        "id": f"{DISPATCHER_ID}~PAD-{n}", "dispatcher_id": DISPATCHER_ID, "sku": f"PAD-{n}", "name": "Brake pads",
        "unit_cost": Decimal("42.50"), "quantity": 4, "minimum": 2, "received_total": 6, "used_total": 2,
        "updated_date": NOW,
    },
    Vehicle: lambda n: {
        "id": f"vehicle-{n}", "client_id": CLIENT_ID, "license_plate": "ABC-123", "plate_key": "ABC123",
        "make": "Mazda", "model": "3", "year": 2019, "created_date": NOW, "updated_date": NOW,
    },
    VehicleService: lambda n: {
        "id": f"request-{n}", "vehicle_id": f"vehicle-{n}", "client_id": CLIENT_ID, "request_id": f"request-{n}",
        "dispatcher_id": DISPATCHER_ID, "service": "Hail repair", "completed_at": NOW, "invoice_id": f"request-{n}",
    },
    TechnicianCalendar: lambda n: {
        "id": f"uid-{n}", "dispatcher_id": f"uid-{n}", "time_zone": "Australia/Sydney", "base_lat": -33.87,
        "base_lng": 151.21, "working_hours": {"monday": [{"start": "08:00", "end": "17:00"}]}, "updated_date": NOW,
    },
    RecurringBooking: lambda n: {
        "id": f"recurring-{n}", "client_id": CLIENT_ID, "template_request_id": f"request-{n}", "frequency": "weekly",
        "first_date": "2026-12-01", "scheduled_time": "09:00", "time_zone": "Australia/Sydney",
        "created_date": NOW, "updated_date": NOW,
    },
    VanStockMovement: lambda n: {
        "id": f"{DISPATCHER_ID}~PAD-{n}~receipt~r{n}", "dispatcher_id": DISPATCHER_ID, "sku": f"PAD-{n}",
        "kind": "receipt", "quantity": 6, "quantity_after": 6, "created_date": NOW,
    },
    BackgroundCheckEvent: lambda n: {
        "id": f"evt_{n}", "type": "report.completed", "report_id": f"rep_{n}", "dispatcher_id": DISPATCHER_ID,
        "outcome": "applied", "event_created": NOW, "processed_date": NOW,
    },
    Quote: lambda n: {
        "id": f"quote-{n}", "client_id": CLIENT_ID, "car_model": "Toyota Corolla",
        "photos": [f"users/{CLIENT_ID}/car_photos/hail-{n}.jpg"], "damage_source": "customer",
        "damage": [{"panel": "roof", "count_band": "16-30", "dent_size": "medium"}],
        "breakdown": {"lines": [{"panel": "roof", "label": "Roof: 16-30 medium dents", "amount": 605.0}],
                      "minimum_charge_top_up": 0.0, "total": 605.0, "currency": "EUR"},
        "total": Decimal("605.00"), "currency": "EUR", "valid_until": NOW + timedelta(days=7), "created_date": NOW,
    },
    DentRepairMatrix: lambda n: dent_matrix(NOW).model_dump(),
    Lead: lambda n: {
        "id": f"7{n}", "page_id": "100200300", "status": LeadStatus.ASKED_POSTCODE, "last_inbound_at": NOW,
        "created_date": NOW, "updated_date": NOW,
    },
    MessengerEvent: lambda n: {"id": f"event-{n}", "sender_id": f"7{n}", "outcome": "greeted", "processed_date": NOW},
    Merchant: lambda n: {"id": f"merchant-{n}", "business_name": "Harbour Toyota", "billing_email":
                         f"accounts-{n}@harbourtoyota.example", "created_date": NOW, "updated_date": NOW},
    MerchantSku: lambda n: {
        "id": f"merchant-{n}~PDR-{n}", "merchant_id": f"merchant-{n}", "sku_code": f"PDR-{n}", "brand": "Toyota",
        "model": "Corolla", "service_name": "Paintless dent repair, one panel", "price": Decimal("120.00"),
        "updated_date": NOW,
    },
    MerchantStatement: lambda n: {"id": f"merchant-{n}~2026-11", "merchant_id": f"merchant-{n}",
                                  "month": "2026-11", "currency": "EUR", "total_minor": 12000, "job_count": 1},
    MerchantStatementLine: lambda n: {
        "id": f"request-{n}", "merchant_id": f"merchant-{n}", "statement_id": f"merchant-{n}~2026-11",
        "request_id": f"request-{n}", "sku_code": f"PDR-{n}", "customer_name": "Carol Customer",
        "amount_minor": 12000, "currency": "EUR", "completed_at": NOW,
    },
}
"""The default field values of each model, given a fresh serial number."""


def make(model_cls: type[M], **overrides: Any) -> M:
    """A valid model of `model_cls`: its defaults under a fresh serial, then the overrides."""
    data = {**DEFAULTS[model_cls](f"{next(_serial):05d}"), **overrides}
    if issubclass(model_cls, UserKeyedDocument):
        key = model_cls.key_field
        for given, follower in (("id", key), (key, "id")):
            if given in overrides and follower not in overrides:
                data[follower] = overrides[given]
    return model_cls.model_validate(data)


make_user = partial(make, User)
make_user_private = partial(make, UserPrivate)
make_client_profile = partial(make, ClientProfile)
make_client_profile_private = partial(make, ClientProfilePrivate)
make_dispatcher_profile = partial(make, DispatcherProfile)
make_dispatcher_profile_private = partial(make, DispatcherProfilePrivate)
make_service_request = partial(make, ServiceRequest)
make_job_completion = partial(make, JobCompletion)
make_review = partial(make, Review)
make_client_review = partial(make, ClientReview)
make_message = partial(make, Message)
make_job_offer = partial(make, JobOffer)
make_reward = partial(make, Reward)
make_reward_redemption = partial(make, RewardRedemption)
make_points_ledger_entry = partial(make, PointsLedgerEntry)
make_dispute = partial(make, Dispute)
make_dispute_private = partial(make, DisputePrivate)
make_support_ticket_private = partial(make, SupportTicketPrivate)
make_dispute_comment = partial(make, DisputeComment)
make_fraud_alert = partial(make, FraudAlert)
make_pricing_rule = partial(make, PricingRule)
make_service = partial(make, Service)
make_quote = partial(make, Quote)
make_dent_repair_matrix = partial(make, DentRepairMatrix)
make_support_ticket = partial(make, SupportTicket)
make_support_message = partial(make, SupportMessage)
make_notification_preferences = partial(make, NotificationPreferences)
make_notification = partial(make, Notification)
make_dispatcher_location = partial(make, DispatcherLocation)
make_job_contact = partial(make, JobContact)
make_quarantined_upload = partial(make, QuarantinedUpload)
make_stripe_event = partial(make, StripeEvent)
make_job_payment = partial(make, JobPayment)
make_payment_ledger_entry = partial(make, PaymentLedgerEntry)
make_dispatcher_earnings = partial(make, DispatcherEarnings)
make_outbox_entry = partial(make, OutboxEntry)
make_background_check_event = partial(make, BackgroundCheckEvent)
make_conversation = partial(make, Conversation)
make_chat_presence = partial(make, ChatPresence)
make_phone_verification = partial(make, PhoneVerification)
make_referral_code = partial(make, ReferralCode)
make_withheld_comment = partial(make, WithheldComment)
make_public_review = partial(make, PublicReview)
make_audit_entry = partial(make, AuditEntry)
make_rate_limit_slot = partial(make, RateLimitSlot)
make_monitor_watermark = partial(make, MonitorWatermark)
make_invoice = partial(make, Invoice)
make_invoice_sequence = partial(make, InvoiceSequence)
make_van_stock_item = partial(make, VanStockItem)
make_van_stock_movement = partial(make, VanStockMovement)
make_vehicle = partial(make, Vehicle)
make_technician_calendar = partial(make, TechnicianCalendar)
make_recurring_booking = partial(make, RecurringBooking)
make_vehicle_service = partial(make, VehicleService)
make_insurance_claim = partial(make, InsuranceClaim)
make_daily_stats = partial(make, DailyStats)
make_lead = partial(make, Lead)
make_messenger_event = partial(make, MessengerEvent)
make_merchant = partial(make, Merchant)
make_merchant_sku = partial(make, MerchantSku)
make_merchant_statement = partial(make, MerchantStatement)
make_merchant_statement_line = partial(make, MerchantStatementLine)


def put(db: firestore.Client, model: Document) -> str:
    """Store a model at `{Collection}/{id}` with the admin client; returns the id."""
    db.document(doc_path(collection_for(type(model)), model.id)).set(to_document(model))
    return model.id


def put_private(db: firestore.Client, owner_id: str, model: PrivateDocument) -> str:
    """Store a private part under its parent document `owner_id`; returns the sub-document's path."""
    path = private_doc_path(collection_for(type(model)), owner_id)
    db.document(path).set(to_document(model))
    return path
