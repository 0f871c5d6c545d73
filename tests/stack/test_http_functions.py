"""Callable and HTTP functions over HTTP on the emulator URL scheme, with the SDK's own callable protocol."""

from __future__ import annotations

import json
from typing import Any

import firebase_admin
import functions_framework
import pytest
import requests
from firebase_admin import auth, credentials
from google.auth.credentials import AnonymousCredentials

from devstack.client import CallableClient
from devstack.stack import LocalStack
from devstack.tokens import emulator_id_token
from tests.stack.helpers import SAMPLE_FUNCTIONS


def test_a_callable_answers_result_for_a_user_with_an_emulator_token(callables: CallableClient):
    answer = callables.call("whoami", {"tyres": 4}, uid="alice", admin=True)

    assert answer.status == 200
    assert answer.body == {"result": {"uid": "alice", "admin": True, "echo": {"tyres": 4}}}


BAD_REQUESTS: dict[str, dict[str, Any]] = {
    "bad JSON": {"method": "POST", "data": "{not json", "headers": {"Content-Type": "application/json"}},
    "no token": {"method": "POST", "data": json.dumps({"data": {}}), "headers": {"Content-Type": "application/json"}},
    "wrong method": {"method": "GET", "headers": {}},
    "not JSON content": {"method": "POST", "data": '{"data": {}}', "headers": {"Content-Type": "text/plain"}},
    "extra top-level field": {"method": "POST", "data": json.dumps({"data": {}, "x": 1}),
                              "headers": {"Content-Type": "application/json"}},
    "forged token": {"method": "POST", "data": json.dumps({"data": {}}),
                     "headers": {"Content-Type": "application/json", "Authorization": "Bearer not-a-jwt"}},
}


@pytest.fixture(scope="module")
def deployed_runtime() -> Any:
    """The sample callable under functions-framework, the runtime Cloud Functions uses in production."""
    return functions_framework.create_app("whoami", str(SAMPLE_FUNCTIONS / "main.py")).test_client()


@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_bad_requests_get_exactly_the_answer_the_deployed_runtime_gives(case: str, stack: LocalStack,
                                                                        deployed_runtime: Any):
    request = BAD_REQUESTS[case]

    local = requests.request(request["method"], stack.function_url("whoami"), data=request.get("data"),
                             headers=request["headers"], timeout=10)
    deployed = deployed_runtime.open("/", method=request["method"], data=request.get("data"),
                                     headers=request["headers"])

    assert (local.status_code, local.json()) == (deployed.status_code, deployed.get_json())


def test_the_error_shapes_are_the_callable_protocols(stack: LocalStack):
    url = stack.function_url("whoami")

    bad_json = requests.post(url, data="{not json", headers={"Content-Type": "application/json"}, timeout=10)
    no_token = requests.post(url, json={"data": {}}, timeout=10)
    wrong_method = requests.get(url, timeout=10)

    # the Python SDK answers unparsable JSON with INTERNAL (it is what a deployed Python callable returns)
    assert (bad_json.status_code, bad_json.json()) == (500, {"error": {"message": "INTERNAL", "status": "INTERNAL"}})
    assert (no_token.status_code, no_token.json()["error"]["status"]) == (401, "UNAUTHENTICATED")
    assert (wrong_method.status_code, wrong_method.json()) == (
        400, {"error": {"message": "Bad Request", "status": "INVALID_ARGUMENT"}})


def test_outside_emulator_mode_firebase_admin_refuses_the_same_unsigned_token(stack: LocalStack,
                                                                             monkeypatch: pytest.MonkeyPatch):
    # given the variable the stack sets only for itself is absent, as in production
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")

    class NoCredential(credentials.Base):  # type: ignore[misc]
        def get_credential(self) -> AnonymousCredentials:
            return AnonymousCredentials()

    app = firebase_admin.initialize_app(NoCredential(), {"projectId": stack.project}, name="production-like")
    try:
        with pytest.raises(auth.InvalidIdTokenError, match="kid"):
            auth.verify_id_token(emulator_id_token("alice"), app=app)
    finally:
        firebase_admin.delete_app(app)


def test_an_http_function_sees_its_own_sub_path_and_method(stack: LocalStack):
    response = requests.put(stack.function_url("hello") + "/cars/42?x=1", timeout=10)

    assert (response.status_code, response.text) == (200, "PUT /cars/42")


def test_an_unknown_function_or_region_is_a_404_that_lists_the_real_ones(stack: LocalStack):
    unknown = requests.post(f"{stack.functions_url}/{stack.project}/us-central1/nope", json={}, timeout=10)
    wrong_region = requests.post(f"{stack.functions_url}/{stack.project}/europe-west1/whoami", json={}, timeout=10)

    assert unknown.status_code == 404 and "us-central1-whoami" in unknown.text
    assert wrong_region.status_code == 404


def test_auth_admin_calls_get_a_clear_answer_that_no_auth_emulator_runs(stack: LocalStack):
    # a fresh app: firebase-admin binds an app's Auth client to the emulator address of its first use
    app = firebase_admin.initialize_app(options={"projectId": stack.project}, name="auth-admin-check")
    try:
        with pytest.raises(Exception, match="no Auth emulator"):
            auth.get_user("alice", app=app)
    finally:
        firebase_admin.delete_app(app)


def test_a_browser_preflight_to_a_callable_is_allowed_as_deployed(stack: LocalStack):
    # FlutterFlow web builds call callables cross-origin; the SDK's CORS handling answers the preflight
    preflight = requests.options(stack.function_url("whoami"), timeout=10, headers={
        "Origin": "http://localhost:8000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})

    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:8000")
