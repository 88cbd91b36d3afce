"""The schema-induction prompt: entity types, relation examples and existing terms in; Turtle out.

The user message is line-oriented so that the offline stand-in
(``ferag.llm.standin.schema``) can read it back: ``TYPE``, ``PAIR``/``EXAMPLE`` and
``CLASS``/``PROPERTY`` lines under fixed headings. Change both together.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from graphrag_lib.schema.config import SchemaConfig
from graphrag_lib.schema.known import KnownTerms, known_terms
from graphrag_lib.schema.sample import SchemaBatch
from graphrag_lib.schema.terms import PropertyInfo
from graphrag_lib.vocab import RagIris

MARKER = "ferag schema induction v1"
RETRY_MARKER = "ferag schema induction: answer rejected"

SYSTEM_PROMPT = """You are an ontology engineer. From entity types and relation examples \
extracted from documents, you design a small OWL ontology and answer with Turtle only, \
no explanations."""

RULES = """Rules:
1. Declare each entity type above as an owl:Class with exactly the IRI given (for example \
ont:Person), unless that IRI is already an existing term. You may add more general classes \
and rdfs:subClassOf links; subclass links must not form a cycle.
2. For the relations, declare owl:ObjectProperty terms named in lowerCamelCase after what \
the relation says (for example ont:worksFor), each with exactly one rdfs:domain and one \
rdfs:range, both classes of this ontology. Reuse an existing property instead of declaring \
a new one with the same meaning; do not redeclare existing terms' domain or range.
3. Give every new term an rdfs:label in the label language and, for properties, a short \
rdfs:comment.
4. Declare a property also owl:FunctionalProperty when a subject has at most one object \
for it at a time (for example ont:locatedIn: one place), and owl:InverseFunctionalProperty \
when an object has at most one subject at a time (for example ont:directorOf: an organisation \
has one director); leave both out when unsure.
5. Use only rdf:type (owl:Class, owl:ObjectProperty, owl:FunctionalProperty, \
owl:InverseFunctionalProperty), rdfs:subClassOf, rdfs:domain, \
rdfs:range, rdfs:label and rdfs:comment; every IRI must be in the ontology namespace; \
no blank nodes.
6. Answer with one Turtle document with @prefix lines for ont:, owl:, rdf: and rdfs:."""


def _name(iri: URIRef, iris: RagIris) -> str:
    local = iris.local_name(iri)
    return f"ont:{local}" if local else f"<{iri}>"


def _label(known: KnownTerms, term: URIRef) -> str:
    label = known.value(term, RDFS.label)
    return f' "{label}"' if label is not None else ""


def existing_terms(
    known: Graph | KnownTerms, batch: SchemaBatch, iris: RagIris, limit: int
) -> list[str]:
    """``CLASS``/``PROPERTY`` lines for known terms, those touching the batch's types first
    (classes, then properties, each sorted by IRI); only the first ``limit`` are read."""
    terms = known_terms(known)
    batch_types = {t.iri for t in batch.types}
    touching = terms.properties_with(RDFS.domain, batch_types)
    touching |= terms.properties_with(RDFS.range, batch_types)
    near = [
        info
        for info in map(terms.property_info, sorted(touching))
        if info.domain in batch_types or info.range in batch_types
    ]
    near_iris = {info.iri for info in near}
    lines = [_class_line(terms, c, iris) for c in sorted(batch_types) if terms.is_class(c)]
    lines += [_property_line(terms, info, iris) for info in near]
    far_classes = (c for c in terms.classes() if c not in batch_types)
    far_properties = (p for p in terms.properties() if p not in near_iris)
    for cls in far_classes:
        if len(lines) >= limit:
            return lines[:limit]
        lines.append(_class_line(terms, cls, iris))
    for prop in far_properties:
        if len(lines) >= limit:
            break
        lines.append(_property_line(terms, terms.property_info(prop), iris))
    return lines[:limit]


def _class_line(known: KnownTerms, term: URIRef, iris: RagIris) -> str:
    return f"- CLASS {_name(term, iris)}{_label(known, term)}"


def _property_line(known: KnownTerms, prop: PropertyInfo, iris: RagIris) -> str:
    ends = " ".join(
        f"{word} {_name(end, iris)}"
        for word, end in (("domain", prop.domain), ("range", prop.range))
        if end is not None
    )
    return f"- PROPERTY {_name(prop.iri, iris)}{_label(known, prop.iri)} {ends}"


def _further_languages(config: SchemaConfig) -> list[str]:
    """The line naming further label languages (none when there are none, as for English)."""
    further = config.further_label_languages
    if not further:
        return []
    return [
        f"Further label languages: {', '.join(further)} (tag every rdfs:label and "
        "rdfs:comment with its language; add a label in a further language only where you "
        "know a fitting one)"
    ]


def user_prompt(
    batch: SchemaBatch, known: Graph | KnownTerms, iris: RagIris, config: SchemaConfig
) -> str:
    parts = [
        f"Task: {MARKER}",
        f"Ontology namespace (prefix ont:): <{iris.ontology}>",
        f"Label language: {config.output_language}",
        *_further_languages(config),
        "",
        "Entity types (class IRI | number of entities | example entities):",
    ]
    for t in batch.types:
        parts.append(f"- TYPE {_name(t.iri, iris)} | {t.count} | {'; '.join(t.examples)}")
    parts += ["", "Relations observed between entity types (subject type -> object type):"]
    for pair in batch.pairs:
        subject, obj = _name(pair.subject_type, iris), _name(pair.object_type, iris)
        parts.append(f"- PAIR {subject} -> {obj} | {pair.count} relations")
        parts += [f"  - EXAMPLE {example}" for example in pair.examples]
    if not batch.pairs:
        parts.append("(none in this batch: declare the classes only)")
    parts += ["", "Existing ontology terms (reuse them where they fit):"]
    parts += existing_terms(known, batch, iris, config.max_existing_terms) or ["(none)"]
    return "\n".join([*parts, "", RULES])


def build_messages(
    batch: SchemaBatch, known: Graph | KnownTerms, iris: RagIris, config: SchemaConfig
) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_prompt(batch, known, iris, config)},
    ]


def retry_messages(messages: list[dict[str, str]], answer: str, error: str) -> list[dict[str, str]]:
    """The first two messages, the rejected answer and why it was rejected."""
    feedback = (
        f"{RETRY_MARKER}\nYour answer was rejected:\n{error}\n"
        "Answer again with the whole corrected Turtle document only."
    )
    return [
        *messages[:2],
        {"role": "assistant", "content": answer},
        {"role": "user", "content": feedback},
    ]
