"""Chat over HTTP on the fixed graph: answers with citations, telemetry, sessions, streaming,
questions about nothing known, and injection attempts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ferag.store.client import TripleStore
from ferag.store.space import RagSpace
from tests.factories import create_account
from tests.integration.chat.conftest import ChatRag
from tests.integration.chat.sse import stream_events
from tests.integration.chat.test_entity_index import INJECTIONS


def ask(client: httpx.Client, chat_rag: ChatRag, question: str, **extra: Any) -> dict[str, Any]:
    response = client.post(
        f"/rags/{chat_rag.rag_id}/chat",
        json={"question": question, **extra},
        headers=chat_rag.viewer.headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("question", "entity", "passage", "answer_has"),
    [
        ("Where does Alice Smith work?", "alice", "alice", "Alice Smith works for Acme Corp [1]"),
        ("Who works for Acme Corp?", "acme", "alice", "works for Acme Corp"),
        ("What is Project Falcon?", "falcon", "falcon", "rocket engine"),
        ("Где живёт Иван Петров?", "ivan", "ivan", "Иван Петров живёт в Москве [1]"),
        ("Where does Ivan Petrov live?", "ivan", "ivan", "живёт в Москве"),
        ("Что известно об Алисе Смит?", "alice", "alice", "Alice Smith"),
        ("Что производит компания Ромашка?", "romashka", "romashka", "производит чай"),
    ],
)
def test_golden_answers(
    client: httpx.Client,
    chat_rag: ChatRag,
    question: str,
    entity: str,
    passage: str,
    answer_has: str,
) -> None:
    body = ask(client, chat_rag, question)
    assert body["entities"][0]["iri"] == chat_rag.entity(entity)
    assert chat_rag.passage(passage) in body["telemetry"]["passages"]
    assert answer_has in body["answer"]
    assert body["citations"], body["answer"]
    assert body["citations"][0]["iri"] in body["telemetry"]["passages"]
    assert body["sparql"] and all("SELECT" in q for q in body["sparql"])


def test_citations_resolve_to_document_folder_and_passage(
    client: httpx.Client, chat_rag: ChatRag
) -> None:
    body = ask(client, chat_rag, "Where does Alice Smith work?")
    first = body["citations"][0]
    assert first == {
        "number": 1,
        "kind": "passage",
        "iri": chat_rag.passage("alice"),
        "title": "Staff report",
        "document_iri": chat_rag.graph.documents["staff"],
        "path": "hr/2024/staff.txt",
        "folder_path": "hr/2024",
        "order": 0,
        "excerpt": "Alice Smith works for Acme Corp in Berlin. She leads the robotics team.",
    }


def test_telemetry_records_stages_tokens_and_the_standin(
    client: httpx.Client, chat_rag: ChatRag
) -> None:
    telemetry = ask(client, chat_rag, "Where does Alice Smith work?")["telemetry"]
    assert set(telemetry["timings_ms"]) == {"link", "context", "prompt", "llm", "total"}
    assert telemetry["tokens"]["context"] > 0 and telemetry["tokens"]["prompt"] > 0
    assert telemetry["tokens"]["completion"] > 0 and telemetry["tokens"]["estimated"] is False
    assert telemetry["standin"] is True and telemetry["llm_called"] is True
    assert telemetry["entities_in_context"] == [chat_rag.entity("alice")]
    assert telemetry["citations"][0] == 1 and telemetry["unknown_citations"] == []


def test_broad_questions_use_community_reports(client: httpx.Client, chat_rag: ChatRag) -> None:
    body = ask(client, chat_rag, "What are the main themes?")
    assert [c["kind"] for c in body["citations"]] == ["report", "report"]
    assert "Acme Corp is a Berlin company" in body["answer"]


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("Who is Zorblax Quinterfield?", "I don't know"),
        ("What is the capital of Atlantis?", "I don't know"),
        ("Кто такой Зорбакс Квинтерфилд?", "Не знаю"),
    ],
)
def test_questions_about_nothing_known_say_so(
    client: httpx.Client, chat_rag: ChatRag, question: str, says: str
) -> None:
    body = ask(client, chat_rag, question)
    assert body["answer"].startswith(says)
    assert body["citations"] == [] and body["entities"] == []
    assert body["telemetry"]["llm_called"] is False


@pytest.mark.parametrize("question", INJECTIONS)
def test_injection_attempts_get_normal_answers_and_change_nothing(
    client: httpx.Client, chat_rag: ChatRag, store: TripleStore, question: str
) -> None:
    graph = RagSpace(store, chat_rag.rag_id, chat_rag.iris).prod
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    before = store.select(chat_rag.rag_id, count)
    body = ask(client, chat_rag, question)
    assert body["answer"]
    assert store.select(chat_rag.rag_id, count) == before
    assert ask(client, chat_rag, "Where does Alice Smith work?")["citations"]  # index intact


def test_sessions_keep_history_and_follow_ups(client: httpx.Client, chat_rag: ChatRag) -> None:
    first = ask(client, chat_rag, "What is Project Falcon?")
    follow = ask(client, chat_rag, "And what is its budget?", session_id=first["session_id"])
    assert follow["session_id"] == first["session_id"]
    assert follow["entities"][0]["matched_by"] == "history"
    assert "4 million euros" in follow["answer"]

    url = f"/rags/{chat_rag.rag_id}/chat/sessions"
    listing = client.get(url, headers=chat_rag.viewer.headers).json()
    mine = next(s for s in listing["data"] if s["id"] == first["session_id"])
    assert (mine["title"], mine["messages"]) == ("What is Project Falcon?", 4)

    detail = client.get(f"{url}/{first['session_id']}", headers=chat_rag.viewer.headers).json()
    assert [m["role"] for m in detail["history"]] == ["user", "assistant"] * 2
    assert detail["history"][1]["citations"][0]["iri"] == chat_rag.passage("falcon")
    assert detail["history"][3]["telemetry"]["timings_ms"]["total"] > 0


def test_sessions_are_private_and_deletable(client: httpx.Client, chat_rag: ChatRag) -> None:
    session_id = ask(client, chat_rag, "Who is Bob Jones?")["session_id"]
    url = f"/rags/{chat_rag.rag_id}/chat/sessions/{session_id}"
    owner = chat_rag.owner.headers
    assert client.get(url, headers=owner).json()["error"]["code"] == "session_not_found"
    foreign = client.post(
        f"/rags/{chat_rag.rag_id}/chat",
        json={"question": "Hi", "session_id": session_id},
        headers=owner,
    )
    assert foreign.status_code == 404
    assert client.delete(url, headers=owner).status_code == 404
    assert client.delete(url, headers=chat_rag.viewer.headers).status_code == 204
    assert client.get(url, headers=chat_rag.viewer.headers).status_code == 404


def test_streaming_sends_context_tokens_and_the_recorded_turn(
    client: httpx.Client, chat_rag: ChatRag
) -> None:
    events = stream_events(
        client,
        f"/rags/{chat_rag.rag_id}/chat",
        {"question": "Where does Alice Smith work?", "stream": True},
        chat_rag.viewer.headers,
    )
    kinds = [e.event for e in events]
    assert kinds[0] == "context" and kinds[-1] == "done"
    assert kinds.count("token") > 1 and set(kinds[1:-1]) == {"token"}
    context, done = events[0].json(), events[-1].json()
    assert context["entities"][0]["iri"] == chat_rag.entity("alice")
    assert "".join(e.json()["text"] for e in events if e.event == "token") == done["answer"]
    assert done["citations"][0]["path"] == "hr/2024/staff.txt"
    assert done["telemetry"]["tokens"]["estimated"] is False  # usage came with the stream
    history = client.get(
        f"/rags/{chat_rag.rag_id}/chat/sessions/{done['session_id']}",
        headers=chat_rag.viewer.headers,
    ).json()["history"]
    assert history[-1]["content"] == done["answer"]


def test_streaming_a_question_about_nothing(client: httpx.Client, chat_rag: ChatRag) -> None:
    events = stream_events(
        client,
        f"/rags/{chat_rag.rag_id}/chat",
        {"question": "Who is Zorblax?", "stream": True},
        chat_rag.viewer.headers,
    )
    assert events[-1].json()["answer"].startswith("I don't know")


def test_outsiders_cannot_chat(client: httpx.Client, chat_rag: ChatRag) -> None:
    outsider = create_account(client)
    response = client.post(
        f"/rags/{chat_rag.rag_id}/chat", json={"question": "Alice?"}, headers=outsider.headers
    )
    assert response.status_code == 404
    empty = client.post(
        f"/rags/{chat_rag.rag_id}/chat", json={"question": "   "}, headers=chat_rag.viewer.headers
    )
    assert empty.status_code == 422
