"""The embedding model behind the OpenAI-compatible ``/v1/embeddings``.

``EndpointEmbedder`` passes a request through to ``FERAG_EMBEDDING_MODEL`` at
``FERAG_LLM_BASE_URL`` (whatever model the caller named: a member asks for ferag's embeddings)
and returns the endpoint's answer as it came, so ``encoding_format`` and ``dimensions`` mean what
the endpoint makes of them. Without an endpoint, ``LocalEmbedder`` computes the offline
stand-in's vectors in-process (``ferag.llm.standin.embed_text``: hashed words, no meaning).
Failures are ``graphrag_lib.llm``'s errors: ``LlmUnavailable`` (unreachable, timed out, 429,
5xx) and ``LlmRejected`` (any other 4xx).
"""

from __future__ import annotations

from typing import Any

import httpx

from ferag.llm.openai_wire import EmbeddingRequest
from ferag.llm.standin import EMBEDDING_MODEL, embeddings_body
from ferag.settings import Settings
from graphrag_lib.llm import LlmRejected, LlmUnavailable

CONNECT_TIMEOUT_S = 10.0
DETAIL_CHARS = 300  # of an endpoint's error body, in our message


class EndpointEmbedder:
    """The configured embedding model at the model endpoint."""

    def __init__(self, base_url: str, api_key: str, model: str, timeout_s: float) -> None:
        self.model = model
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
        )

    def close(self) -> None:
        self._client.close()

    def embed(self, request: EmbeddingRequest) -> dict[str, Any]:
        body = {**request.model_dump(exclude_none=True), "model": self.model}
        where = f"the embedding model `{self.model}` at {self._client.base_url}"
        try:
            response = self._client.post("embeddings", json=body)
        except httpx.HTTPError as exc:
            raise LlmUnavailable(
                f"{where} is unreachable: {exc}; check FERAG_LLM_BASE_URL"
            ) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise LlmUnavailable(f"{where} is unavailable ({response.status_code}); retry later")
        if response.is_error:
            detail = response.text[:DETAIL_CHARS]
            raise LlmRejected(
                f"{where} refused the request ({response.status_code}: {detail}); "
                "check FERAG_EMBEDDING_MODEL and FERAG_LLM_API_KEY"
            )
        answer: dict[str, Any] = response.json()
        return answer


class LocalEmbedder:
    """No model endpoint: the stand-in's hashed vectors, computed in-process."""

    model = EMBEDDING_MODEL

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def close(self) -> None:
        """Nothing to close."""

    def embed(self, request: EmbeddingRequest) -> dict[str, Any]:
        return embeddings_body(request.model_copy(update={"model": self.model}), self.dim)


Embedder = EndpointEmbedder | LocalEmbedder


def embedder_from_settings(settings: Settings) -> Embedder:
    if settings.llm_base_url is None:
        return LocalEmbedder(settings.embedding_dim)
    return EndpointEmbedder(
        settings.llm_base_url,
        settings.llm_api_key.get_secret_value(),
        settings.embedding_model,
        settings.chat_timeout_s,
    )
