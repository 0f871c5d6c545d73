"""Every deploy-time parameter and tunable in one place (Firebase `params`).

Values are read with `.value` only at run time (inside `deps.build()` or a service), never at import,
because the Firebase CLI imports `main.py` at deploy time to discover the functions.
"""

from firebase_functions import params

from curbside.domain.documents.locations import DEFAULT_CAPACITY

REGION = "us-central1"
"""Region of every function; the apps' `useFunctionsEmulator`/`httpsCallable` use the same."""

CURRENCY = params.StringParam("CURRENCY", default="EUR",
                              description="ISO currency of prices outside every service region, and of the reports.")
SERVICE_REGIONS = params.StringParam(
    "SERVICE_REGIONS", default="[]",
    description='Service regions, their currencies and taxes (D122, D131), JSON: [{"code": "NZ", "currency": "NZD", '
                '"bounds": [south, west, north, east], "base_price"?: 55, "late_cancellation_fee"?: 15, "tax"?: '
                '{"name": "GST", "rate_percent": 15, "prices_include_tax": true}}, ...]; a job outside them is '
                'priced in CURRENCY under TAX_*.')
# The sales tax outside the regions that name their own (D103, D131): quoted, charged and printed on invoices.
TAX_NAME = params.StringParam("TAX_NAME", default="GST", description="The sales tax's name on invoices (GST, VAT).")
TAX_RATE_PERCENT = params.StringParam("TAX_RATE_PERCENT", default="10",
                                      description="The sales tax rate in percent (10 for Australia's GST).")
PRICES_INCLUDE_TAX = params.BoolParam("PRICES_INCLUDE_TAX", default=True,
                                      description="Prices include the tax (GST, VAT); false where it is added.")
SERVICE_REMINDER_MONTHS = params.IntParam(
    "SERVICE_REMINDER_MONTHS", default=6, description="Months after a vehicle's service that the next is due.")
DEFAULT_TIME_ZONE = params.StringParam(
    "DEFAULT_TIME_ZONE", default="Australia/Sydney",
    description="Time zone for scheduled slots and daily jobs when a client has none.",
)
MAX_DEVICE_TOKENS = params.IntParam(
    "MAX_DEVICE_TOKENS", default=10, description="Push tokens kept per user (oldest dropped first)."
)

# Pricing (spec section 1). Amounts and multipliers are strings so they reach the engine as exact decimals.
BASE_PRICE = params.StringParam("BASE_PRICE", default="33.00", description="Base price of a job, in CURRENCY.")
URGENCY_MULTIPLIER = params.StringParam(
    "URGENCY_MULTIPLIER", default="1.5", description="Urgent jobs add base price x (this - 1)."
)
SCHEDULED_MULTIPLIER = params.StringParam(
    "SCHEDULED_MULTIPLIER", default="0.85", description="Scheduled jobs cost this share of base + premiums."
)
MAX_PRICE_MULTIPLIER = params.StringParam(
    "MAX_PRICE_MULTIPLIER", default="3", description="No subtotal exceeds base price x this (the price cap)."
)
LATE_CANCELLATION_FEE = params.StringParam(
    "LATE_CANCELLATION_FEE", default="10.00",
    description="Kept when a client cancels after the technician set off (en_route or arrived).",
)
ARRIVAL_RADIUS_M = params.IntParam(
    "ARRIVAL_RADIUS_M", default=100, description="Arriving farther than this from the job gives a warning."
)

# Auto-dispatch candidates (spec section 2) and technician locations (section 4): docs/decisions.md, "The
# dispatch search index" and "Location reports".
# Decimal numbers are strings: the SDK's params have no public float type.
DISPATCH_RADIUS_MILES = params.StringParam(
    "DISPATCH_RADIUS_MILES", default="50", description="Technicians farther than this from a job are not offered it."
)
DISPATCH_RATING_WEIGHT = params.StringParam(
    "DISPATCH_RATING_WEIGHT", default="10", description="Assignment score points per star of rating."
)
DISPATCH_DISTANCE_WEIGHT = params.StringParam(
    "DISPATCH_DISTANCE_WEIGHT", default="1", description="Assignment score points taken off per km to the job."
)
DISPATCH_AVAILABILITY_BONUS = params.StringParam(
    "DISPATCH_AVAILABILITY_BONUS", default="5", description="Score bonus for a technician with no active job."
)
DISPATCH_PRIORITY_BONUS = params.StringParam(
    "DISPATCH_PRIORITY_BONUS", default="10",
    description="Score bonus for an urgent job or one booked with a priority_booking reward.",
)
DISPATCH_CAPACITY = params.IntParam(
    "DISPATCH_CAPACITY", default=DEFAULT_CAPACITY,
    description="Active jobs (accepted..in_progress) a technician may hold and still be offered another.",
)
LOCATION_MAX_AGE_S = params.IntParam(
    "LOCATION_MAX_AGE_S", default=600, description="A technician whose last fix is older is not a candidate."
)
LOCATION_REFRESH_S = params.IntParam(
    "LOCATION_REFRESH_S", default=240,
    description="A stationary technician's fix is rewritten after this long (must be below LOCATION_MAX_AGE_S).",
)
LOCATION_MIN_MOVE_M = params.IntParam(
    "LOCATION_MIN_MOVE_M", default=500, description="A move at least this far is stored at once."
)
LOCATION_MAX_ACCURACY_M = params.IntParam(
    "LOCATION_MAX_ACCURACY_M", default=500, description="Fixes less precise than this are not used."
)
LOCATION_MAX_SPEED_KMH = params.IntParam(
    "LOCATION_MAX_SPEED_KMH", default=300,
    description="A position implying a faster move since the last one is refused as spoofed.",
)
LIVE_LOCATION_INTERVAL_S = params.IntParam(
    "LIVE_LOCATION_INTERVAL_S", default=10,
    description="Cadence of the client's live map while the job is en route or arrived (spec: 10 s).",
)

