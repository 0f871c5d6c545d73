"""Every value set of the spec as a `StrEnum`, with the values spelled exactly as the spec writes them.

The FlutterFlow apps bind to these strings, so a value is never renamed here. One class per distinct value
set: where the spec reuses a set under another field name, the second name is an alias of the same class
(`ReviewerType`/`SenderType` are `PartyType`, `DisputePriority` is `Severity`), so a value added to the set
reaches every field that uses it.
"""

from enum import StrEnum


class UserType(StrEnum):
    """Users.user_type and SupportTickets.user_type: which app(s) a person uses."""

    CLIENT = "client"
    DISPATCHER = "dispatcher"
    BOTH = "both"


class UserRole(StrEnum):
    """Users.role: a server-written mirror of the `admin` custom claim, for admin lists; never trusted."""

    USER = "user"
    ADMIN = "admin"


class AccountStatus(StrEnum):
    """Users account_status (section 15); kept in the private part so a shadow ban stays invisible."""

    ACTIVE = "active"
    SHADOW_BANNED = "shadow_banned"
    SUSPENDED = "suspended"
    BANNED = "banned"


class AuditSource(StrEnum):
    """AuditLog.source (added): an admin's callable, or an edit made in the Firebase console and applied by a
    trigger."""

    ADMIN = "admin"
    CONSOLE = "console"


class PartyType(StrEnum):
    """The two sides of a job: Reviews.reviewer_type, Messages.sender_type, Disputes.raised_by_type,
    FraudAlerts.user_type."""

    CLIENT = "client"
    DISPATCHER = "dispatcher"


ReviewerType = PartyType
SenderType = PartyType


class CommentUserType(StrEnum):
    """DisputeComments.user_type: admins take part in dispute threads."""

    CLIENT = "client"
    DISPATCHER = "dispatcher"
    ADMIN = "admin"


class SupportSenderType(StrEnum):
    """SupportMessages.sender_type."""

    USER = "user"
    ADMIN = "admin"
    AI = "ai"


class LoyaltyTier(StrEnum):
    """ClientProfiles.loyalty_tier and Rewards.tier_required (bronze 0-999 ... platinum 6000+ points)."""

    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class VerificationStatus(StrEnum):
    """DispatcherProfiles.verification_status: the overall verdict of the three steps."""

    PENDING = "pending"
    UNDER_REVIEW = "under_review"
    VERIFIED = "verified"
    REJECTED = "rejected"


