"""The functions server: one threaded WSGI server on the Functions emulator port (5001 by default).

It answers four kinds of caller on the URL scheme of the Firebase emulators:
- apps and the demo: callable, HTTP and task-queue functions at `/{project}/{region}/{name}[/sub/path]`.
  Each request is handed to the SDK-decorated function as a Flask request, so the SDK's own callable
  protocol runs (body checks, ID-token verification, `{"result"}`/`{"error"}` shapes) exactly as deployed;
  an HTTP function sees the path after its name, as on cloudfunctions.net;
- the Firestore emulator: trigger CloudEvents at `/functions/projects/{project}/triggers/{key}`;
- firebase-admin's task queue client (`CLOUD_TASKS_EMULATOR_HOST`): the Cloud Tasks create/delete calls;
- people and the CLI: `/__devstack/...` (health, function list, run a schedule now, pending tasks, the
  pushes, SMS and e-mails sent).
Scheduled functions and task dispatches are invoked in-process through `Runtime.invoke`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import flask
from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import EnvironBuilder, run_wsgi_app

from devstack.activity import Activity
from devstack.loader import FunctionDef, Functions
from devstack.scheduler import Scheduler
from devstack.tasks import TaskApiError, TaskQueues
from devstack.triggers import TriggerDelivery

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("devstack.server")

FUNCTION_KEY = "devstack.function"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
NO_AUTH_EMULATOR = ("The local stack runs no Auth emulator: sign users in with unsigned emulator ID tokens "
                    "(`python -m devstack token UID`), or run firebase-tools' Auth emulator and start the stack "
                    "with --auth-emulator HOST:PORT.")


class Runtime:
    """The Flask app every function runs in (functions-framework gives each function one the same way)."""

    def __init__(self) -> None:
        self.app = flask.Flask("devstack.functions")

        @self.app.route("/", defaults={"path": ""}, methods=METHODS)
        @self.app.route("/<path:path>", methods=METHODS)
        def run(path: str) -> Any:
            fn: FunctionDef = flask.request.environ[FUNCTION_KEY]
            return fn.handler(flask.request)

    def invoke(self, fn: FunctionDef, headers: dict[str, str], body: bytes, method: str = "POST") -> int:
        """Call `fn` in-process as an HTTP request would; returns the HTTP status it answered."""
        environ = EnvironBuilder(path="/", method=method, headers=Headers(headers), data=body).get_environ()
        environ[FUNCTION_KEY] = fn
        app_iter, status, _ = run_wsgi_app(self.app, environ, buffered=True)
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
        return int(status.split(maxsplit=1)[0])


@dataclass
class Gateway:
    """WSGI entry: function URLs go to the runtime, everything else to the control app."""

    project: str
    functions: Functions
    runtime: Runtime
    control: flask.Flask
    activity: Activity

    def route(self, path: str) -> tuple[FunctionDef, str, str] | None:
        """(function, its URL prefix, the rest of the path) for `/{project}/{region}/{name}[/rest]`."""
        parts = path.split("/", 4)
        if len(parts) < 4 or parts[1] != self.project:
            return None
        fn = self.functions.get(parts[3])
        if fn is None or not fn.served_over_http or fn.region != parts[2]:
            return None
        rest = "/" + parts[4] if len(parts) == 5 else "/"
        return fn, "/".join(parts[:4]), rest

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        routed = self.route(environ.get("PATH_INFO", ""))
        if routed is None:
            return self.control(environ, start_response)
        fn, prefix, rest = routed
        environ = {**environ, "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + prefix, "PATH_INFO": rest,
                   FUNCTION_KEY: fn}
        started = time.monotonic()
        statuses: list[int] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
            statuses.append(int(status.split(maxsplit=1)[0]))
            return start_response(status, headers, exc_info)

        try:
            return self.runtime.app(environ, capture)
        finally:
            self.activity.record(fn.kind, fn.name, statuses[0] if statuses else 500,
                                 f"{environ.get('REQUEST_METHOD')} {rest}", started)


def control_app(project: str, functions: Functions, *, triggers: TriggerDelivery, tasks: TaskQueues,
                scheduler: Scheduler, ready: threading.Event,
                messages: Callable[[], dict[str, list[dict[str, Any]]]] = dict) -> flask.Flask:
    """Routes for the Firestore emulator, the task-queue client and the `/__devstack` admin endpoints."""
    app = flask.Flask("devstack.control")

    @app.post("/functions/projects/<project_id>/triggers/<key>")
    def trigger(project_id: str, key: str) -> flask.Response:
        status = triggers.deliver(key, dict(flask.request.headers), flask.request.get_data())
        return flask.Response(status=status)

    tasks_path = "/projects/<p>/locations/<loc>/queues/<queue>/tasks"

    @app.post(tasks_path)
    @app.post("/v2" + tasks_path)
    def enqueue(p: str, loc: str, queue: str) -> Any:
        return tasks.enqueue(p, loc, queue, flask.request.get_json(force=True, silent=True) or {})

    @app.delete(tasks_path + "/<task_id>")
    @app.delete("/v2" + tasks_path + "/<task_id>")
    def delete(p: str, loc: str, queue: str, task_id: str) -> Any:
        tasks.delete(p, loc, queue, task_id)
        return {}

    @app.errorhandler(TaskApiError)
    def task_api_error(exc: TaskApiError) -> Any:
        return exc.as_json(), exc.http_status

    @app.get("/__devstack/health")
    def health() -> Any:
        """503 until every part is up and the triggers are registered (a write before that runs no trigger)."""
        if not ready.is_set():
            return {"status": "starting", "project": project}, 503
        return {"status": "ok", "project": project}

    @app.get("/__devstack/functions")
    def list_functions() -> Any:
        return {"functions": [{"name": fn.name, "kind": fn.kind.value, "region": fn.region}
                              for fn in functions]}

    @app.post("/__devstack/schedules/<name>")
    def run_schedule(name: str) -> Any:
        if name not in scheduler.jobs:
            return {"error": f"No scheduled function {name!r}; scheduled functions: "
                             f"{', '.join(sorted(scheduler.jobs)) or 'none'}."}, 404
        return {"name": name, "status": scheduler.run_now(name)}

    @app.get("/__devstack/schedules")
    def list_schedules() -> Any:
        return {"schedules": [{"name": name, "next_run": job.next_run.isoformat()}
                              for name, job in sorted(scheduler.jobs.items())]}

    @app.get("/__devstack/messages")
    def messages_sent() -> Any:
        """Every push, SMS and e-mail the functions sent (the doubles' records and the local SMTP server's)."""
        return messages()

    @app.get("/__devstack/tasks")
    def pending_tasks() -> Any:
        return {"tasks": [{"name": task.name, "function": task.fn.name, "due": task.due.isoformat(),
                           "attempts": task.attempts} for task in tasks.pending()]}

    @app.route("/identitytoolkit.googleapis.com/<path:rest>", methods=METHODS)
    @app.route("/securetoken.googleapis.com/<path:rest>", methods=METHODS)
    def no_auth_emulator(rest: str) -> Any:
        return {"error": {"code": 501, "message": NO_AUTH_EMULATOR, "status": "UNIMPLEMENTED"}}, 501

    @app.errorhandler(404)
    def not_found(_: Exception) -> Any:
        names = ", ".join(f"{fn.region}-{fn.name}" for fn in functions if fn.served_over_http)
        return flask.Response(f"Function {flask.request.path} does not exist, valid functions are: {names}\n",
                              status=404, mimetype="text/plain")

    return app


class ServerThread:
    """A werkzeug threaded server running `app` in a background thread; `stop()` frees the port."""

    def __init__(self, host: str, port: int, app: WSGIApplication) -> None:
        # threaded=True: one daemon thread per request, so a slow function never blocks trigger delivery
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="devstack-functions-server", daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
