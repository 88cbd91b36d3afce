"""The answer cache on the fixed chat graph, through an API of its own with the cache on (the
shared test stack runs without it): an identical question is answered from Redis with the same
answer and citations, marked cached, in the chat API, streamed, over ``/v1`` and in /metrics; a
follow-up is cached with its conversation. (Approval and rollback: tests/e2e/test_answer_cache.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from redis import Redis

from ferag.services.answer_cache import AnswerCache, CachedAnswer, normalise
from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.llm import Reply
from graphrag_lib.retrieve import RetrievedContext, Turn
from tests.integration.chat.conftest import ChatRag
from tests.integration.chat.sse import stream_events
from tests.integration.chat.test_chat_api import ask
from tests.integration.chat.test_openai_api import create_key
from tests.integration.web.test_session import sign_in
from tests.prometheus_text import Samples, scrape, total


@pytest.fixture(scope="module")
def cached_api(settings: Settings) -> Iterator[str]:
    from ferag.api.app import create_app

    with ThreadedServer(create_app(settings.model_copy(update={"chat_cache_ttl_s": 600}))) as api:
        yield api.url


@pytest.fixture()
def http(cached_api: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cached_api, timeout=30) as client:
        yield client


def test_the_same_question_is_answered_from_the_cache(
    http: httpx.Client, chat_rag: ChatRag
) -> None:
    # A question no other test asks, so the first is sure to miss.
    first = ask(http, chat_rag, "Which company does Alice Smith work for?")
    assert first["cached"] is False and first["telemetry"]["llm_called"] is True
    again = ask(http, chat_rag, "  which company does ALICE SMITH work for ")
    assert again["cached"] is True
    assert again["answer"] == first["answer"] and "Acme Corp" in again["answer"]
    assert again["citations"] == first["citations"] and again["citations"]
    assert again["entities"] == first["entities"]
    telemetry = again["telemetry"]
    assert telemetry["llm_called"] is False and "llm" not in telemetry["timings_ms"]
    assert telemetry["production_version"] == first["telemetry"]["production_version"]
    # No linking, retrieval or model: faster than the turn it repeats.
    assert telemetry["timings_ms"]["total"] < first["telemetry"]["timings_ms"]["total"]

    # The cached turn is part of the conversation like any other, with its telemetry.
    session = http.get(
        f"/rags/{chat_rag.rag_id}/chat/sessions/{again['session_id']}",
        headers=chat_rag.viewer.headers,
    ).json()
    assert [m["role"] for m in session["history"]] == ["user", "assistant"]
    assert session["history"][1]["telemetry"]["cached"] is True
    assert session["history"][1]["citations"] == again["citations"]

    other = ask(http, chat_rag, "Which company does Alice Smith own?")
    assert other["cached"] is False


def test_a_follow_up_is_cached_with_its_conversation(http: httpx.Client, chat_rag: ChatRag) -> None:
    def conversation(first_question: str) -> tuple[dict[str, Any], dict[str, Any]]:
        first = ask(http, chat_rag, first_question)
        follow_up = ask(http, chat_rag, "Where do they live?", session_id=first["session_id"])
        return first, follow_up

    ivan = conversation("Tell me about Ivan Petrov, please.")
    assert [turn["cached"] for turn in ivan] == [False, False]
    assert ivan[1]["entities"][0]["iri"] == chat_rag.entity("ivan")
    # The same follow-up after another first question is another conversation: not cached.
    alice = conversation("Tell me about Alice Smith, please.")
    assert alice[1]["cached"] is False
    assert alice[1]["entities"][0]["iri"] == chat_rag.entity("alice")
    # The same conversation again is answered from the cache, turn by turn.
    again = conversation("Tell me about Ivan Petrov, please.")
    assert [turn["cached"] for turn in again] == [True, True]
    assert again[1]["answer"] == ivan[1]["answer"]


def test_streamed_and_openai_answers_come_from_the_cache(
    http: httpx.Client, cached_api: str, chat_rag: ChatRag
) -> None:
    question = "Where does Ivan Petrov live, in one sentence?"
    first = ask(http, chat_rag, question)
    events = stream_events(
        http,
        f"/rags/{chat_rag.rag_id}/chat",
        {"question": question, "stream": True},
        chat_rag.viewer.headers,
    )
    done = events[-1].json()
    assert events[-1].event == "done" and done["cached"] is True
    tokens = "".join(e.json()["text"] for e in events if e.event == "token")
    assert tokens == done["answer"] == first["answer"]
    context = events[0].json()
    assert [c["number"] for c in context["references"]] == [
        c["number"] for c in first["telemetry"]["references"]
    ]

    key = create_key(http, chat_rag.viewer)["key"]
    client = openai.OpenAI(base_url=f"{cached_api}/v1", api_key=key, max_retries=0, timeout=30)
    completion = client.chat.completions.create(
        model=f"rag-{chat_rag.rag_id}", messages=[{"role": "user", "content": question}]
    )
    extra = completion.model_extra or {}
    assert extra["ferag"]["cached"] is True
    assert (completion.choices[0].message.content or "").startswith(first["answer"])
    assert extra["citations"][0]["iri"] == first["citations"][0]["iri"]


def test_lookups_show_in_metrics(http: httpx.Client, cached_api: str, chat_rag: ChatRag) -> None:
    # the metrics registry is the test process's: other tests' chats count there too
    lookups, tokens = "ferag_chat_answer_cache_total", "ferag_chat_tokens_total"

    def tokens_by_kind(samples: Samples) -> list[float]:
        return [total(samples, tokens, kind=k) for k in ("context", "prompt", "completion")]

    before = scrape(f"{cached_api}/metrics")
    ask(http, chat_rag, "What does Project Falcon build, briefly?")
    spent = scrape(f"{cached_api}/metrics")
    ask(http, chat_rag, "What does Project Falcon build, briefly?")
    after = scrape(f"{cached_api}/metrics")
    for result in ("hit", "miss"):
        assert total(after, lookups, result=result) - total(before, lookups, result=result) == 1
    assert total(spent, tokens, kind="prompt") > 0
    assert tokens_by_kind(after) == tokens_by_kind(spent)  # no model, no tokens


def test_a_question_with_nothing_known_is_not_cached(http: httpx.Client, chat_rag: ChatRag) -> None:
    for _ in range(2):
        body = ask(http, chat_rag, "What is the airspeed of an unladen swallow?")
        assert body["cached"] is False and body["telemetry"]["llm_called"] is False


def test_questions_and_conversations_key_the_cache(settings: Settings) -> None:
    cache = AnswerCache.from_settings(
        settings.model_copy(update={"chat_cache_ttl_s": 60}),
        Redis.from_url(settings.require("redis_url")),
    )
    assert cache is not None
    assert normalise(" Где  живёт Иван?! ") == normalise("где живёт иван") == "где живёт иван"
    slot = cache.slot(1, 3, "Who is Ann?", [], None)
    assert cache.slot(1, 3, "who is ann", [], None) == slot
    others = [
        cache.slot(2, 3, "Who is Ann?", [], None),  # another RAG
        cache.slot(1, 4, "Who is Ann?", [], None),  # another production version
        cache.slot(1, 3, "Who is Ann?", [Turn("user", "Who is Bob?")], None),  # a follow-up
    ]
    assert all(other.key != slot.key for other in others)
    bigger = settings.model_copy(update={"chat_cache_ttl_s": 60, "chat_context_tokens": 5000})
    reshaped = AnswerCache.from_settings(bigger, cache.redis)
    assert reshaped is not None and reshaped.slot(1, 3, "Who is Ann?", [], None) != slot
    assert AnswerCache.from_settings(settings, cache.redis) is None  # the stack's: 0, no cache


def test_an_unreachable_redis_is_a_miss(settings: Settings) -> None:
    down = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=1)
    cache = AnswerCache.from_settings(settings.model_copy(update={"chat_cache_ttl_s": 60}), down)
    assert cache is not None
    slot = cache.slot(1, 1, "Who is Ann?", [], None)
    slot.put(CachedAnswer([], RetrievedContext(), Reply("Ann is a pilot."), "m", True))
    assert slot.get() is None


def test_the_chat_page_marks_a_cached_answer(
    http: httpx.Client, cached_api: str, chat_rag: ChatRag
) -> None:
    question = "Where is Acme Corp based, in a word?"
    first = ask(http, chat_rag, question)
    again = ask(http, chat_rag, question)  # another conversation: served from the cache
    assert again["cached"] is True
    with httpx.Client(base_url=cached_api, timeout=30) as browser:
        assert sign_in(browser, chat_rag.viewer.email).status_code == 303
        path, session = f"/ui/rags/{chat_rag.rag_id}/chat", {"session": again["session_id"]}
        page = browser.get(path, params=session)
        russian = browser.get(path, params=session, headers={"accept-language": "ru"})
        answered = browser.get(path, params={"session": first["session_id"]})
    assert page.status_code == 200, page.text
    assert '<span class="cached">from the answer cache</span>' in page.text
    assert "из кэша ответов" in russian.text
    assert answered.status_code == 200 and 'class="cached"' not in answered.text
