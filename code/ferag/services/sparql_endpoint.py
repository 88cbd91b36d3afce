"""A RAG's read-only SPARQL endpoint: queries over its current production graph, nothing else.

A query is parsed (rdflib's SPARQL 1.1 grammar) before it reaches the store, and refused with a
400 saying why when it is an update, names graphs (``FROM``, ``FROM NAMED``, ``GRAPH``) or calls
another endpoint (``SERVICE``: the store would make HTTP requests on the caller's behalf). The
store then runs it with production as the default graph and no named graphs (the Protocol's
``default-graph-uri``), so even a query the parser let through sees no other RAG's graphs, no
change set under review and no version marker. Common prefixes are declared for the caller
(``QUERY_PREFIXES``); the query's own declarations come after them and win.

Results come in the format the caller accepts (``negotiate``), within a time and a size limit
from the settings (``sparql_timeout_s``, ``sparql_max_result_bytes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pyparsing import ParseException
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from ferag.errors import BadRequest, InvalidInput, NotAcceptable
from ferag.settings import Settings
from ferag.store.client import (
    QueryResult,
    ResultTooLarge,
    StoreRequestError,
    StoreTimeout,
    TripleStore,
)
from ferag.store.space import RagSpace
from graphrag_lib.vocab import FERAG_NS, RagIris

QueryForm = Literal["select", "ask", "construct", "describe"]

_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "construct",
    "DescribeQuery": "describe",
}

RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
"""What SELECT and ASK answer in, the default first."""

GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml")
"""What CONSTRUCT and DESCRIBE answer in, the default first."""

_REFUSED_PATTERNS = {
    "ServiceGraphPattern": "SERVICE (calls to other endpoints)",
    "GraphGraphPattern": "GRAPH (this endpoint has no named graphs)",
    "DatasetClause": "FROM / FROM NAMED (the dataset is the RAG's production graph)",
}


@dataclass(frozen=True)
class ReadOnlyQuery:
    """A query this endpoint runs: its text with the common prefixes, and its form."""

    text: str
    form: QueryForm


def query_prefixes(iris: RagIris) -> str:
    """The prefixes every query of the RAG may use without declaring them."""
    prefixes = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS,
                "prov": PROV, "ferag": FERAG_NS, "ont": iris.ontology}  # fmt: skip
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())


def update_refused() -> BadRequest:
    """The error for any SPARQL Update sent to the endpoint, however it was sent."""
    return BadRequest(
        "this SPARQL endpoint is read-only: updates are refused; changes reach production only "
        "through an upload and its review",
        code="sparql_update_refused",
    )


def read_only_query(text: str, iris: RagIris) -> ReadOnlyQuery:
    """The query, checked; ``BadRequest`` saying what to change when this endpoint refuses it."""
    full = query_prefixes(iris) + text
    try:
        parsed = parseQuery(full)
    except ParseException as exc:
        if _is_update(full):
            raise update_refused() from exc
        raise BadRequest(
            f"the query is not valid SPARQL 1.1: {exc.msg} at line {exc.lineno - _lines(iris)}, "
            f"column {exc.col}",
            code="sparql_syntax",
        ) from exc
    refused = sorted({_REFUSED_PATTERNS[name] for name in _names(parsed)})
    if refused:
        raise BadRequest(
            f"the query uses {', '.join(refused)}; this endpoint queries the RAG's current "
            "production graph only: remove them and query the default graph",
            code="sparql_refused",
        )
    return ReadOnlyQuery(full, _FORMS[parsed[1].name])


def _lines(iris: RagIris) -> int:
    return query_prefixes(iris).count("\n")


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except ParseException:
        return False
    return True


def _names(node: Any) -> Iterable[str]:
    """Every name of the parse tree's nodes (``CompValue``s) that is a refused pattern."""
    if isinstance(node, CompValue):
        if node.name in _REFUSED_PATTERNS:
            yield node.name
        for value in node.values():
            yield from _names(value)
    elif isinstance(node, list | tuple) or hasattr(node, "as_list"):
        for item in node:
            yield from _names(item)


def negotiate(accept: str | None, form: QueryForm) -> str:
    """The media type to answer ``form`` in: the first of the caller's ``Accept`` (by q-value)
    this endpoint serves; the default for the form when the caller accepts anything."""
    offered = RESULT_TYPES if form in ("select", "ask") else GRAPH_TYPES
    ranges = _accepted(accept or "*/*")
    for media_range in ranges:
        if media_range.endswith("/*"):
            family = "" if media_range == "*/*" else media_range[:-1]  # "text/*" → "text/"
            matching = [t for t in offered if t.startswith(family)]
            if matching:
                return matching[0]
        elif media_range in offered:
            return media_range
        elif media_range == "application/json" and form in ("select", "ask"):
            return RESULT_TYPES[0]
    raise NotAcceptable(
        f"a {form.upper()} query's result is available as {', '.join(offered)}; "
        f"none of them is in Accept: {accept}",
    )


def _accepted(accept: str) -> list[str]:
    """The media ranges of an ``Accept`` header, best first, without those it refuses (q=0)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_range and quality > 0:
            ranked.append((-quality, position, media_range.lower()))
    return [media_range for _, _, media_range in sorted(ranked)]


def run_query(
    store: TripleStore, settings: Settings, rag_id: int, text: str, accept: str | None
) -> QueryResult:
    """Run a read-only query over the RAG's production graph, in the format negotiated."""
    space = RagSpace.of(store, str(settings.base_iri), rag_id)
    query = read_only_query(text, space.iris)
    media_type = negotiate(accept, query.form)
    try:
        return store.query_graph(
            rag_id,
            query.text,
            space.prod,
            accept=media_type,
            timeout=settings.sparql_timeout_s,
            max_bytes=settings.sparql_max_result_bytes,
        )
    except StoreTimeout as exc:
        raise InvalidInput(
            f"the query ran longer than {settings.sparql_timeout_s:g} s, this endpoint's limit; "
            "narrow its patterns or add a LIMIT",
            code="sparql_timeout",
        ) from exc
    except ResultTooLarge as exc:
        raise InvalidInput(
            f"the result is larger than {settings.sparql_max_result_bytes:,} bytes, this "
            "endpoint's limit; add a LIMIT (and OFFSET to page) or select fewer variables",
            code="sparql_result_too_large",
        ) from exc
    except StoreRequestError as exc:
        if exc.status_code == 400:  # the store's parser is stricter than rdflib's on some points
            raise BadRequest(
                f"the triple store refused the query: {exc}", code="sparql_syntax"
            ) from exc
        raise
