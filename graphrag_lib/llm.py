"""How the pipeline reaches models: an OpenAI-compatible endpoint (LM Studio, Ollama, vLLM,
hosted APIs, or ferag's offline stand-in).

``ChatModel`` is what pipeline steps take; ``OpenAILikeChat`` implements it over an
``LlmEndpoint`` with llama-index's ``OpenAILike``. Errors (callers catch the base)::

    LlmError
    ├── LlmUnavailable   the endpoint cannot be reached, times out, or answers 429/5xx after the
    │                    endpoint's retries: transient, retry the step later
    └── LlmRejected      the endpoint refused the request (wrong model name, bad key, 4xx)
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from pydantic import BaseModel, Field, SecretStr

logger = logging.getLogger(__name__)


class LlmEndpoint(BaseModel):
    """An OpenAI-compatible endpoint with one chat model and one embedding model."""

    base_url: str = Field(description="Endpoint URL ending in /v1, e.g. http://127.0.0.1:1234/v1.")
    api_key: SecretStr = Field(SecretStr("not-needed"), description="Bearer key of the endpoint.")
    chat_model: str = Field(description="Chat model name as the endpoint lists it.")
    embedding_model: str = Field(description="Embedding model name as the endpoint lists it.")
    embedding_dim: int = Field(gt=0, description="Dimension of the embedding model's vectors.")
    request_timeout_s: float = Field(600.0, gt=0, description="Timeout of one model request.")
    max_retries: int = Field(5, ge=0, description="Retries of a failed model request.")
    max_retry_wait_s: float = Field(30.0, gt=0, description="Longest back-off between retries.")


class LlmError(Exception):
    """A chat request failed."""


class LlmUnavailable(LlmError):
    """The model endpoint is unreachable or overloaded; retrying later may succeed."""


class LlmRejected(LlmError):
    """The model endpoint refused the request; fix the endpoint settings (model name, key)."""


class ChatModel(Protocol):
    """A chat model: OpenAI-style messages (``role``, ``content``) in, the reply text out."""

    def complete(self, messages: list[dict[str, str]]) -> str: ...


_FIRST_RETRY_WAIT_S = 0.5


class OpenAILikeChat:
    """``ChatModel`` over an OpenAI-compatible endpoint (llama-index ``OpenAILike``).

    Retries transient failures ``endpoint.max_retries`` times with exponential back-off capped
    at ``endpoint.max_retry_wait_s``; each request times out after ``request_timeout_s``.
    llama-index and openai are imported on first use, so importing this module stays cheap.
    """

    def __init__(self, endpoint: LlmEndpoint, temperature: float = 0.0) -> None:
        from llama_index.llms.openai_like import OpenAILike

        self.endpoint = endpoint
        self._llm = OpenAILike(
            model=endpoint.chat_model,
            api_base=endpoint.base_url,
            api_key=endpoint.api_key.get_secret_value(),
            is_chat_model=True,
            temperature=temperature,
            timeout=endpoint.request_timeout_s,
            max_retries=0,  # retried here, so the endpoint's back-off cap holds
        )

    def complete(self, messages: list[dict[str, str]]) -> str:
        import openai
        from llama_index.core.base.llms.types import ChatMessage, MessageRole

        transient = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)
        chat = [ChatMessage(role=MessageRole(m["role"]), content=m["content"]) for m in messages]
        for attempt in range(self.endpoint.max_retries + 1):
            try:
                return self._llm.chat(chat).message.content or ""
            except transient as exc:
                if attempt == self.endpoint.max_retries:
                    raise LlmUnavailable(self._unavailable_message(exc)) from exc
                wait = min(self.endpoint.max_retry_wait_s, _FIRST_RETRY_WAIT_S * 2**attempt)
                logger.warning("model request failed (%s); retrying in %.1f s", exc, wait)
                time.sleep(wait)
            except openai.APIError as exc:
                raise LlmRejected(
                    f"The model endpoint {self.endpoint.base_url} refused the request: {exc}. "
                    "Check the chat model name and API key."
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _unavailable_message(self, exc: Exception) -> str:
        return (
            f"The model endpoint {self.endpoint.base_url} is unavailable after "
            f"{self.endpoint.max_retries + 1} attempts ({exc}). Check that the model server "
            "is running and reachable."
        )
