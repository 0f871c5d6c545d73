"""The console's file management: admin_files/ in the Storage emulator — uploads checked by their bytes, a listing,
a signed link that reads the file, deletion; admins only, each change audited once even when retried."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import requests

from main import admin_delete_file, admin_list_files, admin_share_file, admin_upload_file
from tests.request_world import JPEG, everything

ADMIN = "admin-1"
PDF = b"%PDF-1.7\n" + bytes(200)


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


def actions(db) -> list[tuple[str, str]]:
    entries = sorted((snap.to_dict() or {} for snap in db.collection("AuditLog").stream()),
                     key=lambda e: e["created_date"])
    return [(e["action"], e["target_id"]) for e in entries]


def test_upload_list_share_and_delete_each_audited_once(db, deps, call, bucket, clock):
    def admin(fn: Any, data: dict[str, Any]) -> Any:
        clock.current += dt.timedelta(seconds=1)
        return call(fn, data, uid=ADMIN, admin=True)

    stored = admin(admin_upload_file, {"name": "price-list.pdf", "content_base64": encoded(PDF)}).result
    retried = admin(admin_upload_file, {"name": "price-list.pdf", "content_base64": encoded(PDF)}).result
    admin(admin_upload_file, {"name": "banner.jpg", "content_base64": encoded(JPEG)})
    assert (stored["path"], stored["size"], stored["content_type"]) == ("admin_files/price-list.pdf", len(PDF),
                                                                        "application/pdf")
    assert retried["path"] == stored["path"]
    assert bucket.blob("admin_files/price-list.pdf").download_as_bytes() == PDF

    listed = admin(admin_list_files, {}).result
    assert [(f["name"], f["content_type"]) for f in listed["files"]] == [
        ("banner.jpg", "image/jpeg"), ("price-list.pdf", "application/pdf")]
    assert listed["truncated"] is False

    shared = admin(admin_share_file, {"name": "price-list.pdf", "expires_in_minutes": 90}).result
    assert dt.datetime.fromisoformat(shared["expires_at"]) == clock.now() + dt.timedelta(minutes=90)
    assert requests.get(shared["url"], timeout=10).content == PDF  # anyone with the link reads the file

    assert admin(admin_delete_file, {"name": "price-list.pdf"}).result == {"name": "price-list.pdf", "deleted": True}
    assert bucket.get_blob("admin_files/price-list.pdf") is None
    assert admin(admin_delete_file, {"name": "price-list.pdf"}).error == "NOT_FOUND"
    assert actions(db) == [("upload_admin_file", "price-list.pdf"), ("upload_admin_file", "banner.jpg"),
                           ("share_admin_file", "price-list.pdf"), ("delete_admin_file", "price-list.pdf")]


def test_a_bad_upload_or_a_non_admin_is_refused_and_nothing_is_stored(db, deps, call, bucket):
    db.document("Users/c1").set({"user_type": "client"})
    bucket.blob("admin_files/taken.jpg").upload_from_string(JPEG, content_type="image/jpeg")
    before = everything(db)
    cases = [
        ({"name": "notes.pdf", "content_base64": encoded(b"<html>not a pdf</html>")}, "not an image"),
        ({"name": "../users/x.jpg", "content_base64": encoded(JPEG)}, "name: letters"),
        ({"name": "a.jpg", "content_base64": "%%%%%%%%"}, "content_base64: not base64"),
        ({"name": "taken.jpg", "content_base64": encoded(JPEG + b"other")}, "name: taken.jpg is taken"),
    ]
    for data, problem in cases:
        answer = call(admin_upload_file, data, uid=ADMIN, admin=True)
        assert answer.error in {"INVALID_ARGUMENT", "FAILED_PRECONDITION"} and problem in answer.message
    for fn, data in ((admin_list_files, {}), (admin_upload_file, {"name": "x.jpg", "content_base64": encoded(JPEG)}),
                     (admin_delete_file, {"name": "taken.jpg"}), (admin_share_file, {"name": "taken.jpg"})):
        assert call(fn, data, uid="c1").error == "PERMISSION_DENIED"
    assert call(admin_share_file, {"name": "taken.jpg", "expires_in_minutes": 20000}, uid=ADMIN,
                admin=True).error == "INVALID_ARGUMENT"
    assert sorted(blob.name for blob in bucket.list_blobs(prefix="admin_files/")) == ["admin_files/taken.jpg"]
    assert everything(db) == before
