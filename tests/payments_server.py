"""A real local Stripe for tests: localstripe (PyPI), plus the Connect endpoints it lacks, as a subprocess on
a free port.

The production gateway (`StripePayments`) talks to it unchanged, through `STRIPE_API_BASE`; only the address
and the test keys differ. Webhook bodies are signed by `devstack.payments_flow.signature`, exactly as Stripe signs them.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from devstack.emulators import free_port
from devstack.stripe import SECRET_KEY, WEBHOOK_SECRET, LocalStripeServer

TEST_SECRET_KEY = SECRET_KEY
TEST_WEBHOOK_SECRET = WEBHOOK_SECRET


@dataclass(frozen=True)
class LocalStripe:
    url: str

    def flush(self) -> None:
        """Forget everything: localstripe's customers, intents and payment methods (its `DELETE /_config/data`)
        and, through the same call, our Connect accounts, transfers, payouts, idempotency keys and request log."""
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/_config/data", method="DELETE"), timeout=5)

    def _call(self, method: str, path: str, form: dict[str, str] | None = None,
              headers: dict[str, str] | None = None) -> dict[str, Any]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Authorization": f"Bearer {TEST_SECRET_KEY}", **(headers or {})})
        with urllib.request.urlopen(request, timeout=5) as response:
            body: dict[str, Any] = json.loads(response.read())
            return body

    def post(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> dict[str, Any]:
        return self._call("POST", path, form, headers)

    def get(self, path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        return self._call("GET", path, None, headers)

    def requests_log(self) -> list[dict[str, Any]]:
        """Every POST to `/v1/...` since the last flush, oldest first:
        `{"method", "path", "idempotency_key" (or None), "status"}` (replays included, with the replayed status)."""
        return list(self.get("/_curbside/requests")["data"])

    def complete_onboarding(self, account_id: str) -> dict[str, Any]:
        """The technician finished Stripe onboarding: details submitted, charges and payouts enabled, the transfers
        capability active; an `account.updated` event goes to the registered webhooks. Returns the account."""
        return self.post(f"/_curbside/accounts/{account_id}/complete_onboarding", {})

    def payout(self, account_id: str, amount: int, currency: str | None = None) -> dict[str, Any]:
        """The technician withdrew `amount` (minor units) to their bank: the account's balance drops.
        Raises `urllib.error.HTTPError` (400, `balance_insufficient`) beyond the available balance."""
        form = {"amount": str(amount)} | ({"currency": currency} if currency else {})
        return self.post(f"/_curbside/accounts/{account_id}/payout", form)

    def balance(self, account_id: str) -> dict[str, Any]:
        """The connected account's balance object, as `GET /v1/balance` with `Stripe-Account` returns it:
        `{"object": "balance", "available": [{"amount": N, "currency": "eur"}], "pending": [], ...}`."""
        return self.get("/v1/balance", headers={"Stripe-Account": account_id})

    def available(self, account_id: str, currency: str = "eur") -> int:
        """The connected account's available balance in `currency` (0 when it has none)."""
        return sum(int(entry["amount"]) for entry in self.balance(account_id)["available"]
                   if entry["currency"] == currency)


@contextmanager
def running_localstripe() -> Iterator[LocalStripe]:
    """Start localstripe, extended with Connect (`tests/localstripe_connect.py`), from scratch (no state from
    an earlier run) on a free port, and stop it afterwards — the same server the local stack runs."""
    server = LocalStripeServer(free_port()).start()
    try:
        yield LocalStripe(server.url)
    finally:
        server.stop()
