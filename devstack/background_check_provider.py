"""A small, real background-check provider for the local stack and tests: it answers the Checkr-style API the
functions' gateway speaks (`functions/curbside/gateways/background_checks.py`) and sends signed webhooks.

- `POST /v1/candidates`, `GET /v1/candidates/{id}`, `POST /v1/reports`, `GET /v1/reports/{id}` — HTTP basic
  auth with the API key; JSON in and out; a repeated `Idempotency-Key` gets the first answer back.
- A new report is `pending`; after `delay_s` it completes with the configured result (`clear` by default,
  `consider` when switched — see below) and the provider POSTs `report.completed` to the registered webhook,
  signed `X-Background-Check-Signature: t={unix},v1={hex HMAC-SHA256(secret, "{t}.{body}")}`. A delivery that
  is not answered 2xx is sent again with a doubling pause (0.25 s to 8 s, 12 attempts), as providers do.
- The switch for `consider`: `result="consider"` when starting it (`python -m devstack dev
  --background-check-result consider`), `POST /_curbside/config {"result": "consider", "delay_s": 1}` while it
  runs, or a candidate whose e-mail contains `+consider` (always `consider`, whatever the switch).
- `POST /_curbside/webhooks {"url", "secret"}` registers where events go; `GET /_curbside/deliveries` lists
  what was sent and how each delivery was answered (for tests).

It runs in a thread of the process that starts it (the stack, a test), on a free port unless told one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flask
import requests
from werkzeug.serving import BaseWSGIServer, make_server

log = logging.getLogger("devstack.background_checks")

API_KEY = "bgc_test_curbside_local"
WEBHOOK_SECRET = "bgc_whsec_curbside_local"
RESULTS = ("clear", "consider")
RETRY_PAUSES_S = tuple(min(0.25 * 2 ** n, 8.0) for n in range(12))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Delivery:
    event_id: str
    event_type: str
    report_id: str
    statuses: list[int] = field(default_factory=list)
    """The HTTP status of each attempt (0: no answer)."""


class LocalBackgroundCheckProvider:
    def __init__(self, port: int = 0, host: str = "127.0.0.1", *, result: str = "clear", delay_s: float = 2.0,
                 api_key: str = API_KEY) -> None:
        if result not in RESULTS:
            raise ValueError(f"result must be one of {RESULTS}")
        self.host = host
        self.result = result
        self.delay_s = delay_s
        self.api_key = api_key
        self.webhook_url: str | None = None
        self.webhook_secret = WEBHOOK_SECRET
        self.candidates: dict[str, dict[str, Any]] = {}
        self.reports: dict[str, dict[str, Any]] = {}
        self.deliveries: list[Delivery] = []
        self._answers: dict[str, tuple[int, dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._timers: list[threading.Timer] = []
        self._stopping = threading.Event()
        self._server: BaseWSGIServer = make_server(host, port, self._app(), threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="devstack-background-checks", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalBackgroundCheckProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def __enter__(self) -> LocalBackgroundCheckProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def register_webhook(self, url: str, secret: str = WEBHOOK_SECRET) -> None:
        self.webhook_url, self.webhook_secret = url, secret

    # --- the API ----------------------------------------------------------------------------------------------

    def _app(self) -> flask.Flask:
        app = flask.Flask("devstack.background_checks")

        @app.before_request
        def authenticate() -> Any:
            if flask.request.path.startswith("/v1/"):
                auth = flask.request.authorization
                if auth is None or auth.username != self.api_key:
                    return {"error": "Bad authentication error"}, 401
            return None

        @app.post("/v1/candidates")
        def create_candidate() -> Any:
            return self._once(self._candidate)

        @app.get("/v1/candidates/<candidate_id>")
        def get_candidate(candidate_id: str) -> Any:
            found = self.candidates.get(candidate_id)
            return (found, 200) if found else ({"error": "Candidate not found"}, 404)

        @app.post("/v1/reports")
        def create_report() -> Any:
            return self._once(self._report)

        @app.get("/v1/reports/<report_id>")
        def get_report(report_id: str) -> Any:
            with self._lock:
                found = dict(self.reports[report_id]) if report_id in self.reports else None
            return (found, 200) if found else ({"error": "Report not found"}, 404)

        @app.post("/_curbside/config")
        def configure() -> Any:
            body = flask.request.get_json(force=True, silent=True) or {}
            if body.get("result", self.result) not in RESULTS:
                return {"error": f"result must be one of {RESULTS}"}, 400
            self.result = str(body.get("result", self.result))
            self.delay_s = float(body.get("delay_s", self.delay_s))
            return {"result": self.result, "delay_s": self.delay_s}

        @app.post("/_curbside/webhooks")
        def webhooks() -> Any:
            body = flask.request.get_json(force=True, silent=True) or {}
            self.register_webhook(str(body["url"]), str(body.get("secret", WEBHOOK_SECRET)))
            return {"url": self.webhook_url}

        @app.get("/_curbside/deliveries")
        def deliveries() -> Any:
            with self._lock:
                return {"deliveries": [vars(delivery) for delivery in self.deliveries]}

        return app

    def _once(self, create: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]) -> Any:
        """Run `create` once per Idempotency-Key: a repeated key answers what the first request answered."""
        key = flask.request.headers.get("Idempotency-Key")
        body = flask.request.get_json(force=True, silent=True) or {}
        with self._lock:
            if key and key in self._answers:
                status, answer = self._answers[key]
                return self._fresh(answer), status
            status, answer = create(body)
            if key and status < 400:
                self._answers[key] = (status, answer)
        return answer, status

    def _fresh(self, answer: dict[str, Any]) -> dict[str, Any]:
        """A replayed report answer shows the report as it is now (as a GET would)."""
        return dict(self.reports.get(answer["id"], answer)) if answer.get("object") == "report" else answer

    def _candidate(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        candidate_id = f"cand_{next(self._ids):06d}"
        candidate = {"id": candidate_id, "object": "candidate", "created_at": _now(),
                     **{name: body.get(name) for name in ("custom_id", "email", "first_name", "last_name")}}
        self.candidates[candidate_id] = candidate
        return 201, candidate

    def _report(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        candidate = self.candidates.get(str(body.get("candidate_id")))
        if candidate is None:
            return 404, {"error": "Candidate not found"}
        report = {"id": f"rep_{next(self._ids):06d}", "object": "report", "status": "pending", "result": None,
                  "package": body.get("package"), "candidate_id": candidate["id"], "created_at": _now(),
                  "completed_at": None}
        self.reports[report["id"]] = report
        verdict = "consider" if "+consider" in str(candidate.get("email") or "") else self.result
        timer = threading.Timer(self.delay_s, self._complete, args=(report["id"], verdict))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()
        return 201, dict(report)

    # --- completing reports and sending events --------------------------------------------------------------

    def _complete(self, report_id: str, result: str) -> None:
        with self._lock:
            report = self.reports[report_id]
            report.update(status="complete", result=result, completed_at=_now())
            snapshot = dict(report)
        self.send("report.completed", snapshot)

    def send(self, event_type: str, report: dict[str, Any]) -> Delivery:
        """Sign and POST one event about `report` to the registered webhook, again until it answers 2xx."""
        event_id = f"evt_{next(self._ids):06d}"
        event = {"id": event_id, "object": "event", "type": event_type, "created_at": _now(),
                 "data": {"object": report}}
        delivery = Delivery(event_id, event_type, str(report["id"]))
        with self._lock:
            self.deliveries.append(delivery)
        body = json.dumps(event).encode()
        for pause in RETRY_PAUSES_S:
            if self._stopping.is_set() or self.webhook_url is None:
                break
            delivery.statuses.append(self._post(body))
            if 200 <= delivery.statuses[-1] < 300:
                break
            self._stopping.wait(pause)
        return delivery

    def _post(self, body: bytes) -> int:
        assert self.webhook_url is not None
        t = int(time.time())
        digest = hmac.new(self.webhook_secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        try:
            response = requests.post(self.webhook_url, data=body, timeout=10, headers={
                "Content-Type": "application/json", "User-Agent": "Curbside-Local-Checks/1",
                "X-Background-Check-Signature": f"t={t},v1={digest}"})
        except requests.RequestException as exc:
            log.warning("background_checks.delivery_failed error=%s", type(exc).__name__)
            return 0
        return response.status_code
