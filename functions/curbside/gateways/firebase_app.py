"""The Firebase Admin SDK app, initialised once per instance (token checks, task queues, messaging)."""

from __future__ import annotations

import os
from typing import Any

import firebase_admin


def admin_app() -> firebase_admin.App:
    """The default Admin SDK app, created on first use with the project of the environment."""
    if not firebase_admin._apps:
        options: dict[str, Any] = {}
        if project := os.environ.get("GCLOUD_PROJECT") or os.environ.get("GOOGLE_CLOUD_PROJECT"):
            options["projectId"] = project
        firebase_admin.initialize_app(options=options)
    return firebase_admin.get_app()
