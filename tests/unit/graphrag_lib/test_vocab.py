"""Vocabulary, keys and IRIs: the closed namespace, label normalisation, stable keys."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from graphrag_lib.vocab import (
    FERAG,
    RagIris,
    camel_case,
    document_key,
    entity_key,
    normalise_label,
    relation_key,
    slug,
    text_literal,
    transliterate,
)

IRIS = RagIris("https://kb.example.org", "42")


def test_ferag_namespace_is_closed() -> None:
    assert FERAG.Entity == URIRef("https://ferag.dev/ns#Entity")
    assert FERAG.relatedTo == URIRef("https://ferag.dev/ns#relatedTo")
    with pytest.raises(AttributeError):
        _ = FERAG.Entty


@pytest.mark.parametrize(
    ("label", "normalised"),
    [
        ("Alice  Smith", "alice smith"),
        ("ALICE SMITH!", "alice smith"),
        ("Acme Corp.", "acme corp"),
        ("ООО «Ромашка»", "ооо ромашка"),
        ("Ёлка", "елка"),
        ("ｆｕｌｌ　width", "full width"),  # NFKC
    ],
)
def test_normalise_label(label: str, normalised: str) -> None:
    assert normalise_label(label) == normalised


def test_entity_key_depends_on_the_normalised_label_only() -> None:
    assert entity_key("Alice Smith") == entity_key("ALICE  SMITH.")
    assert entity_key("Alice Smith") != entity_key("Alice Smyth")
    assert entity_key("Alice Smith").startswith("alice-smith-")


def test_entity_key_of_a_russian_label_is_a_transliterated_slug_plus_hash() -> None:
    key = entity_key("Москва")
    assert key.startswith("moskva-")
    assert key != entity_key("Moskva")  # same slug, different label: the hash tells them apart


def test_qualified_entity_key_differs() -> None:
    assert entity_key("Apple", "Fruit") != entity_key("Apple")
    assert entity_key("Apple", "Fruit").startswith("apple-fruit-")


def test_transliterate_and_slug() -> None:
    assert transliterate("Щука и ёж") == "Shchuka i ezh"
    assert slug("reports/2024/Отчёт Q1.txt") == "reports-2024-otchet-q1-txt"
    assert entity_key("北京")  # no Latin slug: the hash alone


@pytest.mark.parametrize(
    ("text", "upper", "lower"),
    [
        ("PERSON", "Person", "person"),
        ("works for", "WorksFor", "worksFor"),
        ("ОРГАНИЗАЦИЯ", "Organizatsiya", "organizatsiya"),
        ("3d model", "T3dModel", "t3dModel"),
    ],
)
def test_camel_case(text: str, upper: str, lower: str) -> None:
    assert camel_case(text) == upper
    assert camel_case(text, upper_first=False) == lower


def test_text_literal_tags_cyrillic_as_russian() -> None:
    assert text_literal("Москва") == Literal("Москва", lang="ru")
    assert text_literal("Berlin") == Literal("Berlin")


def test_rag_iris() -> None:
    prefix = "https://kb.example.org/rag/42/"
    assert IRIS.entity("alice-1") == URIRef(prefix + "entity/alice-1")
    assert IRIS.relation("r1") == URIRef(prefix + "relation/r1")
    assert IRIS.document("d") == URIRef(prefix + "document/d")
    assert IRIS.passage("p") == URIRef(prefix + "passage/p")
    assert IRIS.community("c") == URIRef(prefix + "community/c")
    assert IRIS.report("c") == URIRef(prefix + "report/c")
    assert IRIS.ontology_term("Person") == URIRef(prefix + "ontology#Person")
    assert IRIS.graph("cycle/7/add") == URIRef(prefix + "graph/cycle/7/add")
    assert IRIS.key_of(IRIS.entity("alice-1"), "entity") == "alice-1"
    assert IRIS.key_of(IRIS.passage("alice-1"), "entity") is None
    assert IRIS.local_name(IRIS.ontology_term("Person")) == "Person"


def test_rag_iris_of_an_iri() -> None:
    assert RagIris.of(str(IRIS.entity("alice-1"))) == IRIS
    assert RagIris.of(str(IRIS.ontology_term("Person"))) == IRIS
    assert RagIris.of("https://example.org/other") is None


@pytest.mark.parametrize("bad", ["has space", "a/b", ""])
def test_rag_iris_refuses_unsafe_keys(bad: str) -> None:
    with pytest.raises(ValueError, match="not IRI-safe"):
        IRIS.entity(bad)


def test_other_keys_are_deterministic() -> None:
    assert document_key("reports/2024/q1.txt") == document_key("reports/2024/q1.txt")
    assert document_key("reports/2024/q1.txt").startswith("reports-2024-q1-txt-")
    assert relation_key("a", FERAG.relatedTo, "b") != relation_key("b", FERAG.relatedTo, "a")
