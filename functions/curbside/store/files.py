"""Uploaded files in the default Cloud Storage bucket, as services need them: does a path exist, how big is
it, what do its first bytes say, how much does a person store, copy or move it, and a short-lived link to
read it. Locally the bucket is the Storage emulator's."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class StoredFile:
    path: str
    size: int
    content_type: str | None
    md5_hash: str | None = None
    """Storage's own base64 MD5 of the bytes: the same photo uploaded twice has the same hash."""
    updated: dt.datetime | None = None


class FileStore:
    """A thin wrapper over a `google.cloud.storage.Bucket` (typed loosely: the library has no stubs)."""

    def __init__(self, bucket: Any) -> None:
        self._bucket = bucket

    @property
    def bucket_name(self) -> str:
        return str(self._bucket.name)

    def stat(self, path: str) -> StoredFile | None:
        """The file's size and declared content type, or None when nothing is stored there."""
        blob = self._bucket.get_blob(path)
        if blob is None:
            return None
        return _stored(blob)

    def listing(self, prefix: str, limit: int) -> list[StoredFile]:
        """Up to `limit` files under `prefix`, by name, with their size, type and last change."""
        return [_stored(blob) for blob in self._bucket.list_blobs(prefix=prefix, max_results=limit)]

    def head(self, path: str, length: int = 64) -> bytes:
        """The first `length` bytes, enough to recognise a file type by its magic number."""
        data: bytes = self._bucket.blob(path).download_as_bytes(start=0, end=length - 1)
        return data

    def total_size(self, prefix: str) -> int:
        """Bytes stored under `prefix` (a person's folder), for their quota."""
        return sum(int(blob.size or 0) for blob in self._bucket.list_blobs(prefix=prefix))

    def paths(self, prefix: str) -> list[str]:
        """Every file under `prefix` (a person's folder)."""
        return [str(blob.name) for blob in self._bucket.list_blobs(prefix=prefix)]

    def download(self, path: str) -> bytes:
        data: bytes = self._bucket.blob(path).download_as_bytes()
        return data

    def upload(self, path: str, data: bytes, content_type: str) -> None:
        self._bucket.blob(path).upload_from_string(data, content_type=content_type)

    def copy(self, path: str, new_path: str) -> None:
        """Copy a file (the copy replaces whatever `new_path` held, so a repeated copy is the same copy)."""
        self._bucket.copy_blob(self._bucket.blob(path), self._bucket, new_path)

    def move(self, path: str, new_path: str) -> None:
        blob = self._bucket.blob(path)
        self._bucket.copy_blob(blob, self._bucket, new_path)
        blob.delete()

    def delete(self, path: str) -> bool:
        """Delete the file if it is there (deleting twice is fine); True if something was deleted."""
        from google.api_core import exceptions as google_errors

        try:
            self._bucket.blob(path).delete()
        except google_errors.NotFound:
            return False
        return True

    def signed_url(self, path: str, lifetime: dt.timedelta) -> str:
        """A link that reads the file for `lifetime`, for someone the rules do not (yet) let read it."""
        blob = self._bucket.blob(path)
        emulator = os.environ.get("STORAGE_EMULATOR_HOST")
        if emulator:
            url: str = blob.generate_signed_url(version="v4", expiration=lifetime, method="GET",
                                                credentials=_local_signer(),
                                                api_access_endpoint=emulator if "://" in emulator
                                                else f"http://{emulator}")
            return url
        import google.auth
        from google.auth.transport.requests import Request

        credentials: Any
        credentials, _ = google.auth.default()
        credentials.refresh(Request())
        # On Cloud Functions the runtime's service account signs through IAM (signBlob): no key file.
        url = blob.generate_signed_url(version="v4", expiration=lifetime, method="GET",
                                       service_account_email=credentials.service_account_email,
                                       access_token=credentials.token)
        return url


def _stored(blob: Any) -> StoredFile:
    return StoredFile(path=str(blob.name), size=int(blob.size or 0), content_type=blob.content_type,
                      md5_hash=blob.md5_hash, updated=blob.updated)


@cache
def _local_signer() -> Any:
    """A throwaway signing identity for the Storage emulator (which does not check signatures), made once per
    process: signed links work the same way locally without any key on disk."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2 import service_account

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return service_account.Credentials.from_service_account_info({  # type: ignore[no-untyped-call]
        "type": "service_account", "project_id": "demo-curbside", "private_key_id": "local",
        "private_key": pem, "client_email": "local-signer@demo-curbside.iam.gserviceaccount.com",
        "client_id": "0", "token_uri": "https://oauth2.googleapis.com/token"})
