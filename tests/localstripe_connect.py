"""localstripe plus what it lacks and our payments rely on: Stripe Connect (accounts, account links, transfers,
transfer reversals, connected-account balances), idempotent POSTs, a few PaymentIntent parameters, and test-only
controls.

Run as `python -m tests.localstripe_connect --port N --from-scratch` (same arguments as localstripe). Everything
is added to localstripe's own aiohttp app, so customers, intents and webhooks are still served by localstripe
itself. Only the fields our gateway reads are modelled, with Stripe's shapes and error codes.

Stripe behaviour reproduced here:
- Idempotency (every POST): a key already seen returns the first response (status and body, with
  `Idempotent-Replayed: true`) without running the request again; the same key on another endpoint or with other
  parameters is a 400 `idempotency_error`; while the first request with a key is still running, a second one is a
  409 `idempotency_error`. Keys are scoped per `Stripe-Account`, as on Stripe.
- PaymentIntents accept `transfer_group`, `description` and `statement_descriptor_suffix`, and report
  `amount_capturable` / `amount_received`; the charge carries `transfer_group` and `amount_captured`.
- Transfers need the destination's `transfers` capability `active` (400 `insufficient_capabilities_for_transfer`).
- Reversals (`POST /v1/transfers/{id}/reversals`) cannot exceed what is left of the transfer (400) nor the
  connected account's available balance (400 `balance_insufficient`).
- `GET /v1/balance` with a `Stripe-Account` header is that account's balance.

Test-only routes (not Stripe's): `POST /_curbside/accounts/{id}/complete_onboarding` (and an `account.updated`
webhook through localstripe's webhook machinery), `POST /_curbside/accounts/{id}/payout` (the technician withdrew
`amount` to their bank), `GET /_curbside/requests` (every POST to `/v1/...`: method, path, idempotency key,
status). `DELETE /_config/data` (localstripe's flush) forgets all of it too.
"""

from __future__ import annotations

import secrets
import time
import urllib.parse
from collections import defaultdict
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from localstripe import server  # type: ignore[import-untyped, unused-ignore]
from localstripe.errors import UserError  # type: ignore[import-untyped, unused-ignore]
from localstripe.resources import Charge, Event, PaymentIntent  # type: ignore[import-untyped, unused-ignore]
from localstripe.webhooks import schedule_webhook  # type: ignore[import-untyped, unused-ignore]

_accounts: dict[str, dict[str, Any]] = {}
_transfers: dict[str, dict[str, Any]] = {}
_payouts: list[tuple[str, dict[str, Any]]] = []
"""(connected account, payout) for the simulated withdrawals to the technician's bank."""

