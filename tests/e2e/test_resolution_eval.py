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

from collections.abc import Iterator

import httpx
import pytest
from redis import Redis

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.vocab import normalise_label
from tests.fixtures.resolution.gold import Gold, load_gold
from tests.fixtures.resolution.gold_model import gold_judge, gold_model
from tests.fixtures.resolution.runs import CorpusRun, merge_stats, run_corpus
from tests.workers import WorkerProcess, start_worker

pytestmark = pytest.mark.slow

GOLD_BROKER_DB = "7"  # a Redis database (broker queue) of this module's own
STANDIN_SURPLUS_SHARE = 0.10


def reported(name: str, run: CorpusRun) -> CorpusRun:
    """The run, its numbers printed (``-s`` shows them: the baseline a change is measured by)."""
    cycles = ", ".join(f"{s:.0f} s" for s in run.cycle_seconds)
    print(
        f"\n{name}: {run.seconds:.0f} s (cycles {cycles}); {run.evaluation.summary()}; "
        f"merge stats {merge_stats(run)}\n{run.evaluation.table()}"
    )
    return run


@pytest.fixture(scope="module")
def gold() -> Gold:
    return load_gold()


@pytest.fixture(scope="module")
def gold_run(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, gold: Gold
) -> Iterator[CorpusRun]:
    """The corpus processed by a worker of its own whose model is the gold model."""
    from ferag.api.app import create_app

    broker = f"{settings.require('redis_url').rsplit('/', 1)[0]}/{GOLD_BROKER_DB}"
    Redis.from_url(broker).flushdb()
    own = settings.model_copy(update={"redis_url": broker})
    home = tmp_path_factory.mktemp("gold-home")
    with (
        gold_model(gold, first=(gold_judge(gold),)).serve() as model_url,
        ThreadedServer(create_app(own)) as api,
    ):
        worker = start_worker(
            own,
            home / "worker.log",
            FERAG_REDIS_URL=broker,
            FERAG_LLM_BASE_URL=model_url,
            FERAG_HOME=str(home),
        )
        try:
            yield reported("gold model", run_corpus(own, api.url, gold, "resolution-gold"))
        finally:
            worker.stop()


@pytest.fixture(scope="module")
def standin_run(settings: Settings, api_url: str, worker: WorkerProcess, gold: Gold) -> CorpusRun:
    """The corpus processed by the session's worker on the offline stand-in."""
    return reported("stand-in", run_corpus(settings, api_url, gold, "resolution-standin"))


def test_the_gold_model_run_has_one_entity_per_real_entity(gold_run: CorpusRun) -> None:
    evaluation = gold_run.evaluation
    report = f"{evaluation.summary()}\n{evaluation.table()}"
    assert evaluation.found_entities == evaluation.real_entities, report
    assert evaluation.wrong_merges == (), report
    assert evaluation.surplus == 0, report


def test_the_standin_run_has_little_surplus_and_no_wrong_merge(standin_run: CorpusRun) -> None:
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
    gold_run: CorpusRun, gold: Gold, question: str, gold_id: str
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
