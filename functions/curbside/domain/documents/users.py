"""Accounts and profiles: Users, ClientProfiles, DispatcherProfiles and their private parts.

The spec's opening (Users and the first ClientProfiles fields) is missing; both are reconstructed as
shared/spec/README.md says, plus the fields FlutterFlow's auth writes into the user document.

Who reads what decides where a field lives:
- `Users/{uid}` is read by its owner and admins only, so the owner's email and phone number stay on it;
  others see a person through denormalised names and the public profile documents.
- `Users/{uid}/private/data`: `account_status` (and its reason). The owner must not read it: a shadow ban
  (spec section 15) only works if the user cannot see it.
- `ClientProfiles/{uid}` is read by the assigned technician too. Moved to `private/data`: `phone_number`,
  `payment_method` (Stripe payment method id), `billing_address`, plus the added `stripe_customer_id`.
- `DispatcherProfiles/{uid}` is the public technician profile clients see. Moved to `private/data`:
  `phone_number`, `passport_image_url`, `drivers_license_url`, `vehicle_registration_url`,
  `vehicle_insurance_url` (identity documents), `verification_notes` (admin only), `bank_details`, plus the
  added `stripe_account_id` (Stripe Connect payouts).

Profiles are stored under the user's uid (the spec says "auto"): set_user_type can then run twice without
making a second profile, and rules check ownership from the path.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from curbside.domain.documents.base import (
    AverageStars,
    Count,
    DateString,
    Document,
    PrivateDocument,
    Skill,
    UserKeyedDocument,
    UtcDatetime,
)
from curbside.domain.enums import (
    AccountStatus,
    BackgroundCheckResult,
    IdentityDocumentType,
    LoyaltyTier,
    StepStatus,
    UserRole,
    UserType,
    VerificationStatus,
)


class User(Document):
    """Users/{uid}. The app creates it right after sign-up with the few fields a person may set, so every
    field has a default; a trigger fills the rest."""

    email: str | None = None
    full_name: str | None = None
    user_type: UserType | None = None
    role: UserRole = UserRole.USER
    phone_number: str | None = None
    phone_verified: bool = False
    email_verified: bool = False
    fcm_tokens: list[str] = Field(default_factory=list)
    unread_notifications: Count = 0
    """Added, server-written: the badge — the person's notices not read yet (the sum of their `counted_unread`),
    added to in each notice's commit and taken off by `mark_notifications_read` (D60). Missing reads as 0."""
    onboarding_completed: bool = False
    profile_image_url: str | None = None
    display_name: str | None = None
    photo_url: str | None = None
    uid: str | None = None
    created_time: UtcDatetime | None = None
    created_date: UtcDatetime | None = None
    updated_date: UtcDatetime | None = None
    search_prefixes: list[str] = Field(default_factory=list)
    """Added, server-written: `domain.name_search.name_prefixes(full_name, display_name)`, kept by
    `on_user_written`, for the console's search by name (D102)."""


class UserPrivate(PrivateDocument):
    """Users/{uid}/private/data."""

    account_status: AccountStatus = AccountStatus.ACTIVE
    account_status_reason: str | None = None
    """Why (admins only, like the whole private part)."""
    account_status_changed_at: UtcDatetime | None = None
    account_status_changed_by: str | None = None
    """The admin's uid; None when the status was set in the Firebase console."""
    account_status_applied: AccountStatus = AccountStatus.ACTIVE
    """The status whose effects were applied (offers withdrawn, Auth updated, the person told): equal to
    `account_status` after every function's write, so a console edit shows as the two differing and its
    trigger applies it (`services.account_actions.apply_console_edit`). Absent (a part written before it
    existed, the seed): the status itself, taken as applied."""

    fraud_quiet_until: dict[str, UtcDatetime] = Field(default_factory=dict)
    """Per `alert_type`: an admin called this person's alert a false positive; the same pattern raises no
    alert for them until then (30 days)."""
    deleted_at: UtcDatetime | None = None
    """When the person deleted their account (`delete_my_account`): every callable refuses it from then on, and
    the erasure (outbox `erase_account`) has run or will run."""

    @model_validator(mode="before")
    @classmethod
    def _applied_defaults_to_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("account_status_applied") is None:
            return {**data, "account_status_applied": data.get("account_status", AccountStatus.ACTIVE)}
        return data


class ClientProfile(UserKeyedDocument):
    """ClientProfiles/{uid}: the car owner's car, rating and loyalty balance."""

    user_id: str
    car_model: str | None = None
    license_plate: str | None = None
    car_images: list[str] = Field(default_factory=list)
    profile_image_url: str | None = None
    card_last_four: str | None = Field(default=None, pattern=r"^\d{4}$")
    card_brand: str | None = None
    """Added: the saved card's network (`visa`, ...), written with `card_last_four` by the Stripe webhook."""
    client_rating: AverageStars = 5.0
    total_requests: Count = 0
    client_reviews_count: Count = 0
    client_rating_sum: Count | None = None
    """Added: the sum of the applied ratings, so `client_rating` is their exact mean (D50)."""
    loyalty_points: int = 0
    """The sum of the client's `PointsLedger` entries; below zero only when a refund takes back points already
    spent (D52)."""
    loyalty_tier: LoyaltyTier = LoyaltyTier.BRONZE
    total_points_earned: int = 0
    """Points earned and not taken back by a refund (redeeming leaves it): the basis of `loyalty_tier` (D52)."""
    referral_code: str | None = None
    """Added: the client's own code for friends (`apply_referral_code`, D54)."""
    referred_by: str | None = None
    """Added: the uid of the client whose code this client applied."""
    created_date: UtcDatetime
    updated_date: UtcDatetime | None = None


