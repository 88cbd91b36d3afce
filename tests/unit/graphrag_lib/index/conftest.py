"""The offline stand-in with GraphRAG's rules, over real HTTP, counting the requests it serves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from ferag.llm.standin import CHAT_MODEL, DEFAULT_RULES, EMBEDDING_MODEL, create_app
from ferag.llm.standin.graphrag import GRAPHRAG_RULES
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.llm import LlmEndpoint

EMBEDDING_DIM = 384


class CountingApp:
    """An ASGI app that counts the HTTP requests it passes on, by path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests[scope["path"]] += 1
        await self.app(scope, receive, send)

    @property
    def total(self) -> int:
        return sum(self.requests.values())


def standin_endpoint(url: str, chat_model: str = CHAT_MODEL) -> LlmEndpoint:
    """The stand-in at ``url`` as an endpoint, with the test retry settings (2, 2 s)."""
    return LlmEndpoint(
        base_url=f"{url}/v1",
        chat_model=chat_model,
        embedding_model=EMBEDDING_MODEL,
        embedding_dim=EMBEDDING_DIM,
        request_timeout_s=30,
        max_retries=2,
        max_retry_wait_s=2,
    )


class GraphRagStandin:
    def __init__(self, url: str, counter: CountingApp) -> None:
        self.url, self.counter = url, counter

    def endpoint(self, chat_model: str = CHAT_MODEL) -> LlmEndpoint:
        return standin_endpoint(self.url, chat_model)


@pytest.fixture(scope="module")
def graphrag_standin() -> Iterator[GraphRagStandin]:
    app = create_app(embedding_dim=EMBEDDING_DIM, rules=(*GRAPHRAG_RULES, *DEFAULT_RULES))
    counter = CountingApp(app)
    with ThreadedServer(counter) as server:
        yield GraphRagStandin(server.url, counter)
