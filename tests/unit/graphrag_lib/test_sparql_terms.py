"""``graphrag_lib.sparql_terms``: what ``iri`` refuses and accepts, how ``literal`` writes."""

from __future__ import annotations

import pytest
from rdflib import RDFS, XSD, BNode, Literal, URIRef

from graphrag_lib.sparql_terms import iri, literal, prefixes
from graphrag_lib.vocab import FERAG

INJECTIONS = [
    "urn:x> } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    'urn:x"',
    "urn:x\n",
    "urn:x\r",
    "urn:x}",
    "urn:x{",
    "urn:x|y",
    "urn:x^y",
    "urn:x`y",
    "urn:x\\y",
    "urn:x y",
    "urn:x\ty",
    "urn:x\x00",
    "urn:x\x7f",
    "urn:x\x85",  # a C1 control character
    "urn:x<",
]
NOT_ABSOLUTE = ["", "no-scheme", "/relative/path", "1http://ex.org/", ":x", "-x:y"]


@pytest.mark.parametrize("bad", INJECTIONS + NOT_ABSOLUTE)
def test_iri_refuses_anything_but_a_plain_absolute_iri(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid IRI"):
        iri(bad)


@pytest.mark.parametrize("term", [Literal("urn:x"), BNode("x")])
def test_iri_refuses_literals_and_blank_nodes(term: Literal | BNode) -> None:
    with pytest.raises(TypeError):
        iri(term)


@pytest.mark.parametrize(
    "value",
    [
        "https://ferag.dev/rag/1/entity/москва-1a2b",
        "urn:ferag:Ромашка",
        "https://例え.jp/パス?q=1#frag",
        "http://ex.org/a%20b",
    ],
)
def test_iri_writes_non_ascii_and_plain_iris_as_they_are(value: str) -> None:
    assert iri(value) == f"<{value}>"
    assert iri(URIRef(value)) == f"<{value}>"


def test_iri_takes_vocabulary_terms() -> None:
    assert iri(FERAG.Entity) == "<https://ferag.dev/ns#Entity>"
    assert iri(RDFS.label) == "<http://www.w3.org/2000/01/rdf-schema#label>"


def test_literal_escapes_what_could_end_it() -> None:
    assert literal('say "hi"') == r'"say \"hi\""'
    assert literal("back\\slash") == r'"back\\slash"'
    assert literal("Москва", lang="ru") == '"Москва"@ru'
    assert literal("7", datatype=XSD.integer) == f'"7"^^<{XSD.integer}>'
    assert literal(Literal("x", lang="en")) == '"x"@en'


def test_literal_refuses_a_bad_datatype_or_language() -> None:
    with pytest.raises(ValueError, match="not a valid IRI"):
        literal("7", datatype="urn:x> } DROP ALL {")
    with pytest.raises(ValueError):
        literal("x", lang="en } DROP ALL")
    with pytest.raises(ValueError, match="not with a Literal"):
        literal(Literal("x"), lang="en")


def test_prefixes_come_from_namespaces() -> None:
    assert prefixes({"rdfs": RDFS, "ferag": FERAG}) == (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX ferag: <https://ferag.dev/ns#>\n"
    )
    with pytest.raises(ValueError, match="prefix name"):
        prefixes({"a b": RDFS})