class ClientProfilePrivate(PrivateDocument):
    """ClientProfiles/{uid}/private/data."""

    phone_number: str | None = None
    payment_method: str | None = None
    billing_address: str | None = None
    stripe_customer_id: str | None = None
    setup_intents_created: Count = 0
    """Added: numbers each SetupIntent, so its idempotency key `setup:{uid}:{n}` is new per request."""
    payment_method_event_created: UtcDatetime | None = None
    """Added: when Stripe created the event that set `payment_method`; an older event never overwrites it."""


class DispatcherProfile(UserKeyedDocument):
    """DispatcherProfiles/{uid}: the technician's public profile, vehicle and verification progress."""

    user_id: str
    profile_image_url: str | None = None
    passport_verified: bool = False
    verification_status: VerificationStatus = VerificationStatus.PENDING
    identity_verification_status: StepStatus = StepStatus.PENDING
    vehicle_verification_status: StepStatus = StepStatus.PENDING
    background_check_status: StepStatus = StepStatus.PENDING
    vehicle_make_model: str | None = None
    vehicle_year: str | None = None
    vehicle_color: str | None = None
    vehicle_license_plate: str | None = None
    vehicle_images: list[str] = Field(default_factory=list)
    background_check_consent: bool = False
    background_check_consent_date: UtcDatetime | None = None
    verification_submitted_date: UtcDatetime | None = None
    verification_completed_date: UtcDatetime | None = None
    rejection_reason: str | None = None
    """The reasons of the steps rejected now, one line each, as the Verification Status screen shows them."""
    rating: AverageStars = 5.0
    total_jobs: Count = 0
    total_reviews: Count = 0
    rating_sum: Count | None = None
    """Added: the sum of the applied ratings, so `rating` is their exact mean (`domain.ratings`, D50)."""
    bio: str | None = None
    created_date: UtcDatetime
    updated_date: UtcDatetime | None = None
    # Added by the verification work (D35): per step, when it was last submitted and why it was rejected.
    identity_submitted_at: UtcDatetime | None = None
    vehicle_submitted_at: UtcDatetime | None = None
    background_check_submitted_at: UtcDatetime | None = None
    identity_rejection_reason: str | None = None
    vehicle_rejection_reason: str | None = None
    background_check_rejection_reason: str | None = None
    vehicle_insurance_expiry: DateString | None = None
    """The last day the submitted insurance covers ("YYYY-MM-DD"); the daily check revokes the vehicle step
    the day after."""
    awaiting_review_since: UtcDatetime | None = None
    """Set while some step waits for an admin: the oldest such submission (the review queue's order)."""
    skills: Annotated[list[Skill], Field(max_length=30)] = Field(default_factory=list)
    """Added (issue 21): what the technician is qualified for, set by admins; a service's `required_skills`
    must all be here for the technician to be offered its jobs."""


class StepReview(BaseModel):
    """An admin's (or the system's) last decision on one step, kept in the private part."""

    model_config = ConfigDict(extra="forbid")

    decision: StepStatus
    reviewed_by: str
    """The admin's uid, or `system` (the background-check provider's `clear`, the insurance check)."""
    reviewed_at: UtcDatetime
    notes: str | None = None
    rejection_reason: str | None = None


class DispatcherProfilePrivate(PrivateDocument):
    """DispatcherProfiles/{uid}/private/data."""

    phone_number: str | None = None
    passport_image_url: str | None = None
    drivers_license_url: str | None = None
    vehicle_registration_url: str | None = None
    vehicle_insurance_url: str | None = None
    verification_notes: str | None = None
    bank_details: str | None = None
    stripe_account_id: str | None = None
    payouts_enabled: bool = False
    """Added: Stripe says the connected account can receive transfers (from `account.updated`)."""
    account_event_created: UtcDatetime | None = None
    """Added: when Stripe created the `account.updated` event that set `payouts_enabled`."""
    # Added by the verification work (D35-D37).
    identity_document_type: IdentityDocumentType | None = None
    """`passport_image_url` holds its front; `identity_document_back_url` its back."""
    identity_document_back_url: str | None = None
    step_reviews: dict[str, StepReview] = Field(default_factory=dict)
    """The last decision on each step, by step name."""
    background_check_attempts: Count = 0
    """Numbers each background check asked of the provider (its idempotency key `background_check:{uid}:{n}`)."""
    background_check_candidate_id: str | None = None
    background_check_report_id: str | None = None
    """The provider's report of the current attempt (None until the provider has answered)."""
    background_check_report_status: str | None = None
    """The provider's report status (`pending`, `complete`, `suspended`, `dispute`, `canceled`)."""
    background_check_result: BackgroundCheckResult | None = None
    background_check_event_created: UtcDatetime | None = None
    """When the provider created the event that last changed the report here; an older one changes nothing."""
