"""The offline model stand-in over real HTTP: uvicorn in a thread, the `openai` client in front."""

from __future__ import annotations

import base64
import math
import struct
import threading
import time
from collections.abc import Iterator

import httpx
import openai
import pytest
import uvicorn

from ferag.llm.standin import (
    CHAT_MODEL,
    DEFAULT_RULES,
    EMBEDDING_MODEL,
    OWNER,
    ChatCompletionRequest,
    Rule,
    answer,
    create_app,
    embed_text,
)

LONG_TEXT = (
    "Moscow is the capital of Russia. It lies on the Moskva river. "
    "The Kremlin stands at its centre. Millions of people live there."
)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    config = uvicorn.Config(create_app(embedding_dim=384), host="127.0.0.1", port=0,
                            log_config=None, lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "stand-in did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0)


def _chat(client: openai.OpenAI, text: str, **options: object) -> str:
    completion = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}],
        **options,  # type: ignore[call-overload]
    )
    return completion.choices[0].message.content or ""


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_models_are_listed_as_the_offline_standin(client: openai.OpenAI) -> None:
    models = {model.id: model for model in client.models.list()}

    assert set(models) == {CHAT_MODEL, EMBEDDING_MODEL}
    assert {model.owned_by for model in models.values()} == {OWNER}


def test_chat_answers_with_the_first_sentences_of_the_user_message(
    client: openai.OpenAI,
) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model=CHAT_MODEL,
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": LONG_TEXT},
        ],
    )
    completion = raw.parse()

    assert raw.headers["x-ferag-standin"] == "offline"
    assert raw.headers["x-ferag-standin-rule"] == "extractive"
    assert completion.choices[0].message.content == (
        "Moscow is the capital of Russia. It lies on the Moskva river."
    )
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 2 + len(LONG_TEXT.split())
    assert completion.usage.completion_tokens == 12
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 12


def test_chat_is_deterministic(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": LONG_TEXT}]
    )
    second = client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": LONG_TEXT}]
    )

    assert first.model_dump() == second.model_dump()


def test_chat_max_tokens_cuts_the_reply(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": LONG_TEXT}], max_tokens=3
    )

    assert completion.choices[0].message.content == "Moscow is the"
    assert completion.choices[0].finish_reason == "length"


