"""A small Firestore REST client that acts as one signed-in user, so the security rules apply.

The apps reach Firestore with an ID token; the Python admin client bypasses the rules. Tests and the demo
use this client to read and write exactly as a FlutterFlow app would, and get the emulator's verdict back
as an HTTP status rather than an exception.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import requests

from devstack.emulators import PROJECT_ID
from devstack.tokens import emulator_id_token

_HTTP = requests.Session()
"""One keep-alive connection pool for every client (the rules matrix makes thousands of calls)."""

SERVER_TIMESTAMP = object()
"""Sentinel: write this field as the request time (`request.time` in the rules)."""


@dataclass(frozen=True)
class RestResult:
    """The emulator's answer: HTTP status and decoded JSON (documents already turned into Python)."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def denied(self) -> bool:
        return self.status == 403


def encode_value(value: Any) -> dict[str, Any]:
    """Python value -> Firestore REST `Value`."""
    if value is None:
        return {"nullValue": None}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bytes):
        return {"bytesValue": base64.b64encode(value).decode()}
    if isinstance(value, dt.datetime):
        stamp = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return {"timestampValue": stamp.isoformat().replace("+00:00", "Z")}
    if isinstance(value, dict):
        return {"mapValue": {"fields": {k: encode_value(v) for k, v in value.items()}}}
    if isinstance(value, list | tuple):
        return {"arrayValue": {"values": [encode_value(v) for v in value]}}
    raise TypeError(f"cannot encode {type(value).__name__} for Firestore REST")


def decode_value(value: dict[str, Any]) -> Any:
    """Firestore REST `Value` -> Python value."""
    kind, raw = next(iter(value.items()))
    decoders: dict[str, Any] = {
        "nullValue": lambda _: None,
        "booleanValue": bool,
        "integerValue": int,
        "doubleValue": float,
        "stringValue": str,
        "referenceValue": str,
        "bytesValue": base64.b64decode,
        "timestampValue": lambda r: dt.datetime.fromisoformat(r.replace("Z", "+00:00")),
        "geoPointValue": lambda r: (r.get("latitude", 0.0), r.get("longitude", 0.0)),
        "mapValue": lambda r: decode_fields(r.get("fields", {})),
        "arrayValue": lambda r: [decode_value(v) for v in r.get("values", [])],
    }
    return decoders[kind](raw)


def decode_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: decode_value(value) for key, value in fields.items()}


@dataclass
class FirestoreRest:
    """Firestore REST as user `uid` (with custom `claims`), or unauthenticated when `uid` is None."""

    base_url: str
    uid: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)
    project_id: str = PROJECT_ID
    reads: int = field(default=0, init=False)
    writes: int = field(default=0, init=False)

    @property
    def _root(self) -> str:
        return f"projects/{self.project_id}/databases/(default)/documents"

    def _headers(self) -> dict[str, str]:
        if self.uid is None:
            return {}
        return {"Authorization": f"Bearer {emulator_id_token(self.uid, self.claims, project_id=self.project_id)}"}

    def _call(self, method: str, url: str, json: Any = None) -> RestResult:
        response = _HTTP.request(method, f"{self.base_url}/v1/{url}", json=json, headers=self._headers(),
                                 timeout=30)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return RestResult(response.status_code, body)

    def get(self, path: str) -> RestResult:
        """Read one document; `body` is its fields as Python values when allowed."""
        self.reads += 1
        result = self._call("GET", f"{self._root}/{path}")
        if result.ok:
            return RestResult(result.status, decode_fields(result.body.get("fields", {})))
        return result

    def query(self, collection: str, where: list[tuple[str, str, Any]] | None = None,
              limit: int | None = None, parent: str = "") -> RestResult:
        """Run a structured query; `where` holds (field, op, value) with op one of == != < <= > >=
        array-contains in. `body` is a list of (document id, fields) when allowed."""
        ops = {"==": "EQUAL", "!=": "NOT_EQUAL", "<": "LESS_THAN", "<=": "LESS_THAN_OR_EQUAL",
               ">": "GREATER_THAN", ">=": "GREATER_THAN_OR_EQUAL", "array-contains": "ARRAY_CONTAINS",
               "in": "IN"}
        query: dict[str, Any] = {"from": [{"collectionId": collection}]}
        filters = [{"fieldFilter": {"field": {"fieldPath": f}, "op": ops[op], "value": encode_value(v)}}
                   for f, op, v in where or []]
        if len(filters) == 1:
            query["where"] = filters[0]
        elif filters:
            query["where"] = {"compositeFilter": {"op": "AND", "filters": filters}}
        if limit is not None:
            query["limit"] = limit
        url = f"{self._root}/{parent}:runQuery" if parent else f"{self._root}:runQuery"
        result = self._call("POST", url, json={"structuredQuery": query})
        if not result.ok:
            self.reads += 1
            return result
        docs = [(row["document"]["name"].rsplit("/", 1)[1], decode_fields(row["document"].get("fields", {})))
                for row in result.body if "document" in row]
        self.reads += max(1, len(docs))
        return RestResult(result.status, docs)

    def create(self, path: str, data: dict[str, Any]) -> RestResult:
        """Create a document that must not exist yet."""
        return self._write(path, data, {"currentDocument": {"exists": False}})

    def set(self, path: str, data: dict[str, Any]) -> RestResult:
        """Create or overwrite a document."""
        return self._write(path, data, {})

    def update(self, path: str, data: dict[str, Any]) -> RestResult:
        """Change only the given fields of an existing document."""
        plain = [key for key, value in data.items() if value is not SERVER_TIMESTAMP]
        return self._write(path, data, {"currentDocument": {"exists": True},
                                        "updateMask": {"fieldPaths": plain}})

    def delete(self, path: str) -> RestResult:
        self.writes += 1
        return self._commit([{"delete": f"{self._root}/{path}"}])

    def _write(self, path: str, data: dict[str, Any], extra: dict[str, Any]) -> RestResult:
        fields = {k: encode_value(v) for k, v in data.items() if v is not SERVER_TIMESTAMP}
        transforms = [{"fieldPath": k, "setToServerValue": "REQUEST_TIME"}
                      for k, v in data.items() if v is SERVER_TIMESTAMP]
        write: dict[str, Any] = {"update": {"name": f"{self._root}/{path}", "fields": fields}, **extra}
        if transforms:
            write["updateTransforms"] = transforms
        self.writes += 1
        return self._commit([write])

    def _commit(self, writes: list[dict[str, Any]]) -> RestResult:
        return self._call("POST", f"{self._root}:commit", json={"writes": writes})
