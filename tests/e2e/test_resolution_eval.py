"""Entity resolution, measured end to end on the evaluation corpus (``tests/fixtures/resolution``).

The corpus's two cycles are uploaded, reviewed and approved through the real API and a real
worker, once with the gold model (a model server that extracts exactly the gold entities and
relations; ``tests/fixtures/resolution/gold_model.py``) and once with the offline stand-in.
Production is then compared with ``gold.json`` (``tests/fixtures/resolution/evaluate.py``):

- gold model: 0 surplus entities (every real entity is one IRI) and 0 wrong merges (the
  designed look-alikes, two Orlovs and two Kamensky companies, stay apart);
- stand-in: surplus at most 10 % of the real entities, 0 wrong merges;
- chat: a question naming an entity by an alias (Russian oblique case, acronym, Latin
  transliteration) links the one merged entity.

The gold model's worker has its own broker (a Redis database no other test uses) and its own
home, so its GraphRAG cache (keyed without the model name) never answers a stand-in request.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from rdflib import Graph
from redis import Redis

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from ferag.store.client import store_from_settings
from graphrag_lib.vocab import RagIris, normalise_label
from tests.e2e.test_review_cycle import approve, upload
from tests.factories import Account, create_account, create_rag
from tests.fixtures.resolution.evaluate import Evaluation, evaluate
from tests.fixtures.resolution.gold import CYCLES, Gold, load_gold
from tests.fixtures.resolution.gold_model import gold_model
from tests.workers import WorkerProcess, start_worker

pytestmark = pytest.mark.slow

GOLD_BROKER_DB = "7"  # a Redis database (broker queue) of this module's own
CYCLE_TIMEOUT_S = 600
STANDIN_SURPLUS_SHARE = 0.10


@dataclass(frozen=True)
class Run:
    """The corpus after both cycles were approved, and what it took."""

    api: str
    owner: Account
    rag_id: int
    evaluation: Evaluation
    seconds: float
    merge_stats: tuple[dict[str, Any], ...]  # the merge step's stats of each cycle


def wait_for_review(http: httpx.Client, owner: Account, rag_id: int, cycle_id: int) -> None:
    deadline = time.monotonic() + CYCLE_TIMEOUT_S
    cycle: dict[str, Any] = {}
    while time.monotonic() < deadline:
        cycle = http.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
        if cycle["status"] not in ("pending", "running"):
            assert cycle["status"] == "review", cycle
            return
        time.sleep(0.5)
    raise AssertionError(f"cycle {cycle_id} did not reach review: {cycle}")


def merge_stats(http: httpx.Client, owner: Account, rag_id: int, cycle_id: int) -> dict[str, Any]:
    cycle = http.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
    return dict(cycle["steps"]["merge"].get("stats") or {})


def production(settings: Settings, rag_id: int) -> Graph:
    graph = RagIris(str(settings.base_iri), str(rag_id)).graph("prod")
    store = store_from_settings(settings)
    try:
        data = store.get_graph(rag_id, str(graph))
    finally:
        store.close()
    return Graph().parse(data=data.decode(), format="nt")


def run_corpus(settings: Settings, api: str, gold: Gold, name: str) -> Run:
    """Upload, review and approve both cycles of the corpus in a new RAG; evaluate production."""
    started = time.monotonic()
    stats = []
    with httpx.Client(base_url=api, timeout=60) as http:
        owner = create_account(http)
        rag_id = create_rag(http, owner, name)
        for cycle in CYCLES:
            cycle_id = upload(http, owner, rag_id, gold.files(cycle))
            wait_for_review(http, owner, rag_id, cycle_id)
            stats.append(merge_stats(http, owner, rag_id, cycle_id))
            approve(http, owner, rag_id, cycle_id)
    seconds = time.monotonic() - started
    evaluation = evaluate(production(settings, rag_id), gold)
    print(f"\n{name}: {seconds:.0f} s; {evaluation.summary()}\n{evaluation.table()}")
    return Run(api, owner, rag_id, evaluation, seconds, tuple(stats))


@pytest.fixture(scope="module")
def gold() -> Gold:
    return load_gold()


@pytest.fixture(scope="module")
def gold_run(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, gold: Gold
) -> Iterator[Run]:
    """The corpus processed by a worker of its own whose model is the gold model."""
    from ferag.api.app import create_app

    broker = f"{settings.require('redis_url').rsplit('/', 1)[0]}/{GOLD_BROKER_DB}"
    Redis.from_url(broker).flushdb()
    own = settings.model_copy(update={"redis_url": broker})
    home = tmp_path_factory.mktemp("gold-home")
    with gold_model(gold).serve() as model_url, ThreadedServer(create_app(own)) as api:
        worker: WorkerProcess = start_worker(
            own,
            home / "worker.log",
            FERAG_REDIS_URL=broker,
            FERAG_LLM_BASE_URL=model_url,
            FERAG_HOME=str(home),
        )
        try:
            yield run_corpus(own, api.url, gold, "resolution-gold")
        finally:
            worker.stop()


@pytest.fixture(scope="module")
def standin_run(settings: Settings, api_url: str, worker: WorkerProcess, gold: Gold) -> Run:
    """The corpus processed by the session's worker on the offline stand-in."""
    return run_corpus(settings, api_url, gold, "resolution-standin")


def test_the_gold_model_run_has_one_entity_per_real_entity(gold_run: Run) -> None:
    evaluation = gold_run.evaluation
    report = f"{evaluation.summary()}\n{evaluation.table()}"
    assert evaluation.found_entities == evaluation.real_entities, report
    assert evaluation.wrong_merges == (), report
    assert evaluation.surplus == 0, report


def test_the_standin_run_has_little_surplus_and_no_wrong_merge(standin_run: Run) -> None:
    evaluation = standin_run.evaluation
    report = f"{evaluation.summary()}\n{evaluation.table()}"
    assert evaluation.wrong_merges == (), report
    assert evaluation.surplus <= STANDIN_SURPLUS_SHARE * evaluation.real_entities, report


QUESTIONS = {
    "oblique case": ("Что известно о докладе Марины Ковалёвой?", "marina_kovaleva"),
    "Russian acronym": ("Чем занимается ЛИМБ?", "limb"),
    "acronym": ("What does ARF fund?", "arctic_research_foundation"),
    "transliteration": ("What did Dmitriy Orlov present?", "dmitri_orlov"),
    "instrumental case": ("Кто встречался с Хенриком Аасеном?", "henrik_aasen"),
}


@pytest.mark.parametrize("question, gold_id", QUESTIONS.values(), ids=list(QUESTIONS))
def test_a_question_naming_an_alias_links_the_merged_entity(
    gold_run: Run, gold: Gold, question: str, gold_id: str
) -> None:
    row = next(r for r in gold_run.evaluation.rows if r.gold_id == gold_id)
    with httpx.Client(base_url=gold_run.api, timeout=60) as http:
        response = http.post(
            f"/rags/{gold_run.rag_id}/chat",
            json={"question": question},
            headers=gold_run.owner.headers,
        )
    assert response.status_code == 200, response.text
    linked = {entity["iri"]: entity for entity in response.json()["entities"]}
    names = [normalise_label(name) for name in gold.entity(gold_id).names]
    assert len(row.iris) == 1, f"{gold_id} is {len(row.iris)} entities: {row.labels} ({names})"
    assert row.iris[0] in linked, f"{question!r} linked {list(linked.values())}, not {row.iris}"
