"""The pure upload checks: path grammar, magic numbers, sizes — and that storage.rules says the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curbside.domain.uploads import (
    DOCUMENTS,
    IMAGES,
    MAX_BYTES,
    MB,
    POLICIES,
    VIDEOS,
    Kind,
    Problem,
    Purpose,
    UploadPath,
    inspect,
    is_user_upload,
    parse_path,
    sniff,
)

STORAGE_RULES = (Path(__file__).resolve().parents[2] / "storage.rules").read_text(encoding="utf-8")

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(56)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(48)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + bytes(48)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(48)
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00" + bytes(48)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(48)
ELF = b"\x7fELF\x02\x01\x01" + bytes(57)
HTML = b"<html><script>alert(1)</script></html>"


@pytest.mark.parametrize(("head", "kind"), [
    (JPEG, Kind.JPEG), (PNG, Kind.PNG), (WEBP, Kind.WEBP), (HEIC, Kind.HEIC), (MP4, Kind.MP4),
    (MOV, Kind.QUICKTIME), (PDF, Kind.PDF), (ELF, None), (HTML, None), (b"", None),
    (b"\x00\x00\x00\x18ftypXXXX", None), (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
])
def test_the_type_comes_from_the_bytes(head: bytes, kind: Kind | None) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize(("name", "expected"), [
    ("users/u1/car_photos/front.jpg", UploadPath("u1", Purpose.CAR_PHOTOS, None, "front.jpg")),
    ("users/u1/chat_images/r-9/a.png", UploadPath("u1", Purpose.CHAT_IMAGES, "r-9", "a.png")),
    ("users/u1/completion_videos/r-9/walk.mp4", UploadPath("u1", Purpose.COMPLETION_VIDEOS, "r-9", "walk.mp4")),
    ("users/u1/chat_images/a.png", Problem.BAD_PATH),
    ("users/u1/car_photos/r-9/front.jpg", Problem.BAD_PATH),
    ("users/u1/front.jpg", Problem.BAD_PATH),
    ("users/u1/car_photos/../../etc/passwd", Problem.BAD_PATH),
    ("users/u1/car_photos/.hidden", Problem.BAD_PATH),
    ("users/u1/secrets/front.jpg", Problem.UNKNOWN_PURPOSE),
    ("avatars/u1.jpg", Problem.BAD_PATH),
])
def test_upload_paths_name_their_owner_purpose_and_job(name: str, expected: UploadPath | Problem) -> None:
    assert parse_path(name) == expected


def test_a_matching_image_in_an_image_folder_passes() -> None:
    verdict = inspect("users/u1/car_photos/front.jpg", 120_000, "image/jpeg", JPEG)
    assert verdict.accepted and verdict.kind is Kind.JPEG


def test_heic_may_be_declared_as_heif() -> None:
    assert inspect("users/u1/profile_photos/me.heic", 1000, "image/heif", HEIC).accepted


@pytest.mark.parametrize(("name", "size", "declared", "head", "problems"), [
    ("users/u1/car_photos/a.jpg", 1000, "image/jpeg", PDF, {Problem.TYPE_NOT_ALLOWED, Problem.CONTENT_TYPE_MISMATCH}),
    ("users/u1/car_photos/a.jpg", 1000, "image/jpeg", ELF, {Problem.UNRECOGNISED_CONTENT}),
    ("users/u1/car_photos/a.jpg", 1000, "image/png", JPEG, {Problem.CONTENT_TYPE_MISMATCH}),
    ("users/u1/car_photos/a.jpg", 10 * MB + 1, "image/jpeg", JPEG, {Problem.TOO_LARGE}),
    ("users/u1/car_photos/a.jpg", 0, "image/jpeg", b"", {Problem.EMPTY}),
    ("users/u1/completion_photos/r1/a.mp4", 1000, "video/mp4", MP4, {Problem.TYPE_NOT_ALLOWED}),
    ("users/u1/verification_documents/id.pdf", 10 * MB + 1, "application/pdf", PDF, {Problem.TOO_LARGE}),
    ("users/u1/nowhere/a.jpg", 1000, "image/jpeg", JPEG, {Problem.UNKNOWN_PURPOSE}),
])
def test_what_does_not_match_its_folder_is_refused(name: str, size: int, declared: str, head: bytes,
                                                    problems: set[Problem]) -> None:
    verdict = inspect(name, size, declared, head)
    assert not verdict.accepted and set(verdict.problems) == problems


def test_videos_get_a_larger_limit_than_images() -> None:
    assert inspect("users/u1/dispute_evidence/r1/clip.mp4", 90 * MB, "video/mp4", MP4).accepted
    assert not inspect("users/u1/dispute_evidence/r1/clip.mp4", 101 * MB, "video/mp4", MP4).accepted


# ------------------------------------------------------------------------------------------- storage.rules

def match_block(purpose: Purpose) -> str:
    """The body of `match /users/{uid}/{purpose}/...` in storage.rules."""
    start = STORAGE_RULES.index(f"match /users/{{uid}}/{purpose.value}/")
    end = STORAGE_RULES.index("\n    }", start)
    return STORAGE_RULES[start:end]


def function_body(name: str) -> str:
    start = STORAGE_RULES.index(f"function {name}(")
    return STORAGE_RULES[start:STORAGE_RULES.index("\n    }", start)]


def test_storage_rules_have_one_folder_per_purpose_with_its_job_segment() -> None:
    folders = set(re.findall(r"match /users/\{uid\}/(\w+)/", STORAGE_RULES))
    assert folders == {purpose.value for purpose in Purpose} | {"invoices"}  # invoices: server-written, read-only
    for purpose, policy in POLICIES.items():
        assert ("{requestId}" in match_block(purpose).splitlines()[0]) == policy.job_bound, purpose


def test_storage_rules_accept_the_same_types_and_sizes() -> None:
    for function, kinds in (("isImage", IMAGES), ("isVideo", VIDEOS), ("isPdf", DOCUMENTS)):
        body = function_body(function)
        assert {kind.value for kind in kinds} <= set(re.findall(r"'([a-z]+/[a-z0-9.+-]+)'", body)), function
        limit_mb = {MAX_BYTES[kind] // MB for kind in kinds}
        assert limit_mb == {int(n) for n in re.findall(r"<= (\d+) \* 1024 \* 1024", body)}, function


def test_storage_rules_allow_per_folder_exactly_the_policy_types_and_write_modes() -> None:
    checks = {"isImage()": IMAGES, "isVideo()": VIDEOS, "isPdf()": DOCUMENTS}
    for purpose, policy in POLICIES.items():
        block = match_block(purpose)
        if policy.server_written:
            assert "allow create" not in block and "allow delete" not in block, purpose
            continue
        allowed: frozenset[Kind] = frozenset().union(*(kinds for call, kinds in checks.items() if call in block))
        assert allowed == policy.kinds, purpose
        assert ("allow create, update" not in block and "allow delete" not in block) == policy.create_only, purpose


def test_the_servers_own_folders_are_not_uploads_to_check() -> None:
    assert is_user_upload("users/u1/car_photos/front.jpg")
    assert not is_user_upload("users/u1/invoices/job-1/INV-U1-000001.pdf")
    assert not is_user_upload("users/u1/exports/2026-12-07.json")
    assert not is_user_upload("admin_files/report.pdf")
