"""The offline model stand-in over real HTTP for library tests, with the rules a test needs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ferag.llm.standin import CHAT_MODEL, DEFAULT_RULES, EMBEDDING_MODEL, Rule, create_app
from ferag.llm.standin.schema import SCHEMA_RULES
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.llm import LlmEndpoint


def endpoint(base_url: str, max_retries: int = 0) -> LlmEndpoint:
    return LlmEndpoint(
        base_url=base_url,
        chat_model=CHAT_MODEL,
        embedding_model=EMBEDDING_MODEL,
        embedding_dim=16,
        request_timeout_s=30,
        max_retries=max_retries,
        max_retry_wait_s=0.05,
    )


@contextmanager
def standin_endpoint(
    rules: Sequence[Rule] = (*SCHEMA_RULES, *DEFAULT_RULES),
) -> Iterator[LlmEndpoint]:
    """uvicorn serving the stand-in with ``rules`` in a thread; yields its endpoint."""
    with ThreadedServer(create_app(embedding_dim=16, rules=rules)) as server:
        yield endpoint(f"{server.url}/v1")
