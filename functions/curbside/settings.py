"""Every tunable the services use, as one typed object built once from the Firebase params.

Services take their settings from `deps.settings`, never from `config.X.value`: the production composition
root builds them with `Settings.from_params()` (at the first invocation, never at import), and tests and the
local stack build theirs — `Settings()` holds the same defaults as the params (a unit test keeps the two
equal), and `dataclasses.replace` changes one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from curbside import config
from curbside.domain.dispatch_policy import SurgeSettings
from curbside.domain.dispatch_scoring import METRES_PER_MILE, ScoringWeights, SearchSettings
from curbside.domain.documents.locations import DEFAULT_CAPACITY
from curbside.domain.fraud import FraudThresholds
from curbside.domain.invoicing import TaxRegime
from curbside.domain.money import chargeable_amount
from curbside.domain.pricing import PricingSettings
from curbside.domain.rate_limits import Limit
from curbside.domain.regions import ServiceRegion, parse_regions, region_at
from curbside.domain.tracking import LocationPolicy


@dataclass(frozen=True)
class DispatchSettings:
    search: SearchSettings = field(default_factory=SearchSettings)
    capacity: int = DEFAULT_CAPACITY
    """Active jobs (accepted..in_progress) a technician may hold and still be offered another."""
    offer_ttl: dt.timedelta = dt.timedelta(seconds=60)
    feed_limit: int = 50
    """Most jobs list_available_jobs returns (a caller may ask for fewer)."""
    surge: SurgeSettings = field(default_factory=SurgeSettings)


@dataclass(frozen=True)
class PaymentSettings:
    platform_fee_percent: Decimal = Decimal("15")
    """Percent of a job's released money the platform keeps; the technician is paid the rest."""
    hold: dt.timedelta = dt.timedelta(hours=48)
    """How long a completed job's payment waits for the client's review before auto-approval."""
    card_hold_lifetime: dt.timedelta = dt.timedelta(days=7)
    """How long Stripe keeps an uncaptured card hold (7 days for online card payments)."""
    card_hold_margin: dt.timedelta = dt.timedelta(days=1)
    """A hold this close to lapsing is placed again before the technician drives out: the work and its capture
    must fit in what is left."""


@dataclass(frozen=True)
class RateLimitSettings:
    """Per-person and per-source limits (D47); each a fixed window of numbered slots."""

    create_request: Limit = field(default_factory=lambda: Limit(
        "create_request", 5, dt.timedelta(minutes=10), "new jobs"))
    support_ticket: Limit = field(default_factory=lambda: Limit(
        "support_ticket", 5, dt.timedelta(days=1), "new support tickets"))
    redeem_reward: Limit = field(default_factory=lambda: Limit(
        "redeem_reward", 10, dt.timedelta(days=1), "reward redemptions"))
    export_my_data: Limit = field(default_factory=lambda: Limit(
        "export_my_data", 3, dt.timedelta(days=1), "data exports"))
    webhook: Limit = field(default_factory=lambda: Limit(
        "webhook", 300, dt.timedelta(minutes=1), "webhook deliveries from this address"))
    photo_quote: Limit = field(default_factory=lambda: Limit(
        "photo_quote", 20, dt.timedelta(days=1), "photo quotes"))


@dataclass(frozen=True)
class DisputeSettings:
    window: dt.timedelta = dt.timedelta(days=7)
    """How long after a job is completed (or a charged job cancelled) either party may dispute it."""
    escalate_after: dt.timedelta = dt.timedelta(hours=72)
    """An open dispute without admin activity for this long is escalated (spec section 10)."""


@dataclass(frozen=True)
class SupportSettings:
    ai_model: str = "gpt-4o-mini-2024-07-18"
    """The pinned OpenAI model of the assistant."""
    ai_tokens_per_ticket: int = 20000
    """OpenAI tokens one ticket may spend before the local retriever takes over."""
    ticket_retention: dt.timedelta = dt.timedelta(days=10)
    """A closed ticket is deleted this long after closing (`expires_at`, the spec's 10 days)."""
    idle_close_after: dt.timedelta = dt.timedelta(days=7)
    """A ticket only the assistant answered closes as resolved when its owner has not written for this long."""


@dataclass(frozen=True)
class LeadSettings:
    booking_url: str = "https://curbside.app/request"
    """The client app's request screen (a deep link); Messenger replies send it with the place filled in."""
    nearby_shown: int = 3
    """Technicians a Messenger reply names."""


