"""The SPARQL that context assembly and the linking index run against a production graph.

Every query is built from IRIs only (entity, statement, passage IRIs found in the index or in
earlier results), each checked and serialised by ``graphrag_lib.sparql_terms.iri``; question
text never appears.
Queries follow the RDF model of ``docs/rdf-model.md`` and are bounded by ``LIMIT``s, so their
cost follows the entities asked about, not the size of the graph. ``ORDER BY`` uses numbers
only: tie-breaking on IRIs makes Oxigraph compare strings of every row (30 ms instead of 2 ms
for the top reports of a 1M-triple graph); callers order ties themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from graphrag_lib.sparql_terms import iri, prefixes
from graphrag_lib.vocab import FERAG

PREFIXES = prefixes(
    {"rdf": RDF, "rdfs": RDFS, "skos": SKOS, "dcterms": DCTERMS, "prov": PROV, "ferag": FERAG}
)


def _values(iris: Iterable[str]) -> str:
    return " ".join(iri(i) for i in iris)


def entity_details(graph: str, entities: Iterable[str]) -> str:
    """Label, description and classes (with their labels) of the given entities."""
    return f"""{PREFIXES}SELECT ?e ?label ?description ?type ?typeLabel WHERE {{
  GRAPH {iri(graph)} {{
    VALUES ?e {{ {_values(entities)} }}
    ?e rdfs:label ?label .
    OPTIONAL {{ ?e dcterms:description ?description }}
    OPTIONAL {{ ?e a ?type . FILTER(?type != ferag:Entity)
               OPTIONAL {{ ?type rdfs:label ?typeLabel }} }}
  }}
}}"""


def relations_of(
    graph: str, entities: Iterable[str], per_entity: int, limit: int, current_only: bool = True
) -> str:
    """The ``limit`` heaviest relation statements with one end among ``entities``, drawn from
    at most ``per_entity`` statements of each entity: a hub with thousands of relations is
    sampled (in index order), so the cost stays bounded whatever the degree. With
    ``current_only``, statements that ended (``ferag:invalidatedIn``) are left out; each row
    carries the statement's valid time and, if it ended, the version that ended it."""
    samples = " UNION ".join(
        f"{{ SELECT ?st WHERE {{ {{ ?st rdf:subject {iri(e)} }} UNION "
        f"{{ ?st rdf:object {iri(e)} }} }} LIMIT {int(per_entity)} }}"
        for e in entities
    )
    current = "FILTER NOT EXISTS { ?st ferag:invalidatedIn ?ended }" if current_only else ""
    return f"""{PREFIXES}SELECT ?st ?s ?p ?o ?weight ?description ?pLabel ?sLabel ?oLabel
       ?validFrom ?validUntil ?invalidatedIn WHERE {{
  GRAPH {iri(graph)} {{
    {{ SELECT ?st ?weight WHERE {{
        {samples}
        {current}
        OPTIONAL {{ ?st ferag:weight ?weight }}
    }} ORDER BY DESC(?weight) LIMIT {int(limit)} }}
    ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    OPTIONAL {{ ?st dcterms:description ?description }}
    OPTIONAL {{ ?st ferag:validFrom ?validFrom }}
    OPTIONAL {{ ?st ferag:validUntil ?validUntil }}
    OPTIONAL {{ ?st ferag:invalidatedIn ?invalidatedIn }}
    OPTIONAL {{ ?p rdfs:label ?pLabel }}
    OPTIONAL {{ ?s rdfs:label ?sLabel }}
    OPTIONAL {{ ?o rdfs:label ?oLabel }}
  }}
}}"""


def degrees(graph: str, entities: Iterable[str]) -> str:
    """How many relation statements each entity takes part in."""
    return f"""{PREFIXES}SELECT ?n (COUNT(DISTINCT ?st) AS ?degree) WHERE {{
  GRAPH {iri(graph)} {{
    VALUES ?n {{ {_values(entities)} }}
    {{ ?st rdf:subject ?n }} UNION {{ ?st rdf:object ?n }}
  }}
}} GROUP BY ?n"""


