"""GraphRAG's workflow callbacks as ferag progress calls; GraphRAG's logged model errors kept."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from graphrag.logger.progress import Progress

from graphrag_lib.index.callbacks import ERROR_LOGGER, ErrorCollector, WorkflowProgress

Call = tuple[int, int | None, str, dict[str, Any]]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Call] = []

    def __call__(
        self, done: int, total: int | None, message: str = "", data: dict[str, Any] | None = None
    ) -> None:
        self.calls.append((done, total, message, data or {}))


def test_workflows_are_counted_n_of_m() -> None:
    recorder = Recorder()
    progress = WorkflowProgress(recorder)

    progress.pipeline_start(["create_base_text_units", "extract_graph"])
    progress.workflow_start("create_base_text_units", None)
    progress.workflow_end("create_base_text_units", None)
    progress.workflow_start("extract_graph", None)

    assert [(done, total, message) for done, total, message, _data in recorder.calls] == [
        (0, 2, "GraphRAG indexing started"),
        (0, 2, "create_base_text_units started"),
        (1, 2, recorder.calls[2][2]),
        (1, 2, "extract_graph started"),
    ]
    assert recorder.calls[2][2].startswith("create_base_text_units done in ")
    assert recorder.calls[3][3] == {
        "workflow": "extract_graph",
        "workflow_number": 2,
        "workflows_total": 2,
    }
    assert set(progress.seconds) == {"create_base_text_units"}


def test_item_progress_is_passed_on_once_per_percent() -> None:
    recorder = Recorder()
    progress = WorkflowProgress(recorder)
    progress.pipeline_start(["extract_graph"])
    progress.workflow_start("extract_graph", None)

    for done in range(1, 1001):
        progress.progress(Progress("extract graph progress: ", 1000, done))

    items = recorder.calls[2:]
    assert len(items) == 101  # 0 %, 1 %, …, 100 %
    assert items[-1][:3] == (0, 1, "extract_graph: 1000/1000 (extract graph)")
    assert items[-1][3] == {
        "workflow": "extract_graph",
        "workflow_number": 1,
        "workflows_total": 1,
        "items_done": 1000,
        "items_total": 1000,
        "stage": "extract graph",
    }


@pytest.mark.parametrize("total", [0, None])
def test_progress_without_a_total_or_workflow_is_ignored(total: int | None) -> None:
    recorder = Recorder()
    progress = WorkflowProgress(recorder)
    progress.progress(Progress("x", 10, 1))  # no workflow yet
    progress.pipeline_start(["a"])
    progress.workflow_start("a", None)
    progress.progress(Progress("x", total, 1))

    assert len(recorder.calls) == 2


def test_errors_logged_with_exceptions_are_collected_per_workflow() -> None:
    progress = WorkflowProgress(Recorder())
    progress.pipeline_start(["extract_graph"])
    progress.workflow_start("extract_graph", None)
    collector = ErrorCollector(progress, keep=1)
    logger = logging.getLogger(f"{ERROR_LOGGER}.operations.extract_graph")

    with collector.attached():
        logger.error("no exception attached")
        for number in range(3):
            try:
                raise ConnectionError(f"refused {number}")
            except ConnectionError as error:
                logger.exception("error extracting graph")
                logger.error("Entity Extraction Error", exc_info=error)  # logged twice
        pipeline = logging.getLogger("graphrag.index.run.run_pipeline")
        pipeline.error("error running workflow", exc_info=ValueError("the run result says so"))
    logger.error("after detaching", exc_info=ValueError("late"))

    assert collector.count == 3
    assert [(e.workflow, str(e.error)) for e in collector.errors] == [
        ("extract_graph", "refused 0")
    ]
