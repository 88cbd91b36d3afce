"""Chat over facts that changed (``tests.fixtures.history_graph``): the current view by default,
history for questions about the past, ``as_of`` on both chat APIs, and citations of the
passages that established or ended a fact. Asserts on the context the API reports (telemetry),
not on the stand-in's prose."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.vocab import RagIris
from tests.factories import Account, create_account, create_rag
from tests.fixtures.history_graph import HistoryGraph, build_history_graph
from tests.integration.chat.conftest import load_production
from tests.integration.chat.test_openai_api import create_key, openai_client


@pytest.fixture(scope="module")
def history_rag(
    api_url: str, settings: Settings, store: TripleStore
) -> tuple[int, Account, HistoryGraph]:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        owner = create_account(http)
        rag_id = create_rag(http, owner, "facts over time")
    graph = build_history_graph(RagIris(str(settings.base_iri), str(rag_id)))
    load_production(settings, store, rag_id, graph.graph)
    return rag_id, owner, graph


def ask(client: httpx.Client, rag: tuple[int, Account, HistoryGraph], **body: Any) -> Any:
    rag_id, owner, _ = rag
    response = client.post(f"/rags/{rag_id}/chat", json=body, headers=owner.headers)
    assert response.status_code == 200, response.text
    return response.json()


def relations(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["iri"]: r for r in body["telemetry"]["relations_in_context"]}


def reference_numbers(body: dict[str, Any]) -> dict[str, int]:
    return {r["iri"]: r["number"] for r in body["telemetry"]["references"]}


def test_current_questions_use_current_facts_with_their_start(
    client: httpx.Client, history_rag: tuple[int, Account, HistoryGraph]
) -> None:
    graph = history_rag[2]
    body = ask(client, history_rag, question="Who is the director of the Polar Institute?")

    found = relations(body)
    assert body["telemetry"]["time"]["scope"] == "current"
    assert graph.statements["hans"] in found and graph.statements["marta"] not in found
    hans = found[graph.statements["hans"]]
    assert (hans["valid_from"], hans["current"]) == ("2026-03", True)
    assert graph.passages["hans"] in body["telemetry"]["passages"]


def test_questions_about_the_past_read_ended_facts_citing_where_they_ended(
    client: httpx.Client, history_rag: tuple[int, Account, HistoryGraph]
) -> None:
    graph = history_rag[2]
    body = ask(client, history_rag, question="Who was the director of the Polar Institute before?")

    found, numbers = relations(body), reference_numbers(body)
    assert body["telemetry"]["time"]["scope"] == "history"
    marta = found[graph.statements["marta"]]
    assert (marta["valid_from"], marta["valid_until"], marta["current"]) == (
        "2015",
        "2026-03",
        False,
    )
    # established by the 2015 passage, ended by the one that superseded it
    assert {numbers[graph.passages["marta"]], numbers[graph.passages["hans"]]} <= set(marta["refs"])
    assert graph.statements["hans"] in found


def test_as_of_answers_from_the_facts_of_that_date(
    client: httpx.Client, history_rag: tuple[int, Account, HistoryGraph]
) -> None:
    graph = history_rag[2]
    question = "Who is the director of the Polar Institute?"
    body = ask(client, history_rag, question=question, as_of="2020-06-01")

    found = relations(body)
    assert body["telemetry"]["time"] == {"scope": "at", "start": "2020-06-01", "end": None}
    assert graph.statements["marta"] in found and graph.statements["hans"] not in found
    assert any(c["iri"] == graph.passages["marta"] for c in body["telemetry"]["references"])
    bad = client.post(
        f"/rags/{history_rag[0]}/chat",
        json={"question": question, "as_of": "last spring"},
        headers=history_rag[1].headers,
    )
    assert bad.status_code == 422


def test_a_year_in_a_russian_question_reads_that_year(
    client: httpx.Client, history_rag: tuple[int, Account, HistoryGraph]
) -> None:
    graph = history_rag[2]
    question = "Кто руководил проектом «Вечная мерзлота 2030» в 2025 году?"
    body = ask(client, history_rag, question=question)

    found, numbers = relations(body), reference_numbers(body)
    assert body["telemetry"]["time"] == {"scope": "period", "start": "2025", "end": "2025"}
    assert graph.statements["olga"] not in found
    alexei = found[graph.statements["alexei"]]
    assert alexei["valid_until"] == "2026-04" and alexei["current"] is False
    assert numbers[graph.passages["olga"]] in alexei["refs"]  # the passage saying it ended


@pytest.mark.parametrize(
    "extension",
    [{"extra_body": {"as_of": "2020-06-01"}}, {"metadata": {"as_of": "2020-06-01"}}],
)
def test_openai_endpoint_takes_as_of_as_an_extension(
    client: httpx.Client,
    api_url: str,
    history_rag: tuple[int, Account, HistoryGraph],
    extension: dict[str, Any],
) -> None:
    rag_id, owner, graph = history_rag
    key = create_key(client, owner)["key"]
    completion = openai_client(api_url, key).chat.completions.create(
        model=f"rag-{rag_id}",
        messages=[{"role": "user", "content": "Who directs the Polar Institute?"}],
        extra_query={"debug": "true"},  # the statements in the context are debugging output
        **extension,
    )
    extras = (completion.model_extra or {})["ferag"]
    assert extras["time"]["scope"] == "at"
    iris = {r["iri"] for r in extras["relations"]}
    assert graph.statements["marta"] in iris and graph.statements["hans"] not in iris