# Surges (docs/decisions.md, D42): a region with this many pending jobs matches them in windows.
SURGE_PENDING_JOBS = params.IntParam(
    "SURGE_PENDING_JOBS", default=20,
    description="Pending jobs in a region (a metro-sized cell) from which its jobs are matched in windows.",
)
SURGE_WINDOW_S = params.IntParam(
    "SURGE_WINDOW_S", default=20,
    description="Seconds a job of a region in a surge waits to be matched with the window's other jobs (1-300).",
)

# Arrival estimates (docs/decisions.md, D43): Google's Routes API; without a key, the road-speed model.
ROUTES_API_KEY = params.SecretParam("ROUTES_API_KEY")
"""A Google Maps Platform key allowed to call the Routes API (empty: the local road-speed model)."""
ROUTES_API_BASE = params.StringParam(
    "ROUTES_API_BASE", default="",
    description="Routes API address; empty means Google's (tests point it at a local server).",
)

# Offers (spec section 2): docs/decisions.md, D19.
OFFER_TTL_S = params.IntParam(
    "OFFER_TTL_S", default=60, description="Seconds a technician has to accept an offer before it moves on."
)
FEED_LIMIT = params.IntParam(
    "FEED_LIMIT", default=50, description="Most jobs list_available_jobs returns (a caller may ask for fewer)."
)

# Payments (spec section 8): docs/decisions.md, "Stripe: idempotency keys and no vendor call in a transaction".
STRIPE_SECRET_KEY = params.SecretParam("STRIPE_SECRET_KEY")
"""The Stripe secret API key (`sk_...`)."""
STRIPE_WEBHOOK_SECRET = params.SecretParam("STRIPE_WEBHOOK_SECRET")
"""The signing secret (`whsec_...`) of the `stripe_webhook` endpoint."""
STRIPE_API_BASE = params.StringParam(
    "STRIPE_API_BASE", default="",
    description="Stripe API address; empty means Stripe itself (the local stack points it at localstripe).",
)
PLATFORM_FEE_PERCENT = params.StringParam(
    "PLATFORM_FEE_PERCENT", default="15",
    description="Percent of a job's released money the platform keeps; the technician is paid the rest.",
)
UPLOAD_QUOTA_MB = params.IntParam(
    "UPLOAD_QUOTA_MB", default=500, description="What one person may store in all their upload folders."
)
PAYMENT_HOLD_HOURS = params.IntParam(
    "PAYMENT_HOLD_HOURS", default=48,
    description="Hours a completed job's payment is held for the client's review before auto-approval.",
)

# Verification (spec section 11): docs/decisions.md D35-D39.
BACKGROUND_CHECK_API_BASE = params.StringParam(
    "BACKGROUND_CHECK_API_BASE", default="",
    description="The background-check provider's API address (Checkr-style); the local stack points it at its "
                "own provider. Empty: background checks wait (retried) until it is set.",
)
BACKGROUND_CHECK_PACKAGE = params.StringParam(
    "BACKGROUND_CHECK_PACKAGE", default="driver_pro",
    description="The provider's package for technicians: criminal records, driving history, sex-offender registry.",
)
BACKGROUND_CHECK_API_KEY = params.SecretParam("BACKGROUND_CHECK_API_KEY")
"""The provider's secret API key (HTTP basic auth user)."""
BACKGROUND_CHECK_WEBHOOK_SECRET = params.SecretParam("BACKGROUND_CHECK_WEBHOOK_SECRET")
"""The secret the provider signs `background_check_webhook` deliveries with."""

