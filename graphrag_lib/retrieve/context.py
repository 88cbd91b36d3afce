"""Context assembly: the linked entities, their ranked 1-2-hop neighbourhood, the passages they
were read from, and community reports for broad questions, within a token budget.

```
linked entities ─► entity details ─────────────────────────────┐
                └► relations (hop 1) ─► best neighbours ─► hop 2 ├─► rank ─► budget ─► number
                   neighbour degrees ◄──────────────────────────┤        references, cite
entities + relations ─► passages (most shared) ─► passage text ─┤
broad question ─► community reports ────────────────────────────┘
```

Only current statements count unless a ``TimeScope`` asks for a date, a period or all history;
each relation carries its valid time, which its context line shows. Relations rank by weight,
the degree of their far end, how well their ends are linked, and whether they speak of the
question's other words; a relation between two linked entities ranks highest, hop-2 relations
count half. Passages rank by their overlap with the question, by the linked entities read from
them and by how many of the chosen facts they back. Sections fill the budget in priority order
(reports first for broad questions), each with its share plus what earlier sections left.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from graphrag_lib.retrieve.config import RetrievalConfig
from graphrag_lib.retrieve.facts import (
    EntityFact,
    Reference,
    RelationFact,
    RetrievedContext,
    clip,
    entity_line,
    estimate_tokens,
    reference_line,
    relation_line,
)
from graphrag_lib.retrieve.gather import (
    EntityInfo,
    PassageCandidate,
    RelationCandidate,
    ReportCandidate,
    Row,
    SparqlRunner,
    read_degrees,
    read_entities,
    read_passages,
    read_relations,
    read_reports,
)
from graphrag_lib.retrieve.link import LinkedEntity
from graphrag_lib.retrieve.query import QueryAnalysis
from graphrag_lib.retrieve.time import CURRENT, TimeScope
from graphrag_lib.retrieve.words import WordForms, text_words, words

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
REF_RESERVE_TOKENS = 4  # room for a fact's " [n][m]"
HEADINGS_TOKENS = 30


class _Recorder:
    """A ``SparqlRunner`` that remembers the queries it ran (from any thread)."""

    def __init__(self, run: SparqlRunner) -> None:
        self.run = run
        self.queries: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, query: str) -> list[Row]:
        with self._lock:
            self.queries.append(query)
        return self.run(query)


def _mentions_question(analysis: QueryAnalysis, text: str) -> float:
    """Share of the question's content words that ``text`` contains (any spelling, any form);
    words other than names count double, since names are in most candidate texts anyway."""
    if not analysis.words:
        return 0.0
    forms = WordForms(text_words(text))
    found = total = 0.0
    for word in analysis.words:
        weight = 1.0 if word in analysis.proper_names else 2.0
        total += weight
        if any(map(forms.has_form_of, analysis.variants(word))):
            found += weight
    return found / total


# --- the neighbourhood ---------------------------------------------------------------------------


def _read_hop(
    run: SparqlRunner,
    graph: str,
    iris: list[str],
    rows: int,
    hop: int,
    config: RetrievalConfig,
    scope: TimeScope,
) -> list[RelationCandidate]:
    """Relations around ``iris`` that ``scope`` admits."""
    found = read_relations(
        run, graph, iris, config.relations_per_entity, rows, hop, scope.is_current
    )
    return [r for r in found if scope.admits(r.valid_from, r.valid_until, r.is_current)]


def _read_neighbourhood(
    run: SparqlRunner,
    graph: str,
    linked: dict[str, float],
    first: list[RelationCandidate],
    config: RetrievalConfig,
    scope: TimeScope,
) -> list[RelationCandidate]:
    """The hop-1 relations of the linked entities (``first``), then hop-2 relations of the far
    ends of the heaviest hop-1 ones; only those ``scope`` admits."""
    heaviest: dict[str, float] = {}
    for r in first:
        for end in {r.subject, r.object} - set(linked):
            heaviest[end] = max(heaviest.get(end, 0.0), r.weight or 0.0)
    seeds = sorted(heaviest, key=lambda n: (-heaviest[n], n))[: config.second_hop_seeds]
    if not seeds or not config.second_hop_rows:
        return first
    seen = {r.iri for r in first}
    more = _read_hop(run, graph, seeds, config.second_hop_rows, 2, config, scope)
    return first + [r for r in more if r.iri not in seen]


def _score_relation(
    r: RelationCandidate,
    topical: float,
    linked: dict[str, float],
    max_weight: float,
    degree: Callable[[str], float],
) -> float:
    link = max(linked.get(r.subject, 0.0), linked.get(r.object, 0.0))
    both = r.subject in linked and r.object in linked
    score = (
        0.45 * (r.weight or 0.0) / max_weight
        + 0.25 * max(degree(r.subject), degree(r.object))
        + 0.3 * link
        + 0.5 * topical
    )
    return score * (1.0 if r.hop == 1 else 0.5) + (0.5 if both else 0.0)


def _neighbourhood(
    run: SparqlRunner,
    graph: str,
    analysis: QueryAnalysis,
    linked: Sequence[LinkedEntity],
    first: list[RelationCandidate],
    config: RetrievalConfig,
    scope: TimeScope,
) -> list[RelationFact]:
    """Hop-1 (``first``) and hop-2 relations around the linked entities, best first. Degrees
    are read for the far ends of the best candidates only (twice ``max_relations``), to bound
    the cost."""
    scores = {e.iri: e.score for e in linked}
    candidates = _read_neighbourhood(run, graph, scores, first, config, scope)
    max_weight = max((r.weight or 0.0 for r in candidates), default=0.0) or 1.0
    topical = {
        r.iri: _mentions_question(analysis, f"{r.predicate_label} {r.description}")
        for r in candidates
    }

    def no_degree(_: str) -> float:
        return 0.0

    ranked = sorted(
        candidates,
        key=lambda r: (-_score_relation(r, topical[r.iri], scores, max_weight, no_degree), r.iri),
    )[: 2 * config.max_relations]
    ends = sorted({n for r in ranked for n in (r.subject, r.object)} - set(scores))
    degrees = read_degrees(run, graph, ends)
    top_degree = math.log1p(max(degrees.values(), default=0) or 1)

    def degree(node: str) -> float:
        return math.log1p(degrees.get(node, 0)) / top_degree

    facts = [
        RelationFact(
            iri=r.iri,
            subject=r.subject_label,
            predicate=r.predicate_label,
            object=r.object_label,
            subject_iri=r.subject,
            object_iri=r.object,
            description=r.description,
            weight=r.weight,
            hop=r.hop,
            score=round(_score_relation(r, topical[r.iri], scores, max_weight, degree), 4),
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            is_current=r.is_current,
        )
        for r in ranked
    ]
    return sorted(facts, key=lambda f: (-f.score, f.iri))


def _rank_passages(
    analysis: QueryAnalysis, linked: Sequence[LinkedEntity], passages: list[PassageCandidate]
) -> list[PassageCandidate]:
    """Best first: overlap with the question (half), share of the linked entities read from
    the passage, and how many of the chosen facts it backs."""
    top_hits = max((p.hits for p in passages), default=0) or 1
    entities = {e.iri for e in linked}

    def score(p: PassageCandidate) -> float:
        backed = len(entities & p.sources) / len(entities) if entities else 0.0
        return 0.5 * _mentions_question(analysis, p.text) + 0.3 * backed + 0.2 * p.hits / top_hits

    return sorted(passages, key=lambda p: (-score(p), p.iri))


def _excerpt(analysis: QueryAnalysis, names: list[str], text: str, config: RetrievalConfig) -> str:
    """The passage, or its sentences that best match the question and the linked names."""
    if estimate_tokens(text, config.chars_per_token) <= config.passage_tokens:
        return " ".join(text.split())
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    focus = " ".join(names)
    scores = [
        _mentions_question(analysis, s) + 0.5 * bool(focus) * _shares_words(focus, s)
        for s in sentences
    ]
    chosen: set[int] = set()
    used = 0
    for index in sorted(range(len(sentences)), key=lambda i: (-scores[i], i)):
        cost = estimate_tokens(sentences[index], config.chars_per_token)
        if used + cost > config.passage_tokens:
            continue
        chosen.add(index)
        used += cost
    if not chosen:
        return clip(text, config.passage_tokens, config.chars_per_token)
    return _join_with_gaps(sentences, sorted(chosen))


def _shares_words(a: str, b: str) -> float:
    forms = WordForms(text_words(b))
    wanted = words(a)
    return sum(1 for w in wanted if forms.has_form_of(w)) / len(wanted) if wanted else 0.0


def _join_with_gaps(sentences: list[str], indexes: list[int]) -> str:
    parts: list[str] = []
    for position, index in enumerate(indexes):
        previous = indexes[position - 1] if position else -1
        if index != previous + 1:
            parts.append("…")
        parts.append(sentences[index])
    if indexes[-1] < len(sentences) - 1:
        parts.append("…")
    return " ".join(parts)


# --- the budget ----------------------------------------------------------------------------------

Fact = EntityFact | RelationFact | Reference


@dataclass
class _Sections:
    entities: list[EntityFact]
    relations: list[RelationFact]
    passages: list[Reference]  # quoted passages, numbered at the end
    reports: list[Reference]


def _cost(item: Fact, config: RetrievalConfig) -> int:
    if isinstance(item, EntityFact):
        return estimate_tokens(entity_line(item), config.chars_per_token) + REF_RESERVE_TOKENS
    if isinstance(item, RelationFact):
        return estimate_tokens(relation_line(item), config.chars_per_token) + REF_RESERVE_TOKENS
    return estimate_tokens(reference_line(item), config.chars_per_token)


def _take(
    items: Sequence[Fact], allowance: float, config: RetrievalConfig
) -> tuple[list[Fact], int]:
    """Items in rank order whose costs fit ``allowance`` (a long one is skipped, not cut)."""
    taken: list[Fact] = []
    used = 0
    for item in items:
        cost = _cost(item, config)
        if used + cost <= allowance:
            taken.append(item)
            used += cost
    return taken, used


def _select(candidates: _Sections, config: RetrievalConfig, broad: bool) -> tuple[_Sections, int]:
    """Fill each section with its share of the budget plus what earlier ones left over;
    returns the chosen items and the tokens still free."""
    order = ("reports", "entities", "relations", "passages")
    if not broad:
        order = ("entities", "relations", "passages", "reports")
    total = config.context_tokens - HEADINGS_TOKENS
    chosen = _Sections([], [], [], [])
    carry = 0.0
    for name in order:
        allowance = config.shares.get(name, 0.0) * total + carry
        taken, used = _take(getattr(candidates, name), allowance, config)
        setattr(chosen, name, taken)
        carry = allowance - used
    return chosen, int(carry)


# --- assembly ------------------------------------------------------------------------------------


def _entity_facts(
    linked: Sequence[LinkedEntity], infos: dict[str, EntityInfo], config: RetrievalConfig
) -> list[EntityFact]:
    facts = []
    for entity in linked:
        info = infos[entity.iri]
        description = clip(info.description, config.description_tokens, config.chars_per_token)
        facts.append(
            EntityFact(entity.iri, info.label, tuple(info.classes), description, (), entity.score)
        )
    return facts


def _passage_reference(passage: PassageCandidate, excerpt: str | None) -> Reference:
    return Reference(
        number=0,
        kind="passage",
        iri=passage.iri,
        title=passage.title,
        document_iri=passage.document,
        path=passage.path,
        folder_path=passage.folder,
        order=passage.order,
        excerpt=excerpt,
    )


def _report_reference(report: ReportCandidate, config: RetrievalConfig) -> Reference:
    summary = clip(report.summary, config.report_tokens, config.chars_per_token)
    return Reference(0, "report", report.iri, report.title, excerpt=summary)


def _read_linked(
    run: SparqlRunner,
    graph: str,
    analysis: QueryAnalysis,
    linked: Sequence[LinkedEntity],
    config: RetrievalConfig,
    scope: TimeScope,
) -> tuple[dict[str, EntityInfo], list[RelationCandidate], list[ReportCandidate]]:
    """What depends on the linked entities alone, read side by side: their details, their
    hop-1 relations and (broad questions) their communities' reports. On a store that costs
    milliseconds per request (Fuseki) a turn then waits for the slowest read, not the sum. An
    entity the graph lacks has no relations or communities, so reading them for every linked
    entity gives what reading them for the present ones would."""
    iris = [e.iri for e in linked]
    if not iris and not (analysis.is_broad and config.max_reports):
        return {}, [], []
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="retrieve") as pool:
        infos = pool.submit(read_entities, run, graph, iris) if iris else None
        first = (
            pool.submit(_read_hop, run, graph, iris, config.neighbour_rows, 1, config, scope)
            if iris
            else None
        )
        reports = (
            pool.submit(read_reports, run, graph, iris, config.max_reports)
            if analysis.is_broad and config.max_reports
            else None
        )
        return (
            infos.result() if infos else {},
            first.result() if first else [],
            reports.result() if reports else [],
        )


def retrieve_context(
    run: SparqlRunner,
    graph: str,
    analysis: QueryAnalysis,
    linked: Sequence[LinkedEntity],
    config: RetrievalConfig | None = None,
    time: TimeScope = CURRENT,
) -> RetrievedContext:
    """The context for a question whose entities are ``linked`` (best first), read from named
    graph ``graph`` through ``run``. An empty result means the graph knows nothing relevant.
    ``time`` says which statements count: the current ones (default) or those of a date, a
    period or all history (``graphrag_lib.retrieve.time``).

    Entities linked in the index but missing from the graph are dropped (the index lags
    production only until the approval that changed them commits)."""
    config = config or RetrievalConfig()
    recorder = _Recorder(run)
    infos, first, reports = _read_linked(recorder, graph, analysis, linked, config, time)
    present = [e for e in linked if e.iri in infos]
    if linked and not present and analysis.is_broad and config.max_reports:
        reports = read_reports(recorder, graph, [], config.max_reports)  # the graph's best
    relations = (
        _neighbourhood(recorder, graph, analysis, present, first, config, time) if present else []
    )
    relations = relations[: config.max_relations]
    sources = [e.iri for e in present] + [r.iri for r in relations]
    found = read_passages(recorder, graph, sources, config.passage_candidates) if sources else []
    passages = _rank_passages(analysis, present, found)
    names = [infos[e.iri].label for e in present]
    candidates = _Sections(
        entities=_entity_facts(present, infos, config),
        relations=relations,
        passages=[
            _passage_reference(p, _excerpt(analysis, names, p.text, config))
            for p in passages[: config.max_passages]
        ],
        reports=[_report_reference(r, config) for r in reports],
    )
    chosen, left = _select(candidates, config, analysis.is_broad)
    context = _number(chosen, passages, left, config)
    context.is_broad = analysis.is_broad
    context.time = time
    context.queries = recorder.queries
    return context


def _cite_only(
    chosen: _Sections, passages: list[PassageCandidate], left: int, config: RetrievalConfig
) -> list[Reference]:
    """For each chosen fact none of whose passages is quoted, its best passage without text,
    while the budget and ``max_cited_only`` allow: citations then still resolve to a source."""
    listed = {r.iri for r in chosen.passages}
    extra: list[Reference] = []
    for fact_iri in [f.iri for f in chosen.entities] + [f.iri for f in chosen.relations]:
        backing = [p for p in passages if fact_iri in p.sources]
        if any(p.iri in listed for p in backing) or len(extra) >= config.max_cited_only:
            continue
        if not backing:
            continue
        reference = _passage_reference(backing[0], None)
        cost = estimate_tokens(reference_line(reference), config.chars_per_token)
        if cost <= left:
            left -= cost
            extra.append(reference)
            listed.add(reference.iri)
    return extra


def _number(
    chosen: _Sections, passages: list[PassageCandidate], left: int, config: RetrievalConfig
) -> RetrievedContext:
    """Number the references (quoted passages, cite-only passages, reports) and attach to each
    fact the numbers of up to three passages it was read from."""
    ordered = chosen.passages + _cite_only(chosen, passages, left, config) + chosen.reports
    references = [replace(r, number=n) for n, r in enumerate(ordered, start=1)]
    numbers = {r.iri: r.number for r in references}
    backing = {p.iri: p.sources for p in passages}

    def refs_of(fact_iri: str) -> tuple[int, ...]:
        found = [numbers[p] for p, srcs in backing.items() if fact_iri in srcs and p in numbers]
        return tuple(sorted(found)[:3])

    entities = [replace(f, refs=refs_of(f.iri)) for f in chosen.entities]
    relations = [replace(f, refs=refs_of(f.iri)) for f in chosen.relations]
    lines = [entity_line(f) for f in entities] + [relation_line(f) for f in relations]
    lines += [reference_line(r) for r in references]
    tokens = HEADINGS_TOKENS + sum(estimate_tokens(x, config.chars_per_token) for x in lines)
    return RetrievedContext(entities, relations, references, [], tokens)
