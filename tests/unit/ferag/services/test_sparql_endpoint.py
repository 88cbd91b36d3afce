"""What a RAG's SPARQL endpoint accepts, refuses and answers in, before any store is asked."""

from __future__ import annotations

import pytest

from ferag.errors import BadRequest, NotAcceptable
from ferag.services.sparql_endpoint import negotiate, read_only_query
from graphrag_lib.vocab import RagIris

IRIS = RagIris("https://ferag.test/", "7")


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s rdfs:label ?l }", "select"),
        ("ASK { ?s a ferag:Entity }", "ask"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <https://ferag.test/rag/7/entity/x>", "describe"),
        ("PREFIX rdfs: <urn:other#> SELECT * WHERE { ?s rdfs:label ?l }", "select"),
    ],
)
def test_queries_of_every_form_pass_with_the_common_prefixes(text: str, form: str) -> None:
    query = read_only_query(text, IRIS)
    assert query.form == form
    assert query.text.endswith(text)
    assert "PREFIX ont: <https://ferag.test/rag/7/ontology#>" in query.text


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "sparql_update_refused", "read-only"),
        ("CLEAR ALL", "sparql_update_refused", "read-only"),
        ("SELECT * WHERE { GRAPH <urn:g> { ?s ?p ?o } }", "sparql_refused", "GRAPH"),
        ("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", "sparql_refused", "FROM"),
        (
            "SELECT * WHERE { { SELECT * WHERE { SERVICE <urn:e> { ?s ?p ?o } } } }",
            "sparql_refused",
            "SERVICE",
        ),
        ("SELECT ?x WHERE {\n  ?x ?y", "sparql_syntax", "line 2"),
    ],
)
def test_refusals_say_why(text: str, code: str, says: str) -> None:
    with pytest.raises(BadRequest) as refused:
        read_only_query(text, IRIS)
    assert refused.value.code == code
    assert says in refused.value.message


@pytest.mark.parametrize(
    ("accept", "form", "media_type"),
    [
        (None, "select", "application/sparql-results+json"),
        ("*/*", "construct", "text/turtle"),
        ("application/json", "ask", "application/sparql-results+json"),
        (
            "text/csv;q=0.5, application/sparql-results+xml",
            "select",
            "application/sparql-results+xml",
        ),
        ("text/*", "select", "text/csv"),
        ("application/n-triples;q=0.9, text/turtle;q=0", "describe", "application/n-triples"),
        ("image/png, */*;q=0.1", "select", "application/sparql-results+json"),
    ],
)
def test_the_result_format_follows_accept(accept: str | None, form: str, media_type: str) -> None:
    assert negotiate(accept, form) == media_type  # type: ignore[arg-type]


def test_a_format_that_cannot_carry_the_result_is_not_acceptable() -> None:
    with pytest.raises(NotAcceptable) as refused:
        negotiate("text/csv", "construct")
    assert "text/turtle" in refused.value.message