@dataclass(frozen=True)
class Settings:
    pricing: PricingSettings = field(default_factory=PricingSettings)
    default_time_zone: str = "Australia/Sydney"
    """Time zone of scheduled slots and daily jobs when a client has none."""
    max_device_tokens: int = 10
    late_cancellation_fee: Decimal = Decimal("10.00")
    arrival_radius_m: float = 100.0
    upload_quota_bytes: int = 500 * 1024 * 1024
    """What one person may store in all their folders; an upload beyond it is quarantined."""
    chat_messages_per_minute: int = 20
    """Messages one person may send into one job's chat per minute."""
    phone_codes_per_hour: int = 5
    """Phone verification codes one person may ask for per hour."""
    unmatched_request_timeout: dt.timedelta = dt.timedelta(minutes=30)
    """A pending job nobody took this long after it was asked for (or after its slot began) is cancelled as
    "no technician available" — also what a shadow-banned client's jobs, never offered, come to."""
    dispatch: DispatchSettings = field(default_factory=DispatchSettings)
    location: LocationPolicy = field(default_factory=LocationPolicy)
    payments: PaymentSettings = field(default_factory=PaymentSettings)
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    enforce_app_check: bool = True
    """Callables refuse a request without a valid App Check token (never on the emulators, whose tokens are
    unsigned anyway)."""
    disputes: DisputeSettings = field(default_factory=DisputeSettings)
    support: SupportSettings = field(default_factory=SupportSettings)
    fraud: FraudThresholds = field(default_factory=FraudThresholds)
    tax: TaxRegime = field(default_factory=TaxRegime)
    service_reminder_months: int = 6
    """A vehicle's next service is due this many months after its last (the reminder's date)."""
    leads: LeadSettings = field(default_factory=LeadSettings)
    regions: tuple[ServiceRegion, ...] = ()
    """Service regions with their currencies and taxes (D122, D131); a job outside all of them is in `currency`
    under `tax`."""

    def __post_init__(self) -> None:
        for region in self.regions:  # an amount a region's currency cannot charge stops the deploy
            self._region_pricing(region)
            if region.late_cancellation_fee is None and not chargeable_amount(self.late_cancellation_fee,
                                                                              region.currency):
                raise ValueError(f"region {region.code}: LATE_CANCELLATION_FEE {self.late_cancellation_fee} is not "
                                 f"an amount {region.currency} can be charged (give the region its own "
                                 "late_cancellation_fee)")

    @property
    def currency(self) -> str:
        """The ISO 4217 code of prices outside every region, and of the dashboard's revenue."""
        return self.pricing.currency

    def currency_at(self, lat: float, lng: float) -> str:
        """The currency a job at this place is priced and charged in."""
        return self.pricing_at(lat, lng).currency

    def pricing_at(self, lat: float, lng: float) -> PricingSettings:
        """The built-in pricing of a job at this place: its region's currency and base price."""
        region = region_at(self.regions, lat, lng)
        return self.pricing if region is None else self._region_pricing(region)

    def cancellation_fee_at(self, lat: float, lng: float) -> Decimal:
        """The late-cancellation fee of a job at this place, in its currency."""
        region = region_at(self.regions, lat, lng)
        fee = region.late_cancellation_fee if region is not None else None
        return self.late_cancellation_fee if fee is None else fee

    def tax_at(self, lat: float, lng: float) -> TaxRegime:
        """The sales tax of a job at this place: its region's, else the platform's."""
        region = region_at(self.regions, lat, lng)
        return region.tax if region is not None and region.tax is not None else self.tax

    def _region_pricing(self, region: ServiceRegion) -> PricingSettings:
        try:
            return replace(self.pricing, currency=region.currency,
                           base_price=region.base_price or self.pricing.base_price)
        except ValueError as exc:
            raise ValueError(f"region {region.code}: {exc} (give the region its own base_price)") from None

    @classmethod
    def from_params(cls) -> Settings:
        """The deployment's values (`curbside.config`), read now."""
        return cls(
            pricing=PricingSettings(
                base_price=Decimal(config.BASE_PRICE.value),
                urgency_multiplier=Decimal(config.URGENCY_MULTIPLIER.value),
                scheduled_multiplier=Decimal(config.SCHEDULED_MULTIPLIER.value),
                max_multiplier=Decimal(config.MAX_PRICE_MULTIPLIER.value),
                currency=config.CURRENCY.value,
            ),
            service_reminder_months=config.SERVICE_REMINDER_MONTHS.value,
            tax=TaxRegime(config.TAX_NAME.value, Decimal(config.TAX_RATE_PERCENT.value),
                          config.PRICES_INCLUDE_TAX.value),
            default_time_zone=config.DEFAULT_TIME_ZONE.value,
            max_device_tokens=config.MAX_DEVICE_TOKENS.value,
            late_cancellation_fee=Decimal(config.LATE_CANCELLATION_FEE.value),
            arrival_radius_m=float(config.ARRIVAL_RADIUS_M.value),
            upload_quota_bytes=config.UPLOAD_QUOTA_MB.value * 1024 * 1024,
            chat_messages_per_minute=config.CHAT_MESSAGES_PER_MINUTE.value,
            phone_codes_per_hour=config.PHONE_CODES_PER_HOUR.value,
            unmatched_request_timeout=dt.timedelta(minutes=config.UNMATCHED_REQUEST_TIMEOUT_MIN.value),
            dispatch=DispatchSettings(
                search=SearchSettings(
                    radius_m=float(config.DISPATCH_RADIUS_MILES.value) * METRES_PER_MILE,
                    max_location_age=dt.timedelta(seconds=config.LOCATION_MAX_AGE_S.value),
                    weights=ScoringWeights(
                        rating=float(config.DISPATCH_RATING_WEIGHT.value),
                        distance_per_km=float(config.DISPATCH_DISTANCE_WEIGHT.value),
                        availability_bonus=float(config.DISPATCH_AVAILABILITY_BONUS.value),
                        priority_bonus=float(config.DISPATCH_PRIORITY_BONUS.value),
                    ),
                ),
                capacity=config.DISPATCH_CAPACITY.value,
                offer_ttl=dt.timedelta(seconds=config.OFFER_TTL_S.value),
                feed_limit=config.FEED_LIMIT.value,
                surge=SurgeSettings(pending_jobs=config.SURGE_PENDING_JOBS.value,
                                    window=dt.timedelta(seconds=config.SURGE_WINDOW_S.value)),
            ),
            location=LocationPolicy(
                max_age=dt.timedelta(seconds=config.LOCATION_MAX_AGE_S.value),
                refresh_after=dt.timedelta(seconds=config.LOCATION_REFRESH_S.value),
                min_move_m=float(config.LOCATION_MIN_MOVE_M.value),
                live_interval=dt.timedelta(seconds=config.LIVE_LOCATION_INTERVAL_S.value),
                max_accuracy_m=float(config.LOCATION_MAX_ACCURACY_M.value),
                max_speed_kmh=float(config.LOCATION_MAX_SPEED_KMH.value),
            ),
            payments=PaymentSettings(
                platform_fee_percent=Decimal(config.PLATFORM_FEE_PERCENT.value),
                hold=dt.timedelta(hours=config.PAYMENT_HOLD_HOURS.value),
            ),
            rate_limits=RateLimitSettings(
                create_request=Limit("create_request", config.REQUESTS_PER_WINDOW.value,
                                     dt.timedelta(minutes=config.REQUESTS_WINDOW_MIN.value), "new jobs"),
                support_ticket=Limit("support_ticket", config.TICKETS_PER_DAY.value, dt.timedelta(days=1),
                                     "new support tickets"),
                redeem_reward=Limit("redeem_reward", config.REDEMPTIONS_PER_DAY.value, dt.timedelta(days=1),
                                    "reward redemptions"),
                export_my_data=Limit("export_my_data", config.EXPORTS_PER_DAY.value, dt.timedelta(days=1),
                                     "data exports"),
                webhook=Limit("webhook", config.WEBHOOK_CALLS_PER_MINUTE.value, dt.timedelta(minutes=1),
                              "webhook deliveries from this address"),
                photo_quote=Limit("photo_quote", config.PHOTO_QUOTES_PER_DAY.value, dt.timedelta(days=1),
                                  "photo quotes"),
            ),
            enforce_app_check=config.ENFORCE_APP_CHECK.value,
            disputes=DisputeSettings(
                window=dt.timedelta(days=config.DISPUTE_WINDOW_DAYS.value),
                escalate_after=dt.timedelta(hours=config.DISPUTE_ESCALATION_HOURS.value),
            ),
            support=SupportSettings(
                ai_model=config.OPENAI_MODEL.value,
                ai_tokens_per_ticket=config.SUPPORT_AI_TOKENS_PER_TICKET.value,
                idle_close_after=dt.timedelta(days=config.SUPPORT_IDLE_CLOSE_DAYS.value),
            ),
            fraud=FraudThresholds(
                location_mismatch_m=float(config.FRAUD_LOCATION_MISMATCH_M.value),
                short_jobs=config.FRAUD_SHORT_JOBS.value,
                short_jobs_within=dt.timedelta(hours=config.FRAUD_SHORT_JOBS_HOURS.value),
                earnings_increase_percent=Decimal(config.FRAUD_EARNINGS_INCREASE_PERCENT.value),
                earnings_min_base=Decimal(config.FRAUD_EARNINGS_MIN_BASE.value),
                disputes=config.FRAUD_DISPUTES.value,
                disputes_within=dt.timedelta(days=config.FRAUD_DISPUTES_DAYS.value),
                cancellations=config.FRAUD_CANCELLATIONS.value,
                cancellations_within=dt.timedelta(hours=config.FRAUD_CANCELLATIONS_HOURS.value),
                same_duration_jobs=config.FRAUD_SAME_DURATION_JOBS.value,
            ),
            leads=LeadSettings(booking_url=config.BOOKING_URL.value),
            regions=parse_regions(config.SERVICE_REGIONS.value),
        )
