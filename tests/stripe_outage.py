"""A switchable outage in front of the local Stripe server: a small HTTP proxy on a free port that forwards
every request to localstripe, unless told to fail.

- `down`: Stripe is unreachable — the request never reaches it and the client gets a 503.
- `answer_lost`: the request reaches Stripe and is carried out, but the answer never comes back (the
  connection is closed), as when a network drops after Stripe did the work.

The production gateway points at the proxy (`api_base`), so its own retries, timeouts and error translation
run as they would against Stripe. Only the failure is staged; what Stripe does is localstripe's.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "host"})


class Mode(StrEnum):
    UP = "up"
    DOWN = "down"
    ANSWER_LOST = "answer_lost"


class StripeOutage:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.mode = Mode.UP
        self.failed = 0
        """Requests failed so far (the gateway retries: one call may fail several times)."""
        outage = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outage.mode is Mode.DOWN:
                    outage.failed += 1
                    self.send_error(503, "Stripe is down (a test outage)")
                    return
                request = urllib.request.Request(
                    outage.upstream + self.path, data=body if self.command == "POST" else None, method=self.command,
                    headers={key: value for key, value in self.headers.items() if key.lower() not in HOP_BY_HOP})
                try:
                    with urllib.request.urlopen(request, timeout=10) as answer:
                        status, headers, payload = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as refusal:
                    status, headers, payload = refusal.code, refusal.headers, refusal.read()
                if outage.mode is Mode.ANSWER_LOST:
                    outage.failed += 1
                    self.close_connection = True  # done at Stripe; the caller hears nothing
                    return
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _relay  # noqa: N815 - http.server's handler names

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> StripeOutage:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def stripe_behind_outage(upstream: str) -> Iterator[StripeOutage]:
    outage = StripeOutage(upstream).start()
    try:
        yield outage
    finally:
        outage.stop()