# Notices (spec section 14): e-mail over SMTP and SMS through Twilio; push needs no configuration (FCM).
SMTP_HOST = params.StringParam(
    "SMTP_HOST", default="", description="SMTP relay for notice e-mails (empty: no e-mail is sent)."
)
SMTP_PORT = params.IntParam("SMTP_PORT", default=587, description="Port of SMTP_HOST (587: STARTTLS).")
SMTP_USERNAME = params.StringParam("SMTP_USERNAME", default="", description="SMTP login (empty: none).")
SMTP_PASSWORD = params.SecretParam("SMTP_PASSWORD")
"""The SMTP relay's password or API key."""
SMTP_STARTTLS = params.BoolParam("SMTP_STARTTLS", default=True, description="Upgrade SMTP to TLS before login.")
EMAIL_FROM = params.StringParam(
    "EMAIL_FROM", default="Curbside <no-reply@curbside.app>", description="From header of notice e-mails."
)
TWILIO_ACCOUNT_SID = params.StringParam(
    "TWILIO_ACCOUNT_SID", default="", description="Twilio account (empty: no SMS, no phone verification)."
)
TWILIO_AUTH_TOKEN = params.SecretParam("TWILIO_AUTH_TOKEN")
"""The Twilio account's auth token (or an API key secret)."""
TWILIO_FROM = params.StringParam(
    "TWILIO_FROM", default="", description="Sender of notice SMS: an E.164 number or a Messaging Service SID."
)
TWILIO_VERIFY_SERVICE_SID = params.StringParam(
    "TWILIO_VERIFY_SERVICE_SID", default="", description="Twilio Verify service that sends phone codes (VA...)."
)
CHAT_MESSAGES_PER_MINUTE = params.IntParam(
    "CHAT_MESSAGES_PER_MINUTE", default=20, description="Messages one person may send into one job per minute."
)
PHONE_CODES_PER_HOUR = params.IntParam(
    "PHONE_CODES_PER_HOUR", default=5, description="Phone verification codes one person may ask for per hour."
)
UNMATCHED_REQUEST_TIMEOUT_MIN = params.IntParam(
    "UNMATCHED_REQUEST_TIMEOUT_MIN", default=30,
    description="A pending job nobody took this many minutes after it was asked for (or its slot began) is cancelled.",
)

# Trust and safety (issue 15): rate limits (docs/decisions.md D47) and App Check.
REQUESTS_PER_WINDOW = params.IntParam(
    "REQUESTS_PER_WINDOW", default=5, description="Jobs one client may create per REQUESTS_WINDOW_MIN minutes."
)
REQUESTS_WINDOW_MIN = params.IntParam(
    "REQUESTS_WINDOW_MIN", default=10, description="The window of REQUESTS_PER_WINDOW, in minutes."
)
TICKETS_PER_DAY = params.IntParam(
    "TICKETS_PER_DAY", default=5, description="Support tickets one person may open per day (UTC)."
)
REDEMPTIONS_PER_DAY = params.IntParam(
    "REDEMPTIONS_PER_DAY", default=10, description="Rewards one client may redeem per day (UTC)."
)
EXPORTS_PER_DAY = params.IntParam(
    "EXPORTS_PER_DAY", default=3, description="Data exports (export_my_data) one person may ask for per day (UTC)."
)
PHOTO_QUOTES_PER_DAY = params.IntParam(
    "PHOTO_QUOTES_PER_DAY", default=20,
    description="Photo quotes one client may ask for per day (UTC): each may call the vision model.",
)
WEBHOOK_CALLS_PER_MINUTE = params.IntParam(
    "WEBHOOK_CALLS_PER_MINUTE", default=300, description="Webhook deliveries accepted per source address per minute."
)
ENFORCE_APP_CHECK = params.BoolParam(
    "ENFORCE_APP_CHECK", default=True,
    description="Callables refuse requests without a valid App Check token (never enforced on the emulators).",
)

# Disputes and support (spec sections 10 and 13): docs/decisions.md D55-D59.
DISPUTE_WINDOW_DAYS = params.IntParam(
    "DISPUTE_WINDOW_DAYS", default=7, description="Days after a job ends during which either party may dispute it."
)
DISPUTE_ESCALATION_HOURS = params.IntParam(
    "DISPUTE_ESCALATION_HOURS", default=72,
    description="Hours without admin activity after which an open dispute is escalated to every admin.",
)
OPENAI_MODEL = params.StringParam(
    "OPENAI_MODEL", default="gpt-4o-mini-2024-07-18",
    description="The pinned OpenAI model of the support assistant (a dated snapshot, so answers do not drift).",
)
OPENAI_API_BASE = params.StringParam(
    "OPENAI_API_BASE", default="https://api.openai.com/v1", description="OpenAI's API address.",
)
OPENAI_VISION_MODEL = params.StringParam(
    "OPENAI_VISION_MODEL", default="gpt-4o-2024-08-06",
    description="The pinned OpenAI model that reads hail damage from a photo quote's photos (D88).",
)
OPENAI_API_KEY = params.SecretParam("OPENAI_API_KEY")
"""OpenAI's API key; unset, the support assistant answers from the local knowledge-base retriever and review
comments are moderated by the local word list (D51), and photo quotes price the customer's own description of
the damage (D88)."""
SUPPORT_AI_TOKENS_PER_TICKET = params.IntParam(
    "SUPPORT_AI_TOKENS_PER_TICKET", default=20000,
    description="OpenAI tokens one support ticket may spend; beyond it the local retriever answers.",
)
SUPPORT_IDLE_CLOSE_DAYS = params.IntParam(
    "SUPPORT_IDLE_CLOSE_DAYS", default=7,
    description="Days after the assistant's last answer, with no reply from the owner, that a ticket nobody else "
                "took closes as resolved (then the 10-day retention runs).",
)

