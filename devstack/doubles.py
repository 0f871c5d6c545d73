"""Recording doubles for the paid or emulator-less third-party APIs the local stack and tests stand in for
(no Firebase Auth emulator runs here; Google's Routes API has no local server). Each keeps what it was told so
a test or the stack can look."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class RecordingAuthAdmin:
    """Firebase Auth's admin API: `revoke` stands for `revoke_refresh_tokens`."""

    revoked_at: dict[str, dt.datetime] = field(default_factory=dict)

    def sessions_valid_after(self, uid: str) -> dt.datetime | None:
        return self.revoked_at.get(uid)

    def revoke(self, uid: str, at: dt.datetime) -> None:
        self.revoked_at[uid] = at


@dataclass
class RoutesApiDouble:
    """Google's Routes API `computeRoutes` on a local HTTP server, so tests drive the production gateway
    (`gateways.maps.GoogleRoutes`: its request, headers, parsing and fallback) over a real socket. It answers
    one route of `duration_s` and `distance_m`, or `status` with `body`, after `delay_s`; `requests` keeps
    what it was sent (headers and JSON body)."""

    duration_s: float = 600.0
    distance_m: int = 5_000
    status: int = 200
    body: str | None = None
    delay_s: float = 0.0
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the double first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RoutesApiDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                double.requests.append(({key.lower(): value for key, value in self.headers.items()},
                                        json.loads(self.rfile.read(length) or b"{}")))
                time.sleep(double.delay_s)
                answer = double.body if double.body is not None else json.dumps({"routes": [
                    {"distanceMeters": double.distance_m, "duration": f"{double.duration_s:g}s"}]})
                self.send_response(double.status if self.path == "/directions/v2:computeRoutes" else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                with contextlib.suppress(OSError):  # the caller may have given up (a timeout test)
                    self.wfile.write(answer.encode())

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
