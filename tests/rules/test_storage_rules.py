"""storage.rules compiles, and its rules for admins' dispute attachments decide as intended.

The Storage rules emulator cannot be installed here (it is not on PyPI, Debian or npm), so the finalize trigger
re-checks every upload under users/ (tests/integration/test_uploads.py). Both services share one rules language,
though, so the Firestore emulator's rules engine can parse storage.rules once the storage-only names are mapped
(a typo fails here rather than at deploy time) and can even run it: `as_executable` maps every object path
segment `s` to the document path `s/_` (Firestore paths alternate collection and document), the object's
content type and size to the written document's fields, and `firestore.get(...)` to the engine's own `get(...)`,
which reads the Firestore documents seeded beside them. An upload is then a document create, a download a get,
as a signed-in user. A separate, short-lived emulator does it, because loading other rules resets the shared
emulator's coverage report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from devstack.emulators import FirestoreEmulator
from devstack.firestore_rest import FirestoreRest, RestResult

ROOT = Path(__file__).resolve().parents[2]


def as_firestore_rules(storage_rules: str) -> str:
    return (storage_rules.replace("service firebase.storage", "service cloud.firestore")
            .replace("match /b/{bucket}/o", "match /databases/{database}/documents")
            .replace("firestore.get(", "get(").replace("firestore.exists(", "exists("))


def _doubled(path: str) -> str:
    return "/".join(segment if segment.endswith("=**}") else f"{segment}/_" for segment in path.split("/"))


def as_executable(storage_rules: str) -> str:
    """storage.rules as Firestore rules that decide the same for objects stored as documents (module doc)."""
    doubled = re.sub(r"match /(?!b/\{bucket\}/o )(\S+) \{", lambda m: f"match /{_doubled(m[1])} {{", storage_rules)
    return (as_firestore_rules(doubled).replace("request.resource.contentType", "request.resource.data.contentType")
            .replace("request.resource.size", "request.resource.data.objectSize"))


def object_document(name: str) -> str:
    """The document that stands for the object `name` under `as_executable`."""
    return _doubled(name)


@dataclass(frozen=True)
class Bare:
    emulator: FirestoreEmulator

    @property
    def rules_url(self) -> str:
        return f"{self.emulator.base_url}/emulator/v1/projects/{self.emulator.project_id}:securityRules"


class Owner(FirestoreRest):
    """The emulator's rule-bypassing owner, to seed what the rules read."""

    def _headers(self) -> dict[str, str]:
        return {"Authorization": "Bearer owner"}


@pytest.fixture(scope="module")
def bare(firestore_emulator: FirestoreEmulator) -> Iterator[Bare]:
    """A bare emulator of this module's own (the session one only proves Java and the jar are there)."""
    emulator = FirestoreEmulator().start()
    try:
        yield Bare(emulator)
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def compiler(bare: Bare) -> str:
    return bare.rules_url


def load(url: str, name: str, content: str) -> requests.Response:
    return requests.put(url, json={"rules": {"files": [{"name": name, "content": content}]}}, timeout=30)


def test_storage_rules_compile(compiler: str) -> None:
    # given storage.rules in the shared rules language
    rules = as_firestore_rules((ROOT / "storage.rules").read_text(encoding="utf-8"))

    # when the rules compiler loads it, then it is accepted
    answer = load(compiler, "storage.rules", rules)
    assert answer.status_code == 200, answer.text


def test_the_compiler_does_reject_a_broken_file(compiler: str) -> None:
    # given storage.rules with one syntax error, when it is loaded, then the compiler names the problem
    rules = as_firestore_rules((ROOT / "storage.rules").read_text(encoding="utf-8"))
    answer = load(compiler, "broken.rules", rules.replace("allow read:", "allow read::", 1))
    assert answer.status_code == 400 and "Error compiling rules" in answer.text


# ------------------------------------------------------------------------------------ admins' dispute attachments

DISPUTE, CLIENT, TECH, ADMIN, STRANGER = "dispute-1", "client-a", "tech-1", "admin-1", "stranger-1"
PDF = {"contentType": "application/pdf", "objectSize": 2048}


@dataclass(frozen=True)
class Storage:
    bare: Bare

    def as_user(self, uid: str, **claims: Any) -> FirestoreRest:
        return FirestoreRest(self.bare.emulator.base_url, uid=uid, claims=claims,
                             project_id=self.bare.emulator.project_id)

    def upload(self, uid: str, name: str, **claims: Any) -> RestResult:
        return self.as_user(uid, **claims).create(object_document(name), PDF)

    def download(self, uid: str, name: str) -> RestResult:
        return self.as_user(uid).get(object_document(name))


