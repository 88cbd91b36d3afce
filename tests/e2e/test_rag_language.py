"""A RAG's language through the real pipeline (GraphRAG on the offline stand-in, a real Celery
worker): a Russian RAG gets Russian descriptions and ``@ru`` ontology labels, and a PATCH
changes the language of the next cycle. (That an English upload's diff is unchanged is
``test_diff_golden.py``'s.)"""

from __future__ import annotations

import re

import httpx
import pytest
from rdflib import Graph
from rdflib import Literal as RdfLiteral
from rdflib.namespace import OWL, RDF, RDFS

from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.vocab import FERAG, RagIris
from tests.e2e.review_flow import (
    approve,
    labelled,
    read_diff,
    upload,
    wait_for_review,
)
from tests.factories import Account
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

# Russian, with one English sentence: the only one that mentions "Kama Bank" in Latin letters.
RUSSIAN_UPLOAD = {
    "отчёты/кама.txt": "Kama Bank opened a new office in Moscow. "
    "Елена Кузнецова работает в Кама Банке в Казани. "
    "Кама Банк кредитует транспортные компании Татарстана. "
    "Игорь Соколов руководит складом в Новосибирске.\n".encode(),
}
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def cycle_language(
    client: httpx.Client, owner: Account, rag_id: int, cycle_id: int
) -> tuple[str, str]:
    """The language the cycle's index step reports, and where it came from."""
    cycle = client.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
    stats = cycle["steps"]["index"]["stats"]
    return str(stats["language"]), str(stats["language_source"])


def candidate(store: TripleStore, settings: Settings, rag_id: int, cycle_id: int) -> Graph:
    iris = RagIris(str(settings.base_iri), str(rag_id))
    data = store.get_graph(rag_id, str(iris.graph(f"cycle/{cycle_id}/candidate")))
    return Graph().parse(data=data.decode(), format="nt")


def term_labels(graph: Graph) -> dict[str, set[RdfLiteral]]:
    terms = {*graph.subjects(RDF.type, OWL.Class), *graph.subjects(RDF.type, OWL.ObjectProperty)}
    return {
        str(t): {o for o in graph.objects(t, RDFS.label) if isinstance(o, RdfLiteral)}
        for t in terms
    }


def report_summaries(graph: Graph) -> list[str]:
    return [
        str(graph.value(report, FERAG.summary))
        for report in graph.subjects(RDF.type, FERAG.CommunityReport)
    ]


def test_a_russian_rag_writes_russian_and_a_patch_changes_the_next_cycle(
    client: httpx.Client,
    owner: Account,
    settings: Settings,
    store: TripleStore,
    worker: WorkerProcess,
) -> None:
    created = client.post("/rags", json={"name": "кама", "language": "ru"}, headers=owner.headers)
    assert created.status_code == 201, created.text
    rag_id = created.json()["id"]
    first = upload(client, owner, rag_id, RUSSIAN_UPLOAD)
    wait_for_review(client, owner, rag_id, first)

    assert cycle_language(client, owner, rag_id, first) == ("ru", "rag")
    entities = labelled(read_diff(client, owner, rag_id, first)["entities"]["added"])
    assert {"Елена Кузнецова", "Kama Bank"} <= set(entities)
    for label, entity in entities.items():  # descriptions in Russian, the English one left out
        assert CYRILLIC.search(entity["description"]), (label, entity["description"])
        assert "opened" not in entity["description"], label
    assert entities["Kama Bank"]["description"] == "Kama Bank упоминается в тексте."
    graph = candidate(store, settings, rag_id, first)
    labels = term_labels(graph)
    ontology = str(RagIris(str(settings.base_iri), str(rag_id)).ontology)
    assert labels[ontology + "Person"] == {
        RdfLiteral("Персона", lang="ru"),
        RdfLiteral("Person", lang="en"),
    }
    for term, values in labels.items():  # every term has a Russian label, every label a tag
        assert any(v.language == "ru" for v in values), term
        assert all(v.language for v in values), term
    assert all(s.startswith("Сообщество") for s in report_summaries(graph))
    assert approve(client, owner, rag_id, first) == 1

    patched = client.patch(f"/rags/{rag_id}", json={"language": "en"}, headers=owner.headers)
    assert patched.status_code == 200 and patched.json()["language"] == "en"
    second = upload(client, owner, rag_id, {"news/kama.txt": RUSSIAN_UPLOAD["отчёты/кама.txt"]})
    wait_for_review(client, owner, rag_id, second)

    assert cycle_language(client, owner, rag_id, second) == ("en", "rag")
    changed = labelled(read_diff(client, owner, rag_id, second)["entities"]["changed"])
    kama = changed["Kama Bank"]
    assert kama["old_description"] == "Kama Bank упоминается в тексте."
    # Descriptions merge rather than replace: the new English sentence joins the old one.
    assert "Kama Bank opened a new office in Moscow." in kama["description"]
    assert all(
        s.startswith("The community")
        for s in report_summaries(candidate(store, settings, rag_id, second))
    )
