"""What ferag measures for Prometheus, beyond HTTP requests (those are ``ferag.api.metrics``).

Every metric of the pipeline, the chat, the event fan-out and uploads is defined here, once, in
``REGISTRY``; the modules that do the work call the small ``observe_*`` functions. Processes:

- the **API** exposes these (with its HTTP metrics and the cycles by state, read from the
  database at scrape time) at ``/metrics``;
- each **worker** exposes the ones it observes (steps, LLM calls) on its own port
  (``FERAG_WORKER_METRICS_PORT``, see ``ferag.worker.observe``). Prometheus scrapes every API
  and every worker as its own target: workers run on any host, so no file or database is
  shared for metrics, and each counter keeps a single writer.

With several processes per target (uvicorn's API workers, Celery's pool children),
prometheus_client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``) adds them up; gauges say
how (``multiprocess_mode``).

Labels stay bounded: step names (the pipeline's list), models (the configured ones), phases,
outcomes and cycle states. No user, RAG, cycle or task ids: those are in the log lines.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from graphrag_lib.llm import LlmCall

REGISTRY = CollectorRegistry(auto_describe=True)

# Steps take seconds with the stand-in, hours with a slow local model.
STEP_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800)
LLM_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
CHAT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
FANOUT_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
CONTEXT_BUCKETS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500)

STEP_SECONDS = Histogram(
    "ferag_step_duration_seconds",
    "Time a pipeline step ran in a worker, by step and outcome (done, failed, retried).",
    ["step", "outcome"],
    buckets=STEP_BUCKETS,
    registry=REGISTRY,
)
LLM_REQUESTS = Counter(
    "ferag_llm_requests_total",
    "Model requests (not answered from GraphRAG's cache), by model, step and outcome.",
    ["model", "step", "outcome"],
    registry=REGISTRY,
)
LLM_TOKENS = Counter(
    "ferag_llm_tokens_total",
    "Tokens the model endpoint reported, by model, step and kind (prompt, completion).",
    ["model", "step", "kind"],
    registry=REGISTRY,
)
LLM_SECONDS = Histogram(
    "ferag_llm_request_duration_seconds",
    "Time of one model request (a streamed one: until its last chunk), by model and step.",
    ["model", "step"],
    buckets=LLM_BUCKETS,
    registry=REGISTRY,
)
LLM_CACHED = Counter(
    "ferag_llm_cache_hits_total",
    "GraphRAG model calls answered from its cache (no request), by model and step.",
    ["model", "step"],
    registry=REGISTRY,
)
CHAT_PHASE_SECONDS = Histogram(
    "ferag_chat_phase_duration_seconds",
    "Time of one phase of a chat turn: linking, retrieval, prompt, generation, total.",
    ["phase"],
    buckets=CHAT_BUCKETS,
    registry=REGISTRY,
)
CHAT_CONTEXT_ITEMS = Histogram(
    "ferag_chat_context_items",
    "What a chat turn's context held: entities, facts (relations) and passages.",
    ["kind"],
    buckets=CONTEXT_BUCKETS,
    registry=REGISTRY,
)
CHAT_TURNS = Counter(
    "ferag_chat_turns_total",
    "Recorded chat turns, by answering model and whether the answer came from the cache.",
    ["model", "cached"],
    registry=REGISTRY,
)
CHAT_TOKENS = Counter(
    "ferag_chat_tokens_total",
    "Tokens of recorded chat turns the model answered (reported by the model, else estimated): "
    "the graph context put in the prompt, the whole prompt, the answer. Cached turns spend none.",
    ["model", "kind"],
    registry=REGISTRY,
)
ANSWER_CACHE = Counter(
    "ferag_chat_answer_cache_total",
    "Answer cache lookups: hit, miss, or error (Redis unavailable). Hit ratio: "
    'rate(…{result="hit"}) / rate(…).',
    ["result"],
    registry=REGISTRY,
)
WS_SUBSCRIBERS = Gauge(
    "ferag_ws_subscribers",
    "WebSocket subscribers following a task's events now.",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
FANOUT_SECONDS = Histogram(
    "ferag_event_fanout_seconds",
    "From an event's commit (database clock) to its hand-over to this API process's "
    "subscribers, for events delivered by Redis.",
    buckets=FANOUT_BUCKETS,
    registry=REGISTRY,
)
WS_WAITED_SENDS = Counter(
    "ferag_ws_waited_sends_total",
    "Messages the hub sent to a socket whose buffer was full: its client reads slower than events "
    "come, and its later messages wait in its queue.",
    registry=REGISTRY,
)
UPLOAD_BYTES = Counter(
    "ferag_upload_bytes_total",
    "Bytes of uploaded files read by the API, by outcome (accepted, refused).",
    ["outcome"],
    registry=REGISTRY,
)

CYCLES_FAMILY = "ferag_cycles"  # a gauge by state, read from the database (ferag.api.metrics)

# Phase names of the chat service's timings (``timings_ms``) → the ``phase`` label.
CHAT_PHASES = {
    "cache": "cache",
    "link": "linking",
    "context": "retrieval",
    "prompt": "prompt",
    "llm": "generation",
    "total": "total",
}


def observe_llm_call(call: LlmCall, step: str) -> None:
    """One of ferag's own model calls (``graphrag_lib.llm.OpenAILikeChat``'s observer)."""
    LLM_REQUESTS.labels(call.model, step, call.outcome).inc()
    LLM_SECONDS.labels(call.model, step).observe(call.seconds)
    if call.usage is not None:
        LLM_TOKENS.labels(call.model, step, "prompt").inc(call.usage.prompt_tokens)
        LLM_TOKENS.labels(call.model, step, "completion").inc(call.usage.completion_tokens)


def observe_chat_turn(telemetry: dict[str, Any]) -> None:
    """A recorded chat turn, from its telemetry (``ferag.services.chat``): the phases' timings,
    the size of its context, its tokens (unless the cache answered it: no model spent them), and
    whether it was answered from the cache."""
    model = telemetry["model"]
    CHAT_TURNS.labels(model, str(telemetry["cached"]).lower()).inc()
    for key, phase in CHAT_PHASES.items():
        if key in telemetry["timings_ms"]:
            CHAT_PHASE_SECONDS.labels(phase).observe(telemetry["timings_ms"][key] / 1000)
    CHAT_CONTEXT_ITEMS.labels("entities").observe(len(telemetry["entities_in_context"]))
    CHAT_CONTEXT_ITEMS.labels("facts").observe(len(telemetry["relations_in_context"]))
    CHAT_CONTEXT_ITEMS.labels("passages").observe(len(telemetry["passages"]))
    if not telemetry["cached"]:
        for kind in ("context", "prompt", "completion"):
            CHAT_TOKENS.labels(model, kind).inc(telemetry["tokens"][kind])


def observe_answer_cache(result: str) -> None:
    """One answer cache lookup: ``hit``, ``miss`` or ``error``."""
    ANSWER_CACHE.labels(result).inc()


def observe_upload(size: int, *, accepted: bool) -> None:
    UPLOAD_BYTES.labels("accepted" if accepted else "refused").inc(size)
