"""The server-side check of every upload: real type, size and path ownership, or quarantine.

`storage.rules` decides who may upload where, but it trusts the declared content type and cannot run in the
local emulator, so the finalize trigger checks each new object under `users/` again (rules in
`curbside.domain.uploads`): the bytes must be a type the folder accepts and match the declared type, the size
must be within that type's limit, the owner in the path must be a user whose account is usable, and a
job-bound folder must name a job the owner is the right party of. Anything else is moved to
`quarantine/{original name}` and recorded in `QuarantinedUploads` for admins.

At-least-once delivery: the record id is derived from the object name and generation, the copy overwrites
itself, and an object already moved is reported as gone, so a replay changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from google.api_core.exceptions import NotFound

from curbside.deps import Deps
from curbside.domain.documents import QuarantinedUpload
from curbside.domain.documents.outbox import OutboxEntry
from curbside.domain.errors import InvalidInput
from curbside.domain.uploads import (
    ADMIN_DISPUTE_KINDS,
    HEAD_BYTES,
    MAX_BYTES,
    POLICIES,
    USERS_PREFIX,
    Audience,
    Inspection,
    JobRole,
    Kind,
    Problem,
    Purpose,
    UploadPath,
    declared_matches,
    dispute_files_folder,
    inspect,
    is_user_upload,
    original_of,
    parse_path,
    quarantine_name,
    sniff,
)
from curbside.services import work
from curbside.services.accounts import BLOCKED_STATUSES, account_status_of
from curbside.services.image_variants import make_variants
from curbside.services.outbox import Handler
from curbside.store.files import FileStore, StoredFile
from curbside.store.uow import UnitOfWork


@dataclass(frozen=True)
class UploadedObject:
    """What the finalize event says about a new object."""

    bucket: str
    name: str
    size: int
    content_type: str | None
    generation: int | None = None


class Outcome(StrEnum):
    IGNORED = "ignored"
    """Not a user upload (another bucket, admin files, the quarantine copies themselves)."""
    ACCEPTED = "accepted"
    QUARANTINED = "quarantined"
    GONE = "gone"
    """The object no longer exists (already quarantined by an earlier delivery, or deleted)."""


@dataclass(frozen=True)
class UploadVerdict:
    outcome: Outcome
    problems: tuple[Problem, ...] = ()
    record_id: str | None = None
    variants: tuple[str, ...] = ()
    """The thumbnail and compressed copy made of an accepted photo (`image_variants`)."""


def quarantine_record_id(bucket: str, name: str, generation: int | None) -> str:
    """Deterministic, so a replayed event rewrites the same record (object names may contain '/')."""
    return hashlib.sha256(f"{bucket}/{name}#{generation}".encode()).hexdigest()[:40]


def check_upload(deps: Deps, obj: UploadedObject) -> UploadVerdict:
    """Accept the object or move it to quarantine; see the module docstring for what is checked."""
    if obj.bucket != deps.files.bucket_name or not is_user_upload(obj.name):
        return UploadVerdict(Outcome.IGNORED)
    original = original_of(obj.name)
    if original is not None and deps.files.stat(original) is not None:
        return UploadVerdict(Outcome.IGNORED)  # the server's own copy of a photo (a user cannot upload one)
    try:
        head = deps.files.head(obj.name, HEAD_BYTES) if obj.size > 0 else b""
    except NotFound:
        return UploadVerdict(Outcome.GONE)
    inspection = inspect(obj.name, obj.size, obj.content_type, head)
    problems = inspection.problems
    if inspection.path is not None:
        path = inspection.path
        problems += work.reading(deps, lambda uow: ownership_problems(uow, path))
        if not problems and deps.files.total_size(f"{USERS_PREFIX}{path.uid}/") > deps.settings.upload_quota_bytes:
            problems += (Problem.QUOTA_EXCEEDED,)
    if not problems:
        return UploadVerdict(Outcome.ACCEPTED, variants=make_variants(deps.files, obj.name, inspection.kind))
    record_id = _quarantine(deps, obj, inspection, problems)
    if record_id is None:
        return UploadVerdict(Outcome.GONE, problems)
    return UploadVerdict(Outcome.QUARANTINED, problems, record_id)


def ownership_problems(uow: UnitOfWork, path: UploadPath) -> tuple[Problem, ...]:
    """Whether the uid in the path may own this upload: an existing user with a usable account and, for a
    job-bound folder, the right party of the job named in the path."""
    if uow.users.get(path.uid) is None:
        return (Problem.UNKNOWN_OWNER,)
    problems: list[Problem] = []
    if account_status_of(uow, path.uid) in BLOCKED_STATUSES:
        problems.append(Problem.ACCOUNT_BLOCKED)
    uploader = path.policy.uploader
    if uploader is not None and path.request_id is not None:
        job = uow.requests.get(path.request_id)
        by_role: dict[JobRole, set[str | None]] = {} if job is None else {
            JobRole.DISPATCHER: {job.dispatcher_id}, JobRole.CLIENT: {job.client_id},
            JobRole.EITHER: {job.client_id, job.dispatcher_id}}
        parties = by_role.get(uploader, set())
        if path.uid not in parties:
            problems.append(Problem.NOT_A_PARTY)
    return tuple(problems)


def _quarantine(deps: Deps, obj: UploadedObject, inspection: Inspection,
                problems: tuple[Problem, ...]) -> str | None:
    """Record first, then move: if the move fails the retried event rewrites the same record and moves
    again; once moved, a replay finds nothing under the original name. Returns None when the object
    vanished between the check and the move."""
    record = QuarantinedUpload(
        id=quarantine_record_id(obj.bucket, obj.name, obj.generation),
        bucket=obj.bucket,
        object_name=obj.name,
        quarantine_name=quarantine_name(obj.name),
        generation=obj.generation,
        owner_id=inspection.path.uid if inspection.path else None,
        purpose=inspection.path.purpose.value if inspection.path else None,
        request_id=inspection.path.request_id if inspection.path else None,
        size_bytes=max(obj.size, 0),
        declared_content_type=obj.content_type,
        detected_content_type=inspection.kind.value if inspection.kind else None,
        problems=[problem.value for problem in problems],
        created_date=deps.clock.now(),
    )
    work.transaction(deps, lambda uow: uow.quarantine.put(record))
    try:
        deps.files.move(obj.name, record.quarantine_name)
    except NotFound:
        return None
    return record.id


def _require_stored(files: FileStore, name: str, path: str, kinds: frozenset[Kind], accepted: str) -> StoredFile:
    """The file at `path` exists and its bytes are one of `kinds`, as declared, within that type's size; answers
    what is stored."""
    stored = files.stat(path)
    if stored is None:
        raise InvalidInput(f"{name}: there is no uploaded file at {path}.")
    head = files.head(path, HEAD_BYTES) if stored.size > 0 else b""
    kind = sniff(head)
    if (kind is None or kind not in kinds or not declared_matches(stored.content_type, kind) or stored.size <= 0
            or stored.size > MAX_BYTES[kind]):
        raise InvalidInput(f"{name}: {path} is not {accepted}.")
    return stored


def require_admin_dispute_files(files: FileStore, paths: tuple[str, ...], *, dispute_id: str, audience: Audience,
                                field_name: str) -> None:
    """An admin's attachments to a dispute comment: files under `dispute_files/{dispute_id}/{audience}/`
    (`internal` for an internal note, so the parties' rules never reach it), photos, videos or PDFs by their
    bytes. The finalize trigger does not look outside `users/`, so this is the check."""
    folder = dispute_files_folder(dispute_id, audience)
    for index, path in enumerate(paths):
        name = f"{field_name}[{index}]"
        rest = path.removeprefix(folder)
        if rest == path or "/" in rest or not _ADMIN_FILE.fullmatch(rest) or original_of(path) is not None:
            raise InvalidInput(f"{name}: upload the file to {folder} and send its path.")
        _require_stored(files, name, path, ADMIN_DISPUTE_KINDS, "a photo, video or PDF within the size limit")


_ADMIN_FILE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
PHOTO = ("photo", "a JPEG, PNG, WebP or HEIC photo of at most 10 MB")
VIDEO = ("video", "an MP4 or QuickTime video within the size limit")


def require_own_uploads(files: FileStore, uid: str, paths: tuple[str, ...], *, purpose: Purpose, field_name: str,
                        request_id: str | None = None,
                        described: tuple[str, str] = PHOTO) -> tuple[StoredFile, ...]:
    """Each path must be a file the caller uploaded to their own `purpose` folder (for the job `request_id`
    when the folder is job-bound), and its bytes must be a type that folder accepts. Checked again here
    because a callable can arrive before the finalize trigger has looked at the file. Answers what is stored."""
    what, accepted = described
    checked: list[StoredFile] = []
    folder = f"users/{uid}/{purpose.value}/" + (f"{request_id}/" if request_id else "")
    for index, path in enumerate(paths):
        name = f"{field_name}[{index}]"
        parsed = parse_path(path)
        if (not isinstance(parsed, UploadPath) or parsed.uid != uid or parsed.purpose is not purpose
                or parsed.request_id != request_id or original_of(path) is not None):
            raise InvalidInput(f"{name}: upload the {what} to {folder} and send its path.")
        checked.append(_require_stored(files, name, path, POLICIES[purpose].kinds, accepted))
    return tuple(checked)


COPY_REQUEST_PHOTOS = "copy_request_photos"


def request_photo_paths(uid: str, request_id: str, sources: tuple[str, ...]) -> tuple[str, ...]:
    """Where a new job's photos are kept: `users/{uid}/request_photos/{request_id}/`, numbered, a folder the
    client cannot write (the server copies them there, after the job is committed)."""
    return tuple(f"{USERS_PREFIX}{uid}/{Purpose.REQUEST_PHOTOS.value}/{request_id}/{number}-{PurePosixPath(path).name}"
                 for number, path in enumerate(sources, start=1))


def _copy_request_photos(deps: Deps, entry: OutboxEntry) -> None:
    for copy in entry.payload["copies"]:
        if deps.files.stat(str(copy["to"])) is None:  # copied already by an earlier attempt
            deps.files.copy(str(copy["from"]), str(copy["to"]))


HANDLERS: Mapping[str, Handler] = {COPY_REQUEST_PHOTOS: _copy_request_photos}
