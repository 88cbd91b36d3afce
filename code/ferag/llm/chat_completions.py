"""The chat model client of the chat service: OpenAI ``/chat/completions``, whole or streamed.

``HttpChatModel`` talks to ``FERAG_LLM_BASE_URL`` (a model server or the offline stand-in,
recognised by its ``X-Ferag-Standin`` header) over httpx and reports token usage;
``ExtractiveChatModel`` answers in-process when no endpoint is configured, with the same
extractive composer as the stand-in. Errors are ``graphrag_lib.llm``'s: ``LlmUnavailable``
(unreachable, timeout, 429, 5xx) and ``LlmRejected`` (any other refusal). Chat is interactive,
so nothing is retried here.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from ferag.settings import Settings
from graphrag_lib.llm import LlmRejected, LlmUnavailable
from graphrag_lib.retrieve import compose_answer, dont_know, read_context_message

logger = logging.getLogger(__name__)

STANDIN_HEADER = "x-ferag-standin"
Messages = list[dict[str, str]]


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Reply:
    text: str
    usage: Usage | None
    is_standin: bool


@dataclass(frozen=True)
class Piece:
    """A streamed part: answer text, or (last) the usage of the whole reply."""

    text: str = ""
    usage: Usage | None = None


class ChatModel(Protocol):
    model: str
    is_standin: bool

    def complete(self, messages: Messages) -> Reply: ...
    def stream(self, messages: Messages) -> Iterator[Piece]: ...
    def close(self) -> None: ...


def _usage(body: dict[str, Any]) -> Usage | None:
    usage = body.get("usage")
    if not isinstance(usage, dict):
        return None
    return Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))


class HttpChatModel:
    """An OpenAI-compatible endpoint."""

    def __init__(
        self, base_url: str, api_key: str, model: str, timeout_s: float, max_tokens: int
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.max_tokens = max_tokens
        self.is_standin = False
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=10.0),
            headers={"Authorization": f"Bearer {api_key}"},
        )

    def close(self) -> None:
        self._http.close()

    def _body(self, messages: Messages, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": self.max_tokens,
        }
        if stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
        return body

    def _check(self, response: httpx.Response) -> None:
        self.is_standin = response.headers.get(STANDIN_HEADER) == "offline"
        if response.status_code == 429 or response.status_code >= 500:
            raise LlmUnavailable(
                f"the model endpoint {self.base_url} answered {response.status_code}; "
                "try again when it is less busy"
            )
        if response.status_code >= 400:
            response.read()
            raise LlmRejected(
                f"the model endpoint {self.base_url} refused the request "
                f"({response.status_code}: {response.text[:300]}); check FERAG_CHAT_MODEL "
                "and FERAG_LLM_API_KEY"
            )

    def _unavailable(self, exc: httpx.HTTPError) -> LlmUnavailable:
        return LlmUnavailable(
            f"the model endpoint {self.base_url} is unreachable or timed out ({exc}); check that "
            "the model server is running"
        )

    def complete(self, messages: Messages) -> Reply:
        try:
            response = self._http.post(
                f"{self.base_url}/chat/completions", json=self._body(messages, stream=False)
            )
        except httpx.HTTPError as exc:
            raise self._unavailable(exc) from exc
        self._check(response)
        body = response.json()
        text = body["choices"][0]["message"].get("content") or ""
        return Reply(text, _usage(body), self.is_standin)

    def stream(self, messages: Messages) -> Iterator[Piece]:
        url = f"{self.base_url}/chat/completions"
        try:
            with self._http.stream("POST", url, json=self._body(messages, stream=True)) as response:
                self._check(response)
                for line in response.iter_lines():
                    yield from _pieces(line)
        except httpx.HTTPError as exc:
            raise self._unavailable(exc) from exc


def _pieces(line: str) -> Iterator[Piece]:
    """The pieces of one SSE line of an OpenAI chat completion stream."""
    if not line.startswith("data:"):
        return
    data = line[len("data:") :].strip()
    if not data or data == "[DONE]":
        return
    chunk = json.loads(data)
    for choice in chunk.get("choices") or []:
        content = (choice.get("delta") or {}).get("content")
        if content:
            yield Piece(text=content)
    if usage := _usage(chunk):
        yield Piece(usage=usage)


class ExtractiveChatModel:
    """No model endpoint: the stand-in's extractive answer, composed in-process."""

    model = "ferag-extractive"
    is_standin = True

    def close(self) -> None:
        """Nothing to close."""

    def complete(self, messages: Messages) -> Reply:
        context = read_context_message(messages[-1]["content"])
        if context is None:
            return Reply(dont_know(messages[-1]["content"]), None, True)
        return Reply(compose_answer(context.question, context.facts), None, True)

    def stream(self, messages: Messages) -> Iterator[Piece]:
        for word in re.findall(r"\S+\s*", self.complete(messages).text):
            yield Piece(text=word)


def chat_model_from_settings(settings: Settings) -> ChatModel:
    if settings.llm_base_url is None:
        logger.warning("no FERAG_LLM_BASE_URL: chat answers are extractive (no model)")
        return ExtractiveChatModel()
    return HttpChatModel(
        settings.llm_base_url,
        settings.llm_api_key.get_secret_value(),
        settings.chat_model,
        settings.chat_timeout_s,
        settings.chat_max_answer_tokens,
    )
