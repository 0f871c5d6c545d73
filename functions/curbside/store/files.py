"""Uploaded files in the default Cloud Storage bucket, as services need them: does a path exist, how big
is it, what do its first bytes say, and move it aside. Locally the bucket is the Storage emulator's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredFile:
    path: str
    size: int
    content_type: str | None


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
        return StoredFile(path=path, size=int(blob.size or 0), content_type=blob.content_type)

    def head(self, path: str, length: int = 64) -> bytes:
        """The first `length` bytes, enough to recognise a file type by its magic number."""
        data: bytes = self._bucket.blob(path).download_as_bytes(start=0, end=length - 1)
        return data

    def move(self, path: str, new_path: str) -> None:
        blob = self._bucket.blob(path)
        self._bucket.copy_blob(blob, self._bucket, new_path)
        blob.delete()
