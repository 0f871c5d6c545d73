"""Entry-point tests call the real decorated functions with a real HTTP request object, so the SDK's
callable protocol (body shape, token verification, error wire format) runs exactly as deployed."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import flask
import pytest

from curbside import deps as deps_module
from curbside.deps import Deps
from curbside.gateways.firebase_app import admin_app
from curbside.gateways.payments import StripePayments
from devstack.tokens import emulator_id_token
from tests.payments_server import TEST_SECRET_KEY, TEST_WEBHOOK_SECRET, LocalStripe, running_localstripe


@dataclass(frozen=True)
class CallResult:
    status: int
    body: Any

    @property
    def result(self) -> Any:
        assert "result" in self.body, f"expected a result, got {self.body}"
        return self.body["result"]

    @property
    def error(self) -> str:
        assert "error" in self.body, f"expected an error, got {self.body}"
        return str(self.body["error"]["status"])

    @property
    def message(self) -> str:
        return str(self.body["error"]["message"])


@pytest.fixture
def call(deps: Deps, monkeypatch: pytest.MonkeyPatch):
    """`call(fn, data, uid="alice", admin=True)` -> CallResult of the deployed function `fn`; ID tokens are
    verified in emulator mode (unsigned tokens accepted), as the Firebase emulators do."""
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    admin_app()
    app = flask.Flask("entrypoint-tests")

    def invoke(fn: Any, data: Any, *, uid: str | None = None, body: str | None = None, **claims: Any) -> CallResult:
        headers = {"Content-Type": "application/json"}
        if uid is not None:
            headers["Authorization"] = f"Bearer {emulator_id_token(uid, claims)}"
        raw = body if body is not None else json.dumps({"data": data})
        with app.test_request_context("/", method="POST", data=raw, headers=headers):
            response = fn(flask.request)
        return CallResult(response.status_code, response.get_json())

    return invoke


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """One localstripe server for the whole run (it starts in about a second)."""
    with running_localstripe() as server:
        yield server


@pytest.fixture
def stripe_deps(deps: Deps, localstripe: LocalStripe) -> Deps:
    """`deps` with the production Stripe gateway pointed at localstripe, installed for entry points."""
    localstripe.flush()
    installed = dataclasses.replace(deps, payments=StripePayments(
        api_key=TEST_SECRET_KEY, webhook_secret=TEST_WEBHOOK_SECRET, api_base=localstripe.url))
    deps_module.install(installed)
    return installed