@pytest.fixture(scope="module")
def storage(bare: Bare) -> Storage:
    rules = as_executable((ROOT / "storage.rules").read_text(encoding="utf-8"))
    answer = load(bare.rules_url, "storage.rules", rules)
    assert answer.status_code == 200, answer.text
    owner = Owner(bare.emulator.base_url, uid="owner", project_id=bare.emulator.project_id)
    assert owner.set(f"Disputes/{DISPUTE}", {"client_id": CLIENT, "dispatcher_id": TECH}).ok
    assert owner.set(f"DispatcherProfiles/{TECH}", {"verification_status": "verified"}).ok
    return Storage(bare)


def test_an_admin_uploads_dispute_attachments_for_the_parties_or_for_admins_only(storage: Storage) -> None:
    shared = f"dispute_files/{DISPUTE}/parties/invoice.pdf"
    internal = f"dispute_files/{DISPUTE}/internal/history.pdf"

    assert storage.upload(ADMIN, shared, admin=True).ok
    assert storage.upload(ADMIN, internal, admin=True).ok

    for party in (CLIENT, TECH):
        assert storage.download(party, shared).ok, party
        assert storage.download(party, internal).denied, party
    assert storage.download(STRANGER, shared).denied
    assert storage.download(ADMIN, internal).denied  # an admin's own reads need the claim, as every caller's
    assert storage.as_user(ADMIN, admin=True).get(object_document(internal)).ok


def test_parties_cannot_write_into_a_disputes_admin_folder(storage: Storage) -> None:
    for uid in (CLIENT, TECH, STRANGER):
        for audience in ("parties", "internal"):
            assert storage.upload(uid, f"dispute_files/{DISPUTE}/{audience}/{uid}.pdf").denied, (uid, audience)


def test_the_harness_runs_the_real_rules_for_the_parties_own_evidence_too(storage: Storage) -> None:
    """The translation decides like storage.rules elsewhere: a party's own evidence folder takes their
    photo, not a PDF, and not someone else's folder."""
    owner = Owner(storage.bare.emulator.base_url, uid="owner", project_id=storage.bare.emulator.project_id)
    assert owner.set("ServiceRequests/job-1", {"client_id": CLIENT, "dispatcher_id": TECH}).ok
    photo = {"contentType": "image/jpeg", "objectSize": 4096}
    client = storage.as_user(CLIENT)
    assert client.create(object_document(f"users/{CLIENT}/dispute_evidence/job-1/dent.jpg"), photo).ok
    assert client.create(object_document(f"users/{CLIENT}/dispute_evidence/job-1/dent.pdf"), PDF).denied
    assert client.create(object_document(f"users/{TECH}/dispute_evidence/job-1/dent.jpg"), photo).denied


def test_an_invoice_is_read_by_its_client_and_the_jobs_technician_and_written_by_no_app(storage: Storage) -> None:
    owner = Owner(storage.bare.emulator.base_url, uid="owner", project_id=storage.bare.emulator.project_id)
    assert owner.set("ServiceRequests/job-2", {"client_id": CLIENT, "dispatcher_id": TECH}).ok
    name = f"users/{CLIENT}/invoices/job-2/INV-TECH1-000001.pdf"
    assert owner.set(object_document(name), PDF).ok  # rendered by the invoicing functions

    assert storage.download(CLIENT, name).ok
    assert storage.download(TECH, name).ok
    assert storage.download(STRANGER, name).denied
    for uid in (CLIENT, TECH):
        assert storage.upload(uid, f"users/{CLIENT}/invoices/job-2/forged.pdf").denied, uid


def test_the_admin_files_folder_is_for_admins_only(storage: Storage) -> None:
    """admin_files/ (the console's file management): admins upload and read; nobody else, signed in or not."""
    name = "admin_files/price-list.pdf"
    assert storage.upload(ADMIN, name, admin=True).ok
    assert storage.as_user(ADMIN, admin=True).get(object_document(name)).ok
    for uid in (CLIENT, TECH, STRANGER):
        assert storage.download(uid, name).denied, uid
        assert storage.upload(uid, f"admin_files/{uid}.pdf").denied, uid


def test_a_merchant_reads_its_orders_completion_photos_and_nothing_of_its_chat(storage: Storage) -> None:
    """A merchant order (D116): its merchant, the client of record, reads the completion photos; another merchant
    does not; the order's chat images are nobody's but the technician's (a merchant order has no chat)."""
    owner = Owner(storage.bare.emulator.base_url, uid="owner", project_id=storage.bare.emulator.project_id)
    merchant, other = "merchant-a", "merchant-b"
    assert owner.set("ServiceRequests/order-1", {"client_id": merchant, "dispatcher_id": TECH,
                                                 "job_type": "merchant", "status": "in_progress"}).ok
    photo = f"users/{TECH}/completion_photos/order-1/front.jpg"
    chat_image = f"users/{TECH}/chat_images/order-1/here.jpg"
    for name in (photo, chat_image):
        assert owner.set(object_document(name), {"contentType": "image/jpeg", "objectSize": 4096}).ok

    assert storage.download(merchant, photo).ok
    assert storage.download(other, photo).denied
    assert storage.download(merchant, chat_image).denied
    assert storage.download(TECH, chat_image).ok
