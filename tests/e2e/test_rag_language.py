"""A RAG's language through the real pipeline (GraphRAG on the offline stand-in, a real Celery
worker): an English upload's review diff is unchanged by the language settings (golden file),
and a Russian RAG gets Russian descriptions and ``@ru`` ontology labels."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph
from rdflib import Literal as RdfLiteral
from rdflib.namespace import OWL, RDF, RDFS

from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.vocab import FERAG, RagIris
from tests.e2e.test_review_cycle import (
    FIRST_UPLOAD,
    approve,
    labelled,
    read_diff,
    upload,
    wait_for_review,
)
from tests.factories import Account, create_rag
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden" / "english_review_diff.json"
# Russian, with one English sentence: the only one that mentions "Kama Bank" in Latin letters.
RUSSIAN_UPLOAD = {
    "отчёты/кама.txt": "Kama Bank opened a new office in Moscow. "
    "Елена Кузнецова работает в Кама Банке в Казани. "
    "Кама Банк кредитует транспортные компании Татарстана. "
    "Игорь Соколов руководит складом в Новосибирске.\n".encode(),
}
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def normalised(diff: dict[str, Any], rag_id: int) -> dict[str, Any]:
    """The diff with the ids that differ between runs replaced by placeholders."""
    text = json.dumps({**diff, "cycle_id": 0}, ensure_ascii=False, indent=1, sort_keys=True)
    return dict(json.loads(re.sub(rf"/rag/{rag_id}/", "/rag/RAG/", text)))


def without_relation_keys(diff: dict[str, Any]) -> dict[str, Any]:
    """The diff with relation IRIs left out and relations ordered by their ends: a relation's
    key hashes its predicate's IRI, which holds the RAG id, and the diff orders by IRI."""
    relations = {
        section: sorted(
            ({**item, "iri": "RELATION"} for item in items),
            key=lambda r: (r["subject"]["iri"], r["predicate"], r["object"]["iri"]),
        )
        for section, items in diff["relations"].items()
    }
    return {**diff, "relations": relations}


def test_an_english_upload_gives_the_same_review_diff_as_before(
    client: httpx.Client, owner: Account, worker: WorkerProcess
) -> None:
    rag_id = create_rag(client, owner, "golden")
    cycle_id = upload(client, owner, rag_id, FIRST_UPLOAD)
    wait_for_review(client, owner, rag_id, cycle_id)
    diff = normalised(read_diff(client, owner, rag_id, cycle_id), rag_id)
    if os.environ.get("FERAG_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(diff, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    assert without_relation_keys(diff) == without_relation_keys(json.loads(GOLDEN.read_text()))


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
    assert kama["description"].startswith("Kama Bank opened a new office in Moscow.")
    assert all(
        s.startswith("The community")
        for s in report_summaries(candidate(store, settings, rag_id, second))
    )
