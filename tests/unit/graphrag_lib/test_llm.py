"""OpenAILikeChat against the stand-in over HTTP, and its error translation."""

from __future__ import annotations

import pytest

from ferag.stack.servers import free_port
from graphrag_lib.llm import LlmRejected, LlmUnavailable, OpenAILikeChat
from tests.unit.graphrag_lib.standin_server import endpoint, standin_endpoint


def test_complete_returns_the_reply() -> None:
    with standin_endpoint() as llm_endpoint:
        chat = OpenAILikeChat(llm_endpoint)
        reply = chat.complete(
            [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Moscow is the capital of Russia. It is big."},
            ]
        )
    assert reply.startswith("Moscow is the capital of Russia.")


def test_unreachable_endpoint_raises_llm_unavailable_after_retries() -> None:
    chat = OpenAILikeChat(endpoint(f"http://127.0.0.1:{free_port()}/v1", max_retries=1))
    with pytest.raises(LlmUnavailable, match="unavailable after 2 attempts"):
        chat.complete([{"role": "user", "content": "hello"}])


def test_refused_request_raises_llm_rejected() -> None:
    with standin_endpoint() as llm_endpoint:
        chat = OpenAILikeChat(llm_endpoint.model_copy(update={"chat_model": "no-such-model"}))
        with pytest.raises(LlmRejected, match="Check the chat model name"):
            chat.complete([{"role": "user", "content": "hello"}])
