"""The support assistant's language model: OpenAI's Chat Completions API with structured output.

The gateway is given everything it may use — the instructions, the knowledge base, the caller's own facts and
the conversation — and answers `{answer, confidence, needs_human}` (a JSON schema OpenAI must follow) with the
tokens it spent. The person's words go in a user message of their own, as data: the instructions say so, and
they never reach the system message. Any failure (no key, timeout, refusal, an answer not in the schema) is
`VendorUnavailable`, and the caller answers from the local retriever instead (docs/decisions.md D58).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import requests

from curbside import config
from curbside.domain.errors import VendorUnavailable

TIMEOUT_S = 8.0
"""The callable answers within seconds; past this the local retriever answers instead."""
MAX_ANSWER_TOKENS = 400

REPLY_SCHEMA: dict[str, Any] = {
    "name": "support_reply",
    "strict": True,
    "schema": {
        "type": "object",
        "additionalProperties": False,
        "required": ["answer", "confidence", "needs_human"],
        "properties": {
            "answer": {"type": "string"},
            "confidence": {"type": "number"},
            "needs_human": {"type": "boolean"},
        },
    },
}


@dataclass(frozen=True)
class Prompt:
    instructions: str
    knowledge: str
    facts: str
    """The caller's own records, as text: nothing of anyone else's."""
    conversation: tuple[tuple[str, str], ...]
    """Earlier turns, `("user" | "assistant", text)`, oldest first."""
    question: str


@dataclass(frozen=True)
class ModelReply:
    answer: str
    confidence: float
    needs_human: bool
    tokens: int


class Assistant(Protocol):
    def reply(self, prompt: Prompt) -> ModelReply: ...


class OpenAIChat:
    """What OpenAI's Chat Completions gateways share (the assistant, the photo reader): configuration read on
    first use, never at import or construction; one call, its failures as `VendorUnavailable` naming `who`."""

    who: ClassVar[str]
    default_timeout_s: ClassVar[float]

    def __init__(self, api_key: str | None = None, model: str | None = None, api_base: str | None = None, *,
                 timeout_s: float | None = None) -> None:
        self._api_key = api_key
        self._model = model
        self._api_base = api_base
        self._timeout_s = self.default_timeout_s if timeout_s is None else timeout_s
        self._session = requests.Session()

    def _complete(self, body: dict[str, Any], default_model: str) -> dict[str, Any]:
        """Post `body` (with the pinned model) and answer OpenAI's JSON; no key, no answer, an HTTP error or a
        body that is not JSON is `VendorUnavailable`."""
        key = self._api_key if self._api_key is not None else config.OPENAI_API_KEY.value
        if not key:
            raise VendorUnavailable(f"{self.who} is not configured.")
        base = (self._api_base if self._api_base is not None else config.OPENAI_API_BASE.value).rstrip("/")
        try:
            response = self._session.post(f"{base}/chat/completions", json={"model": self._model or default_model,
                                                                              **body},
                                          timeout=self._timeout_s, headers={"Authorization": f"Bearer {key}"})
        except requests.RequestException:
            raise VendorUnavailable(f"{self.who} did not answer.") from None
        if response.status_code != 200:
            raise VendorUnavailable(f"{self.who} answered {response.status_code}.")
        try:
            answer: dict[str, Any] = response.json()
        except ValueError:
            raise VendorUnavailable(f"{self.who} answered outside its schema.") from None
        return answer


WHO = "The support assistant's model"


class OpenAIAssistant(OpenAIChat):
    """The production gateway of the support assistant."""

    who = WHO
    default_timeout_s = TIMEOUT_S

    def reply(self, prompt: Prompt) -> ModelReply:
        messages = [{"role": "system", "content": f"{prompt.instructions}\n\n# Knowledge base\n{prompt.knowledge}"
                                                  f"\n\n# The person's own records\n{prompt.facts}"}]
        messages += [{"role": role, "content": text} for role, text in prompt.conversation]
        messages.append({"role": "user", "content": json.dumps({"question": prompt.question})})
        body = {"messages": messages, "temperature": 0.2, "max_tokens": MAX_ANSWER_TOKENS,
                "response_format": {"type": "json_schema", "json_schema": REPLY_SCHEMA}}
        return parse_reply(self._complete(body, config.OPENAI_MODEL.value))


def structured_content(payload: dict[str, Any], who: str) -> Any:
    """The JSON an answer in a strict schema carries; a refusal or a cut-off answer is `VendorUnavailable`. A
    malformed payload raises KeyError, IndexError, TypeError or ValueError for the caller to translate."""
    choice = payload["choices"][0]
    if choice.get("finish_reason") != "stop" or choice["message"].get("refusal"):
        raise VendorUnavailable(f"{who} gave no usable answer.")
    return json.loads(choice["message"]["content"])


def parse_reply(payload: dict[str, Any]) -> ModelReply:
    """OpenAI's answer in our shape; anything else (a refusal, a cut-off answer, bad JSON) is unavailable."""
    try:
        content = structured_content(payload, WHO)
        confidence = float(content["confidence"])
        return ModelReply(str(content["answer"]).strip(), min(max(confidence, 0.0), 1.0),
                          content["needs_human"] is True, int(payload.get("usage", {}).get("total_tokens", 0)))
    except (KeyError, IndexError, TypeError, ValueError):
        raise VendorUnavailable(f"{WHO} answered outside its schema.") from None
