"""The update cycle's steps, in order: the one list everything else derives from.

``STEPS`` names each step and the function that runs it. A step reads its inputs from a
``CycleStorage``, calls one stage of the library and writes its output back, so any step can
run again from its inputs (a write replaces what an earlier run of the same step wrote)::

    index    documents          → GraphRAG's tables
    to_rdf   tables             → graph ``extracted``
    schema   extracted + prod.  → graph ``candidate`` (typed instances + the cycle's ontology)
    merge    candidate + prod.  → graphs ``add`` and ``remove`` (the change set)
    staging  add + remove       → checked: present, as large as merge said, only this RAG's;
                                  the consistency gate (SHACL) → graph ``violations``

The service runs one step per Celery task (``ferag.cycle.<name>``) against PostgreSQL and the
triple store (``ferag.cycle.storage``); ``ferag pipeline`` runs them all against a folder
(``ferag.cli.pipeline``). Adding a step is one function here and one entry in ``STEPS``
(see ``docs/pipeline.md``). Imports nothing from the service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rdflib import Graph, URIRef

from graphrag_lib.progress import ProgressCallback
from graphrag_lib.vocab import RagIris

if TYPE_CHECKING:  # the stages are imported by the steps that run them: the API reads
    # ``STEP_NAMES`` without loading GraphRAG, pandas and llama-index
    from graphrag_lib.documents import SourceDocument
    from graphrag_lib.gate import GateConfig
    from graphrag_lib.index import IndexConfig
    from graphrag_lib.llm import ChatModel
    from graphrag_lib.merge import MergeConfig, ProductionView
    from graphrag_lib.schema import SchemaConfig
    from graphrag_lib.tables import GraphRagTables


class StepInputError(Exception):
    """A step's inputs are missing or wrong (e.g. a change set that fails the staging checks);
    running the same step again will not help: re-run the step that wrote them."""


class CycleStorage(Protocol):
    """Where one cycle's steps read and write; graphs are named ``extracted``, ``candidate``,
    ``add`` and ``remove``."""

    def documents(self) -> list[SourceDocument]:
        """The cycle's documents, in path order."""
        ...

    def work_dir(self) -> Path:
        """A directory for GraphRAG's files (kept between runs, so its cache can answer)."""
        ...

    def save_tables(self, output_dir: Path) -> None:
        """Keep GraphRAG's tables from ``output_dir`` for the next step."""
        ...

    def load_tables(self) -> GraphRagTables:
        """The tables ``save_tables`` kept; ``StepInputError`` if there are none."""
        ...

    def write_graph(self, name: str, graph: Graph) -> int:
        """Replace graph ``name`` with ``graph``; returns its number of triples."""
        ...

    def read_graph(self, name: str) -> Graph:
        """Graph ``name`` (empty if it was written empty or never written)."""
        ...

    def production(self) -> ProductionView:
        """Read access to production as it is now."""
        ...


@dataclass(frozen=True)
class CycleRun:
    """What a step runs with: its storage, the RAG's IRIs, the stage configs and a model."""

    storage: CycleStorage
    iris: RagIris
    index: IndexConfig
    schema: SchemaConfig
    merge: MergeConfig
    chat: Callable[[], ChatModel]  # made on first use (``schema``; ``merge`` on unclear pairs)
    progress: ProgressCallback
    earlier: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """The stats of the steps already done, by step name."""
    version: int = 1
    """The production version approving this cycle makes (its base version + 1): merge
    records new statements in it and invalidates ended ones in it."""
    gate: GateConfig | None = None  # the consistency gate's (owner shapes); None: defaults


@dataclass(frozen=True)
class StepOutcome:
    """What a step reports: counts, and warnings a reviewer should read (e.g. why the ontology
    fell back to one class per entity type)."""

    stats: dict[str, Any]
    warnings: tuple[str, ...] = ()


def index(run: CycleRun) -> StepOutcome:
    """GraphRAG over the cycle's documents."""
    from graphrag_lib.index import index_documents

    documents = run.storage.documents()
    result = index_documents(documents, run.storage.work_dir(), run.index, run.progress)
    run.storage.save_tables(result.output_dir)
    rows = result.table_rows
    return StepOutcome(
        {
            "entities": rows.get("entities", 0),
            "relationships": rows.get("relationships", 0),
            "text_units": rows.get("text_units", 0),
            "communities": rows.get("communities", 0),
        }
    )


def to_rdf(run: CycleRun) -> StepOutcome:
    """GraphRAG's tables as RDF: graph ``extracted``."""
    from graphrag_lib.to_rdf import DocumentMeta, tables_to_rdf

    metas = [
        DocumentMeta(d.path, d.title, d.format, dated.value, dated.source)
        if (dated := d.document_date())
        else DocumentMeta(d.path, d.title, d.format)
        for d in run.storage.documents()
    ]
    graph = tables_to_rdf(run.storage.load_tables(), run.iris, metas)
    return StepOutcome({"triples": run.storage.write_graph("extracted", graph)})


def schema(run: CycleRun) -> StepOutcome:
    """The ontology induced for the extracted graph, and the instances typed with it: graph
    ``candidate``."""
    from graphrag_lib.schema import induce_schema

    result = induce_schema(
        run.storage.read_graph("extracted"),
        run.storage.production().ontology(),
        run.chat(),
        run.schema,
        run.progress,
        iris=run.iris,
    )
    warnings = tuple(
        f"ontology batch fell back to one class per entity type: {reason}"
        for reason in result.fallback_reasons
    )
    written = run.storage.write_graph("candidate", result.typed + result.ontology)
    stats = {"triples": written, "ontology_triples": len(result.ontology)}
    return StepOutcome(stats, warnings)