def passages_of(graph: str, sources: Iterable[str], limit: int) -> str:
    """The passages most shared by ``sources`` (entities and statements read from them), with
    their text and position and their document's title, path and folder. A statement that
    ended is also backed by the passages that ended it: its ``ferag:endEvidence`` and those of
    the statement that superseded it."""
    return f"""{PREFIXES}SELECT ?passage ?hits ?sources ?text ?order ?document ?title ?path ?folder
WHERE {{
  GRAPH {iri(graph)} {{
    {{ SELECT ?passage (COUNT(DISTINCT ?source) AS ?hits)
              (GROUP_CONCAT(DISTINCT STR(?source); separator=" ") AS ?sources) WHERE {{
        VALUES ?source {{ {_values(sources)} }}
        ?source prov:wasDerivedFrom|ferag:endEvidence|(ferag:supersededBy/prov:wasDerivedFrom)
                ?passage .
        ?passage a ferag:Passage .
      }} GROUP BY ?passage ORDER BY DESC(?hits) LIMIT {int(limit)} }}
    ?passage ferag:text ?text .
    OPTIONAL {{ ?passage ferag:order ?order }}
    OPTIONAL {{ ?passage ferag:inDocument ?document .
               OPTIONAL {{ ?document dcterms:title ?title }}
               OPTIONAL {{ ?document ferag:path ?path }}
               OPTIONAL {{ ?document ferag:folderPath ?folder }} }}
  }}
}}"""


def reports_of(graph: str, entities: Iterable[str], limit: int) -> str:
    """Reports of the communities the entities belong to: most members asked about first,
    then the highest rated."""
    return f"""{PREFIXES}SELECT ?report (COUNT(DISTINCT ?e) AS ?members) (MAX(?r) AS ?rank) WHERE {{
  GRAPH {iri(graph)} {{
    VALUES ?e {{ {_values(entities)} }}
    ?community ferag:member ?e .
    ?report ferag:reportOf ?community ; ferag:rank ?r .
  }}
}} GROUP BY ?report ORDER BY DESC(?members) DESC(?rank) LIMIT {int(limit)}"""


def top_reports(graph: str, limit: int) -> str:
    """The highest-rated reports of the whole graph (broad questions; only reports carry
    ``ferag:rank``, so this reads one predicate's index)."""
    return f"""{PREFIXES}SELECT ?report ?rank WHERE {{
  GRAPH {iri(graph)} {{ ?report ferag:rank ?rank }}
}} ORDER BY DESC(?rank) LIMIT {int(limit)}"""


def report_details(graph: str, reports: Iterable[str]) -> str:
    """Title, summary, rank and community level of the given reports."""
    return f"""{PREFIXES}SELECT ?report ?title ?summary ?rank ?level WHERE {{
  GRAPH {iri(graph)} {{
    VALUES ?report {{ {_values(reports)} }}
    ?report dcterms:title ?title ; ferag:summary ?summary .
    OPTIONAL {{ ?report ferag:rank ?rank }}
    OPTIONAL {{ ?report ferag:reportOf ?community . ?community ferag:level ?level }}
  }}
}}"""


def indexed_entities(graph: str, entities: Iterable[str] | None = None) -> str:
    """Label and description of entities (all of the graph's when ``entities`` is None)."""
    values = "" if entities is None else f"VALUES ?e {{ {_values(entities)} }}"
    return f"""{PREFIXES}SELECT ?e ?label ?description WHERE {{
  GRAPH {iri(graph)} {{
    {values}
    ?e a ferag:Entity ; rdfs:label ?label .
    OPTIONAL {{ ?e dcterms:description ?description }}
  }}
}}"""


def entity_aliases(graph: str, entities: Iterable[str] | None = None) -> str:
    """``skos:altLabel`` aliases of entities (all of the graph's when ``entities`` is None)."""
    values = "" if entities is None else f"VALUES ?e {{ {_values(entities)} }}"
    return f"""{PREFIXES}SELECT ?e ?alias WHERE {{
  GRAPH {iri(graph)} {{
    {values}
    ?e a ferag:Entity ; skos:altLabel ?alias .
  }}
}}"""
