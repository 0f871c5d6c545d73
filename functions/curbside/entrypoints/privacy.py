"""The privacy rights (services/privacy.py): a person's data export and account deletion."""

from __future__ import annotations

from typing import Any

from firebase_functions import https_fn

from curbside import deps
from curbside.entrypoints.protocol import on_call, run_callable
from curbside.entrypoints.rewards import NoPayload
from curbside.services import privacy


@on_call()
def export_my_data(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, NoPayload, lambda caller, p: privacy.export_my_data(deps.get(), caller.uid))


@on_call()
def delete_my_account(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, NoPayload, lambda caller, p: privacy.delete_my_account(deps.get(), caller.uid),
                        fresh_sign_in=True)
