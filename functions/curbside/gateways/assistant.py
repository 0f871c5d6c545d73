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
from typing import Any, Protocol

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


class OpenAIAssistant:
    """The production gateway. Configuration is read on first use, never at import or construction."""

    def __init__(self, api_key: str | None = None, model: str | None = None, api_base: str | None = None, *,
                 timeout_s: float = TIMEOUT_S) -> None:
        self._api_key = api_key
        self._model = model
        self._api_base = api_base
        self._timeout_s = timeout_s
        self._session = requests.Session()

    def _key(self) -> str:
        key = self._api_key if self._api_key is not None else config.OPENAI_API_KEY.value
        if not key:
            raise VendorUnavailable("The support assistant's model is not configured.")
        return key

    def reply(self, prompt: Prompt) -> ModelReply:
        key = self._key()
        base = (self._api_base if self._api_base is not None else config.OPENAI_API_BASE.value).rstrip("/")
        messages = [{"role": "system", "content": f"{prompt.instructions}\n\n# Knowledge base\n{prompt.knowledge}"
                                                  f"\n\n# The person's own records\n{prompt.facts}"}]
        messages += [{"role": role, "content": text} for role, text in prompt.conversation]
        messages.append({"role": "user", "content": json.dumps({"question": prompt.question})})
        body = {"model": self._model or config.OPENAI_MODEL.value, "messages": messages, "temperature": 0.2,
                "max_tokens": MAX_ANSWER_TOKENS,
                "response_format": {"type": "json_schema", "json_schema": REPLY_SCHEMA}}
        try:
            response = self._session.post(f"{base}/chat/completions", json=body, timeout=self._timeout_s,
                                          headers={"Authorization": f"Bearer {key}"})
        except requests.RequestException:
            raise VendorUnavailable("The support assistant's model did not answer.") from None
        if response.status_code != 200:
            raise VendorUnavailable(f"The support assistant's model answered {response.status_code}.")
        return parse_reply(response.json())


def parse_reply(payload: dict[str, Any]) -> ModelReply:
    """OpenAI's answer in our shape; anything else (a refusal, a cut-off answer, bad JSON) is unavailable."""
    try:
        choice = payload["choices"][0]
        if choice.get("finish_reason") != "stop" or choice["message"].get("refusal"):
            raise VendorUnavailable("The support assistant's model gave no usable answer.")
        content = json.loads(choice["message"]["content"])
        confidence = float(content["confidence"])
        return ModelReply(str(content["answer"]).strip(), min(max(confidence, 0.0), 1.0),
                          content["needs_human"] is True, int(payload.get("usage", {}).get("total_tokens", 0)))
    except (KeyError, IndexError, TypeError, ValueError):
        raise VendorUnavailable("The support assistant's model answered outside its schema.") from None
