"""The hosting server: `hosting/` on the Hosting emulator's port (5000), as Firebase Hosting serves it.

It reads `firebase.json`'s `hosting` block, so what runs locally is what deploys: static files from `public`,
the `headers` (the admin console's Content-Security-Policy), and the `rewrites` in order — a `function`
rewrite hands the request to that function in-process (the functions server's own WSGI gateway, so the
callable protocol and ID-token checks run exactly as on port 5001), a `destination` rewrite serves that file.
Firebase Hosting answers a static file before any rewrite; so does this server.

Two local-only routes stand in for what production gets elsewhere (D75):
- `/__/firebase/init.json` — Hosting's reserved config URL, answered here with the project id and
  `devSignIn: true` (production's has the Web API key the console's e-mail/password sign-in uses);
- `POST /__devstack/sign-in {uid}` — the development sign-in: an unsigned emulator ID token for a user of the
  local database, carrying `admin: true` when their `Users` document says `role: admin` (the seed's admins;
  the emulator has no Auth, so the mirror stands in for the custom claim). Anyone else gets a token without
  the claim, and the callables refuse them as production would.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from devstack.tokens import emulator_id_token

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FIREBASE_JSON = Path(__file__).resolve().parent.parent / "firebase.json"


@dataclass(frozen=True)
class Rewrite:
    source: str
    function: str | None = None
    region: str = "us-central1"
    destination: str | None = None

    def matches(self, path: str) -> bool:
        return glob_match(self.source, path)


def glob_match(pattern: str, path: str) -> bool:
    """Hosting's glob: `**` crosses slashes, `*` and `?` do not."""
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    wild = {"**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.fullmatch("".join(wild.get(part, re.escape(part)) for part in parts), path) is not None


@dataclass(frozen=True)
class HostingConfig:
    public: Path
    rewrites: tuple[Rewrite, ...]
    headers: tuple[tuple[str, dict[str, str]], ...]

    @classmethod
    def load(cls, firebase_json: Path = FIREBASE_JSON) -> HostingConfig:
        block = json.loads(firebase_json.read_text())["hosting"]
        rewrites = tuple(Rewrite(r["source"], function=r.get("function", {}).get("functionId"),
                                 region=r.get("function", {}).get("region", "us-central1"),
                                 destination=r.get("destination")) for r in block.get("rewrites", []))
        headers = tuple((h["source"], {kv["key"]: kv["value"] for kv in h["headers"]})
                        for h in block.get("headers", []))
        return cls(firebase_json.parent / block["public"], rewrites, headers)

    def headers_for(self, path: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for source, values in self.headers:
            if glob_match(source, path):
                out.update(values)
        return out


@dataclass
class HostingApp:
    """WSGI app for port 5000; `functions` is the functions server's gateway, `users_role` tells a uid's
    `Users.role` (None for no such user) for the development sign-in."""

    config: HostingConfig
    project: str
    functions: WSGIApplication
    users_role: Callable[[str], str | None]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        if path == "/__/firebase/init.json":
            return self._finish(Response(json.dumps({"projectId": self.project, "devSignIn": True}),
                                         mimetype="application/json"), path, environ, start_response)
        if path == "/__devstack/sign-in" and request.method == "POST":
            return self._finish(self._sign_in(request), path, environ, start_response)
        static = self._file(path)
        if static is None:
            for rewrite in self.config.rewrites:
                if not rewrite.matches(path):
                    continue
                if rewrite.function is not None:
                    forwarded = {**environ, "PATH_INFO": f"/{self.project}/{rewrite.region}/{rewrite.function}"}
                    return self.functions(forwarded, start_response)
                static = self._file(rewrite.destination or "")
                break
        if static is None:
            return self._finish(Response("Not found\n", status=404, mimetype="text/plain"), path, environ,
                                start_response)
        mimetype = mimetypes.guess_type(static.name)[0] or "application/octet-stream"
        response = Response(static.read_bytes(), mimetype=mimetype, headers={"Cache-Control": "no-cache"})
        return self._finish(response, path, environ, start_response)

    def _file(self, path: str) -> Path | None:
        """The public file for `path` (a directory's index.html), never one outside `public`."""
        root = self.config.public.resolve()
        candidate = (root / path.lstrip("/")).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate

    def _sign_in(self, request: Request) -> Response:
        body: Any = request.get_json(silent=True) or {}
        uid = body.get("uid") if isinstance(body, dict) else None
        if not isinstance(uid, str) or not uid.strip():
            return Response(json.dumps({"error": "Give the uid of a user of the local database."}), status=400,
                            mimetype="application/json")
        role = self.users_role(uid.strip())
        if role is None:
            return Response(json.dumps({"error": f"No user {uid.strip()!r} in the local database."}), status=404,
                            mimetype="application/json")
        claims = {"admin": True} if role == "admin" else {}
        token = emulator_id_token(uid.strip(), claims, project_id=self.project)
        return Response(json.dumps({"idToken": token, "uid": uid.strip()}), mimetype="application/json")

    def _finish(self, response: Response, path: str, environ: WSGIEnvironment,
                start_response: StartResponse) -> Iterable[bytes]:
        response.headers.update(self.config.headers_for(path))
        return response(environ, start_response)
