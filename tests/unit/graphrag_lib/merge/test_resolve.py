"""Entity resolution against production: by label or alias, respecting classes."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from graphrag_lib.merge import (
    ChangeSetStats,
    GraphProductionView,
    MergeConfig,
    apply_change_set,
    compute_change_set,
)
from graphrag_lib.vocab import FERAG, entity_key, relation_key
from tests.unit.graphrag_lib.merge.graphs import ONT, add_class, add_entity, add_relation
from tests.unit.graphrag_lib.sample_tables import IRIS


def _ontology() -> Graph:
    graph = Graph()
    add_class(graph, ONT.Organization, "Organization")
    add_class(graph, ONT.Company, "Company", parent=ONT.Organization)
    add_class(graph, ONT.Fruit, "Fruit")
    add_class(graph, ONT.Person, "Person")
    return graph


def _merge(candidate: Graph, production: Graph) -> tuple[Graph, ChangeSetStats]:
    change_set = compute_change_set(candidate, GraphProductionView(production), IRIS, MergeConfig())
    merged = Graph() + production
    apply_change_set(merged, change_set)
    return merged, change_set.stats


def test_a_candidate_resolves_through_a_production_alias() -> None:
    production = _ontology()
    acme = add_entity(production, "Acme Corporation", ONT.Organization, aliases=("Acme Corp",))
    candidate = _ontology()
    alias_named = add_entity(candidate, "Acme Corp", ONT.Organization, aliases=("ACME Inc",))
    alice = add_entity(candidate, "Alice", ONT.Person)
    add_relation(candidate, "provisional", alice, ONT.worksFor, alias_named)
    merged, stats = _merge(candidate, production)
    assert (alias_named, None, None) not in merged  # no duplicate under the candidate's IRI
    assert (acme, RDFS.label, Literal("Acme Corporation")) in merged
    assert (acme, SKOS.altLabel, Literal("ACME Inc")) in merged
    assert (acme, FERAG.normalisedLabel, Literal("acme inc")) in merged
    assert (acme, FERAG.key, Literal(entity_key("Acme Corporation"))) in merged
    assert (alice, ONT.worksFor, acme) in merged
    statement = IRIS.relation(
        relation_key(entity_key("Alice"), ONT.worksFor, entity_key("Acme Corporation"))
    )
    assert (statement, RDF.object, acme) in merged
    assert (IRIS.relation("provisional"), None, None) not in merged
    assert stats.aliases_added == 1


def test_same_label_with_an_incompatible_class_stays_separate() -> None:
    production = _ontology()
    apple_inc = add_entity(production, "Apple", ONT.Organization)
    candidate = _ontology()
    add_entity(candidate, "Apple", ONT.Fruit, description="A fruit.")
    merged, stats = _merge(candidate, production)
    fruit = IRIS.entity(entity_key("Apple", "Fruit"))
    assert (fruit, RDF.type, ONT.Fruit) in merged
    assert (fruit, FERAG.key, Literal(entity_key("Apple", "Fruit"))) in merged
    assert (apple_inc, RDF.type, ONT.Fruit) not in merged
    assert (apple_inc, RDFS.label, Literal("Apple")) in merged
    assert stats.entities_added == 1
    # the next cycle's fruit finds the qualified entity again
    again = _ontology()
    add_entity(again, "Apple", ONT.Fruit, description="A fruit.")
    _, stats2 = _merge(again, merged)
    assert (stats2.entities_added, stats2.entities_unchanged) == (0, 1)


def test_a_subclass_is_compatible() -> None:
    production = _ontology()
    apple = add_entity(production, "Apple", ONT.Organization)
    candidate = _ontology()
    add_entity(candidate, "APPLE", ONT.Company)
    merged, stats = _merge(candidate, production)
    assert (apple, RDF.type, ONT.Company) in merged and (
        apple,
        RDF.type,
        ONT.Organization,
    ) in merged
    assert stats.entities_changed == 1
    assert (apple, SKOS.altLabel, None) not in merged  # "APPLE" is the same name


def _dated(graph: Graph, statement: URIRef, when: Literal, source: str) -> None:
    """``statement`` became true ``when`` (from ``source``)."""
    graph.add((statement, FERAG.validFrom, when))
    graph.add((statement, FERAG.validFromSource, Literal(source)))


def test_relations_that_become_one_keep_one_valid_time() -> None:
    """Two names of one institute in one cycle, each with a dated "Alice works for" relation:
    after resolution they are one statement with one start date (a date the text states wins
    over a document's date; the earlier of two stated dates), so the consistency gate's
    "validFrom must be one" holds."""
    candidate = _ontology()
    full = add_entity(candidate, "Acme Corporation", ONT.Organization, aliases=("Acme Corp",))
    short = add_entity(candidate, "Acme Corp", ONT.Organization)
    alice = add_entity(candidate, "Alice", ONT.Person)
    _dated(
        candidate,
        add_relation(candidate, "a", alice, ONT.worksFor, full),
        Literal("2019", datatype=XSD.gYear),
        "reports/2021.md",
    )
    _dated(
        candidate,
        add_relation(candidate, "b", alice, ONT.worksFor, short),
        Literal("2020-05", datatype=XSD.gYearMonth),
        "text",
    )
    merged, _ = _merge(candidate, Graph())
    statements = list(merged.subjects(RDF.predicate, ONT.worksFor))
    assert len(statements) == 1
    assert list(merged.objects(statements[0], FERAG.validFrom)) == [
        Literal("2020-05", datatype=XSD.gYearMonth)
    ]
    assert list(merged.objects(statements[0], FERAG.validFromSource)) == [Literal("text")]
