"""A new technician's verification as the technician app and the admin console drive it: uploads to Storage,
the three `submit_verification_step` calls, and the admin's review. Used by the demo's onboarding steps and by
the end-to-end test, so both exercise the same calls; the background check is cleared by the stack's local
provider through the signed webhook."""

from __future__ import annotations

import datetime as dt
from typing import Any

from devstack.stack import LocalStack

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(256)
PDF = b"%PDF-1.7\n" + bytes(256)
SIDES = ("front", "back", "left", "right")


def upload_documents(stack: LocalStack, uid: str) -> dict[str, Any]:
    """Upload what the verification screens ask for; returns the paths by payload field."""
    folder = f"users/{uid}/verification_documents"
    files = {"identity_document_front": (f"{folder}/passport.jpg", JPEG, "image/jpeg"),
             "drivers_license": (f"{folder}/licence.jpg", JPEG, "image/jpeg"),
             "vehicle_registration": (f"{folder}/registration.pdf", PDF, "application/pdf"),
             "vehicle_insurance": (f"{folder}/insurance.pdf", PDF, "application/pdf")}
    for path, data, content_type in files.values():
        stack.upload(path, data, content_type=content_type)
    photos = {side: f"users/{uid}/vehicle_photos/{side}.jpg" for side in SIDES}
    for path in photos.values():
        stack.upload(path, JPEG, content_type="image/jpeg")
    return {**{name: path for name, (path, _, _) in files.items()}, "vehicle_photos": photos}


def identity_step(paths: dict[str, Any]) -> dict[str, Any]:
    return {"step": "identity", "identity_document_type": "passport",
            "identity_document_front": paths["identity_document_front"], "drivers_license": paths["drivers_license"]}


def vehicle_step(paths: dict[str, Any], today: dt.date) -> dict[str, Any]:
    return {"step": "vehicle", "vehicle_make_model": "Toyota HiAce", "vehicle_year": today.year - 3,
            "vehicle_color": "white", "vehicle_license_plate": "CB 12 DE",
            "vehicle_registration": paths["vehicle_registration"], "vehicle_insurance": paths["vehicle_insurance"],
            "vehicle_insurance_expiry": (today + dt.timedelta(days=365)).isoformat(),
            "vehicle_photos": paths["vehicle_photos"]}


CONSENT = {"step": "background_check", "background_check_consent": True}


def review(uid: str, step: str, decision: str = "approved", **extra: Any) -> dict[str, Any]:
    """The admin console's `admin_review_verification` payload."""
    return {"dispatcher_id": uid, "step": step, "decision": decision, **extra}