# Fraud monitoring (spec section 9; issue 15): docs/decisions.md D48, D69-D71.
FRAUD_LOCATION_MISMATCH_M = params.IntParam(
    "FRAUD_LOCATION_MISMATCH_M", default=500,
    description="Metres between a completion and its job beyond which a location_mismatch alert is raised.",
)
FRAUD_SHORT_JOBS = params.IntParam(
    "FRAUD_SHORT_JOBS", default=10,
    description="Completions by one technician within FRAUD_SHORT_JOBS_HOURS beyond which high_volume_short_jobs.",
)
FRAUD_SHORT_JOBS_HOURS = params.IntParam("FRAUD_SHORT_JOBS_HOURS", default=2, description="See FRAUD_SHORT_JOBS.")
FRAUD_EARNINGS_INCREASE_PERCENT = params.IntParam(
    "FRAUD_EARNINGS_INCREASE_PERCENT", default=200,
    description="Week-over-week earnings increase (percent) beyond which rapid_earnings_increase is raised.",
)
FRAUD_EARNINGS_MIN_BASE = params.StringParam(
    "FRAUD_EARNINGS_MIN_BASE", default="100.00",
    description="Earnings (CURRENCY) the earlier week must reach before an increase over it counts.",
)
FRAUD_DISPUTES = params.IntParam(
    "FRAUD_DISPUTES", default=3,
    description="Disputes on one person's jobs within FRAUD_DISPUTES_DAYS beyond which multiple_disputes.",
)
FRAUD_DISPUTES_DAYS = params.IntParam("FRAUD_DISPUTES_DAYS", default=30, description="See FRAUD_DISPUTES.")
FRAUD_CANCELLATIONS = params.IntParam(
    "FRAUD_CANCELLATIONS", default=5,
    description="Jobs one person cancels within FRAUD_CANCELLATIONS_HOURS beyond which rapid_cancellations.",
)
FRAUD_CANCELLATIONS_HOURS = params.IntParam(
    "FRAUD_CANCELLATIONS_HOURS", default=24, description="See FRAUD_CANCELLATIONS.",
)
FRAUD_SAME_DURATION_JOBS = params.IntParam(
    "FRAUD_SAME_DURATION_JOBS", default=5,
    description="A technician's last jobs all lasting the same minute make a suspicious_completion_pattern.",
)

# Messenger leads (issue 20): docs/decisions.md D83-D86.
MESSENGER_APP_SECRET = params.SecretParam("MESSENGER_APP_SECRET")
"""The Meta app's secret: `messenger_webhook` checks each delivery's `X-Hub-Signature-256` with it."""
MESSENGER_VERIFY_TOKEN = params.SecretParam("MESSENGER_VERIFY_TOKEN")
"""The token we typed into the Meta app's webhook settings; the subscription GET must carry it."""
MESSENGER_PAGE_TOKEN = params.SecretParam("MESSENGER_PAGE_TOKEN")
"""The Facebook page's access token for the Send API (empty: replies wait in the outbox, retried)."""
GEOCODING_API_KEY = params.SecretParam("GEOCODING_API_KEY")
"""A Google Maps Platform key allowed to call the Geocoding API (empty: the shipped postcode table)."""
BOOKING_URL = params.StringParam(
    "BOOKING_URL", default="https://curbside.app/request",
    description="The client app's request screen (deep link) that Messenger replies link to, place filled in.",
)

NOTICE_SECRETS = [SMTP_PASSWORD.name, TWILIO_AUTH_TOKEN.name]
"""Secrets every function may need: any of them can write a notice, which is sent right after its commit."""


def secrets(*extra: params.SecretParam) -> list[str]:
    """The secrets of a function that also calls another vendor (Stripe): the notice secrets plus `extra`
    (a function's own list replaces the global one, so it must repeat them)."""
    return [*NOTICE_SECRETS, *(secret.name for secret in extra)]
