"""Every deploy-time parameter and tunable in one place (Firebase `params`).

Values are read with `.value` only at run time (inside `deps.build()` or a service), never at import,
because the Firebase CLI imports `main.py` at deploy time to discover the functions.
"""

from firebase_functions import params

REGION = "us-central1"
"""Region of every function; the apps' `useFunctionsEmulator`/`httpsCallable` use the same."""

CURRENCY = params.StringParam("CURRENCY", default="EUR", description="ISO currency of every price.")
DEFAULT_TIME_ZONE = params.StringParam(
    "DEFAULT_TIME_ZONE", default="Australia/Sydney",
    description="Time zone for scheduled slots and daily jobs when a client has none.",
)
MAX_DEVICE_TOKENS = params.IntParam(
    "MAX_DEVICE_TOKENS", default=10, description="Push tokens kept per user (oldest dropped first)."
)
