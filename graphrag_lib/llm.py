"""How ferag's own calls reach a model: an OpenAI-compatible endpoint (LM Studio, Ollama, vLLM,
hosted APIs, or ferag's offline stand-in). GraphRAG's indexing keeps its own client (litellm).

``ChatModel`` is the one protocol every caller takes (schema induction, chat, and judgements
that want a JSON answer); ``OpenAILikeChat`` implements it over an ``LlmEndpoint`` with
llama-index's ``OpenAILike``:

- ``complete(messages) -> str`` and ``reply(messages) -> Reply`` (the text with the token usage
  the endpoint reported: the client is shared by concurrent requests, so usage travels with
  each answer instead of sitting on the client);
- ``stream(messages) -> ReplyStream``, an iterator of text deltas whose ``usage`` is set once it
  is exhausted (``stream_options.include_usage``; llama-index reads the last chunk's usage);
- ``complete_json(messages, schema) -> dict``: ``response_format={"type": "json_schema", ...}``
  passed through to the request as is. llama-index's own structured output
  (``structured_predict``) needs a pydantic class and, for an OpenAI-like endpoint, falls back
  to tool calls or prompting unless ``should_use_structured_outputs``; a JSON schema passed
  straight through reaches every server the same way.

Where this leans on the ``openai`` SDK under llama-index, and why:

- **Retries** are the SDK's (``max_retries`` attempts after the first, exponential back-off
  from 0.5 s to 8 s with jitter, ``Retry-After`` honoured) on connection errors, timeouts, 408,
  409, 429 and 5xx. ``OpenAILike(max_retries=n)`` would retry twice over: it hands ``n`` to the
  SDK *and* wraps each call in its own tenacity loop (``n`` attempts of ``n + 1`` requests
  each), and its loop never retries a stream (it wraps only creating the generator). So the SDK
  client is built here with ``max_retries`` and given to ``OpenAILike`` (``openai_client=``),
  whose own loop is off (``max_retries=0``). ``LlmEndpoint.max_retry_wait_s`` caps GraphRAG's
  back-off only; the SDK's cap is fixed at 8 s.
- **Timeouts**: ``OpenAILike(timeout=)`` is one number for every phase; the SDK client takes an
  ``httpx.Timeout``, so connecting fails after at most 10 s however long an answer may take.
- **Errors**: llama-index lets the SDK's exceptions through, and a stream that breaks off after
  its first chunk raises httpx's; both are translated here, once.

Nothing needs a per-call timeout yet: each client has its endpoint's (chat builds its own client
with the chat timeout). Should one be needed, llama-index passes extra keyword arguments of
``chat``/``stream_chat`` on to the SDK's ``create``, which takes ``timeout=``. JSON answers
are asked one call at a time; batching (several judgements in one schema) is the caller's.

**Observing calls**: ``OpenAILikeChat(observer=...)`` is called once per model call (after the
SDK's retries, a stream once exhausted or broken off) with an ``LlmCall``: model, seconds,
outcome and usage. The host turns it into metrics; this module imports no metrics library.

Errors (callers catch the base)::

    LlmError
    ├── LlmUnavailable     the endpoint cannot be reached, times out, or answers 429/5xx after
    │                      the retries: transient, retry the step later
    ├── LlmRejected        the endpoint refused the request (wrong model name, bad key, a
    │                      schema it does not accept: other 4xx): fix the settings
    └── LlmInvalidAnswer   ``complete_json``: the answer is not a JSON object

llama-index and openai are imported on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import httpx
from pydantic import BaseModel, Field, SecretStr

if TYPE_CHECKING:
    from llama_index.core.base.llms.types import ChatMessage, ChatResponse

logger = logging.getLogger(__name__)

Messages = list[dict[str, str]]
JsonSchema = dict[str, Any]

_CONNECT_TIMEOUT_S = 10.0


class LlmEndpoint(BaseModel):
    """An OpenAI-compatible endpoint with one chat model and one embedding model."""

    base_url: str = Field(description="Endpoint URL ending in /v1, e.g. http://127.0.0.1:1234/v1.")
    api_key: SecretStr = Field(SecretStr("not-needed"), description="Bearer key of the endpoint.")
    chat_model: str = Field(description="Chat model name as the endpoint lists it.")
    embedding_model: str = Field(description="Embedding model name as the endpoint lists it.")
    embedding_dim: int = Field(gt=0, description="Dimension of the embedding model's vectors.")
    request_timeout_s: float = Field(600.0, gt=0, description="Timeout of one model request.")
    max_retries: int = Field(5, ge=0, description="Retries of a failed model request.")
    max_retry_wait_s: float = Field(
        30.0, gt=0, description="Longest back-off between GraphRAG's retries."
    )


class LlmError(Exception):
    """A model request failed."""


class LlmUnavailable(LlmError):
    """The model endpoint is unreachable or overloaded; retrying later may succeed."""


class LlmRejected(LlmError):
    """The model endpoint refused the request; fix the endpoint settings (model name, key)."""


class LlmInvalidAnswer(LlmError):
    """The model answered, but not in the shape asked for (``complete_json``)."""


@dataclass(frozen=True)
class Usage:
    """Tokens of one answer, as the endpoint reported them."""

    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class Reply:
    """A whole answer; ``usage`` is None when the endpoint reports none."""

    text: str
    usage: Usage | None = None


@dataclass(frozen=True)
class LlmCall:
    """One model call as an observer sees it: ``outcome`` is ``error`` when it raised."""

    model: str
    seconds: float
    outcome: Literal["ok", "error"]
    usage: Usage | None = None
    streamed: bool = False


LlmObserver = Callable[[LlmCall], None]


class ReplyStream(Iterator[str]):
    """The text deltas of a streamed answer (empty ones skipped). ``usage`` is set once the
    stream is exhausted, if the endpoint reported it."""

    def __init__(self, parts: Iterable[tuple[str, Usage | None]]) -> None:
        self._parts = iter(parts)
        self.usage: Usage | None = None

    @classmethod
    def of_texts(cls, texts: Iterable[str]) -> ReplyStream:
        return cls((text, None) for text in texts)

    def __next__(self) -> str:
        while True:
            text, usage = next(self._parts)
            self.usage = usage or self.usage
            if text:
                return text


class ChatModel(Protocol):
    """A chat model: OpenAI-style messages (``role``, ``content``) in, an answer out."""

    model: str

    def complete(self, messages: Messages) -> str:
        """The answer's text."""
        ...

    def reply(self, messages: Messages) -> Reply:
        """The answer with its token usage."""
        ...

    def stream(self, messages: Messages) -> ReplyStream:
        """The answer as it is written."""
        ...

    def complete_json(
        self, messages: Messages, schema: JsonSchema, name: str = "answer"
    ) -> dict[str, Any]:
        """An answer constrained to the JSON ``schema`` (an object), parsed. The schema is sent
        ``strict``: OpenAI itself then wants every property required and
        ``additionalProperties: false``; local servers constrain decoding with it as is."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class OpenAILikeChat:
    """``ChatModel`` over an OpenAI-compatible endpoint (llama-index ``OpenAILike``).

    Each request times out after ``endpoint.request_timeout_s`` (connecting after at most 10 s)
    and is retried ``endpoint.max_retries`` times by the openai SDK on transient failures.
    ``max_tokens`` bounds each answer (None: the server's limit). ``http_client`` lets the
    caller watch responses (e.g. an ``httpx`` event hook reading a header); it is closed with
    this client. ``observer`` is told of every call (``LlmCall``), e.g. to count it.
    """

    def __init__(
        self,
        endpoint: LlmEndpoint,
        temperature: float = 0.0,
        *,
        max_tokens: int | None = None,
        http_client: httpx.Client | None = None,
        observer: LlmObserver | None = None,
    ) -> None:
        import openai
        from llama_index.llms.openai_like import OpenAILike

        self.endpoint = endpoint
        self._observer = observer
        self.model = endpoint.chat_model
        api_key = endpoint.api_key.get_secret_value()
        timeout = endpoint.request_timeout_s
        self._client = openai.OpenAI(
            base_url=endpoint.base_url,
            api_key=api_key,
            max_retries=endpoint.max_retries,
            timeout=httpx.Timeout(timeout, connect=min(timeout, _CONNECT_TIMEOUT_S)),
            http_client=http_client,
        )
        self._llm = OpenAILike(
            model=endpoint.chat_model,
            api_base=endpoint.base_url,
            api_key=api_key,
            is_chat_model=True,
            temperature=temperature,
            max_tokens=max_tokens,
            timeout=timeout,
            max_retries=0,  # llama-index's own loop: off, the SDK client retries
            openai_client=self._client,
        )

    def close(self) -> None:
        self._client.close()

    def complete(self, messages: Messages) -> str:
        return self.reply(messages).text

    def reply(self, messages: Messages) -> Reply:
        return self._reply(messages)

    def stream(self, messages: Messages) -> ReplyStream:
        return ReplyStream(self._stream_parts(messages))

    def complete_json(
        self, messages: Messages, schema: JsonSchema, name: str = "answer"
    ) -> dict[str, Any]:
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema, "strict": True},
        }
        text = self._reply(messages, response_format=response_format).text
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LlmInvalidAnswer(
                f"the model {self.model} at {self.endpoint.base_url} answered with text that is "
                f"not JSON ({exc}: {text[:200]!r}); use a model and server that support "
                "response_format json_schema"
            ) from exc
        if not isinstance(value, dict):
            raise LlmInvalidAnswer(
                f"the model {self.model} at {self.endpoint.base_url} answered JSON that is not "
                f"an object: {text[:200]!r}"
            )
        return value

    def _reply(self, messages: Messages, **request: Any) -> Reply:
        started = time.perf_counter()
        try:
            response = self._llm.chat(_chat_messages(messages), **request)
        except Exception as exc:
            self._observe(started, None, failed=True)
            if (error := self._translate(exc)) is None:
                raise
            raise error from exc
        reply = Reply(response.message.content or "", _usage(response))
        self._observe(started, reply.usage, failed=False)
        return reply

    def _stream_parts(self, messages: Messages) -> Iterator[tuple[str, Usage | None]]:
        usage = {"stream_options": {"include_usage": True}}
        started = time.perf_counter()
        last: Usage | None = None
        failed = True  # until the stream is exhausted: an early stop or an error counts
        responses = self._llm.stream_chat(_chat_messages(messages), **usage)
        try:
            for response in responses:
                last = _usage(response) or last
                yield response.delta or "", _usage(response)
            failed = False
        except Exception as exc:
            if (error := self._translate(exc)) is None:
                raise
            raise error from exc
        finally:
            responses.close()  # a reader that stops early (client gone) frees the connection
            self._observe(started, last, failed=failed, streamed=True)

    def _observe(
        self, started: float, usage: Usage | None, *, failed: bool, streamed: bool = False
    ) -> None:
        if self._observer is None:
            return
        seconds = time.perf_counter() - started
        outcome: Literal["ok", "error"] = "error" if failed else "ok"
        self._observer(LlmCall(self.model, seconds, outcome, usage, streamed))

    def _translate(self, exc: Exception) -> LlmError | None:
        """``exc`` as an ``LlmError`` if it is the endpoint's failure, else None."""
        import openai

        where = f"the model endpoint {self.endpoint.base_url}"
        error: LlmError | None = None
        if isinstance(exc, openai.APIStatusError) and _is_refusal(exc.status_code):
            error = LlmRejected(
                f"{where} refused the request ({exc.status_code}: {_detail(exc)}); check the "
                f"chat model name ({self.model}) and the API key"
            )
        elif isinstance(exc, openai.APIError | httpx.TransportError):
            attempts = self.endpoint.max_retries + 1
            error = LlmUnavailable(
                f"{where} is unavailable ({_detail(exc)}; {attempts} attempt"
                f"{'s' if attempts > 1 else ''}); check that the model server is running and "
                "reachable, or try again when it is less busy"
            )
        return error


def _is_refusal(status: int) -> bool:
    """A 4xx the SDK does not retry (408 timeout, 409 conflict, 429 busy are transient)."""
    return 400 <= status < 500 and status not in (408, 409, 429)


def _detail(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APIStatusError):
        return str(exc.message)[:300]
    return str(exc) or type(exc).__name__


def _chat_messages(messages: Messages) -> list[ChatMessage]:
    from llama_index.core.base.llms.types import ChatMessage, MessageRole

    return [ChatMessage(role=MessageRole(m["role"]), content=m["content"]) for m in messages]


def _usage(response: ChatResponse) -> Usage | None:
    """The usage llama-index read off the response (or a stream's last chunk)."""
    counts = response.additional_kwargs
    if "prompt_tokens" not in counts:
        return None
    return Usage(int(counts["prompt_tokens"] or 0), int(counts.get("completion_tokens") or 0))
