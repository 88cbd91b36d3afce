"""GraphRAG's failures as ``IndexingError``s.

GraphRAG hands back a ``PipelineRunResult`` whose ``error`` is set when a workflow raised, and
it only logs the model errors of single text units and communities (``ErrorCollector`` keeps
them). A run with either raises: ``LlmUnavailable`` when a connection, timeout, rate-limit or
server error is among the causes, ``LlmRejected`` for a 4xx refusal, else ``IndexingFailed``.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphrag.index.typing.pipeline_run_result import PipelineRunResult

from graphrag_lib.index.callbacks import ErrorCollector
from graphrag_lib.index.errors import IndexingError, IndexingFailed, LlmRejected, LlmUnavailable

# Class names anywhere in an exception's MRO (litellm, openai and httpx share them).
TRANSIENT = frozenset(
    {
        "APIConnectionError",
        "APITimeoutError",
        "Timeout",
        "TimeoutException",
        "ConnectError",
        "ConnectionError",
        "RateLimitError",
        "ServiceUnavailableError",
        "InternalServerError",
    }
)
REJECTED = frozenset(
    {
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "BadRequestError",
        "UnprocessableEntityError",
        "UnsupportedParamsError",
        "ContextWindowExceededError",
    }
)
MAX_REASON = 500


def raise_for_failures(
    results: list[PipelineRunResult], collector: ErrorCollector, base_url: str
) -> None:
    """Raise the ``IndexingError`` that explains a failed or partly failed run, if any."""
    failed = next((r for r in results if r.error is not None), None)
    logged = collector.errors
    if failed is None and not logged:
        return
    workflow = failed.workflow if failed else logged[0].workflow
    causes = [e.error for e in logged] + ([failed.error] if failed and failed.error else [])
    raise classify(workflow, causes, collector.count, base_url)


def classify(
    workflow: str, causes: list[BaseException], logged: int, base_url: str
) -> IndexingError:
    """The exception for a workflow that failed with ``causes`` (model errors first)."""
    transient = next((c for c in causes if _matches(c, TRANSIENT)), None)
    if transient is not None:
        return _chained(LlmUnavailable(base_url, _reason(transient), workflow), transient)
    rejected = next((c for c in causes if _matches(c, REJECTED)), None)
    if rejected is not None:
        reason = f"the model endpoint {base_url} refused a request: {_reason(rejected)}"
        return _chained(LlmRejected(workflow, reason), rejected)
    cause = causes[0]
    reason = _reason(cause)
    if logged:
        reason = f"{logged} model request(s) failed; first: {reason}"
    return _chained(IndexingFailed(workflow, reason), cause)


def _matches(error: BaseException, names: frozenset[str]) -> bool:
    return any({cls.__name__ for cls in type(e).__mro__} & names for e in _chain(error))


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _reason(error: BaseException) -> str:
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _chained(exception: IndexingError, cause: BaseException) -> IndexingError:
    exception.__cause__ = cause
    return exception
