"""Choosing the ontology property of a relation from its ends' classes and its description."""

from __future__ import annotations

from rdflib import URIRef

from graphrag_lib.schema.instances import choose_property
from graphrag_lib.schema.terms import PropertyInfo
from graphrag_lib.vocab import FERAG
from tests.unit.graphrag_lib.sample_tables import IRIS

ONT = IRIS.ontology
PERSON, ORG, COMPANY, CITY = ONT.Person, ONT.Organization, ONT.Company, ONT.City
WORKS_FOR = PropertyInfo(ONT.worksFor, PERSON, ORG, frozenset({"works", "for"}))
FOUNDED = PropertyInfo(ONT.founded, PERSON, ORG, frozenset({"founded"}))
LIVES_IN = PropertyInfo(ONT.livesIn, PERSON, CITY, frozenset({"lives", "in"}))
RABOTAET = PropertyInfo(ONT.rabotaetV, PERSON, ORG, frozenset({"работает", "в"}))
ANCESTORS: dict[URIRef, set[URIRef]] = {
    PERSON: {PERSON}, ORG: {ORG}, COMPANY: {COMPANY, ORG}, CITY: {CITY},
}  # fmt: skip


def _choose(s: URIRef, o: URIRef, description: str, props: list[PropertyInfo]) -> URIRef:
    return choose_property({s}, {o}, description, props, ANCESTORS)


def test_the_property_sharing_words_with_the_description_wins() -> None:
    props = [FOUNDED, WORKS_FOR, LIVES_IN]
    assert _choose(PERSON, ORG, "Alice worked for Acme until 2020", props) == ONT.worksFor
    assert _choose(PERSON, ORG, "Alice is the founder of Acme", props) == ONT.founded


def test_a_subclass_fits_its_superclass_range() -> None:
    assert _choose(PERSON, COMPANY, "Alice works at Initech", [WORKS_FOR]) == ONT.worksFor


def test_the_only_fitting_property_is_taken_without_shared_words() -> None:
    assert _choose(PERSON, ORG, "Alice is CEO of Acme", [WORKS_FOR, LIVES_IN]) == ONT.worksFor


def test_related_to_when_nothing_fits_or_nothing_decides() -> None:
    assert _choose(ORG, PERSON, "Acme employs Alice", [WORKS_FOR]) == FERAG.relatedTo
    assert _choose(PERSON, ORG, "Alice is CEO of Acme", [WORKS_FOR, FOUNDED]) == FERAG.relatedTo
    assert choose_property(set(), {ORG}, "works for", [WORKS_FOR], ANCESTORS) == FERAG.relatedTo


def test_russian_word_forms_match() -> None:
    props = [FOUNDED, RABOTAET]
    assert _choose(PERSON, ORG, "Иван работал в компании Ромашка", props) == ONT.rabotaetV
