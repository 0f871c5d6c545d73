"""The hosted admin console's own callables (issue 18): what its screens need that no other capability
provides. Everything else the console does goes through the capabilities' own admin callables."""

from __future__ import annotations

from typing import Any

from firebase_functions import https_fn

from curbside import deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.services import admin_console


class DashboardPayload(Payload):
    """No input: the dashboard's figures are the platform's now."""


@on_call()
def admin_dashboard(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, DashboardPayload, lambda caller, _: admin_console.dashboard(
        deps.get(), is_admin=caller.is_admin))
