"""The rest of the OpenAI surface, with real clients on a real server: Open WebUI's background
tasks, the sources Open WebUI renders, completions (``openai``, LangChain, llama-index),
embeddings, refused parameters and OpenAI-shaped errors on unknown ``/v1`` paths."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI, OpenAI, OpenAIEmbeddings
from llama_index.llms.openai_like import OpenAILike
from redis import Redis

from ferag.settings import Settings
from tests.factories import create_account
from tests.integration.chat.conftest import ChatRag
from tests.integration.chat.test_openai_api import create_key, openai_client


@pytest.fixture(scope="module")
def key(api_url: str, chat_rag: ChatRag) -> str:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        return create_key(http, chat_rag.viewer)["key"]


def webui_task(instruction: str, output: str, question: str) -> str:
    """A background task as Open WebUI 0.12 sends it: one user message opening with its
    "### Task:" mark, the chat quoted in <chat_history>, the JSON output it wants (our
    wording, its markers)."""
    return (
        f"### Task:\n{instruction}\n### Guidelines:\n- Keep it short.\n### Output:\n"
        f"JSON format: {output}\n### Chat History:\n<chat_history>\n"
        f"USER: {question}\nASSISTANT: Alice Smith works for Acme Corp [1].\n</chat_history>"
    )


def chat_charges(redis: Redis, user_id: int) -> int:
    keys = list(redis.keys(f"ferag:ratelimit:chat:{user_id}:*"))
    counts = list(redis.mget(keys)) if keys else []
    return sum(int(count) for count in counts if count is not None)


def session_count(client: httpx.Client, chat_rag: ChatRag) -> int:
    listing = client.get(
        f"/rags/{chat_rag.rag_id}/chat/sessions", headers=chat_rag.viewer.headers
    ).json()
    count: int = listing["count"]
    return count


def test_open_webui_tasks_are_answered_cheaply(
    client: httpx.Client, api_url: str, redis_url: str, chat_rag: ChatRag, key: str
) -> None:
    redis = Redis.from_url(redis_url)
    sessions, charges = session_count(client, chat_rag), chat_charges(redis, chat_rag.viewer.id)
    ask = openai_client(api_url, key).chat.completions.create
    question = "Where does Alice Smith work nowadays, and since when?"
    tasks = {
        "title": ("Write a short title for the chat.", '{ "title": "the title" }'),
        "tags": ("Tag the chat's themes.", '{ "tags": ["tag1", "tag2"] }'),
        "follow_ups": ("Suggest follow-up questions.", '{ "follow_ups": ["Q1?", "Q2?"] }'),
        "queries": ("Decide on search queries.", '{ "queries": ["query1"] }'),
    }
    answers: dict[str, Any] = {}
    for name, (instruction, output) in tasks.items():
        prompt = webui_task(instruction, output, question)
        completion = ask(
            model=f"rag-{chat_rag.rag_id}",
            messages=[{"role": "user", "content": prompt}],
            max_completion_tokens=1000,
        )
        answers[name] = json.loads(completion.choices[0].message.content or "")[name]
        assert (completion.model_extra or {})["ferag"] == {"task": name}
    assert answers["title"] == "Where does Alice Smith work" and len(answers["title"]) <= 40
    assert answers["tags"] and answers["follow_ups"] == []
    assert answers["queries"] == [question]
    assert session_count(client, chat_rag) == sessions
    assert chat_charges(redis, chat_rag.viewer.id) == charges
    # the same conversation's question is a question: charged and recorded
    ask(model=f"rag-{chat_rag.rag_id}", messages=[{"role": "user", "content": question}])
    assert chat_charges(redis, chat_rag.viewer.id) == charges + 1
    assert session_count(client, chat_rag) == sessions + 1


def test_a_streamed_task_is_one_json_answer(api_url: str, chat_rag: ChatRag, key: str) -> None:
    prompt = webui_task("Title the chat.", '{ "title": "…" }', "Где живёт Иван Петров?")
    chunks = list(
        openai_client(api_url, key).chat.completions.create(
            model=f"rag-{chat_rag.rag_id}",
            messages=[{"role": "user", "content": prompt}],
            stream=True,
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert json.loads(text) == {"title": "Где живёт Иван Петров"}


def test_streamed_sources_are_open_webui_source_events(
    api_url: str, chat_rag: ChatRag, key: str
) -> None:
    stream = openai_client(api_url, key).chat.completions.create(
        model=f"rag-{chat_rag.rag_id}",
        messages=[{"role": "user", "content": "Where does Alice Smith work?"}],
        stream=True,
    )
    chunks = list(stream)
    events = [(c.model_extra or {}).get("event") for c in chunks]
    sources = [e["data"] for e in events if e and e["type"] == "source"]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "[1]" in text and sources  # [1] is the first source Open WebUI received
    first = sources[0]
    assert first["source"]["name"].startswith("Staff report — hr/2024/staff.txt, passage 1")
    assert "Alice Smith works" in first["document"][0]
    assert first["metadata"][0]["source"] == first["source"]["id"]
    assert not first["source"]["id"].startswith("http")  # Open WebUI would make it a link


def test_a_whole_answer_lists_its_sources(api_url: str, chat_rag: ChatRag, key: str) -> None:
    completion = openai_client(api_url, key).chat.completions.create(
        model=f"rag-{chat_rag.rag_id}",
        messages=[{"role": "user", "content": "Where does Alice Smith work?"}],
    )
    extra = completion.model_extra or {}
    assert extra["sources"][0]["document"][0].startswith("Alice Smith works")


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"n": 2}, "n"),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]}, "tools"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
    ],
)
def test_unsupported_parameters_are_refused(
    api_url: str, chat_rag: ChatRag, key: str, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        openai_client(api_url, key).chat.completions.create(
            model=f"rag-{chat_rag.rag_id}",
            messages=[{"role": "user", "content": "Where does Alice Smith work?"}],
            **fields,
        )
    assert refused.value.code == "unsupported_parameter"
    assert f"`{param}` is not supported" in str(refused.value.message)


def test_completions_with_the_openai_client(api_url: str, chat_rag: ChatRag, key: str) -> None:
    client = openai_client(api_url, key)
    completion = client.completions.create(
        model=f"rag-{chat_rag.rag_id}",
        prompt=["Where does Alice Smith work?", "Где живёт Иван Петров?"],
    )
    texts = [choice.text for choice in completion.choices]
    assert texts[0].startswith("Alice Smith works for Acme Corp [1]") and "Sources:" in texts[0]
    assert "Иван Петров живёт в Москве [1]" in texts[1]
    assert completion.usage and completion.usage.total_tokens > 0
    streamed = client.completions.create(
        model=f"rag-{chat_rag.rag_id}", prompt="Where does Alice Smith work?", stream=True
    )
    text = "".join(chunk.choices[0].text for chunk in streamed if chunk.choices)
    assert text.startswith("Alice Smith works for Acme Corp [1]") and "\n\nSources:\n[1]" in text
    with pytest.raises(openai.BadRequestError):
        client.completions.create(model=f"rag-{chat_rag.rag_id}", prompt="Alice?", suffix="x")


def test_llama_index_completion_and_chat(api_url: str, chat_rag: ChatRag, key: str) -> None:
    llm = OpenAILike(
        model=f"rag-{chat_rag.rag_id}",
        api_base=f"{api_url}/v1",
        api_key=key,
        is_chat_model=False,  # /v1/completions
        max_retries=0,
        timeout=30,
    )
    assert llm.complete("Where does Alice Smith work?").text.startswith("Alice Smith works")
    streamed = "".join(r.delta or "" for r in llm.stream_complete("Where does Alice Smith work?"))
    assert streamed.startswith("Alice Smith works for Acme Corp [1]")


def test_langchain_chat_completions_and_embeddings(
    api_url: str, chat_rag: ChatRag, key: str, settings: Settings
) -> None:
    base = {"base_url": f"{api_url}/v1", "api_key": key, "max_retries": 0, "timeout": 30}
    chat = ChatOpenAI(model=f"rag-{chat_rag.rag_id}", **base)
    assert str(chat.invoke("Where does Alice Smith work?").content).startswith("Alice Smith")
    llm = OpenAI(model=f"rag-{chat_rag.rag_id}", **base)
    assert llm.invoke("Где живёт Иван Петров?").startswith("Иван Петров живёт в Москве")
    # plain text in: LangChain would otherwise send OpenAI's token ids, which only OpenAI reads
    embeddings = OpenAIEmbeddings(
        model=f"rag-{chat_rag.rag_id}", check_embedding_ctx_length=False, **base
    )
    vectors = embeddings.embed_documents(["Alice Smith", "Acme Corp"])
    assert len(vectors) == 2 and len(vectors[0]) == settings.embedding_dim


def test_embeddings_with_the_openai_client(
    client: httpx.Client, api_url: str, chat_rag: ChatRag, key: str, settings: Settings
) -> None:
    embeddings = openai_client(api_url, key).embeddings
    by_rag = embeddings.create(
        model=f"rag-{chat_rag.rag_id}", input=["Alice Smith works", "Alice Smith worked"]
    )
    by_name = embeddings.create(model=settings.embedding_model, input="Alice Smith works")
    first, second = (d.embedding for d in by_rag.data)
    assert len(first) == settings.embedding_dim
    assert by_name.data[0].embedding == first  # one model behind both names
    assert 0.5 < sum(a * b for a, b in zip(first, second, strict=True)) < 1.0
    assert math.isclose(sum(v * v for v in first), 1.0, rel_tol=1e-3)
    outsider = create_key(client, create_account(client))  # a member of no RAG
    with pytest.raises(openai.NotFoundError) as refused:
        openai_client(api_url, outsider["key"]).embeddings.create(
            model=settings.embedding_model, input="Alice"
        )
    assert refused.value.code == "model_not_found"


def test_unknown_v1_paths_are_openai_shaped_404s(
    client: httpx.Client, api_url: str, key: str
) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        openai_client(api_url, key).get("/assistants", cast_to=object)
    assert missing.value.code == "unknown_url"
    raw = client.post("/v1/images/generations", json={}, headers={"Authorization": f"Bearer {key}"})
    assert raw.status_code == 404
    error = raw.json()["error"]
    assert (
        set(error) == {"message", "type", "param", "code"}
        and error["type"] == "invalid_request_error"
    )
    wrong_method = client.get("/v1/chat/completions", headers={"Authorization": f"Bearer {key}"})
    assert (
        wrong_method.status_code == 405
        and wrong_method.json()["error"]["code"] == "method_not_allowed"
    )
