"""``induce_schema``: ask the model for an ontology batch by batch, then type the instances.

Per batch the answer is parsed and checked (``validate``); a rejected answer is sent back with
the reasons, up to ``max_attempts`` answers; after that the batch falls back to one class per
entity type (logged, and listed in ``SchemaResult.fallback_reasons``) so a bad answer never stops
the cycle. An unreachable model (``LlmUnavailable``) is not a bad answer: it propagates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graphrag_lib.llm import ChatModel
from graphrag_lib.progress import NO_PROGRESS, ProgressCallback
from graphrag_lib.schema.config import SchemaConfig
from graphrag_lib.schema.instances import assign_properties
from graphrag_lib.schema.known import KnownTerms
from graphrag_lib.schema.prompts import build_messages, retry_messages
from graphrag_lib.schema.sample import SchemaBatch, plan_batches
from graphrag_lib.schema.terms import declared, local_name, split_camel
from graphrag_lib.schema.validate import InvalidOntology, check_ontology, parse_answer
from graphrag_lib.vocab import FERAG, RagIris, bind_prefixes

logger = logging.getLogger(__name__)
_SINGLE_DEFINITION = (RDFS.domain, RDFS.range, RDFS.label, RDFS.comment)


@dataclass(frozen=True)
class SchemaResult:
    """The cycle's ontology and its instances typed with it (relations given properties)."""

    ontology: Graph
    typed: Graph
    batches: int
    fallback_reasons: tuple[str, ...] = ()  # one per batch that fell back, with the last error

    @property
    def used_fallback(self) -> bool:
        return bool(self.fallback_reasons)


def fallback_ontology(batch: SchemaBatch) -> Graph:
    """One ``owl:Class`` per entity type of the batch, labelled with the type's name."""
    graph = Graph()
    for sample in batch.types:
        graph.add((sample.iri, RDF.type, OWL.Class))
        graph.add((sample.iri, RDFS.label, Literal(split_camel(local_name(sample.iri)))))
    return graph


def tag_untagged_text(graph: Graph, language: str) -> Graph:
    """``graph`` with each untagged ``rdfs:label``/``rdfs:comment`` tagged ``language``: the
    prompt asked for text in that language, and a tag lets clients pick labels by language."""
    for s, p, o in list(graph.triples((None, None, None))):
        if p in (RDFS.label, RDFS.comment) and isinstance(o, Literal) and not o.language:
            graph.remove((s, p, o))
            graph.add((s, p, Literal(str(o), lang=language)))
    return graph


def _ask(
    batch: SchemaBatch, known: KnownTerms, iris: RagIris, llm: ChatModel, config: SchemaConfig
) -> tuple[Graph, str | None]:
    """The batch's ontology and, if it is the fallback, why."""
    messages = first = build_messages(batch, known, iris, config)
    error = ""
    for attempt in range(1, config.max_attempts + 1):
        answer = llm.complete(messages)
        try:
            graph = parse_answer(answer, iris)
            check_ontology(graph, known, (t.iri for t in batch.types), iris)
            return tag_untagged_text(graph, config.output_language), None
        except InvalidOntology as exc:
            error = str(exc)
            logger.warning("schema answer %d/%d rejected: %s", attempt, config.max_attempts, error)
            messages = retry_messages(first, answer, error)
    reason = f"{config.max_attempts} answers rejected; last: {error}"
    logger.error("schema batch falls back to one class per entity type: %s", reason)
    return fallback_ontology(batch), reason


def _combine(ontology: Graph, answer: Graph, known: KnownTerms) -> None:
    """Add ``answer`` to ``ontology`` (read by ``known``); terms defined before keep their
    domain, range, label."""
    defined = {
        (s, p) for s, p, _o in answer if p in _SINGLE_DEFINITION and known.has(s, p)
    }  # before adding: two labels of a new term both stay
    for s, p, o in answer:
        if (s, p) not in defined:
            ontology.add((s, p, o))


def _used_terms(ontology: Graph, typed: Graph, known: KnownTerms) -> None:
    """Copy into ``ontology`` the production terms the instances or the ontology use."""
    defined = declared(ontology, OWL.Class) | declared(ontology, OWL.ObjectProperty)
    used = set(typed.objects(None, RDF.type)) | set(typed.objects(None, RDF.predicate))
    used |= {
        o for p in (RDFS.subClassOf, RDFS.domain, RDFS.range) for o in ontology.objects(None, p)
    }
    for term in used - defined:
        if isinstance(term, URIRef) and known.in_production(term):
            for triple in known.production.triples((term, None, None)):
                ontology.add(triple)


def _iris_of(graph: Graph) -> RagIris | None:
    """The RAG's IRIs, read off the graph's first entity."""
    entity = min(graph.subjects(RDF.type, FERAG.Entity), default=None, key=str)
    return RagIris.of(str(entity)) if entity is not None else None


def induce_schema(
    graph: Graph,
    production_ontology: Graph,
    llm: ChatModel,
    config: SchemaConfig,
    progress: ProgressCallback | None = None,
    *,
    iris: RagIris | None = None,
) -> SchemaResult:
    """The ontology for the extracted ``graph`` and a typed copy of it.

    ``production_ontology`` offers existing terms for reuse (only its class and property
    triples are read). Relations whose classes fit no property keep ``ferag:relatedTo``.
    ``iris`` (the RAG's ontology namespace) defaults to the one the graph's entities are in.
    """
    report = progress or NO_PROGRESS
    iris = iris or _iris_of(graph)
    if iris is None:  # no entities: nothing to type
        return SchemaResult(Graph(), Graph() + graph, 0)
    batches = plan_batches(graph, iris, config)
    ontology, reasons = Graph(), []
    bind_prefixes(ontology, iris)
    known = KnownTerms(production_ontology, ontology)  # production indexed once, not copied
    for number, batch in enumerate(batches):
        report(number, len(batches), f"schema batch {number + 1} of {len(batches)}")
        answer, reason = _ask(batch, known, iris, llm, config)
        _combine(ontology, answer, known)
        if reason:
            reasons.append(reason)
    typed = Graph(namespace_manager=graph.namespace_manager) + graph
    assigned = assign_properties(typed, known)
    _used_terms(ontology, typed, known)
    report(len(batches), len(batches), f"{assigned} relations got an ontology property")
    return SchemaResult(ontology, typed, len(batches), tuple(reasons))
