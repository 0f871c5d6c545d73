"""The callable protocol's answers to failures that are not a refusal of the request itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from firebase_functions import https_fn
from google.api_core import exceptions as google_errors

from curbside.entrypoints.protocol import Payload, run_callable


class Nothing(Payload):
    pass


def failing_with(error: Exception) -> Callable[..., Any]:
    """A deployed-style callable whose action fails with `error`, as a Firestore call inside it would."""

    def act(caller: object, payload: Nothing) -> dict[str, str]:
        raise error

    @https_fn.on_call()
    def probe(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
        return run_callable(req, Nothing, act)

    return probe


@pytest.mark.parametrize(("error", "status", "advice"), [
    (google_errors.Aborted("Transaction lock timeout."), "ABORTED", "try again"),
    (google_errors.ServiceUnavailable("overloaded"), "UNAVAILABLE", "try again in a moment"),
    (google_errors.DeadlineExceeded("deadline"), "UNAVAILABLE", "try again in a moment"),
])
def test_a_transient_database_failure_tells_the_app_to_try_again(call, error, status, advice):
    response = call(failing_with(error), {}, uid="alice")

    assert response.error == status
    assert advice in response.message
    assert str(error) not in response.message  # the database's own words stay in the logs


def test_any_other_failure_is_internal_and_keeps_its_text_to_the_logs(call):
    response = call(failing_with(RuntimeError("secret detail: stripe key sk_live_x")), {}, uid="alice")

    assert response.status == 500 and response.error == "INTERNAL"
    assert "secret" not in response.message