def merge(run: CycleRun) -> StepOutcome:
    """The change set against production: graphs ``add`` and ``remove``; entity resolution and
    the fact judge ask the model about unclear pairs (answers cached under the work directory)."""
    from graphrag_lib.merge import compute_change_set
    from graphrag_lib.resolution.judge import LlmJudge
    from graphrag_lib.temporal.judge import LlmFactJudge

    work = run.storage.work_dir()
    change_set = compute_change_set(
        run.storage.read_graph("candidate"),
        run.storage.production(),
        run.iris,
        run.merge,
        version=run.version,
        judge=LlmJudge(run.chat, cache_dir=work / "resolution-cache"),
        fact_judge=LlmFactJudge(run.chat, cache_dir=work / "fact-cache"),
    )
    added = run.storage.write_graph("add", change_set.add)
    removed = run.storage.write_graph("remove", change_set.remove)
    return StepOutcome({"add": added, "remove": removed, **asdict(change_set.stats)})


def staging(run: CycleRun) -> StepOutcome:
    """Check the change set merge wrote before a reviewer sees it: both graphs read back with
    as many triples as merge wrote, and no statement about another RAG's resources; then the
    consistency gate (``graphrag_lib.gate``) writes its findings to graph ``violations``."""
    merged = run.earlier.get("merge", {})
    add, remove = run.storage.read_graph("add"), run.storage.read_graph("remove")
    problems = [
        f"graph {name} holds {len(graph)} triples but merge wrote {merged.get(name)}"
        for name, graph in (("add", add), ("remove", remove))
        if len(graph) != merged.get(name)
    ]
    problems += foreign_resources(add + remove, run.iris)
    if problems:
        raise StepInputError(
            "the staged change set is not the one merge computed: "
            + "; ".join(problems[:5])
            + "; retry the cycle from merge (POST …/rebase) or upload again"
        )
    stats, warnings = gate_change_set(run.storage, run.gate, add, remove)
    return StepOutcome({"staged_add": len(add), "staged_remove": len(remove), **stats}, warnings)


def gate_change_set(
    storage: CycleStorage, config: GateConfig | None, add: Graph, remove: Graph
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The consistency gate over the change set: graph ``violations``, and its counts
    (``violations`` blocks approval without an owner's override)."""
    from graphrag_lib.gate import check_change_set, violations_graph

    report = check_change_set(add, remove, storage.production(), config)
    storage.write_graph("violations", violations_graph(list(report.violations)))
    stats = {
        "violations": report.blocking,
        "gate_results": report.total,
        "gate_focus_nodes": report.focus_nodes,
        "gate_seconds": round(report.seconds, 3),
    }
    shown = "; ".join(v.message for v in report.violations[:3])
    warnings = (
        (f"consistency gate: {report.blocking} violations: {shown}",) if report.blocking else ()
    )
    return stats, warnings


def foreign_resources(graph: Graph, iris: RagIris, limit: int = 5) -> list[str]:
    """Up to ``limit`` IRIs in ``graph`` that another RAG minted."""
    found: list[str] = []
    for triple in graph:
        for term in triple:
            other = RagIris.of(str(term)) if isinstance(term, URIRef) else None
            if other is not None and other.prefix != iris.prefix and len(found) < limit:
                found.append(f"{term} belongs to another RAG")
    return found


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[CycleRun], StepOutcome]
    does: str  # one line for the docs' table of steps


STEPS: tuple[Step, ...] = (
    Step("index", index, "GraphRAG 3.3 extracts entities, relations and communities"),
    Step("to_rdf", to_rdf, "GraphRAG's tables become RDF (graph `extracted`)"),
    Step("schema", schema, "an LLM induces the ontology and types the instances (`candidate`)"),
    Step("merge", merge, "the change set against production (graphs `add`, `remove`)"),
    Step(
        "staging",
        staging,
        "the change set is checked (and gated, [gate.md](gate.md)); the cycle waits for review",
    ),
)
STEP_NAMES: tuple[str, ...] = tuple(step.name for step in STEPS)


def step_named(name: str) -> Step:
    for step in STEPS:
        if step.name == name:
            return step
    raise KeyError(f"no pipeline step {name!r}; the steps are {', '.join(STEP_NAMES)}")


def steps_from(name: str) -> tuple[str, ...]:
    """``name`` and every step after it."""
    return STEP_NAMES[STEP_NAMES.index(step_named(name).name) :]


StepProgress = Callable[[str], ProgressCallback]
"""Given a step name, the callback that step reports to."""


def run_steps(
    make_run: Callable[[ProgressCallback, Mapping[str, Mapping[str, Any]]], CycleRun],
    progress: StepProgress,
) -> dict[str, StepOutcome]:
    """Run every step in order in this process (``ferag pipeline``); the worker instead runs
    one step per task. ``make_run`` gives the ``CycleRun`` of a step from its progress callback
    and the stats of the steps before it."""
    outcomes: dict[str, StepOutcome] = {}
    for step in STEPS:
        earlier = {name: outcome.stats for name, outcome in outcomes.items()}
        outcomes[step.name] = step.run(make_run(progress(step.name), earlier))
    return outcomes
