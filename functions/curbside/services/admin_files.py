"""The console's file management (issue 18): admins keep images and PDFs in the bucket's `admin_files/` folder
(storage.rules: admins only), upload, list and delete them, and hand out a signed link that reads one file for
a chosen time. Uploading, deleting and sharing are audited (D101).

A file is checked by its bytes (`domain.uploads.sniff`), not its name or declared type, and stored with the type
its bytes prove. Storage and Firestore commit separately, so each action is ordered to be safe to repeat: an
upload stores the bytes and then records (a retry finds the same bytes there and only records), a deletion
records and then deletes (a retry finds the entry and only deletes); the entries' ids are derived from the
file's name and MD5, so a retry never records twice. A link is returned only once its entry is committed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Any

from curbside.deps import Deps
from curbside.domain.errors import InvalidInput, NotFound, WrongState
from curbside.domain.uploads import DOCUMENTS, IMAGES, MB, sniff
from curbside.services import work
from curbside.services.verification_review import require_admin
from curbside.store.files import StoredFile
from curbside.store.uow import UnitOfWork

FOLDER = "admin_files"
"""The admins' folder in the default bucket (the audit entries' `target_collection`)."""
MAX_UPLOAD = 5 * MB
"""An upload travels inside one callable request (base64, a third larger), well under the request limit."""
LISTED = 500
FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
"""storage.rules' `fileName`: letters, digits, `._-`, no folders."""
UPLOAD, DELETE, SHARE = "upload_admin_file", "delete_admin_file", "share_admin_file"


def _path(name: str) -> str:
    if not FILE_NAME.fullmatch(name):
        raise InvalidInput("name: letters, digits, '.', '_' and '-' only (up to 128), not starting with '.'.")
    return f"{FOLDER}/{name}"


def _entry_id(action: str, name: str, md5: str | None) -> str:
    return hashlib.sha256(f"{action}\n{name}\n{md5}".encode()).hexdigest()[:20]


def _row(stored: StoredFile) -> dict[str, Any]:
    return {"name": stored.path.removeprefix(f"{FOLDER}/"), "path": stored.path, "size": stored.size,
            "content_type": stored.content_type, "updated": stored.updated}


def _record_once(deps: Deps, entry_id: str, **entry: Any) -> None:
    def decide(uow: UnitOfWork) -> None:
        if uow.audit.get(entry_id) is None:
            uow.audit.record(entry_id=entry_id, target=FOLDER, reason=None, **entry)

    work.transaction(deps, decide)


def listing(deps: Deps, *, is_admin: bool) -> dict[str, Any]:
    """The folder's files by name (up to 500: a working folder, not an archive)."""
    require_admin(is_admin)
    found = deps.files.listing(f"{FOLDER}/", LISTED + 1)
    return {"files": [_row(stored) for stored in found[:LISTED]], "truncated": len(found) > LISTED}


def upload(deps: Deps, *, admin_uid: str, is_admin: bool, name: str, content_base64: str) -> dict[str, Any]:
    """Store a JPEG, PNG, WebP, HEIC or PDF of at most 5 MB as `admin_files/{name}`; a name in use is refused
    unless it holds these very bytes (a retry)."""
    require_admin(is_admin)
    path = _path(name)
    try:
        data = base64.b64decode(content_base64, validate=True)
    except ValueError:
        raise InvalidInput("content_base64: not base64.") from None
    kind = sniff(data[:64])
    if kind is None or kind not in IMAGES | DOCUMENTS:
        raise InvalidInput("content_base64: not an image (JPEG, PNG, WebP, HEIC) or a PDF, by its bytes.")
    if not 0 < len(data) <= MAX_UPLOAD:
        raise InvalidInput(f"content_base64: {len(data)} bytes; at most {MAX_UPLOAD // MB} MB.")
    md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
    existing = deps.files.stat(path)
    if existing is not None and existing.md5_hash != md5:
        raise WrongState(f"name: {name} is taken by another file; delete it first or choose another name.")
    if existing is None:
        deps.files.upload(path, data, kind.value)
    _record_once(deps, _entry_id(UPLOAD, name, md5), actor_id=admin_uid, action=UPLOAD, target_id=name,
                 before={}, after={"content_type": kind.value, "size": len(data)})
    stored = deps.files.stat(path)
    if stored is None:
        raise NotFound(f"{name} was deleted meanwhile.")
    return _row(stored)


def delete(deps: Deps, *, admin_uid: str, is_admin: bool, name: str) -> dict[str, Any]:
    require_admin(is_admin)
    path = _path(name)
    stored = deps.files.stat(path)
    if stored is None:
        raise NotFound(f"name: there is no file {name} in {FOLDER}/.")
    _record_once(deps, _entry_id(DELETE, name, stored.md5_hash), actor_id=admin_uid, action=DELETE,
                 target_id=name, before={"content_type": stored.content_type, "size": stored.size}, after={})
    deps.files.delete(path)
    return {"name": name, "deleted": True}


def share(deps: Deps, *, admin_uid: str, is_admin: bool, name: str, lifetime: dt.timedelta) -> dict[str, Any]:
    """A link that reads the file for `lifetime` (up to 7 days, V4 signing's limit), for anyone who has it."""
    require_admin(is_admin)
    path = _path(name)
    if deps.files.stat(path) is None:
        raise NotFound(f"name: there is no file {name} in {FOLDER}/.")
    url = deps.files.signed_url(path, lifetime)
    expires_at = deps.clock.now() + lifetime

    def decide(uow: UnitOfWork) -> None:
        uow.audit.record(actor_id=admin_uid, action=SHARE, target=FOLDER, target_id=name, before={},
                         after={"expires_at": expires_at.isoformat()}, reason=None)

    work.transaction(deps, decide)
    return {"name": name, "url": url, "expires_at": expires_at}
