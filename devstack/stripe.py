"""The local Stripe of the stack: localstripe extended with Connect (`tests/localstripe_connect.py`), a subprocess
like the emulators, started from scratch and stopped with the stack.

The functions' Stripe gateway is pointed at it through `STRIPE_API_BASE` with the test keys below, and the stack's
`stripe_webhook` URL is registered with it, so it signs and delivers its own events (`account.updated` after
onboarding, ...) as Stripe would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "sk_test_curbside_local"
WEBHOOK_SECRET = "whsec_curbside_local"
WEBHOOK_ID = "curbside"


class LocalStripeServer:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.port = port
        self.host = host
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 20) -> LocalStripeServer:
        command = [sys.executable, "-m", "tests.localstripe_connect", "--port", str(self.port), "--from-scratch"]
        self._process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.get("/v1/customers")
                return self
            except (urllib.error.URLError, ConnectionError) as exc:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"localstripe did not start on port {self.port}") from exc
                time.sleep(0.1)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def register_webhook(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        """localstripe signs every event it emits with `secret` and POSTs it to `url`."""
        self._call("POST", f"/_config/webhooks/{WEBHOOK_ID}", {"url": url, "secret": secret})

    def post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        return self._call("POST", path, form)

    def get(self, path: str) -> dict[str, Any]:
        return self._call("GET", path, None)

    def _call(self, method: str, path: str, form: dict[str, str] | None) -> dict[str, Any]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Authorization": f"Bearer {SECRET_KEY}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            raw = response.read()
        body: dict[str, Any] = json.loads(raw) if raw.strip() else {}
        return body