def test_streamed_chat_adds_up_to_the_plain_reply(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": LONG_TEXT}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)

    content = [chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices]
    finishes = [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices]
    assert len([piece for piece in content if piece]) > 1
    assert "".join(content) == _chat(client, LONG_TEXT)
    assert finishes[-1] == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 12


def test_stream_is_server_sent_events_ending_with_done(base_url: str) -> None:
    body = {"model": CHAT_MODEL, "stream": True, "messages": [{"role": "user", "content": "Hi."}]}
    with httpx.stream("POST", f"{base_url}/v1/chat/completions", json=body) as response:
        lines = [line for line in response.iter_lines() if line]

    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-ferag-standin"] == "offline"
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    assert lines.count("data: [DONE]") == 1


def test_embeddings_are_deterministic_unit_vectors(client: openai.OpenAI) -> None:
    texts = ["The cat sat on the mat.", "Кошка сидела на коврике."]
    first = client.embeddings.create(model=EMBEDDING_MODEL, input=texts)
    second = client.embeddings.create(model=EMBEDDING_MODEL, input=texts)

    vectors = [item.embedding for item in first.data]
    assert [item.index for item in first.data] == [0, 1]
    assert [len(vector) for vector in vectors] == [384, 384]
    assert all(math.isclose(_cosine(v, v), 1.0, rel_tol=1e-5) for v in vectors)
    assert vectors == [item.embedding for item in second.data]
    assert first.usage.prompt_tokens == 10


def test_embeddings_accept_a_single_string_and_a_dimension(client: openai.OpenAI) -> None:
    result = client.embeddings.create(model=EMBEDDING_MODEL, input="graph", dimensions=64)

    assert len(result.data) == 1
    assert len(result.data[0].embedding) == 64


def test_float_encoding_matches_base64(base_url: str) -> None:
    request = {"model": EMBEDDING_MODEL, "input": "knowledge graph"}
    as_float = httpx.post(f"{base_url}/v1/embeddings", json=request).json()
    as_base64 = httpx.post(
        f"{base_url}/v1/embeddings", json={**request, "encoding_format": "base64"}
    ).json()

    decoded = struct.unpack("<384f", base64.b64decode(as_base64["data"][0]["embedding"]))
    assert as_float["data"][0]["embedding"] == pytest.approx(list(decoded), abs=1e-6)


@pytest.mark.parametrize(
    ("text", "similar", "unrelated"),
    [
        (
            "The knowledge graph links documents to entities.",
            "A knowledge graph linking entities and documents.",
            "Tomorrow it will rain over the mountains.",
        ),
        (
            "Компания подписала договор с поставщиком.",
            "Договор компании с поставщиками подписан.",
            "Вечером над рекой шёл тёплый дождь.",
        ),
    ],
)
def test_similar_texts_are_closer_than_unrelated_ones(
    client: openai.OpenAI, text: str, similar: str, unrelated: str
) -> None:
    result = client.embeddings.create(model=EMBEDDING_MODEL, input=[text, similar, unrelated])
    base, near, far = (item.embedding for item in result.data)

    assert _cosine(base, near) > _cosine(base, far) + 0.2


def test_text_without_words_still_gets_a_unit_vector() -> None:
    vector = embed_text("  ... !!! ", 16)

    assert vector == [1.0] + [0.0] * 15


def test_unknown_model_is_an_openai_style_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])

    assert caught.value.status_code == 404
    error = caught.value.response.json()["error"]
    assert error["code"] == "model_not_found"
    assert error["type"] == "invalid_request_error"
    assert CHAT_MODEL in error["message"]
    assert caught.value.response.headers["x-ferag-standin"] == "offline"


def test_embedding_with_the_chat_model_is_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model=CHAT_MODEL, input="x")


def test_invalid_request_is_an_openai_style_400(base_url: str) -> None:
    response = httpx.post(f"{base_url}/v1/chat/completions", json={"model": CHAT_MODEL})

    assert response.status_code == 400
    assert response.headers["x-ferag-standin"] == "offline"
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "messages" in error["message"]


@pytest.mark.parametrize("path", ["/health", "/v1/models", "/no/such/path"])
def test_every_response_is_marked_as_the_standin(base_url: str, path: str) -> None:
    response = httpx.get(f"{base_url}{path}")

    assert response.headers["x-ferag-standin"] == "offline"
    if path == "/health":
        assert response.json() == {
            "status": "ok",
            "standin": True,
            "models": [CHAT_MODEL, EMBEDDING_MODEL],
        }
    if path == "/no/such/path":
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_rules_are_tried_in_order_with_the_generic_one_last() -> None:
    greeting = Rule(
        "greeting",
        matches=lambda request: request.last_user_text().startswith("Hello"),
        respond=lambda _request: "Hello from a rule.",
    )
    rules = (greeting, *DEFAULT_RULES)

    hello = ChatCompletionRequest(model=CHAT_MODEL, messages=[{"role": "user", "content": "Hello"}])
    other = ChatCompletionRequest(model=CHAT_MODEL, messages=[{"role": "user", "content": "Bye."}])

    assert answer(hello, rules) == (greeting, "Hello from a rule.")
    assert answer(other, rules) == (DEFAULT_RULES[-1], "Bye.")


def test_content_parts_are_read_as_text() -> None:
    request = ChatCompletionRequest.model_validate(
        {
            "model": CHAT_MODEL,
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "One. Two. Three."}]}
            ],
        }
    )

    assert answer(request, DEFAULT_RULES)[1] == "One. Two."
