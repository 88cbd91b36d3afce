"""A reviewer's merge of production entities, on an in-memory production built by the real merge
from the two-cycle sample corpus: Acme Corp and ACME Corporation end up as two entities."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from graphrag_lib.merge import (
    GraphProductionView,
    MergeConfig,
    apply_change_set,
    compute_change_set,
)
from graphrag_lib.merge.production_merge import (
    ProductionMerge,
    ProductionMergeError,
    merge_production_entities,
    merge_record_iri,
)
from graphrag_lib.vocab import FERAG, entity_key, normalise_label
from tests.fixtures.review import first_candidate, second_candidate
from tests.unit.graphrag_lib.sample_tables import IRIS


@pytest.fixture(scope="module")
def production() -> Graph:
    graph = Graph()
    for candidate in (first_candidate(IRIS), second_candidate(IRIS)):
        apply_change_set(graph, compute_change_set(candidate, GraphProductionView(graph), IRIS,
                                                   MergeConfig()))  # fmt: skip
    return graph


def entity(label: str) -> URIRef:
    return IRIS.entity(entity_key(label))


def merged(production: Graph, merge: ProductionMerge) -> tuple[Graph, Graph, Graph]:
    """(production after, add, remove)."""
    change_set = merge_production_entities(GraphProductionView(production), IRIS, merge)
    after = Graph() + production
    apply_change_set(after, change_set)
    return after, change_set.add, change_set.remove


def test_the_absorbed_entity_becomes_an_alias_and_its_relations_move(production: Graph) -> None:
    survivor, absorbed = entity("ACME Corporation"), entity("Acme Corp")
    merge = ProductionMerge(survivor, (absorbed,), "same company")

    after, add, remove = merged(production, merge)

    record = merge_record_iri(IRIS, survivor, absorbed)
    assert (absorbed, None, None) not in after
    assert set(after.triples((None, None, absorbed))) == {(record, FERAG.absorbed, absorbed)}
    assert {str(a) for a in after.objects(survivor, SKOS.altLabel)} >= {"Acme Corp", "Acme Corp."}
    assert str(after.value(survivor, RDFS.label)) == "ACME Corporation"
    normalised = {str(n) for n in after.objects(survivor, FERAG.normalisedLabel)}
    assert normalise_label("Acme Corp") in normalised
    assert len(list(after.objects(survivor, DCTERMS.description))) == 1
    ends = {(after.value(s, RDF.subject), after.value(s, RDF.object))
            for s in after.subjects(RDF.type, FERAG.Relation)}  # fmt: skip
    assert (entity("Alice Smith"), survivor) in ends and (survivor, entity("Berlin")) in ends
    for statement in after.subjects(RDF.subject, survivor):  # re-keyed from the new ends
        assert IRIS.key_of(URIRef(str(statement)), "relation") is not None
        assert (statement, None, None) not in production
    assert (record, FERAG.decidedBy, None) in add
    assert str(after.value(record, FERAG.mergeScope)) == "production"
    assert json.loads(str(after.value(record, FERAG.evidence))) == {"reviewer": 1.0}
    assert {str(n) for n in after.objects(record, FERAG.absorbedLabel)} == {
        "Acme Corp",
        "Acme Corp.",
    }
    assert not set(add) & set(production) and set(remove) <= set(production)


def test_undoing_the_change_set_restores_production_exactly(production: Graph) -> None:
    merge = ProductionMerge(entity("Alice Smith"), (entity("Acme Corp"), entity("Berlin")))

    after, add, remove = merged(production, merge)
    for triple in add:
        after.remove(triple)
    for triple in remove:
        after.add(triple)

    assert set(after) == set(production)


def test_a_relation_between_the_merged_entities_is_dropped(production: Graph) -> None:
    survivor, absorbed = entity("Alice Smith"), entity("Acme Corp")

    after, _, _ = merged(production, ProductionMerge(survivor, (absorbed,)))

    assert not [s for s in after.subjects(RDF.subject, survivor)
                if (s, RDF.object, survivor) in after]  # fmt: skip


@pytest.mark.parametrize(
    ("survivor", "absorbed", "message"),
    [
        ("Alice Smith", ("Alice Smith",), "must all differ"),
        ("Alice Smith", ("Nobody Here",), "not an entity in production"),
        ("Alice Smith", (), "at least one"),
    ],
)
def test_a_merge_that_cannot_be_made_is_refused(
    production: Graph, survivor: str, absorbed: tuple[str, ...], message: str
) -> None:
    merge = ProductionMerge(entity(survivor), tuple(entity(a) for a in absorbed))
    with pytest.raises(ProductionMergeError, match=message):
        merge_production_entities(GraphProductionView(production), IRIS, merge)
