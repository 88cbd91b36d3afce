"""How the index step fails. Callers catch ``IndexingError``::

    IndexingError
    ├── IndexingFailed      a GraphRAG workflow failed: ``workflow`` and ``reason`` say which
    │   │                   and why; re-running repeats the same failure until the cause is fixed
    │   └── LlmRejected     the endpoint refused requests (model name, key, request shape);
    │                       also a ``graphrag_lib.llm.LlmRejected``
    └── LlmUnavailable      the endpoint could not be reached or kept failing (connection refused,
                            timeouts, 429/5xx after the retries); transient: retry the step later.
                            Also a ``graphrag_lib.llm.LlmUnavailable``, which the worker retries on

GraphRAG reports failures as ``PipelineRunResult.error`` and logs the model errors it swallows
per text unit or community; ``graphrag_lib.index.run`` turns both into these exceptions.
"""

from __future__ import annotations

from graphrag_lib import llm


class IndexingError(Exception):
    """The index step did not produce GraphRAG's tables."""

    def __init__(self, message: str, workflow: str | None = None) -> None:
        super().__init__(message)
        self.workflow = workflow


class IndexingFailed(IndexingError):
    """A GraphRAG workflow failed for a reason that retrying will not fix."""

    def __init__(self, workflow: str, reason: str) -> None:
        super().__init__(f"GraphRAG workflow {workflow} failed: {reason}", workflow)
        self.reason = reason


class LlmRejected(IndexingFailed, llm.LlmRejected):
    """The model endpoint refused GraphRAG's requests; fix the model name, key or endpoint."""


class LlmUnavailable(IndexingError, llm.LlmUnavailable):
    """The model endpoint could not be reached or kept failing; retry the step later."""

    def __init__(self, base_url: str, reason: str, workflow: str | None = None) -> None:
        where = f" during {workflow}" if workflow else ""
        super().__init__(
            f"The model endpoint {base_url} is unavailable{where} ({reason}). Check that the "
            "model server is running and reachable, then retry.",
            workflow,
        )
        self.base_url = base_url
        self.reason = reason
