"""A small world for the verification tests: a brand-new technician, their uploaded documents, the payloads of
the three steps, and the local background-check provider wired to the deployed webhook."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import flask
from google.cloud import firestore
from werkzeug.serving import make_server

from curbside import deps as deps_module
from curbside.deps import Deps
from curbside.domain.enums import StepStatus, UserType, VerificationStatus
from curbside.gateways.background_checks import HttpBackgroundChecks
from devstack.background_check_provider import API_KEY, WEBHOOK_SECRET, LocalBackgroundCheckProvider
from tests.factories import make_dispatcher_profile, make_user, put

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(256)
PDF = b"%PDF-1.7\n" + bytes(256)
APPLICANT = "uid-applicant"
ADMIN = "uid-admin"
SIDES = ("front", "back", "left", "right")


def add_applicant(db: firestore.Client, uid: str = APPLICANT, *, name: str = "Nia Applicant",
                  email: str | None = None) -> str:
    """A technician who just chose the role: every step pending, nothing about their vehicle yet."""
    put(db, make_user(id=uid, uid=uid, full_name=name, email=email or f"{uid}@example.com",
                      user_type=UserType.DISPATCHER))
    put(db, make_dispatcher_profile(
        user_id=uid, verification_status=VerificationStatus.PENDING, passport_verified=False,
        identity_verification_status=StepStatus.PENDING, vehicle_verification_status=StepStatus.PENDING,
        background_check_status=StepStatus.PENDING, vehicle_make_model=None, vehicle_year=None, vehicle_color=None,
        vehicle_license_plate=None, vehicle_images=[], background_check_consent=False,
        background_check_consent_date=None, verification_submitted_date=None, verification_completed_date=None,
        rating=5.0, total_jobs=0, total_reviews=0))
    return uid


def upload(bucket: Any, path: str, data: bytes = JPEG, content_type: str = "image/jpeg") -> str:
    bucket.blob(path).upload_from_string(data, content_type=content_type)
    return path


def identity_payload(bucket: Any, uid: str = APPLICANT, **overrides: Any) -> dict[str, Any]:
    folder = f"users/{uid}/verification_documents"
    return {"step": "identity", "identity_document_type": "national_id",
            "identity_document_front": upload(bucket, f"{folder}/id-front.jpg"),
            "identity_document_back": upload(bucket, f"{folder}/id-back.jpg"),
            "drivers_license": upload(bucket, f"{folder}/licence.pdf", PDF, "application/pdf"), **overrides}


def vehicle_payload(bucket: Any, today: dt.date, uid: str = APPLICANT, **overrides: Any) -> dict[str, Any]:
    folder = f"users/{uid}/verification_documents"
    return {"step": "vehicle", "vehicle_make_model": "Ford Transit", "vehicle_year": 2021,
            "vehicle_color": "white", "vehicle_license_plate": "ab 12 cde",
            "vehicle_registration": upload(bucket, f"{folder}/registration.pdf", PDF, "application/pdf"),
            "vehicle_insurance": upload(bucket, f"{folder}/insurance.jpg"),
            "vehicle_insurance_expiry": (today + dt.timedelta(days=200)).isoformat(),
            "vehicle_photos": {side: upload(bucket, f"users/{uid}/vehicle_photos/{side}.jpg") for side in SIDES},
            **overrides}


CONSENT = {"step": "background_check", "background_check_consent": True}


@contextmanager
def running_provider(deps: Deps, *, result: str = "clear", delay_s: float = 0.05) -> Iterator[
        tuple[LocalBackgroundCheckProvider, Deps]]:
    """The local provider, the production gateway pointed at it (installed for the entry points), and its
    webhook delivered to the deployed `background_check_webhook` over HTTP."""
    from main import background_check_webhook

    app = flask.Flask("webhook-receiver")

    @app.post("/")
    def receive() -> Any:
        return background_check_webhook(flask.request)

    receiver = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with LocalBackgroundCheckProvider(result=result, delay_s=delay_s) as provider:
            provider.register_webhook(f"http://127.0.0.1:{receiver.server_port}/")
            installed = dataclasses.replace(deps, background_checks=HttpBackgroundChecks(
                api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, api_base=provider.url, package="driver_pro"))
            deps_module.install(installed)
            yield provider, installed
    finally:
        receiver.shutdown()
        receiver.server_close()
        thread.join(5)
        deps_module.install(deps)
