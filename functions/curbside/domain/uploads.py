"""What an upload may be: where it lives, what its bytes really are, and how large it may get.

Everything a user uploads lives under `users/{uid}/{purpose}/...` in the default bucket. `storage.rules`
guards the upload itself, but the Storage rules emulator cannot run locally and rules only see the
*declared* content type, so a finalize trigger re-checks every object against this module: the path
grammar, the purpose, the real type from the first bytes (magic numbers), and the size limit of that type.
Job-bound purposes carry the job in the path (`users/{uid}/chat_images/{request_id}/{file}`) so that rules
and the trigger can ask the job who may read or write it. The folder names and limits here are the ones
`storage.rules` spells out; `tests/unit/test_uploads.py` keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MB = 1024 * 1024
HEAD_BYTES = 64
"""How many leading bytes `sniff` needs (the ISO-BMFF `ftyp` brand sits at offset 8, RIFF/WEBP at 8)."""


class Purpose(StrEnum):
    """The sub-folder of `users/{uid}/`: what an upload is for."""

    PROFILE_PHOTOS = "profile_photos"
    CAR_PHOTOS = "car_photos"
    REQUEST_PHOTOS = "request_photos"
    """A job's photos of the car, copied by the server from `car_photos/` when the job is created: the evidence
    of the car's state, which no one can replace, readable by the client and the job's technician."""
    VEHICLE_PHOTOS = "vehicle_photos"
    CHAT_IMAGES = "chat_images"
    DISPUTE_EVIDENCE = "dispute_evidence"
    COMPLETION_PHOTOS = "completion_photos"
    COMPLETION_VIDEOS = "completion_videos"
    VERIFICATION_DOCUMENTS = "verification_documents"
    SUPPORT_ATTACHMENTS = "support_attachments"


class Kind(StrEnum):
    """A file type recognised from its bytes; the value is its MIME type."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    HEIC = "image/heic"
    MP4 = "video/mp4"
    QUICKTIME = "video/quicktime"
    PDF = "application/pdf"


IMAGES = frozenset({Kind.JPEG, Kind.PNG, Kind.WEBP, Kind.HEIC})
VIDEOS = frozenset({Kind.MP4, Kind.QUICKTIME})
DOCUMENTS = frozenset({Kind.PDF})

MAX_BYTES: dict[Kind, int] = {
    **dict.fromkeys(IMAGES, 10 * MB),
    **dict.fromkeys(VIDEOS, 100 * MB),
    **dict.fromkeys(DOCUMENTS, 10 * MB),
}
"""Size limit per type (the spec's "image upload restrictions (file type, size)"); rules use the same."""


class JobRole(StrEnum):
    """Which party of the job in the path may upload to a job-bound folder."""

    EITHER = "either"
    DISPATCHER = "dispatcher"
    CLIENT = "client"


@dataclass(frozen=True)
class Policy:
    kinds: frozenset[Kind]
    uploader: JobRole | None = None
    """None: the folder is not bound to a job; otherwise the path carries `{request_id}` and only this
    party of that job may upload there."""
    create_only: bool = False
    """Proof and conversation (evidence, completion photos, chat and support attachments) can be added but
    never replaced or deleted by its owner."""
    server_written: bool = False
    """Only the server writes here (storage.rules grant users no write); the kinds are what it copies."""

    @property
    def job_bound(self) -> bool:
        return self.uploader is not None


POLICIES: dict[Purpose, Policy] = {
    Purpose.PROFILE_PHOTOS: Policy(IMAGES),
    Purpose.CAR_PHOTOS: Policy(IMAGES),
    Purpose.REQUEST_PHOTOS: Policy(IMAGES, JobRole.CLIENT, create_only=True, server_written=True),
    Purpose.VEHICLE_PHOTOS: Policy(IMAGES),
    Purpose.CHAT_IMAGES: Policy(IMAGES, JobRole.EITHER, create_only=True),
    Purpose.DISPUTE_EVIDENCE: Policy(IMAGES | VIDEOS, JobRole.EITHER, create_only=True),
    Purpose.COMPLETION_PHOTOS: Policy(IMAGES, JobRole.DISPATCHER, create_only=True),
    Purpose.COMPLETION_VIDEOS: Policy(VIDEOS, JobRole.DISPATCHER, create_only=True),
    Purpose.VERIFICATION_DOCUMENTS: Policy(IMAGES | DOCUMENTS, create_only=True),
    Purpose.SUPPORT_ATTACHMENTS: Policy(IMAGES | DOCUMENTS, create_only=True),
}

USERS_PREFIX = "users/"
DISPUTE_FILES_PREFIX = "dispute_files/"
"""Admins' attachments to dispute comments: `dispute_files/{dispute_id}/{audience}/{file}`, outside `users/`
(an admin is not a party of the job, so the parties' evidence folders are not theirs), written by admins only."""
ADMIN_DISPUTE_KINDS = IMAGES | VIDEOS | DOCUMENTS


class Audience(StrEnum):
    """Who reads an admin's dispute attachment: the dispute's parties too, or admins only (internal notes)."""

    PARTIES = "parties"
    INTERNAL = "internal"


def dispute_files_folder(dispute_id: str, audience: Audience) -> str:
    return f"{DISPUTE_FILES_PREFIX}{dispute_id}/{audience.value}/"
QUARANTINE_PREFIX = "quarantine/"

_SEGMENT = r"[A-Za-z0-9_-]{1,128}"
_FILE = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}"
_PATH = re.compile(
    rf"^users/(?P<uid>{_SEGMENT})/(?P<purpose>[a-z_]+)/(?:(?P<request_id>{_SEGMENT})/)?(?P<file>{_FILE})$"
)


