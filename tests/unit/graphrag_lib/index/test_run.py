"""GraphRAG 3.3.0 for real against the offline stand-in over HTTP: tables, cache, failures."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ferag.llm.standin import DEFAULT_RULES, Rule, create_app
from ferag.llm.standin.graphrag import GRAPHRAG_RULES
from ferag.llm.standin.graphrag.reports import is_community_report
from ferag.stack.servers import free_port
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.documents import SourceDocument
from graphrag_lib.index import (
    GraphRagTables,
    IndexConfig,
    IndexingFailed,
    IndexResult,
    LlmRejected,
    LlmUnavailable,
    index_documents,
    load_tables,
)
from graphrag_lib.index.settings import model_dir
from graphrag_lib.llm import LlmEndpoint
from graphrag_lib.llm import LlmUnavailable as AnyLlmUnavailable
from tests.unit.graphrag_lib.index.conftest import GraphRagStandin, standin_endpoint

pytestmark = pytest.mark.slow

TEXTS = {
    "reports/2024/acme.txt": (
        "Acme Corp signed a supply contract with Northwind Traders LLC in Berlin on Monday. "
        "John Smith, the chief executive of Acme Corp, met Maria Garcia in London. "
        "Maria Garcia leads the logistics division of Northwind Traders LLC."
    ),
    "reports/2024/romashka.txt": (
        "ООО «Ромашка» подписало договор с компанией Acme Corp в Москве. "
        "Иван Петров, генеральный директор «Ромашки», встретился с John Smith из Acme Corp. "
        "Иван Петров заявил, что «Ромашка» откроет завод в Новосибирске."
    ),
    "notes/kazan.md": (
        "«Ромашка» и Иван Петров выступили на форуме «Иннопром» в Казани. "
        "Анна Кузнецова из «Ромашки» рассказала о новом заводе."
    ),
}


def _document(path: str, text: str) -> SourceDocument:
    data = text.encode()
    return SourceDocument(
        path=path,
        title=Path(path).stem,
        format=Path(path).suffix.lstrip("."),
        text=text,
        encoding="utf-8",
        date=dt.date(2024, 3, 1),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


DOCUMENTS = [_document(path, text) for path, text in TEXTS.items()]


@dataclass
class Events:
    calls: list[tuple[int, int | None, str, dict[str, Any]]] = field(default_factory=list)

    def __call__(
        self, done: int, total: int | None, message: str = "", data: dict[str, Any] | None = None
    ) -> None:
        self.calls.append((done, total, message, data or {}))


@dataclass
class Run:
    result: IndexResult
    tables: GraphRagTables
    events: Events
    requests: int
    work_dir: Path
    config: IndexConfig


@pytest.fixture(scope="module")
def run(graphrag_standin: GraphRagStandin, tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("index")
    config = IndexConfig(endpoint=graphrag_standin.endpoint(), cache_dir=root / "cache")
    events = Events()
    before = graphrag_standin.counter.total
    result = index_documents(DOCUMENTS, root / "work", config, events)
    requests = graphrag_standin.counter.total - before
    return Run(result, load_tables(result.output_dir), events, requests, root / "work", config)


def _entity(tables: GraphRagTables, title: str) -> pd.Series:
    rows = tables.entities[tables.entities["title"] == title]
    assert len(rows) == 1, f"{title}: {len(rows)} rows"
    return rows.iloc[0]


def _paths_of_units(tables: GraphRagTables, unit_ids: Any) -> set[str]:
    units = tables.text_units.set_index("id")
    titles = tables.documents.set_index("id")["title"]
    return {titles[units.loc[unit, "document_id"]] for unit in unit_ids}


def test_documents_are_titled_by_path_and_own_their_text_units(run: Run) -> None:
    documents, units = run.tables.documents, run.tables.text_units

    assert sorted(documents["title"]) == sorted(TEXTS)
    assert set(units["document_id"]) == set(documents["id"])
    for document in documents.itertuples():
        own_units = units[units["document_id"] == document.id]["id"]
        assert list(document.text_unit_ids) == list(own_units)
        assert document.creation_date == "2024-03-01"


@pytest.mark.parametrize(
    ("title", "kind", "paths"),
    [
        ("ACME CORP", "ORGANIZATION", {"reports/2024/acme.txt", "reports/2024/romashka.txt"}),
        ("JOHN SMITH", "PERSON", {"reports/2024/acme.txt", "reports/2024/romashka.txt"}),
        ("РОМАШКА", "ORGANIZATION", {"reports/2024/romashka.txt", "notes/kazan.md"}),
        ("ИВАН ПЕТРОВ", "PERSON", {"reports/2024/romashka.txt", "notes/kazan.md"}),
        ("КАЗАНЬ", "GEO", {"notes/kazan.md"}),
    ],
)
def test_an_entity_named_in_several_documents_appears_once_with_all_its_units(
    run: Run, title: str, kind: str, paths: set[str]
) -> None:
    entity = _entity(run.tables, title)

    assert entity["type"] == kind
    assert _paths_of_units(run.tables, entity["text_unit_ids"]) == paths
    assert entity["description"]


def test_relationships_come_from_shared_sentences(run: Run) -> None:
    relationships = run.tables.relationships
    ends = zip(relationships["source"], relationships["target"], strict=True)
    pairs = {frozenset(pair) for pair in ends}

    assert frozenset({"ACME CORP", "NORTHWIND TRADERS LLC"}) in pairs
    assert frozenset({"ИВАН ПЕТРОВ", "РОМАШКА"}) in pairs
    smith_acme = relationships[
        relationships["source"].isin(["ACME CORP", "JOHN SMITH"])
        & relationships["target"].isin(["ACME CORP", "JOHN SMITH"])
    ].iloc[0]
    assert smith_acme["weight"] == 2.0  # one shared sentence in each of two documents
    assert _paths_of_units(run.tables, smith_acme["text_unit_ids"]) == {
        "reports/2024/acme.txt",
        "reports/2024/romashka.txt",
    }


def test_every_community_has_a_report(run: Run) -> None:
    communities, reports = run.tables.communities, run.tables.community_reports
    members = {entity for ids in communities["entity_ids"] for entity in ids}

    assert len(communities) >= 2
    assert set(reports["community"]) == set(communities["community"])
    assert set(run.tables.entities["id"]) == members  # every related entity has a community
    assert all(reports["title"].str.len() > 0)
    assert all(len(findings) > 0 for findings in reports["findings"])


def test_entity_embeddings_are_in_the_local_vector_store(run: Run) -> None:
    assert (run.result.output_dir / "lancedb" / "entity_description.lance").is_dir()
    assert run.result.table_rows["entities"] == len(run.tables.entities)


def test_progress_names_every_workflow_and_ends_complete(run: Run) -> None:
    calls = run.events.calls
    workflows = calls[0][3]["workflows"]
    started = [d.get("workflow") for *_rest, message, d in calls if message.endswith("started")]
    extraction = [data for *_rest, data in calls if data.get("stage") == "extract graph"]

    assert calls[0][2] == "GraphRAG indexing started"
    assert started == [None, *workflows]
    assert calls[-1][:2] == (len(workflows), len(workflows))
    assert [done for done, *_rest in calls] == sorted(done for done, *_rest in calls)
    assert extraction[-1]["items_done"] == extraction[-1]["items_total"] == len(TEXTS)
    assert set(run.result.workflow_seconds) == set(workflows)


def test_the_cache_has_a_directory_per_model(run: Run) -> None:
    endpoint = run.config.endpoint
    chat = run.config.cache_dir / model_dir(endpoint.chat_model)
    embedding = run.config.cache_dir / model_dir(endpoint.embedding_model)

    assert {p.name for p in chat.iterdir()} >= {"extract_graph", "community_reporting"}
    assert {p.name for p in embedding.iterdir()} == {"text_embedding"}


def test_a_rerun_is_answered_from_the_cache(run: Run, graphrag_standin: GraphRagStandin) -> None:
    root_handlers = list(logging.getLogger().handlers)
    before = graphrag_standin.counter.total

    again = index_documents(DOCUMENTS, run.work_dir, run.config)

    assert run.requests > 0
    assert graphrag_standin.counter.total == before  # not one request reached the model
    tables = load_tables(again.output_dir)
    assert sorted(tables.entities["title"]) == sorted(run.tables.entities["title"])
    assert again.table_rows == run.result.table_rows
    assert logging.getLogger().handlers == root_handlers
    assert logging.getLogger("graphrag").handlers == []


def test_an_unreachable_endpoint_raises_llm_unavailable_quickly(tmp_path: Path) -> None:
    endpoint = LlmEndpoint(
        base_url=f"http://127.0.0.1:{free_port()}/v1",
        chat_model="any-chat",
        embedding_model="any-embed",
        embedding_dim=384,
        max_retries=2,
        max_retry_wait_s=2,
    )
    config = IndexConfig(endpoint=endpoint, cache_dir=tmp_path / "cache")
    started = time.monotonic()

    with pytest.raises(LlmUnavailable) as raised:
        index_documents(DOCUMENTS[:1], tmp_path / "work", config)

    assert time.monotonic() - started < 30
    assert isinstance(raised.value, AnyLlmUnavailable)  # what the worker retries on
    assert raised.value.workflow == "extract_graph"
    assert endpoint.base_url in str(raised.value)


def test_an_unknown_model_raises_llm_rejected(
    graphrag_standin: GraphRagStandin, tmp_path: Path
) -> None:
    endpoint = graphrag_standin.endpoint(chat_model="no-such-model")
    config = IndexConfig(endpoint=endpoint, cache_dir=tmp_path / "cache")

    with pytest.raises(LlmRejected, match="no-such-model"):
        index_documents(DOCUMENTS[:1], tmp_path / "work", config)


def test_text_without_names_fails_extraction(
    graphrag_standin: GraphRagStandin, tmp_path: Path
) -> None:
    config = IndexConfig(endpoint=graphrag_standin.endpoint(), cache_dir=tmp_path / "cache")
    document = _document("plain.txt", "nothing in this text is named at all.")

    with pytest.raises(IndexingFailed) as raised:
        index_documents([document], tmp_path / "work", config)

    assert raised.value.workflow == "extract_graph"
    assert raised.value.reason == (
        "ValueError: Graph Extraction failed. No entities detected during extraction."
    )


def test_a_report_the_model_botched_fails_the_run(tmp_path: Path) -> None:
    botched = Rule("botched-report", matches=is_community_report, respond=lambda _r: "{not json")
    app = create_app(embedding_dim=384, rules=(botched, *GRAPHRAG_RULES, *DEFAULT_RULES))
    with ThreadedServer(app) as server:
        config = IndexConfig(endpoint=standin_endpoint(server.url), cache_dir=tmp_path / "cache")

        with pytest.raises(IndexingFailed) as raised:
            index_documents(DOCUMENTS[:1], tmp_path / "work", config)

    assert raised.value.workflow == "create_community_reports"
    assert "model request(s) failed" in raised.value.reason
