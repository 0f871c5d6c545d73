"""localstripe plus the Stripe Connect endpoints it lacks: accounts, account links and transfers.

Run as `python -m tests.localstripe_connect --port N --from-scratch` (same arguments as localstripe). The
routes are added to localstripe's own aiohttp app, so customers, intents and webhooks are still served by
localstripe itself. Transfers honour `Idempotency-Key` as Stripe does (same key -> the same transfer), which is
what the payout code relies on. Only the fields our gateway reads are modelled.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from aiohttp import web
from localstripe import server  # type: ignore[import-untyped, unused-ignore]

_accounts: dict[str, dict[str, Any]] = {}
_transfers: dict[str, dict[str, Any]] = {}
_by_idempotency_key: dict[tuple[str, str], dict[str, Any]] = {}


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": {"type": "invalid_request_error", "message": message}}, status=400)


def _idempotent(request: web.Request, kind: str, make: Any) -> dict[str, Any]:
    key = request.headers.get("Idempotency-Key")
    if key and (kind, key) in _by_idempotency_key:
        return _by_idempotency_key[(kind, key)]
    created: dict[str, Any] = make()
    if key:
        _by_idempotency_key[(kind, key)] = created
    return created


async def create_account(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}

    def make() -> dict[str, Any]:
        account = {"id": _new_id("acct"), "object": "account", "type": data.get("type", "express"),
                   "email": data.get("email"), "country": data.get("country", "US"),
                   "metadata": data.get("metadata") or {}, "charges_enabled": False, "payouts_enabled": False,
                   "details_submitted": False, "created": int(time.time())}
        _accounts[account["id"]] = account
        return account

    return web.json_response(_idempotent(request, "account", make))


async def retrieve_account(request: web.Request) -> web.Response:
    account = _accounts.get(request.match_info["id"])
    return web.json_response(account) if account else _bad_request("No such account")


async def create_account_link(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    account = data.get("account")
    if account not in _accounts or not data.get("return_url") or not data.get("refresh_url"):
        return _bad_request("account, return_url and refresh_url are required")
    return web.json_response({"object": "account_link", "created": int(time.time()),
                              "expires_at": int(time.time()) + 300,
                              "url": f"{request.scheme}://{request.host}/connect/onboarding/{account}"})


async def create_transfer(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    try:
        amount = int(data["amount"])
    except (KeyError, ValueError):
        return _bad_request("amount must be an integer number of minor units")
    if amount <= 0 or data.get("destination") not in _accounts or not data.get("currency"):
        return _bad_request("a positive amount, a currency and a known destination are required")

    def make() -> dict[str, Any]:
        transfer = {"id": _new_id("tr"), "object": "transfer", "amount": amount,
                    "currency": str(data["currency"]).lower(), "destination": data["destination"],
                    "transfer_group": data.get("transfer_group"), "metadata": data.get("metadata") or {},
                    "reversed": False, "created": int(time.time())}
        _transfers[transfer["id"]] = transfer
        return transfer

    return web.json_response(_idempotent(request, "transfer", make))


async def retrieve_transfer(request: web.Request) -> web.Response:
    transfer = _transfers.get(request.match_info["id"])
    return web.json_response(transfer) if transfer else _bad_request("No such transfer")


async def list_transfers(request: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": list(_transfers.values()), "has_more": False})


server.app.router.add_post("/v1/accounts", create_account)
server.app.router.add_get("/v1/accounts/{id}", retrieve_account)
server.app.router.add_post("/v1/account_links", create_account_link)
server.app.router.add_post("/v1/transfers", create_transfer)
server.app.router.add_get("/v1/transfers/{id}", retrieve_transfer)
server.app.router.add_get("/v1/transfers", list_transfers)

if __name__ == "__main__":
    server.start()
