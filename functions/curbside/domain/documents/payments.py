"""Payments: the Stripe webhook's processed events, each job's money, its ledger, and technicians' earnings.

StripeEvents: the webhook events already applied, one document per Stripe event id.

Not in the spec. Stripe delivers every event at least once and in no guaranteed order; the webhook records
the event id in the same transaction as the event's effect (DESIGN.md conventions 5 and 9), so a redelivery
finds its record and changes nothing. Admin-only.
"""

from pydantic import Field

from curbside.domain.documents.base import Count, Document, UserKeyedDocument, UtcDatetime
from curbside.domain.enums import AuthorizationStatus, LedgerKind, PayoutStatus


class StripeEvent(Document):
    """StripeEvents/{event id}: which event, when Stripe created it, and what applying it did."""

    type: str = Field(min_length=1)
    object_id: str | None = None
    outcome: str = Field(min_length=1)
    """`applied`, or why the event changed nothing (`older_than_stored`, `unknown_customer`)."""
    event_created: UtcDatetime
    processed_date: UtcDatetime


class JobPayment(Document):
    """JobPayments/{request_id}: the money of one job, in minor units (admin-only; not in the spec).

    `held` is what the platform holds for the job right now; the ledger keeps the movements, and
    captured + insurer share + merchant billed - refunded = paid out + fee + held holds after every change."""

    request_id: str
    client_id: str
    dispatcher_id: str | None = None
    currency: str = Field(min_length=3, max_length=3)
    amount_minor: Count
    """What the client's card is charged: the job's final price, or an insurance job's excess (D91)."""
    insurer_share_minor: Count = 0
    """An insurance job's price beyond the excess, which the platform advanced to the technician's share when
    the job was charged and collects from the insurer (`InsuranceClaims`); 0 for a private job."""
    merchant_billed_minor: Count = 0
    """A merchant order's price, which the platform advanced to the technician's share at completion and bills
    on the merchant's month statement (D117); 0 for any other job."""
    payment_intent_id: str | None = None
    authorization_status: AuthorizationStatus = AuthorizationStatus.NOT_STARTED
    authorization_failure: str | None = None
    payout_status: PayoutStatus = PayoutStatus.NONE
    captured_minor: Count = 0
    refunded_minor: Count = 0
    paid_out_minor: Count = 0
    """Transfers to the technician minus reversals."""
    fee_minor: int = 0
    """The platform's net take: fees minus fees given back and losses (negative after a loss)."""
    held_minor: Count = 0
    authorization_attempts: Count = 0
    """Numbers the authorisations, so a retry after a declined card gets a new idempotency key."""
    authorized_at: UtcDatetime | None = None
    """When the current hold was placed: Stripe releases an uncaptured hold after 7 days, so an older one is
    placed again before the technician drives out (`PaymentSettings.hold_lifetime`)."""
    superseded_intents: list[str] = Field(default_factory=list)
    """PaymentIntents of holds that lapsed and were replaced: Stripe's late events about them change nothing."""
    declined_payment_method: str | None = None
    """The card that was declined: it is not tried again until the client saves another."""
    release_requested: str | None = None
    """Why the money may go to the technician (`client_review`, `auto_approved`, `dispute_resolved`,
    `late_cancellation_fee`), recorded even when the capture is still to come; an open dispute overrides it."""
    dispute_open: bool = False
    transfer_id: str | None = None
    transfer_planned_minor: int | None = None
    """A transfer decided and sent to Stripe but not recorded yet; refunds wait for it."""
    transfer_destination: str | None = None
    """The connected account the planned transfer goes to."""
    transfer_attempts: Count = 0
    """Transfers Stripe refused (the account could not receive yet): numbers the next transfer's idempotency
    key, since Stripe replays a refusal for as long as the same key is sent."""
    refunds: dict[str, int] = Field(default_factory=dict)
    """Our refund keys -> minor units, recorded once the refund is done."""
    refund_in_flight: str | None = None
    """The refund key reserved before Stripe is called (one at a time, so refunds never exceed the capture)."""
    refund_in_flight_minor: int | None = None
    stripe_refund_ids: list[str] = Field(default_factory=list)
    counted_pending_minor: int = 0
    counted_awaiting_minor: int = 0
    counted_paid_minor: int = 0
    """What this job last contributed to its technician's DispatcherEarnings, so each change adds the
    difference (exact, whatever the fee was when it was counted)."""
    created_date: UtcDatetime
    updated_date: UtcDatetime


class PaymentLedgerEntry(Document):
    """PaymentLedger/{request_id}:{kind}[:{key}]: one money movement, under a deterministic id so a replayed
    step writes the same entry again instead of moving the money twice (admin-only; not in the spec)."""

    request_id: str
    kind: LedgerKind
    amount_minor: int
    amount: float
    currency: str
    dispatcher_id: str | None = None
    stripe_object_id: str | None = None
    note: str | None = None
    created_date: UtcDatetime


class DispatcherEarnings(UserKeyedDocument):
    """DispatcherEarnings/{uid}: the technician's Earnings screen (readable by its owner; not in the spec).

    Kept in step with every JobPayments change in the same transaction; amounts in CURRENCY."""

    user_id: str
    currency: str
    total_earnings: float = 0.0
    pending_payments: float = 0.0
    """Held: the 48-hour review window or a dispute."""
    awaiting_payout_account: float = 0.0
    """Released but waiting for the technician to finish Stripe onboarding."""
    completed_payments: float = 0.0
    pending_minor: int = 0
    awaiting_minor: int = 0
    paid_minor: int = 0
    """The same three amounts in minor units: the exact running totals the doubles are derived from."""
    updated_date: UtcDatetime
