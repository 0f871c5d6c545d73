"""Entry-point tests call the real decorated functions with a real HTTP request object, so the SDK's
callable protocol (body shape, token verification, error wire format) runs exactly as deployed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import flask
import pytest

from curbside import deps as deps_module
from curbside.deps import Deps
from devstack.tokens import emulator_id_token


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
    deps_module.admin_app()
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
