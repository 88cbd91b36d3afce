"""Two update cycles through to_rdf → schema (stand-in over HTTP) → merge → apply.

The second cycle mentions Alice Smith and Acme Corp again: they keep their IRIs, Acme gains an
alias, Alice's description gains the newer sentence (the old text kept with its provenance), and the
production ontology's terms are reused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from graphrag_lib.llm import OpenAILikeChat
from graphrag_lib.merge import (
    ChangeSet,
    GraphProductionView,
    MergeConfig,
    apply_change_set,
    compute_change_set,
)
from graphrag_lib.schema import SchemaConfig, induce_schema
from graphrag_lib.tables import GraphRagTables
from graphrag_lib.to_rdf import DocumentMeta, tables_to_rdf
from graphrag_lib.vocab import FERAG, document_key, entity_key
from tests.unit.graphrag_lib.sample_tables import (
    CYCLE1_DOCUMENTS,
    CYCLE2_DOCUMENTS,
    IRIS,
    Q1_PATH,
    Q2_PATH,
    cycle1_tables,
    cycle2_tables,
)
from tests.unit.graphrag_lib.standin_server import standin_endpoint

ONT = IRIS.ontology
ALICE, ACME = IRIS.entity(entity_key("Alice Smith")), IRIS.entity(entity_key("Acme Corp"))
OLD_ALICE = Literal("Alice Smith is an engineer at Acme Corp.")
NEW_ALICE = Literal("Alice Smith leads the rocket team.")
MERGED_ALICE = Literal(f"{OLD_ALICE} {NEW_ALICE}")


@dataclass(frozen=True)
class Cycles:
    first: ChangeSet
    before: Graph  # production after cycle 1
    second: ChangeSet
    after: Graph  # production after cycle 2
    candidate2: Graph


def _candidate(
    tables: GraphRagTables, docs: tuple[DocumentMeta, ...], prod: Graph, llm: OpenAILikeChat
) -> Graph:
    extracted = tables_to_rdf(tables, IRIS, docs)
    production_ontology = GraphProductionView(prod).ontology()
    result = induce_schema(extracted, production_ontology, llm, SchemaConfig(), iris=IRIS)
    return result.ontology + result.typed


@pytest.fixture(scope="module")
def cycles() -> Iterator[Cycles]:
    with standin_endpoint() as llm_endpoint:
        llm = OpenAILikeChat(llm_endpoint)
        production = Graph()
        candidate1 = _candidate(cycle1_tables(), CYCLE1_DOCUMENTS, production, llm)
        first = compute_change_set(candidate1, GraphProductionView(production), IRIS, MergeConfig())
        apply_change_set(production, first)
        before = Graph() + production
        candidate2 = _candidate(cycle2_tables(), CYCLE2_DOCUMENTS, production, llm)
        view = GraphProductionView(production)
        second = compute_change_set(candidate2, view, IRIS, MergeConfig(), version=2)
        apply_change_set(production, second)
        yield Cycles(first, before, second, production, candidate2)


def _passage(graph: Graph, path: str, order: int = 0) -> URIRef:
    (passage,) = (
        p
        for p in graph.subjects(FERAG.inDocument, IRIS.document(document_key(path)))
        if (p, FERAG.order, Literal(order)) in graph
    )
    assert isinstance(passage, URIRef)
    return passage


def test_first_cycle_adds_everything(cycles: Cycles) -> None:
    stats = cycles.first.stats
    assert (stats.entities_added, stats.relations_added, stats.ontology_terms_added) == (5, 3, 6)
    assert len(cycles.first.remove) == 0
    assert (ALICE, ONT.worksFor, ACME) in cycles.before
    assert (ONT.worksFor, RDF.type, OWL.ObjectProperty) in cycles.before


def test_second_cycle_reuses_entity_iris(cycles: Cycles) -> None:
    alices = set(cycles.after.subjects(FERAG.normalisedLabel, Literal("alice smith")))
    assert alices == {ALICE}
    acmes = set(cycles.after.subjects(FERAG.normalisedLabel, Literal("acme corp")))
    assert acmes == {ACME}
    assert len(set(cycles.after.subjects(RDF.type, FERAG.Entity))) == 6  # + ACME Corporation
    stats = cycles.second.stats
    assert (stats.entities_added, stats.entities_changed) == (1, 2)


def test_second_cycle_adds_an_alias(cycles: Cycles) -> None:
    assert (ACME, SKOS.altLabel, Literal("Acme Corp.")) in cycles.second.add
    assert (ACME, RDFS.label, Literal("Acme Corp")) in cycles.after  # the label stays
    assert cycles.second.stats.aliases_added == 1


def test_newer_description_merges_and_both_keep_provenance(cycles: Cycles) -> None:
    add, remove, after = cycles.second.add, cycles.second.remove, cycles.after
    assert (ALICE, DCTERMS.description, OLD_ALICE) in remove
    assert (ALICE, DCTERMS.description, MERGED_ALICE) in add
    assert set(after.objects(ALICE, DCTERMS.description)) == {MERGED_ALICE}
    (record,) = after.objects(ALICE, FERAG.supersededDescription)
    assert (record, RDF.type, FERAG.DescriptionRecord) in after
    assert (record, FERAG.text, OLD_ALICE) in after
    assert set(after.objects(record, PROV.wasDerivedFrom)) == {_passage(after, Q1_PATH)}
    assert (record, FERAG.invalidatedIn, IRIS.version(2)) in after
    assert set(after.objects(ALICE, PROV.wasDerivedFrom)) == {
        _passage(after, Q1_PATH),
        _passage(after, Q2_PATH),
    }
    assert cycles.second.stats.descriptions_merged == 1


def test_production_ontology_terms_are_reused(cycles: Cycles) -> None:
    add = cycles.second.add
    assert (ONT.Person, None, None) not in add and (ONT.Organization, None, None) not in add
    assert (ONT.leads, RDFS.domain, ONT.Person) in add  # a new property for a new verb
    assert (ALICE, ONT.leads, ACME) in add
    assert (
        cycles.second.stats.ontology_terms_added,
        cycles.second.stats.ontology_terms_reused,
    ) == (
        1,
        2,
    )


def test_change_set_is_minimal_and_applies_to_the_expected_union(cycles: Cycles) -> None:
    add, remove, before, after = (
        cycles.second.add, cycles.second.remove, cycles.before, cycles.after,
    )  # fmt: skip
    assert not any(triple in before for triple in add)
    assert all(triple in before for triple in remove)
    assert set(after) == (set(before) - set(remove)) | set(add)
    assert set(remove) == {(ALICE, DCTERMS.description, OLD_ALICE)}
    assert (ALICE, ONT.worksFor, ACME) in after  # cycle 1's relation stays


def test_relation_statements_point_at_production_iris(cycles: Cycles) -> None:
    (statement,) = cycles.after.subjects(RDF.predicate, ONT.leads)
    assert (statement, RDF.subject, ALICE) in cycles.after
    assert (statement, RDF.object, ACME) in cycles.after
    assert str(statement).startswith(f"{IRIS.prefix}relation/")
    assert cycles.second.stats.relations_added == 1


def test_merging_the_same_candidate_again_changes_nothing(cycles: Cycles) -> None:
    view = GraphProductionView(cycles.after)
    again = compute_change_set(cycles.candidate2, view, IRIS, MergeConfig(), version=2)
    assert len(again.add) == 0 and len(again.remove) == 0
    assert again.stats.entities_unchanged == 3


def test_descriptions_can_be_kept(cycles: Cycles) -> None:
    view = GraphProductionView(cycles.before)
    config = MergeConfig(supersede_descriptions=False)
    kept = compute_change_set(cycles.candidate2, view, IRIS, config, version=2)
    assert len(kept.remove) == 0
    assert (None, FERAG.supersededDescription, None) not in kept.add
