"""The comment moderation gateway (D51): the local word list, and OpenAI's endpoint — played by a small local
HTTP server answering in its format — with the word list taking over when the vendor does not answer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from curbside.gateways.moderation import OpenAIModeration, Verdict, word_list_verdict


@pytest.mark.parametrize(("text", "categories"), [
    ("Friendly and on time, car exactly as described.", ()),
    ("Skilled technician, fixed it in 20 minutes.", ()),
    ("What an IDIOT.", ("harassment",)),
    ("shit service", ("profanity",)),
    ("Call me on +61 412 345 678 instead", ("personal_data",)),
    ("write to sam@example.com", ("personal_data",)),
    ("I know where you are, I will find where you live", ("violence",)),
    ("Class act, scuttled nothing", ()),  # words inside words do not count ("ass", "scum")
])
def test_the_word_list(text: str, categories: tuple[str, ...]) -> None:
    assert word_list_verdict(text) == Verdict(bool(categories), categories, "word_list")


class _OpenAI(BaseHTTPRequestHandler):
    """POST /v1/moderations as OpenAI answers it: flags texts containing "awful"."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "auth": self.headers["Authorization"], **body})
        flagged = "awful" in body["input"]
        answer = {"id": "modr-1", "model": body["model"], "results": [{
            "flagged": flagged, "categories": {"harassment": flagged, "violence": False},
            "category_scores": {"harassment": 0.9 if flagged else 0.01, "violence": 0.0}}]}
        raw = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def openai_base() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _OpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_openai_decides_when_configured(openai_base: str) -> None:
    _OpenAI.seen.clear()
    moderation = OpenAIModeration(api_key="sk-test", api_base=openai_base)

    assert moderation.check("An awful person") == Verdict(True, ("harassment",), "openai")
    assert moderation.check("Great job, thanks") == Verdict(False, (), "openai")
    assert moderation.check("call 0412 345 678") == Verdict(True, ("personal_data",), "openai")
    assert _OpenAI.seen[0] | {"input": None} == {"path": "/v1/moderations", "auth": "Bearer sk-test",
                                                "model": "omni-moderation-latest", "input": None}


def test_without_a_key_or_an_answer_the_word_list_decides() -> None:
    assert OpenAIModeration(api_key="").check("idiot") == Verdict(True, ("harassment",), "word_list")
    down = OpenAIModeration(api_key="sk-test", api_base="http://127.0.0.1:9")  # nothing listens there
    assert down.check("idiot") == Verdict(True, ("harassment",), "word_list")
    assert down.check("lovely") == Verdict(False, (), "word_list")
