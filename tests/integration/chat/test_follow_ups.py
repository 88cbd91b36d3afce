"""Conversations that hold: a follow-up that points back ("Where did she study?", "Где она
училась?") is about the entity of the earlier question, even when one of its words resembles
another entity's description ("study" ~ "studies"), through ferag's chat API and through real
OpenAI clients (openai, llama-index, langchain-openai); and conversations of an OpenAI client
stay apart unless the client names them.

The graph is made for it: Ingrid Solberg and Анна Ковалёва, where they studied, and two
entities whose descriptions say "studies" / "учились" without naming either person."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai_like import OpenAILike
from pydantic import SecretStr

from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.vocab import RagIris
from tests.factories import Account, create_account, create_rag
from tests.fixtures.chat_graph import ChatCorpus, EntitySpec, build_chat_graph
from tests.integration.chat.conftest import load_production
from tests.integration.chat.test_openai_api import create_key, openai_client

CORPUS = ChatCorpus(
    documents={
        "staff": ("Researchers", "staff/researchers.txt", "staff"),
        "geo": ("Геологи", "сотрудники/геологи.txt", "сотрудники"),
    },
    passages={
        "ingrid": (
            "staff",
            0,
            "Ingrid Solberg is a glaciologist at the Polar Institute. "
            "She studied at the University of Tromsø.",
        ),
        "group": ("staff", 1, "The Arctic Sea Group studies sea ice and publishes studies."),
        "anna": ("geo", 0, "Анна Ковалёва — геолог. Она училась в Томском университете."),
        "school": ("geo", 1, "В Школе юных геологов учились школьники Томска."),
    },
    entities={
        "ingrid": EntitySpec(
            "Ingrid Solberg", "Person", "A glaciologist at the Polar Institute.", ("ingrid",)
        ),
        "tromso": EntitySpec(
            "University of Tromsø", "Organization", "A university in northern Norway.", ("ingrid",)
        ),
        "group": EntitySpec(
            "Arctic Sea Group",
            "Organization",
            "A research group that studies sea ice and publishes studies.",
            ("group",),
        ),
        "anna": EntitySpec("Анна Ковалёва", "Person", "Геолог.", ("anna",)),
        "tomsk": EntitySpec(
            "Томский университет", "Organization", "Университет в Томске.", ("anna",)
        ),
        "school": EntitySpec(
            "Школа юных геологов",
            "Organization",
            "Кружок, в котором учились школьники Томска.",
            ("school",),
        ),
    },
    properties={"studiedAt": "studied at"},
    relations=(
        (
            "ingrid",
            "studiedAt",
            "tromso",
            5.0,
            "Ingrid Solberg studied at the University of Tromsø",
            "ingrid",
        ),
        ("anna", "studiedAt", "tomsk", 5.0, "Анна Ковалёва училась в Томском университете", "anna"),
    ),
    reports={},
)

# (first question, follow-up, whom both are about, the look-alike the follow-up must not take)
CONVERSATIONS = [
    ("Who is Ingrid Solberg?", "Where did she study?", "ingrid", "group"),
    ("Кто такая Анна Ковалёва?", "Где она училась?", "anna", "school"),
]


@pytest.fixture(scope="module")
def people(
    api_url: str, settings: Settings, store: TripleStore
) -> tuple[int, Account, dict[str, str]]:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        owner = create_account(http)
        rag_id = create_rag(http, owner, "follow-ups")
    graph = build_chat_graph(RagIris(str(settings.base_iri), str(rag_id)), CORPUS)
    load_production(settings, store, rag_id, graph.graph)
    return rag_id, owner, graph.entities


def ask(client: httpx.Client, rag_id: int, owner: Account, **body: Any) -> dict[str, Any]:
    response = client.post(f"/rags/{rag_id}/chat", json=body, headers=owner.headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def linked(answer: dict[str, Any]) -> dict[str, str]:
    """IRI → how it was linked."""
    return {e["iri"]: e["matched_by"] for e in answer["entities"]}


@pytest.mark.parametrize(("first", "follow_up", "subject", "look_alike"), CONVERSATIONS)
def test_a_pronoun_follow_up_keeps_the_subject_of_the_conversation(
    client: httpx.Client,
    people: tuple[int, Account, dict[str, str]],
    first: str,
    follow_up: str,
    subject: str,
    look_alike: str,
) -> None:
    rag_id, owner, entities = people
    opening = ask(client, rag_id, owner, question=first)
    assert entities[subject] in linked(opening)

    answer = ask(client, rag_id, owner, question=follow_up, session_id=opening["session_id"])
    assert linked(answer) == {entities[subject]: "history"}
    assert entities[look_alike] not in linked(answer)

    # Asked on its own, the same words link the look-alike: the conversation made the difference.
    alone = ask(client, rag_id, owner, question=follow_up)
    assert entities[subject] not in linked(alone)


def test_a_new_subject_without_a_pronoun_is_not_overridden(
    client: httpx.Client, people: tuple[int, Account, dict[str, str]]
) -> None:
    rag_id, owner, entities = people
    opening = ask(client, rag_id, owner, question="Who is Ingrid Solberg?")
    answer = ask(
        client, rag_id, owner, question="Who studies sea ice?", session_id=opening["session_id"]
    )
    assert entities["group"] in linked(answer) and entities["ingrid"] not in linked(answer)
    elliptic = ask(client, rag_id, owner, question="And in 2020?", session_id=answer["session_id"])
    assert entities["group"] in linked(elliptic)


def _session_entities(
    client: httpx.Client, rag_id: int, owner: Account, session_id: str
) -> list[dict[str, str]]:
    """The linked entities of each turn of a session, as ``GET`` on it reports them."""
    response = client.get(f"/rags/{rag_id}/chat/sessions/{session_id}", headers=owner.headers)
    assert response.status_code == 200, response.text
    turns = [m for m in response.json()["history"] if m["role"] == "assistant"]
    return [{e["iri"]: e["matched_by"] for e in m["entities"]} for m in turns]


def _sessions(client: httpx.Client, rag_id: int, owner: Account) -> list[dict[str, Any]]:
    response = client.get(f"/rags/{rag_id}/chat/sessions", headers=owner.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


@pytest.mark.parametrize(("first", "follow_up", "subject", "look_alike"), CONVERSATIONS)
def test_openai_clients_follow_up_in_one_named_conversation(
    client: httpx.Client,
    api_url: str,
    people: tuple[int, Account, dict[str, str]],
    first: str,
    follow_up: str,
    subject: str,
    look_alike: str,
) -> None:
    rag_id, owner, entities = people
    key = create_key(client, owner)["key"]
    model = f"rag-{rag_id}"
    before = {s["id"] for s in _sessions(client, rag_id, owner)}

    # openai: the conversation named by `user`, the history sent by the client
    chat = openai_client(api_url, key).chat.completions
    messages: list[Any] = [{"role": "user", "content": first}]
    reply = chat.create(model=model, messages=messages, user=f"conversation-{subject}")
    messages += [{"role": "assistant", "content": reply.choices[0].message.content},
                 {"role": "user", "content": follow_up}]  # fmt: skip
    chat.create(model=model, messages=messages, user=f"conversation-{subject}")
    (session,) = [s for s in _sessions(client, rag_id, owner) if s["id"] not in before]
    turns = _session_entities(client, rag_id, owner, session["id"])
    assert len(turns) == 2 and turns[1] == {entities[subject]: "history"}

    # llama-index: no conversation id; each request is its own session, its messages its
    # history, and the follow-up still resolves
    llm = OpenAILike(model=model, api_base=f"{api_url}/v1", api_key=key, is_chat_model=True,
                     max_retries=0, timeout=30)  # fmt: skip
    first_reply = llm.chat([ChatMessage(role="user", content=first)])
    before = {s["id"] for s in _sessions(client, rag_id, owner)}
    llm.chat([ChatMessage(role="user", content=first), first_reply.message,
              ChatMessage(role="user", content=follow_up)])  # fmt: skip
    (session,) = [s for s in _sessions(client, rag_id, owner) if s["id"] not in before]
    (turn,) = _session_entities(client, rag_id, owner, session["id"])
    assert turn == {entities[subject]: "history"} and entities[look_alike] not in turn

    # langchain-openai: the same, with its message objects
    chat_model = ChatOpenAI(model=model, base_url=f"{api_url}/v1", api_key=SecretStr(key),
                            max_retries=0, timeout=30)  # fmt: skip
    first_answer = chat_model.invoke([HumanMessage(first)])
    before = {s["id"] for s in _sessions(client, rag_id, owner)}
    chat_model.invoke([HumanMessage(first), AIMessage(str(first_answer.content)),
                       HumanMessage(follow_up)])  # fmt: skip
    (session,) = [s for s in _sessions(client, rag_id, owner) if s["id"] not in before]
    assert _session_entities(client, rag_id, owner, session["id"]) == [
        {entities[subject]: "history"}
    ]


def test_two_conversations_that_begin_alike_are_two_sessions(
    client: httpx.Client, api_url: str, people: tuple[int, Account, dict[str, str]]
) -> None:
    rag_id, owner, _ = people
    key = create_key(client, owner)["key"]
    chat = openai_client(api_url, key).chat.completions
    before = {s["id"] for s in _sessions(client, rag_id, owner)}
    for _ in range(2):
        chat.create(model=f"rag-{rag_id}", messages=[{"role": "user", "content": "Hello?"}])
    assert len([s for s in _sessions(client, rag_id, owner) if s["id"] not in before]) == 2

    # a client that names its conversation keeps it whatever the first message
    before = {s["id"] for s in _sessions(client, rag_id, owner)}
    named = openai_client(api_url, key).with_options(
        default_headers={"X-Ferag-Conversation": "ticket-42"}
    )
    for question in ("Hello?", "Who is Ingrid Solberg?"):
        named.chat.completions.create(
            model=f"rag-{rag_id}", messages=[{"role": "user", "content": question}]
        )
    (session,) = [s for s in _sessions(client, rag_id, owner) if s["id"] not in before]
    assert session["messages"] == 4
