"""An in-memory Stripe behind our `Payments` gateway interface, for the payment state-machine test.

Stripe is a paid third-party API, so a double behind the gateway is allowed (the other payment tests run
the production gateway against localstripe). This one exists for speed — hundreds of random runs — and to
watch every call: it keeps Stripe's rules that the invariants depend on (an idempotency key replays its
first answer; one capture per PaymentIntent; refunds never above the capture; a reversal needs the
connected account's balance; no transfer to an account that cannot receive) and it logs each call's key.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from curbside.gateways.payments import AccountCannotReceive, Authorization, CardDeclined, WebhookRejected

DECLINING_CARD = "pm_card_declined"


@dataclass
class Intent:
    id: str
    amount: int
    customer: str
    payment_method: str
    request_id: str
    status: str = "requires_capture"
    captured: int = 0
    refunded: int = 0
    captures: int = 0


@dataclass
class Transfer:
    id: str
    amount: int
    destination: str
    transfer_group: str | None
    reversed: int = 0


@dataclass
class Call:
    method: str
    key: str | None


@dataclass
class StripeDouble:
    enabled_accounts: set[str] = field(default_factory=set)
    balances: dict[str, int] = field(default_factory=dict)
    intents: dict[str, Intent] = field(default_factory=dict)
    transfers: dict[str, Transfer] = field(default_factory=dict)
    refunds: dict[str, tuple[str, int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    _answers: dict[str, Any] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def _new(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"

    def _once(self, method: str, key: str | None, make: Any) -> Any:
        """Stripe's idempotency: the first answer to a key (result or error) is the answer to every retry."""
        self.calls.append(Call(method, key))
        if key is not None and key in self._answers:
            answer = self._answers[key]
        else:
            try:
                answer = make()
            except (CardDeclined, AccountCannotReceive) as refused:
                answer = refused
            if key is not None:
                self._answers[key] = answer
        if isinstance(answer, Exception):
            raise answer
        return answer

    # --- the Payments protocol

    def ensure_customer(self, uid: str, email: str | None, idempotency_key: str) -> str:
        return str(self._once("customer", idempotency_key, lambda: self._new("cus")))

    def delete_customer(self, customer_id: str) -> None:
        self.calls.append(Call("delete_customer", None))

    def create_setup_intent(self, customer_id: str, idempotency_key: str) -> str:
        return str(self._once("setup_intent", idempotency_key, lambda: self._new("seti") + "_secret_x"))

    def verify_webhook(self, raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
        raise WebhookRejected("the double delivers events directly to the handlers")

    def create_connected_account(self, uid: str, email: str | None, idempotency_key: str) -> str:
        return str(self._once("account", idempotency_key, lambda: self._new("acct")))

    def create_onboarding_link(self, account_id: str, return_url: str, refresh_url: str) -> str:
        return f"https://connect.example/{account_id}"

    def authorize(self, *, customer_id: str, payment_method_id: str, amount_minor: int, currency: str,
                  request_id: str, idempotency_key: str) -> Authorization:
        def make() -> Authorization:
            if payment_method_id == DECLINING_CARD:
                raise CardDeclined("card_declined")
            intent = Intent(self._new("pi"), amount_minor, customer_id, payment_method_id, request_id)
            self.intents[intent.id] = intent
            return Authorization(intent.id, intent.status)

        answer: Authorization = self._once("authorize", idempotency_key, make)
        return answer

    def capture(self, payment_intent_id: str, amount_minor: int, idempotency_key: str) -> int:
        def make() -> int:
            intent = self.intents[payment_intent_id]
            if intent.status != "requires_capture" or not 0 < amount_minor <= intent.amount:
                raise AssertionError(f"capture of {intent.status} intent {intent.id} for {amount_minor}")
            intent.status, intent.captured = "succeeded", amount_minor
            intent.captures += 1
            return amount_minor

        return int(self._once("capture", idempotency_key, make))

    def cancel_authorization(self, payment_intent_id: str, idempotency_key: str) -> None:
        def make() -> None:
            intent = self.intents[payment_intent_id]
            if intent.status != "requires_capture":
                raise AssertionError(f"cancel of {intent.status} intent {intent.id}")
            intent.status = "canceled"

        self._once("cancel", idempotency_key, make)

    def refund(self, payment_intent_id: str, amount_minor: int, idempotency_key: str,
               metadata: dict[str, str]) -> str:
        def make() -> str:
            intent = self.intents[payment_intent_id]
            if intent.status != "succeeded" or amount_minor > intent.captured - intent.refunded:
                raise AssertionError(f"refund of {amount_minor} on {intent.id}: more than captured")
            intent.refunded += amount_minor
            refund_id = self._new("re")
            self.refunds[refund_id] = (intent.id, amount_minor)
            return refund_id

        return str(self._once("refund", idempotency_key, make))

    def transfer(self, amount_minor: int, currency: str, destination: str, idempotency_key: str, *,
                 metadata: dict[str, str], transfer_group: str | None = None) -> str:
        def make() -> str:
            if destination not in self.enabled_accounts:
                raise AccountCannotReceive("insufficient_capabilities_for_transfer")
            transfer = Transfer(self._new("tr"), amount_minor, destination, transfer_group)
            self.transfers[transfer.id] = transfer
            self.balances[destination] = self.balances.get(destination, 0) + amount_minor
            return transfer.id

        return str(self._once("transfer", idempotency_key, make))

    def reverse_transfer(self, transfer_id: str, amount_minor: int, idempotency_key: str) -> str:
        def make() -> str:
            transfer = self.transfers[transfer_id]
            if amount_minor > transfer.amount - transfer.reversed:
                raise AssertionError("reversal above what is left of the transfer")
            if self.balances.get(transfer.destination, 0) < amount_minor:
                raise AccountCannotReceive("balance_insufficient")
            transfer.reversed += amount_minor
            self.balances[transfer.destination] -= amount_minor
            return self._new("trr")

        return str(self._once("reversal", idempotency_key, make))

    # --- what the invariants read

    def captured_for(self, request_id: str) -> int:
        return sum(intent.captured for intent in self.intents.values() if intent.request_id == request_id)

    def refunded_for(self, request_id: str) -> int:
        return sum(intent.refunded for intent in self.intents.values() if intent.request_id == request_id)

    def paid_out_for(self, request_id: str) -> int:
        return sum(t.amount - t.reversed for t in self.transfers.values() if t.transfer_group == request_id)

    def captures_for(self, request_id: str) -> int:
        return sum(intent.captures for intent in self.intents.values() if intent.request_id == request_id)
