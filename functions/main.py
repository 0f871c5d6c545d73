"""The function registry: the Firebase CLI imports this module to discover what to deploy.

It only registers — no clients, no parameter reads, no network at import (DESIGN.md convention 1).
Dependencies are built on the first invocation through `core.init`.
"""

from firebase_functions import core, options

from curbside import config, deps

options.set_global_options(region=config.REGION, max_instances=20)
core.init(deps.initialize)

from curbside.entrypoints.accounts import on_user_created, register_device, set_user_type  # noqa: E402

__all__ = ["on_user_created", "register_device", "set_user_type"]
