"""The console's file management (services/admin_files.py): `admin_files/` listed, uploaded to, deleted from,
and shared through signed links. Admins only; changes and links are audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from firebase_functions import https_fn
from pydantic import Field

from curbside import deps
from curbside.entrypoints.protocol import Payload, on_call, run_callable
from curbside.services import admin_files

FileName = Annotated[str, Field(min_length=1, max_length=128)]
"""Checked against storage.rules' file-name grammar by the service."""


class ListFilesPayload(Payload):
    """No input: the folder's files by name."""


@on_call()
def admin_list_files(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ListFilesPayload, lambda caller, _: admin_files.listing(deps.get(),
                                                                                     is_admin=caller.is_admin))


class UploadFilePayload(Payload):
    name: FileName
    content_base64: Annotated[str, Field(min_length=4, max_length=(admin_files.MAX_UPLOAD * 4) // 3 + 4)]


@on_call()
def admin_upload_file(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, UploadFilePayload, lambda caller, p: admin_files.upload(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, name=p.name, content_base64=p.content_base64),
        fresh_sign_in=True)


class FilePayload(Payload):
    name: FileName


@on_call()
def admin_delete_file(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, FilePayload, lambda caller, p: admin_files.delete(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, name=p.name), fresh_sign_in=True)


class ShareFilePayload(FilePayload):
    expires_in_minutes: Annotated[int, Field(strict=True, ge=1, le=7 * 24 * 60)] = 60
    """How long the link reads the file: up to 7 days (V4 signed URLs' limit)."""


@on_call()
def admin_share_file(req: https_fn.CallableRequest[Any]) -> dict[str, Any]:
    return run_callable(req, ShareFilePayload, lambda caller, p: admin_files.share(
        deps.get(), admin_uid=caller.uid, is_admin=caller.is_admin, name=p.name,
        lifetime=dt.timedelta(minutes=p.expires_in_minutes)), fresh_sign_in=True)
