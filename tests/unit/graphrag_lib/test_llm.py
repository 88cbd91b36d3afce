"""OpenAILikeChat over real HTTP: against the stand-in (answers, streams, usage, a refusal), and
against small purpose-built servers for what the stand-in does not do (answers to an arbitrary
JSON schema, error statuses, a stream that breaks off, a model that never answers)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ferag.stack.servers import free_port
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.llm import (
    LlmEndpoint,
    LlmInvalidAnswer,
    LlmRejected,
    LlmUnavailable,
    OpenAILikeChat,
    Usage,
)
from tests.fixtures.scripted_model import USAGE, Answer, BreakOff, Fail, ScriptedModel
from tests.fixtures.stalled_model import StalledModel
from tests.unit.graphrag_lib.standin_server import endpoint, standin_endpoint

QUESTION = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Moscow is the capital of Russia. It is big."},
]
HELLO = [{"role": "user", "content": "hello"}]
VERDICT = {
    "type": "object",
    "properties": {"same": {"type": "boolean"}, "reason": {"type": "string"}},
    "required": ["same", "reason"],
    "additionalProperties": False,
}
SCRIPTED_USAGE = Usage(USAGE["prompt_tokens"], USAGE["completion_tokens"])


@contextmanager
def scripted(model: ScriptedModel, max_retries: int = 0) -> Iterator[OpenAILikeChat]:
    with ThreadedServer(model.app) as server:
        chat = OpenAILikeChat(endpoint(f"{server.url}/v1", max_retries=max_retries))
        yield chat
        chat.close()


@pytest.fixture(scope="module")
def standin() -> Iterator[LlmEndpoint]:
    with standin_endpoint() as llm_endpoint:
        yield llm_endpoint


def test_complete_returns_the_reply(standin: LlmEndpoint) -> None:
    chat = OpenAILikeChat(standin)
    assert chat.complete(QUESTION).startswith("Moscow is the capital of Russia.")


def test_reply_carries_the_usage_the_endpoint_reports(standin: LlmEndpoint) -> None:
    reply = OpenAILikeChat(standin).reply(QUESTION)
    assert reply.text.startswith("Moscow is the capital of Russia.")
    assert reply.usage is not None and reply.usage.prompt_tokens > 0
    assert reply.usage.completion_tokens > 0


def test_stream_yields_the_answer_in_pieces_then_its_usage(standin: LlmEndpoint) -> None:
    chat = OpenAILikeChat(standin)
    stream = chat.stream(QUESTION)
    pieces = list(stream)
    assert len(pieces) > 1 and all(pieces)
    assert "".join(pieces) == chat.complete(QUESTION)
    assert stream.usage is not None and stream.usage.completion_tokens > 0


def test_max_tokens_bounds_the_answer(standin: LlmEndpoint) -> None:
    short = OpenAILikeChat(standin, max_tokens=3).reply(QUESTION)
    assert short.usage is not None and short.usage.completion_tokens <= 3
    assert len(short.text) < len(OpenAILikeChat(standin).complete(QUESTION))


def test_complete_json_sends_the_schema_and_parses_the_answer() -> None:
    model = ScriptedModel(Answer('{"same": true, "reason": "one company renamed"}'))
    with scripted(model) as chat:
        verdict = chat.complete_json(HELLO, VERDICT, name="merge_verdict")
    assert verdict == {"same": True, "reason": "one company renamed"}
    (sent,) = model.requests
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "merge_verdict", "schema": VERDICT, "strict": True},
    }
    assert sent["messages"] == HELLO and sent["temperature"] == 0


@pytest.mark.parametrize("answer", ["I think they are the same.", "[true]"])
def test_an_answer_that_is_no_json_object_is_invalid(answer: str) -> None:
    with scripted(ScriptedModel(Answer(answer))) as chat, pytest.raises(LlmInvalidAnswer):
        chat.complete_json(HELLO, VERDICT)


def test_a_refused_request_raises_llm_rejected(standin: LlmEndpoint) -> None:
    chat = OpenAILikeChat(standin.model_copy(update={"chat_model": "no-such-model"}))
    with pytest.raises(LlmRejected, match=r"refused the request \(404.*no-such-model"):
        chat.complete(HELLO)
    with pytest.raises(LlmRejected):
        list(chat.stream(HELLO))


def test_a_4xx_is_not_retried() -> None:
    model = ScriptedModel(Fail(401, "invalid API key"))
    refused = pytest.raises(LlmRejected, match=r"invalid API key.*check the chat model name")
    with scripted(model, max_retries=3) as chat, refused:
        chat.complete(HELLO)
    assert len(model.requests) == 1


def test_an_unreachable_endpoint_raises_llm_unavailable_after_retries() -> None:
    chat = OpenAILikeChat(endpoint(f"http://127.0.0.1:{free_port()}/v1", max_retries=1))
    with pytest.raises(LlmUnavailable, match=r"unavailable.*2 attempts.*model server is running"):
        chat.complete(HELLO)
    with pytest.raises(LlmUnavailable):
        list(chat.stream(HELLO))


def test_a_server_error_is_retried_until_it_answers() -> None:
    model = ScriptedModel(Fail(500), Fail(503), Answer("Fine now."))
    with scripted(model, max_retries=2) as chat:
        assert chat.complete(HELLO) == "Fine now."
    assert len(model.requests) == 3


def test_a_stream_is_retried_until_it_starts() -> None:
    model = ScriptedModel(Fail(502), Answer("Fine now."))
    with scripted(model, max_retries=1) as chat:
        stream = chat.stream(HELLO)
        assert "".join(stream) == "Fine now."
    assert stream.usage == SCRIPTED_USAGE
    assert len(model.requests) == 2


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_server_is_llm_unavailable_once_the_retries_are_spent(status: int) -> None:
    model = ScriptedModel(Fail(status))
    with scripted(model, max_retries=1) as chat, pytest.raises(LlmUnavailable, match="2 attempts"):
        chat.complete(HELLO)
    assert len(model.requests) == 2


def test_a_stream_that_breaks_off_is_llm_unavailable() -> None:
    with scripted(ScriptedModel(BreakOff("The answer is"))) as chat:
        stream = chat.stream(HELLO)
        assert next(stream) == "The answer is"
        with pytest.raises(LlmUnavailable):
            next(stream)


def test_a_model_that_never_answers_times_out() -> None:
    model = StalledModel()
    with ThreadedServer(model) as server:
        llm_endpoint = endpoint(f"{server.url}/v1").model_copy(update={"request_timeout_s": 1})
        chat = OpenAILikeChat(llm_endpoint)
        started = time.monotonic()
        with pytest.raises(LlmUnavailable, match="timed out"):
            chat.complete(HELLO)
        assert time.monotonic() - started < 10
        model.release()