@dataclass(frozen=True)
class Variant:
    name: str
    longest_side: int
    """Pixels of the longer side (a smaller photo is not enlarged)."""
    quality: int
    """JPEG quality."""


VARIANTS = (Variant("thumb", 320, 70), Variant("web", 1600, 82))
"""The server's copies of each uploaded photo (spec "Image Optimization"): a small thumbnail for galleries and
a compressed copy for full-screen display, both JPEG without the camera's metadata (no GPS), stored next to
the original as `{file}.thumb.jpg` / `{file}.web.jpg` (so the same rules decide who reads them). Users cannot
upload names ending like that (storage.rules' `fileName`)."""


def variant_path(path: str, variant: str) -> str:
    return f"{path}.{variant}.jpg"


def original_of(path: str) -> str | None:
    """The photo a variant was made from, or None when `path` is not a variant's name."""
    for variant in VARIANTS:
        suffix = f".{variant.name}.jpg"
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return None


class Problem(StrEnum):
    """Why an upload is quarantined (stored on the quarantine record)."""

    BAD_PATH = "bad_path"
    UNKNOWN_PURPOSE = "unknown_purpose"
    UNKNOWN_OWNER = "unknown_owner"
    ACCOUNT_BLOCKED = "account_blocked"
    NOT_A_PARTY = "not_a_party"
    EMPTY = "empty"
    UNRECOGNISED_CONTENT = "unrecognised_content"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    CONTENT_TYPE_MISMATCH = "content_type_mismatch"
    TOO_LARGE = "too_large"
    QUOTA_EXCEEDED = "quota_exceeded"
    RESERVED_NAME = "reserved_name"
    """Named like the server's copies of a photo (`.thumb.jpg`, `.web.jpg`) without being one."""


@dataclass(frozen=True)
class UploadPath:
    """A parsed `users/{uid}/{purpose}/[{request_id}/]{file}`."""

    uid: str
    purpose: Purpose
    request_id: str | None
    file_name: str

    @property
    def policy(self) -> Policy:
        return POLICIES[self.purpose]


SERVER_FOLDERS = frozenset({"exports", "invoices"})
"""Folders of `users/{uid}/` only the server writes (the person's data export, their invoices): not uploads."""


def is_user_upload(name: str) -> bool:
    """Objects outside `users/` are written by admins or the server (the quarantine copies among them), and so
    are the server's folders inside it."""
    parts = name.split("/", 3)
    return name.startswith(USERS_PREFIX) and not (len(parts) == 4 and parts[2] in SERVER_FOLDERS)


def quarantine_name(name: str) -> str:
    return QUARANTINE_PREFIX + name


def parse_path(name: str) -> UploadPath | Problem:
    """The owner, purpose and job of an object name, or why it is not a valid upload path."""
    match = _PATH.match(name)
    if match is None:
        return Problem.BAD_PATH
    try:
        purpose = Purpose(match["purpose"])
    except ValueError:
        return Problem.UNKNOWN_PURPOSE
    request_id = match["request_id"]
    if (request_id is not None) != POLICIES[purpose].job_bound:
        return Problem.BAD_PATH
    return UploadPath(match["uid"], purpose, request_id, match["file"])


_ISO_BRANDS: dict[bytes, Kind] = {
    **dict.fromkeys((b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"), Kind.HEIC),
    **dict.fromkeys((b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
                     b"dash", b"3gp4", b"3gp5"), Kind.MP4),
    b"qt  ": Kind.QUICKTIME,
}


def sniff(head: bytes) -> Kind | None:
    """The type the leading bytes prove, whatever the name or the declared content type say."""
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind.WEBP
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    if head[4:8] == b"ftyp":
        return _ISO_BRANDS.get(head[8:12])
    return None


DECLARED_ALIASES: dict[Kind, frozenset[str]] = {Kind.HEIC: frozenset({"image/heif"})}
"""Content types a client may declare for a type besides its own (iOS labels HEIC photos image/heif)."""


def declared_matches(content_type: str | None, kind: Kind) -> bool:
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    return declared == kind.value or declared in DECLARED_ALIASES.get(kind, frozenset())


@dataclass(frozen=True)
class Inspection:
    """The verdict on an object's name, size and bytes (ownership against Firestore is the service's)."""

    path: UploadPath | None
    kind: Kind | None
    problems: tuple[Problem, ...]

    @property
    def accepted(self) -> bool:
        return not self.problems


def inspect(name: str, size: int, content_type: str | None, head: bytes) -> Inspection:
    """Check what can be checked without Firestore: path, purpose, real type, declared type and size."""
    parsed = parse_path(name)
    path = parsed if isinstance(parsed, UploadPath) else None
    problems: list[Problem] = [parsed] if isinstance(parsed, Problem) else []
    if original_of(name) is not None:
        problems.append(Problem.RESERVED_NAME)
    kind = sniff(head)
    if size <= 0:
        problems.append(Problem.EMPTY)
    elif kind is None:
        problems.append(Problem.UNRECOGNISED_CONTENT)
    else:
        if path is not None and kind not in path.policy.kinds:
            problems.append(Problem.TYPE_NOT_ALLOWED)
        if not declared_matches(content_type, kind):
            problems.append(Problem.CONTENT_TYPE_MISMATCH)
        if size > MAX_BYTES[kind]:
            problems.append(Problem.TOO_LARGE)
    return Inspection(path, kind, tuple(problems))
