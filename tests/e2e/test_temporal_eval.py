"""Facts over time, measured end to end on the temporal corpus (``tests/fixtures/temporal``).

The corpus's three cycles (English and Russian documents dated by the upload's ``dates`` field,
by their file names and in their text) are uploaded, reviewed and approved through the real API
and a real worker whose model is the gold model (``tests/fixtures/temporal/gold_model.py``:
gold extraction, the gold ontology with functional and inverse-functional properties, the
fact judge's verdicts from the gold list). After each approval production is compared with the
gold facts (``tests/fixtures/temporal/evaluate.py``). The issue's acceptance on this corpus:

- every designed change ends with exactly one current fact, the old one invalidated with the
  date the documents give (``ferag:validUntil``);
- nothing superseded without a contradiction, restated facts untouched;
- no functional-property violation in production after an approval without an override.

The worker has its own broker (a Redis database no other test uses) and home, so its GraphRAG
cache never answers another test's request.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.fixtures.temporal.gold import Gold, load_gold
from tests.fixtures.temporal.gold_model import gold_model
from tests.fixtures.temporal.runs import TemporalRun, run_cycles
from tests.workers import start_worker

pytestmark = pytest.mark.slow

GOLD_BROKER_DB = "8"  # a Redis database (broker queue) of this module's own


@pytest.fixture(scope="module")
def gold() -> Gold:
    return load_gold()


@pytest.fixture(scope="module")
def gold_run(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, gold: Gold
) -> Iterator[TemporalRun]:
    """The corpus processed by a worker of its own whose model is the gold model."""
    from ferag.api.app import create_app

    broker = f"{settings.require('redis_url').rsplit('/', 1)[0]}/{GOLD_BROKER_DB}"
    Redis.from_url(broker).flushdb()
    own = settings.model_copy(update={"redis_url": broker})
    home = tmp_path_factory.mktemp("temporal-home")
    model, schema = gold_model(gold)
    with model.serve() as model_url, ThreadedServer(create_app(own)) as api:
        worker = start_worker(
            own,
            home / "worker.log",
            FERAG_REDIS_URL=broker,
            FERAG_LLM_BASE_URL=model_url,
            FERAG_HOME=str(home),
        )
        try:
            run = run_cycles(own, api.url, gold, "temporal-gold")
        finally:
            worker.stop()
    rejected = (
        f"; functional declarations rejected: {schema.rejected[:1]}" if schema.rejected else ""
    )
    print(f"\ntemporal gold model: {run.report()}{rejected}")
    yield run


def test_every_cycle_is_approved(gold_run: TemporalRun) -> None:
    refused = [
        f"{c.evaluation.cycle}: {c.approval.status_code} {c.approval.text[:300]}"
        for c in gold_run.cycles
        if c.approval.status_code != 200
    ]
    assert refused == [], refused


def test_every_designed_change_leaves_exactly_one_current_fact(gold_run: TemporalRun) -> None:
    for cycle in gold_run.cycles:
        e = cycle.evaluation
        assert sorted(e.one_current) == sorted(e.changes), gold_run.report()
        assert e.lost == [], gold_run.report()


def test_ended_facts_are_invalidated_with_the_documents_date(gold_run: TemporalRun) -> None:
    for cycle in gold_run.cycles:
        e = cycle.evaluation
        assert e.missed == [], gold_run.report()
        assert sorted(e.dated_correctly) == sorted(e.ended), gold_run.report()


def test_nothing_is_superseded_without_a_contradiction(gold_run: TemporalRun) -> None:
    for cycle in gold_run.cycles:
        e = cycle.evaluation
        assert e.wrongly_superseded == [], gold_run.report()
        assert sorted(e.restated_untouched) == sorted(e.restated), gold_run.report()


def test_production_has_no_functional_property_violation(gold_run: TemporalRun) -> None:
    for cycle in gold_run.cycles:
        assert cycle.evaluation.violations == [], gold_run.report()


def test_facts_are_dated_from_the_documents(gold_run: TemporalRun) -> None:
    for cycle in gold_run.cycles:
        e = cycle.evaluation
        assert sorted(e.valid_from_correct) == sorted(e.current_facts), gold_run.report()


def test_history_is_kept_not_written_over(gold_run: TemporalRun) -> None:
    for cycle in gold_run.cycles:
        assert cycle.evaluation.overwritten == [], gold_run.report()
