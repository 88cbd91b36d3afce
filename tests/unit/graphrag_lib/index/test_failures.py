"""GraphRAG's failures as the index step's exceptions."""

from __future__ import annotations

import httpx
import litellm
import openai
import pytest
from graphrag.index.typing.pipeline_run_result import PipelineRunResult

from graphrag_lib import llm
from graphrag_lib.index import IndexingError, IndexingFailed, LlmRejected, LlmUnavailable
from graphrag_lib.index.callbacks import ErrorCollector, WorkflowProgress
from graphrag_lib.index.failures import classify, raise_for_failures

URL = "http://127.0.0.1:1234/v1"
REQUEST = httpx.Request("POST", f"{URL}/chat/completions")


def _caused(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "cause",
    [
        openai.APIConnectionError(request=REQUEST),
        litellm.exceptions.Timeout("timed out", "m", "openai"),
        litellm.exceptions.RateLimitError("slow down", "openai", "m"),
        _caused(ValueError("wrapped"), httpx.ConnectError("refused")),
        ConnectionRefusedError("refused"),
    ],
)
def test_connection_trouble_is_llm_unavailable(cause: BaseException) -> None:
    error = classify("extract_graph", [ValueError("No entities detected"), cause], 1, URL)

    assert isinstance(error, LlmUnavailable)
    assert isinstance(error, llm.LlmUnavailable)
    assert error.workflow == "extract_graph"
    assert error.__cause__ is cause
    assert URL in str(error)


def test_a_refusal_is_llm_rejected() -> None:
    cause = litellm.exceptions.NotFoundError("model `x` does not exist", "x", "openai")

    error = classify("create_community_reports", [cause], 1, URL)

    assert isinstance(error, LlmRejected)
    assert isinstance(error, IndexingFailed)
    assert isinstance(error, llm.LlmRejected)
    assert "does not exist" in error.reason


def test_anything_else_is_indexing_failed_with_the_reason() -> None:
    error = classify("extract_graph", [ValueError("No relationships detected")], 0, URL)

    assert type(error) is IndexingFailed
    assert str(error) == (
        "GraphRAG workflow extract_graph failed: ValueError: No relationships detected"
    )


def test_logged_model_errors_are_counted_in_the_reason() -> None:
    error = classify("create_community_reports", [KeyError("findings")], 7, URL)

    assert isinstance(error, IndexingFailed)
    assert error.reason.startswith("7 model request(s) failed; first: KeyError")


def _collector() -> ErrorCollector:
    return ErrorCollector(WorkflowProgress(lambda *args, **kwargs: None))


def test_a_clean_run_raises_nothing() -> None:
    results = [PipelineRunResult(workflow="extract_graph", result=None, state={}, error=None)]

    raise_for_failures(results, _collector(), URL)


def test_a_failed_workflow_raises() -> None:
    error = RuntimeError("boom")
    results = [PipelineRunResult(workflow="finalize_graph", result=None, state={}, error=error)]

    with pytest.raises(IndexingError) as raised:
        raise_for_failures(results, _collector(), URL)

    assert raised.value.workflow == "finalize_graph"
    assert raised.value.__cause__ is error
