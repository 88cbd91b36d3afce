"""Entity resolution in the merge step: one real-world thing named in two languages, in
grammatical cases, by an acronym or a former name becomes one entity; look-alikes stay apart;
every merge is a record in the change set; reviewers' decisions are honoured."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from graphrag_lib.merge import (
    ChangeSet,
    GraphProductionView,
    MergeConfig,
    ResolutionDecision,
    apply_change_set,
    compute_change_set,
)
from graphrag_lib.resolution.judge import PairAnswer, PairQuestion
from graphrag_lib.vocab import FERAG
from tests.unit.graphrag_lib.merge.graphs import ONT, add_class, add_entity, add_relation
from tests.unit.graphrag_lib.sample_tables import IRIS


def _ontology() -> Graph:
    graph = Graph()
    add_class(graph, ONT.Person, "Person")
    add_class(graph, ONT.Organization, "Organization")
    add_class(graph, ONT.Project, "Project")
    return graph


def _passage(graph: Graph, entity: URIRef, key: str) -> None:
    graph.add((entity, PROV.wasDerivedFrom, IRIS.passage(key)))


def _entities(graph: Graph) -> set[URIRef]:
    return {e for e in graph.subjects(RDF.type, FERAG.Entity) if isinstance(e, URIRef)}


def _names(graph: Graph, entity: URIRef) -> set[str]:
    return {str(n) for p in (RDFS.label, SKOS.altLabel) for n in graph.objects(entity, p)}


def _entity_named(graph: Graph, name: str) -> URIRef:
    found = [e for e in _entities(graph) if name in _names(graph, e)]
    assert len(found) == 1, f"{name!r} is on {len(found)} entities"
    return found[0]


def _records(graph: Graph, status: str) -> list[URIRef]:
    return [
        r
        for r in graph.subjects(RDF.type, FERAG.Merge)
        if isinstance(r, URIRef) and str(graph.value(r, FERAG.mergeStatus)) == status
    ]


def _merge(
    candidate: Graph,
    production: Graph | None = None,
    config: MergeConfig | None = None,
    judge: object = None,
) -> tuple[Graph, ChangeSet]:
    production = production if production is not None else _ontology()
    change_set = compute_change_set(
        candidate,
        GraphProductionView(production),
        IRIS,
        config or MergeConfig(),
        judge=judge,  # type: ignore[arg-type]
    )
    merged = Graph() + production
    apply_change_set(merged, change_set)
    return merged, change_set


def test_a_cycle_names_one_person_in_two_scripts_and_cases_one_entity() -> None:
    candidate = _ontology()
    latin = add_entity(candidate, "Alexei Petrov", ONT.Person)
    cyrillic = add_entity(candidate, "Алексей Петров", ONT.Person)
    oblique = add_entity(candidate, "Алексея Петрова", ONT.Person)
    for entity, key in ((latin, "en-1"), (cyrillic, "ru-1"), (oblique, "ru-2")):
        _passage(candidate, entity, key)
    merged, change_set = _merge(candidate)
    person = _entity_named(merged, "Alexei Petrov")
    assert _names(merged, person) == {"Alexei Petrov", "Алексей Петров", "Алексея Петрова"}
    assert len(_entities(merged)) == 1
    assert change_set.stats.merges_cycle == 2
    record = _records(change_set.add, "merged")[0]
    evidence = json.loads(str(change_set.add.value(record, FERAG.evidence)))
    assert evidence.keys() & {"translit", "lemma"}
    assert change_set.add.value(record, FERAG.decidedBy) == Literal("rules")
    assert (record, PROV.wasDerivedFrom, None) in change_set.add


def test_people_sharing_a_surname_stay_apart() -> None:
    candidate = _ontology()
    add_entity(candidate, "Alexei Petrov", ONT.Person)
    add_entity(candidate, "Алексей Петров", ONT.Person)
    add_entity(candidate, "Marina Petrova", ONT.Person)
    add_entity(candidate, "Марины Петровой", ONT.Person)
    merged, _ = _merge(candidate)
    alexei, marina = _entity_named(merged, "Alexei Petrov"), _entity_named(merged, "Marina Petrova")
    assert alexei != marina
    assert _names(merged, marina) == {"Marina Petrova", "Марины Петровой"}
    assert len(_entities(merged)) == 2


def test_a_new_russian_name_joins_the_production_entity_as_an_alias() -> None:
    production = _ontology()
    ingrid = add_entity(production, "Ingrid Solberg", ONT.Person)
    candidate = _ontology()
    russian = add_entity(candidate, "Ингрид Сульберг", ONT.Person, description="Геолог.")
    _passage(candidate, russian, "ru-7")
    merged, change_set = _merge(candidate, production)
    assert (russian, None, None) not in merged
    assert (ingrid, RDFS.label, Literal("Ingrid Solberg")) in merged
    assert (ingrid, SKOS.altLabel, Literal("Ингрид Сульберг")) in merged
    assert change_set.stats.merges_production == 1
    [record] = _records(change_set.add, "merged")
    assert change_set.add.value(record, FERAG.survivor) == ingrid
    assert change_set.add.value(record, FERAG.absorbed) == russian
    assert str(change_set.add.value(record, FERAG.mergeScope)) == "production"


def test_a_reviewers_different_keeps_a_pair_apart_in_later_cycles() -> None:
    production = _ontology()
    ingrid = add_entity(production, "Ingrid Solberg", ONT.Person)
    candidate = _ontology()
    russian = add_entity(candidate, "Ингрид Сульберг", ONT.Person)
    decision = ResolutionDecision(a=str(ingrid), b=str(russian), verdict="different")
    merged, change_set = _merge(candidate, production, MergeConfig(decisions=[decision]))
    assert (russian, RDFS.label, Literal("Ингрид Сульберг")) in merged
    assert (ingrid, SKOS.altLabel, None) not in merged
    assert change_set.stats.merges_production == 0


def test_a_reviewers_same_merges_what_the_signals_keep_apart() -> None:
    candidate = _ontology()
    polar = add_entity(candidate, "Norwegian Polar Institute", ONT.Organization)
    russian = add_entity(candidate, "Норвежский полярный институт", ONT.Organization)
    decision = ResolutionDecision(a=str(polar), b=str(russian), verdict="same", reason="same")
    merged, change_set = _merge(candidate, config=MergeConfig(decisions=[decision]))
    assert _names(merged, polar) == {"Norwegian Polar Institute", "Норвежский полярный институт"}
    [record] = _records(change_set.add, "merged")
    assert change_set.add.value(record, FERAG.decidedBy) == Literal("reviewer")


class _Judge:
    """Answers "same" for pairs whose names share an acronym; records every batch."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def __call__(self, questions: Sequence[PairQuestion]) -> list[PairAnswer]:
        self.batches.append(len(questions))
        return [
            PairAnswer(q.id, "same" if "acronym" in q.signals else "different", "test")
            for q in questions
        ]


