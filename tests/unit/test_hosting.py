"""The hosting server's reading of `firebase.json`, and the console's reach: every callable its pages call has a
rewrite to a function `main.py` deploys, and no file outside `hosting/` is served."""

from __future__ import annotations

import base64
import json
import re

from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

import main
from devstack.hosting import FIREBASE_JSON, HostingApp, HostingConfig, glob_match

CONSOLE = FIREBASE_JSON.parent / "hosting" / "admin"


def test_globs_match_as_hosting_does():
    assert glob_match("/admin/**", "/admin/") and glob_match("/admin/**", "/admin/a/b")
    assert not glob_match("/admin/*", "/admin/a/b") and not glob_match("/admin/**", "/administrator")


def test_every_callable_the_console_calls_is_rewritten_to_a_deployed_function():
    called = {name for path in CONSOLE.glob("*.js")
              for name in re.findall(r'call\("(\w+)"', path.read_text())}
    rewritten = {r.function for r in HostingConfig.load().rewrites if r.function is not None}
    assert called and called <= rewritten
    assert rewritten <= set(main.__all__)
    # internal notes on a dispute; the catalogue with its inactive services (admins only, D137)
    assert {name for name in rewritten if not name.startswith("admin_")} == {"add_dispute_comment", "list_services"}


def served(path: str) -> tuple[int, str]:
    """What the hosting server answers for `path`, given raw (no client-side normalisation of `..`)."""
    def no_functions(environ, start_response):  # the function rewrites are not what these cases reach
        raise AssertionError(f"no function expected for {environ['PATH_INFO']}")

    app = HostingApp(HostingConfig.load(), "demo-curbside", no_functions, lambda uid: None)
    environ = EnvironBuilder(path="/").get_environ()
    environ["PATH_INFO"] = path
    body, status, _ = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), b"".join(body).decode()


def test_the_console_and_its_deep_links_serve_the_page_and_nothing_outside_hosting_is_served():
    assert "<title>Curbside admin</title>" in served("/admin/")[1]
    assert "<title>Curbside admin</title>" in served("/admin/users/deep/link")[1]
    assert served("/admin/app.js")[1].startswith("// The admin console's shell")
    assert served("/../Makefile")[0] == 404
    status, body = served("/admin/../../firestore.rules")
    assert status == 200 and "<title>Curbside admin</title>" in body and "rules_version" not in body


def test_the_development_sign_in_mints_the_admin_claim_only_for_an_admin_of_the_local_database():
    roles = {"admin-001": "admin", "client-001": "user"}
    app = HostingApp(HostingConfig.load(), "demo-curbside", lambda e, s: [], roles.get)
    client = Client(app)

    def claims(uid: str) -> dict[str, object]:
        token = client.post("/__devstack/sign-in", json={"uid": uid}).get_json()["idToken"]
        payload = token.split(".")[1]
        decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return decoded

    assert claims("admin-001").get("admin") is True
    assert "admin" not in claims("client-001")
    assert client.post("/__devstack/sign-in", json={"uid": "nobody"}).status_code == 404
    assert client.post("/__devstack/sign-in", json={}).status_code == 400