class StepStatus(StrEnum):
    """DispatcherProfiles identity/vehicle/background_check step statuses: the spec's three, plus
    `under_review` (added, D35) for a step submitted and waiting for a decision."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    UNDER_REVIEW = "under_review"


class RequestStatus(StrEnum):
    """ServiceRequests.status, the job lifecycle."""

    SCHEDULED = "scheduled"
    PENDING = "pending"
    ACCEPTED = "accepted"
    EN_ROUTE = "en_route"
    ARRIVED = "arrived"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RequestActor(StrEnum):
    """Who moves a job (the transition table's actors) and ServiceRequests.cancelled_by_type; `system` is a
    server job (scheduled activation), never a person."""

    CLIENT = "client"
    DISPATCHER = "dispatcher"
    ADMIN = "admin"
    SYSTEM = "system"


class PaymentStatus(StrEnum):
    """JobCompletions.payment_status: the held payment after a job."""

    PENDING_REVIEW = "pending_review"
    PROCESSING = "processing"
    COMPLETED = "completed"
    DISPUTED = "disputed"


class OfferStatus(StrEnum):
    """JobOffers.offer_status: a 60-second offer to one technician."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


class MessageType(StrEnum):
    """Messages.message_type (job chat)."""

    TEXT = "text"
    IMAGE = "image"


class SupportMessageType(StrEnum):
    """SupportMessages.message_type: support chat also takes files."""

    TEXT = "text"
    IMAGE = "image"
    FILE = "file"


class ReviewCategory(StrEnum):
    """ClientReviews.service_categories, from the spec's "Client Review Categories" (section 6)."""

    COMMUNICATION = "communication"
    PUNCTUALITY = "punctuality"
    CAR_ACCURACY = "car_accuracy"
    FRIENDLINESS = "friendliness"
    PAYMENT = "payment"


class RewardType(StrEnum):
    """Rewards.reward_type."""

    PERCENTAGE_DISCOUNT = "percentage_discount"
    FIXED_DISCOUNT = "fixed_discount"
    FREE_SERVICE = "free_service"
    PRIORITY_BOOKING = "priority_booking"
    SPECIAL_PERK = "special_perk"


class RedemptionStatus(StrEnum):
    """RewardRedemptions.status."""

    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"


class PointsReason(StrEnum):
    """PointsLedger.reason: why points moved (section 7); also the prefix of the entry's id."""

    EARN = "earn"
    FIRST_JOB = "first_job"
    REFERRAL = "referral"
    REDEEM = "redeem"
    ADJUSTMENT = "adjustment"


class DisputeReason(StrEnum):
    """Disputes.dispute_reason."""

    SERVICE_QUALITY = "service_quality"
    DID_NOT_ARRIVE = "did_not_arrive"
    DAMAGE_CLAIM = "damage_claim"
    PAYMENT_ISSUE = "payment_issue"
    MISCOMMUNICATION = "miscommunication"
    INCOMPLETE_SERVICE = "incomplete_service"
    PRICING_DISPUTE = "pricing_dispute"
    BEHAVIOR_ISSUE = "behavior_issue"
    OTHER = "other"


class DisputeStatus(StrEnum):
    """Disputes.status."""

    OPEN = "open"
    UNDER_REVIEW = "under_review"
    AWAITING_CLIENT_RESPONSE = "awaiting_client_response"
    AWAITING_DISPATCHER_RESPONSE = "awaiting_dispatcher_response"
    RESOLVED_CLIENT_FAVOR = "resolved_client_favor"
    RESOLVED_DISPATCHER_FAVOR = "resolved_dispatcher_favor"
    RESOLVED_MUTUAL = "resolved_mutual"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Severity(StrEnum):
    """FraudAlerts.severity and Disputes.priority (the same four levels)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


DisputePriority = Severity


class ResolutionAction(StrEnum):
    """Disputes.resolution_action."""

    FULL_REFUND = "full_refund"
    PARTIAL_REFUND = "partial_refund"
    NO_REFUND = "no_refund"
    PAYMENT_RELEASED = "payment_released"
    PAYMENT_HELD = "payment_held"
    ACCOUNT_WARNING = "account_warning"
    ACCOUNT_SUSPENDED = "account_suspended"
    OTHER = "other"


class FraudAlertType(StrEnum):
    """FraudAlerts.alert_type, one per automated check of section 9."""

    HIGH_VOLUME_SHORT_JOBS = "high_volume_short_jobs"
    RAPID_EARNINGS_INCREASE = "rapid_earnings_increase"
    LOCATION_MISMATCH = "location_mismatch"
    MULTIPLE_DISPUTES = "multiple_disputes"
    SUSPICIOUS_COMPLETION_PATTERN = "suspicious_completion_pattern"
    RAPID_CANCELLATIONS = "rapid_cancellations"
    FAKE_GPS = "fake_gps"


class FraudAlertStatus(StrEnum):
    """FraudAlerts.status."""

    ACTIVE = "active"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    FALSE_POSITIVE = "false_positive"


class RuleType(StrEnum):
    """PricingRules.rule_type."""

    TIME_OF_DAY = "time_of_day"
    DAY_OF_WEEK = "day_of_week"
    DEMAND_SURGE = "demand_surge"
    DISPATCHER_AVAILABILITY = "dispatcher_availability"
    LOCATION_PREMIUM = "location_premium"
    SERVICE_TYPE = "service_type"


class ServiceCategory(StrEnum):
    """Services.category (issue 21): the platform's three trades."""

    HAIL_PDR = "hail_pdr"
    MECHANIC = "mechanic"
    DETAILING = "detailing"


class TicketCategory(StrEnum):
    """SupportTickets.category."""

    TECHNICAL_ISSUE = "technical_issue"
    PAYMENT_ISSUE = "payment_issue"
    ACCOUNT_ISSUE = "account_issue"
    SERVICE_QUALITY = "service_quality"
    FEATURE_REQUEST = "feature_request"
    OTHER = "other"


class TicketPriority(StrEnum):
    """SupportTickets.priority (tops out at urgent, unlike Severity)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


class TicketStatus(StrEnum):
    """SupportTickets.status."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_USER = "waiting_user"
    WAITING_ADMIN = "waiting_admin"
    RESOLVED = "resolved"
    CLOSED = "closed"


class LeadStatus(StrEnum):
    """Leads.status (issue 20): a Messenger conversation from first message to booking (D83)."""

    NEW = "new"
    ASKED_POSTCODE = "asked_postcode"
    MATCHED = "matched"
    BOOKED = "booked"
    LOST = "lost"


class NotificationType(StrEnum):
    """Notifications.type: one value per NotificationPreferences toggle (same spelling, so the preference
    check is a lookup), except the critical ones, which have no toggle (`domain.notices.POLICIES`)."""

    JOB_ACCEPTED = "job_accepted"
    DISPATCHER_EN_ROUTE = "dispatcher_en_route"
    DISPATCHER_ARRIVED = "dispatcher_arrived"
    JOB_STARTED = "job_started"
    JOB_COMPLETED = "job_completed"
    NEW_JOB_OFFER = "new_job_offer"
    NEW_MESSAGE = "new_message"
    SUPPORT_REPLY = "support_reply"
    DISPUTE_UPDATE = "dispute_update"
    DISPUTE_RESOLVED = "dispute_resolved"
    VERIFICATION_UPDATE = "verification_update"
    PAYMENT_PROCESSED = "payment_processed"
    REVIEW_RECEIVED = "review_received"
    FRAUD_ALERT = "fraud_alert"
    REWARDS_EARNED = "rewards_earned"
    SCHEDULED_JOB_REMINDER = "scheduled_job_reminder"
    JOB_CANCELLED = "job_cancelled"
    DISPATCH_DELAYED = "dispatch_delayed"
    STOCK_LOW = "stock_low"
    """A part in a technician's van reached its reorder threshold (to the technician and the admins)."""
    SERVICE_DUE = "service_due"
    """A client's vehicle is due for its next service (issue 21)."""
    NEARBY_LEAD = "nearby_lead"
    """A Messenger prospect near the technician was sent their name with a booking link (D85)."""
    PAYMENT_ACTION_REQUIRED = "payment_action_required"
    """Critical: the client's card could not hold a job's price, so the job waits for another card."""
    ACCOUNT_SECURITY = "account_security"
    """Critical: a change to the account itself (phone number verified, account status)."""


class DeliveryStatus(StrEnum):
    """Notifications.delivery_status: the push / e-mail / SMS fan-out of one notice (not in the spec).
    `pending` until decided and sent (or held by quiet hours: `deliver_after`), then `done` (the channels
    used in `delivered_via`, possibly none), or `failed` after the last attempt."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class AuthorizationStatus(StrEnum):
    """JobPayments.authorization_status: the card hold behind one job (not in the spec). It only moves
    forward (`domain.lifecycles.AUTHORIZATION`), whatever order Stripe's webhooks arrive in; `expired` is a hold
    that lapsed (or would before the work is done) and was released to be placed again."""

    NOT_STARTED = "not_started"
    FAILED = "failed"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class PayoutStatus(StrEnum):
    """JobPayments.payout_status: where the captured money of one job is (not in the spec)."""

    NONE = "none"
    HELD = "held"
    DISPUTED = "disputed"
    RELEASED = "released"
    AWAITING_PAYOUT_ACCOUNT = "awaiting_payout_account"
    PAID = "paid"
    REFUNDED = "refunded"


class LedgerKind(StrEnum):
    """PaymentLedger.kind: one money movement. `authorization` and `authorization_cancelled` move no money
    (a hold on the card); the others enter the identity captured - refunded = paid out + fee + held."""

    AUTHORIZATION = "authorization"
    AUTHORIZATION_CANCELLED = "authorization_cancelled"
    CAPTURE = "capture"
    FEE = "fee"
    TRANSFER = "transfer"
    REFUND = "refund"
    REVERSAL = "reversal"
    PLATFORM_LOSS = "platform_loss"
    INSURER_SHARE = "insurer_share"
    """An insurance job's price beyond the client's excess, advanced by the platform when the job is charged
    (D91): it enters the identity beside the capture."""


class EffectStatus(StrEnum):
    """Outbox.status: a vendor call a commit asked for (not in the spec). `pending` until it has run and its
    result is recorded; `failed` after its last attempt, for an admin to look at."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class VerificationStep(StrEnum):
    """The three steps of a technician's verification (spec section 11), as `submit_verification_step` and
    `admin_review_verification` name them (not a stored field)."""

    IDENTITY = "identity"
    VEHICLE = "vehicle"
    BACKGROUND_CHECK = "background_check"


class IdentityDocumentType(StrEnum):
    """DispatcherProfiles private `identity_document_type` (added): what the technician uploaded in step 1."""

    PASSPORT = "passport"
    NATIONAL_ID = "national_id"


class BackgroundCheckResult(StrEnum):
    """The provider's verdict on a completed report (Checkr's `result`): `clear` approves the step, `consider`
    leaves it for an admin."""

    CLEAR = "clear"
    CONSIDER = "consider"


class InvoiceKind(StrEnum):
    """Invoices.kind: a tax invoice for what a job charged, or a credit note for one refund of it."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