_idempotent: dict[tuple[str, str], dict[str, Any]] = {}
"""(Stripe-Account or "", Idempotency-Key) -> the first request's path, parameters and response."""
_in_flight: set[tuple[str, str]] = set()
_requests: list[dict[str, Any]] = []


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _error(status: int, message: str, *, code: str | None = None, param: str | None = None,
           type_: str = "invalid_request_error") -> web.Response:
    error: dict[str, Any] = {"type": type_, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return web.json_response({"error": error}, status=status)


def _bad_request(message: str, **kwargs: Any) -> web.Response:
    return _error(400, message, **kwargs)


def _missing(kind: str, id_: str) -> web.Response:
    return _error(404, f"No such {kind}: '{id_}'", code="resource_missing", param="id")


def _positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


# Idempotency and the request log


def _params_of(body: bytes) -> Any:
    """The request's parameters, independent of their order in the body."""
    try:
        return sorted(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    except UnicodeDecodeError:
        return body


async def _run(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except UserError as exc:
        response: web.StreamResponse = exc.to_response()
        return response


def _replay(saved: dict[str, Any], key: str) -> web.Response:
    return web.Response(body=saved["body"], status=saved["status"], content_type=saved["content_type"],
                        headers={"Idempotent-Replayed": "true", "Idempotency-Key": key})


async def _idempotently(request: web.Request, handler: Handler) -> web.StreamResponse:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or server.get_api_key(request) is None:
        return await _run(request, handler)
    scope = (request.headers.get("Stripe-Account", ""), key)
    params = _params_of(await request.read())
    saved = _idempotent.get(scope)
    if saved is not None:
        if saved["path"] != request.path:
            return _error(400, f"Keys for idempotent requests can only be used for the same endpoint they were "
                               f"first used for ('{request.path}' vs '{saved['path']}'). Try using a key other "
                               f"than '{key}' if you meant to execute a different request.",
                          type_="idempotency_error")
        if saved["params"] != params:
            return _error(400, f"Keys for idempotent requests can only be used with the same parameters they were "
                               f"first used with. Try using a key other than '{key}' if you meant to execute a "
                               f"different request.", type_="idempotency_error")
        return _replay(saved, key)
    if scope in _in_flight:
        return _error(409, f"There is currently another in-progress request using this Idempotent Key (that "
                           f"probably means you submitted twice, and the other request is still going through): "
                           f"{key}. Please try again later.", type_="idempotency_error")
    _in_flight.add(scope)
    try:
        response = await _run(request, handler)
    finally:
        _in_flight.discard(scope)
    if isinstance(response, web.Response) and isinstance(response.body, bytes) and response.status != 401:
        _idempotent[scope] = {"path": request.path, "params": params, "status": response.status,
                              "body": response.body, "content_type": response.content_type}
        response.headers["Idempotency-Key"] = key
    return response


def _forget_everything() -> None:
    for state in (_accounts, _transfers, _idempotent):
        state.clear()
    _payouts.clear()
    _requests.clear()


@web.middleware
async def curbside_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Idempotent POSTs, the request log, connected-account balances and a flush that forgets our state too."""
    if (request.method == "GET" and request.path == "/v1/balance" and "Stripe-Account" in request.headers
            and server.get_api_key(request) is not None):
        return connected_balance(request)
    status = 500
    try:
        response = await _idempotently(request, handler)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        if request.method == "POST" and request.path.startswith("/v1/"):
            _requests.append({"method": request.method, "path": request.path,
                              "idempotency_key": request.headers.get("Idempotency-Key"), "status": status})
        if request.method == "DELETE" and request.path == "/_config/data" and status < 300:
            _forget_everything()


async def request_log(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": list(_requests)})


# PaymentIntent parameters localstripe refuses


_payment_intent_init = PaymentIntent.__init__
_payment_intent_create_charge = PaymentIntent._create_charge
_charge_capture = Charge._capture


def _payment_intent_init_with_extras(self: Any, *args: Any, transfer_group: Any = None, description: Any = None,
                                     statement_descriptor_suffix: Any = None, **kwargs: Any) -> None:
    for name, value in (("transfer_group", transfer_group), ("description", description),
                        ("statement_descriptor_suffix", statement_descriptor_suffix)):
        if value is not None and not isinstance(value, str):
            raise UserError(400, f"Invalid string: {name}", {"param": name})
    if statement_descriptor_suffix is not None and len(statement_descriptor_suffix) > 22:
        raise UserError(400, "statement_descriptor_suffix is longer than 22 characters",
                        {"param": "statement_descriptor_suffix"})
    _payment_intent_init(self, *args, **kwargs)
    self.transfer_group = transfer_group
    self.description = description
    self.statement_descriptor_suffix = statement_descriptor_suffix


def _create_charge_with_transfer_group(self: Any, on_failure_now: Any) -> None:
    _payment_intent_create_charge(self, on_failure_now)
    if self.latest_charge is not None:
        self.latest_charge.transfer_group = self.transfer_group
        self.latest_charge.description = self.description


def _capture_remembering_amount(self: Any, amount: Any, on_success: Any = None) -> None:
    captured = self.amount if amount is None else amount
    _charge_capture(self, amount, on_success)
    if self.captured:
        self._amount_captured = int(captured)


def _amount_captured(self: Any) -> int:
    if self.status != "succeeded" or not self.captured:
        return 0
    return int(getattr(self, "_amount_captured", self.amount))


def _amount_capturable(self: Any) -> int:
    return int(self.latest_charge.amount) if self.status == "requires_capture" else 0


def _amount_received(self: Any) -> int:
    return int(self.latest_charge.amount_captured) if self.latest_charge is not None else 0


PaymentIntent.__init__ = _payment_intent_init_with_extras
PaymentIntent._create_charge = _create_charge_with_transfer_group
PaymentIntent.transfer_group = None
PaymentIntent.description = None
PaymentIntent.statement_descriptor_suffix = None
PaymentIntent.amount_capturable = property(_amount_capturable)
PaymentIntent.amount_received = property(_amount_received)
Charge.transfer_group = None
Charge._capture = _capture_remembering_amount
Charge.amount_captured = property(_amount_captured)


# Accounts


async def create_account(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    requested = data.get("capabilities") or {}
    if not isinstance(requested, dict):
        return _bad_request("capabilities must be a hash", param="capabilities")
    capabilities = {name: "inactive" for name, wish in requested.items()
                    if isinstance(wish, dict) and str(wish.get("requested")).lower() == "true"}
    country = str(data.get("country", "US")).upper()
    account = {"id": _new_id("acct"), "object": "account", "type": data.get("type", "express"),
               "email": data.get("email"), "country": country,
               "default_currency": data.get("default_currency") or ("usd" if country == "US" else "eur"),
               "metadata": data.get("metadata") or {}, "capabilities": capabilities, "charges_enabled": False,
               "payouts_enabled": False, "details_submitted": False, "created": int(time.time())}
    _accounts[account["id"]] = account
    return web.json_response(account)


async def retrieve_account(request: web.Request) -> web.Response:
    account = _accounts.get(request.match_info["id"])
    return web.json_response(account) if account else _missing("account", request.match_info["id"])


async def create_account_link(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    account = data.get("account")
    if account not in _accounts or not data.get("return_url") or not data.get("refresh_url"):
        return _bad_request("account, return_url and refresh_url are required")
    return web.json_response({"object": "account_link", "created": int(time.time()),
                              "expires_at": int(time.time()) + 300,
                              "url": f"{request.scheme}://{request.host}/connect/onboarding/{account}"})


class _Exported:
    """What localstripe's `Event` needs of its object: an `_export()`."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def _export(self, expand: Any = None) -> dict[str, Any]:
        return dict(self._body)


async def complete_onboarding(request: web.Request) -> web.Response:
    """Test-only: the technician finished Stripe's hosted onboarding; Stripe sends `account.updated`."""
    account = _accounts.get(request.match_info["id"])
    if account is None:
        return _missing("account", request.match_info["id"])
    changes: dict[str, Any] = {"details_submitted": True, "charges_enabled": True, "payouts_enabled": True,
                               "capabilities": {**{name: "active" for name in account["capabilities"]},
                                                "transfers": "active"}}
    previous = {name: account[name] for name, value in changes.items() if account[name] != value}
    account.update(changes)
    event = Event("account.updated", _Exported(account))
    event.account = account["id"]
    event.data["previous_attributes"] = previous
    schedule_webhook(event)
    return web.json_response(account)


# Transfers, reversals, balances


def _available(account_id: str) -> dict[str, int]:
    """The connected account's available balance per currency: transfers in, minus reversals and payouts."""
    totals: dict[str, int] = defaultdict(int)
    for transfer in _transfers.values():
        if transfer["destination"] == account_id:
            totals[transfer["currency"]] += transfer["amount"] - transfer["amount_reversed"]
    for owner, payout in _payouts:
        if owner == account_id:
            totals[payout["currency"]] -= payout["amount"]
    return dict(totals)


def _insufficient_balance(account_id: str, what: str) -> web.Response:
    return _bad_request(f"Insufficient funds in the Stripe account {account_id} to {what}. You can use the "
                        f"/v1/balance endpoint to view the account's balance.", code="balance_insufficient")


async def create_transfer(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    amount = _positive_int(data.get("amount"))
    if amount is None:
        return _bad_request("Invalid positive integer", param="amount")
    destination = data.get("destination")
    if not data.get("currency"):
        return _bad_request("Missing required param: currency.", param="currency")
    if destination not in _accounts:
        return _bad_request(f"No such destination: '{destination}'", code="resource_missing", param="destination")
    if _accounts[destination]["capabilities"].get("transfers") != "active":
        return _bad_request("Your destination account needs to have at least one of the following capabilities "
                            "enabled: transfers, crypto_transfers, legacy_payments",
                            code="insufficient_capabilities_for_transfer", param="destination")
    transfer_id = _new_id("tr")
    transfer = {"id": transfer_id, "object": "transfer", "amount": amount,
                "currency": str(data["currency"]).lower(), "destination": destination,
                "transfer_group": data.get("transfer_group"), "metadata": data.get("metadata") or {},
                "amount_reversed": 0, "reversed": False,
                "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                              "url": f"/v1/transfers/{transfer_id}/reversals"},
                "created": int(time.time())}
    _transfers[transfer_id] = transfer
    return web.json_response(transfer)


async def retrieve_transfer(request: web.Request) -> web.Response:
    transfer = _transfers.get(request.match_info["id"])
    return web.json_response(transfer) if transfer else _missing("transfer", request.match_info["id"])


async def list_transfers(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": list(_transfers.values()), "has_more": False,
                              "url": "/v1/transfers"})


async def create_reversal(request: web.Request) -> web.Response:
    transfer = _transfers.get(request.match_info["id"])
    if transfer is None:
        return _missing("transfer", request.match_info["id"])
    data = await server.get_post_data(request) or {}
    remaining = transfer["amount"] - transfer["amount_reversed"]
    if remaining == 0:
        return _bad_request(f"Transfer {transfer['id']} is already fully reversed.", param="amount")
    amount = remaining if data.get("amount") in (None, "") else _positive_int(data.get("amount"))
    if amount is None:
        return _bad_request("Invalid positive integer", param="amount")
    if amount > remaining:
        return _bad_request(f"You cannot reverse {amount} from transfer {transfer['id']}: only {remaining} "
                            f"remains to be reversed.", param="amount")
    if amount > _available(transfer["destination"]).get(transfer["currency"], 0):
        return _insufficient_balance(transfer["destination"], f"reverse {amount} of transfer {transfer['id']}")
    reversal = {"id": _new_id("trr"), "object": "transfer_reversal", "amount": amount,
                "currency": transfer["currency"], "transfer": transfer["id"],
                "metadata": data.get("metadata") or {}, "created": int(time.time())}
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
    reversals = transfer["reversals"]
    reversals["data"].append(reversal)
    reversals["total_count"] = len(reversals["data"])
    return web.json_response(reversal)


async def list_reversals(request: web.Request) -> web.Response:
    transfer = _transfers.get(request.match_info["id"])
    return web.json_response(transfer["reversals"]) if transfer else _missing("transfer", request.match_info["id"])


def connected_balance(request: web.Request) -> web.Response:
    account_id = request.headers["Stripe-Account"]
    account = _accounts.get(account_id)
    if account is None:
        return _error(403, f"The provided key does not have access to account '{account_id}' (or that account "
                           f"does not exist).", code="account_invalid")
    available = _available(account_id) or {account["default_currency"]: 0}
    return web.json_response({"object": "balance", "livemode": False,
                              "available": [{"amount": amount, "currency": currency}
                                            for currency, amount in sorted(available.items())],
                              "pending": []})


async def simulate_payout(request: web.Request) -> web.Response:
    """Test-only: the technician withdrew `amount` to their bank, so the account's balance drops."""
    account_id = request.match_info["id"]
    account = _accounts.get(account_id)
    if account is None:
        return _missing("account", account_id)
    data = await server.get_post_data(request) or {}
    amount = _positive_int(data.get("amount"))
    if amount is None:
        return _bad_request("Invalid positive integer", param="amount")
    available = _available(account_id)
    currency = str(data.get("currency") or next(iter(available), account["default_currency"])).lower()
    if amount > available.get(currency, 0):
        return _insufficient_balance(account_id, f"pay out {amount} {currency}")
    payout = {"id": _new_id("po"), "object": "payout", "amount": amount, "currency": currency, "status": "paid",
              "created": int(time.time())}
    _payouts.append((account_id, payout))
    return web.json_response(payout)


server.app.middlewares.insert(1, curbside_middleware)  # after localstripe's error middleware, before its auth

server.app.router.add_post("/v1/accounts", create_account)
server.app.router.add_get("/v1/accounts/{id}", retrieve_account)
server.app.router.add_post("/v1/account_links", create_account_link)
server.app.router.add_post("/v1/transfers", create_transfer)
server.app.router.add_get("/v1/transfers/{id}", retrieve_transfer)
server.app.router.add_get("/v1/transfers", list_transfers)
server.app.router.add_post("/v1/transfers/{id}/reversals", create_reversal)
server.app.router.add_get("/v1/transfers/{id}/reversals", list_reversals)
server.app.router.add_post("/_curbside/accounts/{id}/complete_onboarding", complete_onboarding)
server.app.router.add_post("/_curbside/accounts/{id}/payout", simulate_payout)
server.app.router.add_get("/_curbside/requests", request_log)

if __name__ == "__main__":
    server.start()