def test_unclear_pairs_go_to_the_judge_in_batches_and_unsure_ones_are_flagged() -> None:
    candidate = _ontology()
    full = add_entity(candidate, "Nordvik Institute of Applied Geology", ONT.Organization)
    acronym = add_entity(candidate, "NIAG", ONT.Organization)
    judge = _Judge()
    merged, change_set = _merge(candidate, config=MergeConfig(), judge=judge)
    assert _entity_named(merged, "NIAG") == _entity_named(
        merged, "Nordvik Institute of Applied Geology"
    )
    assert judge.batches == [1]
    [record] = _records(change_set.add, "merged")
    assert change_set.add.value(record, FERAG.decidedBy) == Literal("llm")
    assert {full, acronym} >= {change_set.add.value(record, FERAG.survivor)}
    # without a model the same pair stays apart, flagged for the reviewer
    merged, change_set = _merge(candidate)
    assert len(_entities(merged)) == 2
    assert change_set.stats.merges_flagged == 1


def test_a_rename_stated_in_the_documents_merges_the_names() -> None:
    candidate = _ontology()
    old = add_entity(candidate, "Permafrost 2030", ONT.Project)
    new = add_entity(candidate, "Frozen Ground 2030", ONT.Project)
    statement = add_relation(candidate, "r1", old, ONT.renamedTo, new)
    candidate.add(
        (
            statement,
            DCTERMS.description,
            Literal("Permafrost 2030 was renamed Frozen Ground 2030 in April 2026"),
        )
    )
    merged, _ = _merge(candidate)
    project = _entity_named(merged, "Frozen Ground 2030")
    assert _names(merged, project) == {"Permafrost 2030", "Frozen Ground 2030"}
    assert (project, ONT.renamedTo, project) not in merged
    record = merged.value(project, FERAG.formerName)
    assert merged.value(record, FERAG.text) == Literal("Permafrost 2030")
    assert merged.value(record, FERAG.validUntil) == Literal("2026-04", datatype=XSD.gYearMonth)


def test_a_person_is_never_merged_into_an_organisation() -> None:
    candidate = _ontology()
    add_entity(candidate, "Petrov", ONT.Person)
    add_entity(candidate, "Петров", ONT.Organization)
    merged, _ = _merge(candidate)
    assert len(_entities(merged)) == 2


def test_one_name_typed_a_place_here_and_an_organisation_there_is_one_entity() -> None:
    candidate = _ontology()
    add_class(candidate, ONT.Geo, "Geo")
    add_entity(candidate, "Lisogorsk", ONT.Organization)
    add_entity(candidate, "Лисогорск", ONT.Geo)
    add_entity(candidate, "Lisogorsk Institute", ONT.Person)  # a person never joins a place
    merged, _ = _merge(candidate)
    assert _names(merged, _entity_named(merged, "Lisogorsk")) == {"Lisogorsk", "Лисогорск"}
    assert len(_entities(merged)) == 2


def test_an_alias_marker_must_stand_between_the_two_names() -> None:
    candidate = _ontology()
    marina = add_entity(candidate, "Marina Petrova", ONT.Person)
    limb = add_entity(candidate, "LIMB", ONT.Organization)
    statement = add_relation(candidate, "r1", marina, ONT.worksFor, limb)
    text = "Marina Petrova, formerly of LIMB, now teaches in Skarvik."
    candidate.add((statement, DCTERMS.description, Literal(text)))
    merged, _ = _merge(candidate)
    assert len(_entities(merged)) == 2


def test_a_stated_rename_joins_names_the_extractor_typed_differently() -> None:
    candidate = _ontology()
    old = add_entity(candidate, "Ice Chronicle", ONT.Person)
    new = add_entity(candidate, "Ice Memory", ONT.Project)
    statement = add_relation(candidate, "r1", old, ONT.relatedTo, new)
    text = "In May 2025 the programme Ice Chronicle was renamed Ice Memory."
    candidate.add((statement, DCTERMS.description, Literal(text)))
    merged, _ = _merge(candidate)
    assert _names(merged, _entity_named(merged, "Ice Memory")) == {"Ice Chronicle", "Ice Memory"}
