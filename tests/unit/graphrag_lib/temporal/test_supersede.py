"""Facts over time through ``compute_change_set``: hand-built production and candidate graphs
(the candidate's statements carry ``ferag:validFrom`` as ``to_rdf`` will write it), a scripted
fact judge, and the offline stand-in's rule where it decides."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, XSD

from graphrag_lib.merge import (
    ChangeSet,
    GraphProductionView,
    MergeConfig,
    apply_change_set,
    compute_change_set,
)
from graphrag_lib.temporal.judge import FactAnswer, FactQuestion
from graphrag_lib.vocab import FERAG, entity_key, relation_key
from tests.unit.graphrag_lib.merge.graphs import add_class, add_entity
from tests.unit.graphrag_lib.sample_tables import IRIS

ONT = IRIS.ontology
PETROV, ERIKSEN, LINDQVIST = "Alexei Petrov", "Hans Eriksen", "Marta Lindqvist"
INSTITUTE, STATION = "Nordvik Institute", "Svalbard Station"


def _key(label: str) -> str:
    return entity_key(label)


def _entity(label: str) -> URIRef:
    return IRIS.entity(_key(label))


def _ontology(graph: Graph, inverse_functional: tuple[URIRef, ...] = ()) -> None:
    add_class(graph, ONT.Person, "Person")
    add_class(graph, ONT.Organization, "Organization")
    for prop in (ONT.directorOf, ONT.worksAt, ONT.advises):
        graph.add((prop, RDF.type, OWL.ObjectProperty))
    for prop in inverse_functional:
        graph.add((prop, RDF.type, OWL.InverseFunctionalProperty))


def _fact(graph: Graph, s: str, p: URIRef, o: str, text: str, *, since: str = "",
          passage: str = "p1", version: int | None = None) -> URIRef:  # fmt: skip
    """A statement ``s p o`` with its entities, a passage, a description and a valid time."""
    subject = add_entity(graph, s, ONT.Person)
    obj = add_entity(graph, o, ONT.Organization)
    statement = IRIS.relation(relation_key(_key(s), p, _key(o)))
    graph.add((subject, p, obj))
    for kind in (RDF.Statement, FERAG.Relation):
        graph.add((statement, RDF.type, kind))
    graph.add((statement, RDF.subject, subject))
    graph.add((statement, RDF.predicate, p))
    graph.add((statement, RDF.object, obj))
    graph.add((statement, DCTERMS.description, Literal(text)))
    graph.add((statement, PROV.wasDerivedFrom, IRIS.passage(passage)))
    if since:
        kind = XSD.gYear if len(since) == 4 else XSD.gYearMonth
        graph.add((statement, FERAG.validFrom, Literal(since, datatype=kind)))
        graph.add((statement, FERAG.validFromSource, Literal("text")))
    if version is not None:
        graph.add((statement, FERAG.recordedIn, IRIS.version(version)))
    return statement


class Scripted:
    """A fact judge answering one verdict for every pair, recording the questions."""

    def __init__(self, verdict: str) -> None:
        self.verdict = verdict
        self.questions: list[FactQuestion] = []

    def __call__(self, questions: Sequence[FactQuestion]) -> list[FactAnswer]:
        self.questions += questions
        return [FactAnswer(q.id, self.verdict, "scripted") for q in questions]  # type: ignore[arg-type]


def _merge(production: Graph, candidate: Graph, version: int, judge: Scripted | None = None
           ) -> ChangeSet:  # fmt: skip
    change_set = compute_change_set(candidate, GraphProductionView(production), IRIS,
                                    MergeConfig(), version=version, fact_judge=judge)  # fmt: skip
    apply_change_set(production, change_set)
    return change_set


def _production(*, inverse_functional: tuple[URIRef, ...] = ()) -> Graph:
    production = Graph()
    _ontology(production, inverse_functional)
    _fact(production, PETROV, ONT.directorOf, INSTITUTE, "Petrov has been director since 2015.",
          since="2015", version=1)  # fmt: skip
    return production


def test_inverse_functional_property_leaves_one_current_director() -> None:
    production = _production(inverse_functional=(ONT.directorOf,))
    old = IRIS.relation(relation_key(_key(PETROV), ONT.directorOf, _key(INSTITUTE)))
    candidate = Graph()
    _ontology(candidate, (ONT.directorOf,))
    new = _fact(candidate, ERIKSEN, ONT.directorOf, INSTITUTE, "Eriksen became director.",
                since="2026-04", passage="p2")  # fmt: skip
    change_set = _merge(production, candidate, version=2)
    directors = set(production.subjects(ONT.directorOf, _entity(INSTITUTE)))
    assert directors == {_entity(ERIKSEN)}  # a SPARQL consumer sees one director
    assert (old, FERAG.invalidatedIn, IRIS.version(2)) in production
    assert (old, FERAG.validUntil, Literal("2026-04", datatype=XSD.gYearMonth)) in production
    assert (old, FERAG.validUntilSource, Literal("text")) in production
    assert (old, FERAG.supersededBy, new) in production
    assert "inverse-functional property ont:directorOf" in str(
        production.value(old, FERAG.invalidationReason)
    )
    assert (new, FERAG.recordedIn, IRIS.version(2)) in production
    assert (new, FERAG.invalidatedIn, None) not in production
    assert change_set.stats.facts_superseded == 1
    assert (_entity(PETROV), ONT.directorOf, _entity(INSTITUTE)) in change_set.remove


def test_functional_property_replaces_the_old_value() -> None:
    production = Graph()
    _ontology(production)
    production.add((ONT.worksAt, RDF.type, OWL.FunctionalProperty))
    old = _fact(production, LINDQVIST, ONT.worksAt, STATION, "Marta works at the station.",
                since="2019", version=1)  # fmt: skip
    candidate = Graph()
    _ontology(candidate)
    new = _fact(candidate, LINDQVIST, ONT.worksAt, INSTITUTE, "Марта перешла в институт.",
                since="2026-03", passage="p2")  # fmt: skip
    _merge(production, candidate, version=2)
    assert set(production.objects(_entity(LINDQVIST), ONT.worksAt)) == {_entity(INSTITUTE)}
    assert (old, FERAG.supersededBy, new) in production


def test_ends_by_the_judge_invalidates_without_adding_the_ending_sentence() -> None:
    production = _production()
    old = IRIS.relation(relation_key(_key(PETROV), ONT.directorOf, _key(INSTITUTE)))
    candidate = Graph()
    _ontology(candidate)
    _fact(
        candidate,
        PETROV,
        ONT.directorOf,
        INSTITUTE,
        "Petrov stepped down as director in March 2026.",
        since="2026-03",
        passage="p2",
    )
    judge = Scripted("ends")
    change_set = _merge(production, candidate, version=2, judge=judge)
    assert len(judge.questions) == 1
    assert judge.questions[0].existing.subject == PETROV
    assert (old, FERAG.invalidatedIn, IRIS.version(2)) in production
    assert (old, FERAG.endEvidence, IRIS.passage("p2")) in production
    assert "stepped down" in str(production.value(old, FERAG.endDescription))
    assert (old, FERAG.validUntil, Literal("2026-03", datatype=XSD.gYearMonth)) in production
    assert (_entity(PETROV), ONT.directorOf, _entity(INSTITUTE)) not in production
    assert len(set(production.subjects(RDF.type, FERAG.Relation))) == 1
    assert (change_set.stats.facts_ended, change_set.stats.fact_llm_pairs) == (1, 1)


def test_the_standin_rule_reads_an_ending_sentence_in_russian() -> None:
    from ferag.llm.standin.facts import verdict

    existing = {"subject": PETROV, "predicate": "directorOf", "object": INSTITUTE,
                "description": "Петров — директор института с 2015 года."}  # fmt: skip
    ended = {**existing, "description": "Петров покинул пост директора в марте 2026 года."}
    assert verdict(existing, ended)[0] == "ends"
    other = {**existing, "subject": ERIKSEN, "description": "Эриксен руководит институтом."}
    assert verdict(existing, other)[0] == "replaces"
    assert verdict(existing, dict(existing))[0] == "same"
    advises = {**existing, "predicate": "advises", "object": STATION, "description": "Advises."}
    assert verdict(existing, advises)[0] == "compatible"


def test_a_restated_fact_stays_untouched_and_gains_the_passage() -> None:
    production = _production(inverse_functional=(ONT.directorOf,))
    old = IRIS.relation(relation_key(_key(PETROV), ONT.directorOf, _key(INSTITUTE)))
    candidate = Graph()
    _ontology(candidate, (ONT.directorOf,))
    _fact(candidate, PETROV, ONT.directorOf, INSTITUTE, "Petrov has been director since 2015.",
          since="2015", passage="p3")  # fmt: skip
    judge = Scripted("replaces")
    change_set = _merge(production, candidate, version=2, judge=judge)
    assert judge.questions == []  # the same text never reaches the model
    assert (old, FERAG.invalidatedIn, None) not in production
    assert set(production.objects(old, PROV.wasDerivedFrom)) == {
        IRIS.passage("p1"),
        IRIS.passage("p3"),
    }
    assert set(change_set.remove) == set()
    assert change_set.stats.facts_superseded == change_set.stats.facts_ended == 0


def test_an_older_document_arriving_later_does_not_invalidate_the_current_fact() -> None:
    production = Graph()
    _ontology(production, (ONT.directorOf,))
    current = _fact(production, ERIKSEN, ONT.directorOf, INSTITUTE, "Eriksen is director.",
                    since="2026-04", version=1)  # fmt: skip
    candidate = Graph()
    _ontology(candidate, (ONT.directorOf,))
    late = _fact(candidate, PETROV, ONT.directorOf, INSTITUTE, "Petrov is director.",
                 since="2015", passage="p0")  # fmt: skip
    _merge(production, candidate, version=2)
    assert (current, FERAG.invalidatedIn, None) not in production
    assert set(production.subjects(ONT.directorOf, _entity(INSTITUTE))) == {_entity(ERIKSEN)}
    assert (late, FERAG.invalidatedIn, IRIS.version(2)) in production  # history, added
    assert (late, FERAG.validUntil, Literal("2026-04", datatype=XSD.gYearMonth)) in production
    assert (late, FERAG.supersededBy, current) in production


def test_a_fact_that_changes_back_is_a_new_statement() -> None:
    production = _production(inverse_functional=(ONT.directorOf,))
    first = IRIS.relation(relation_key(_key(PETROV), ONT.directorOf, _key(INSTITUTE)))
    cycle2 = Graph()
    _ontology(cycle2, (ONT.directorOf,))
    eriksen = _fact(cycle2, ERIKSEN, ONT.directorOf, INSTITUTE, "Eriksen is director.",
                    since="2026-04", passage="p2")  # fmt: skip
    _merge(production, cycle2, version=2)
    cycle3 = Graph()
    _ontology(cycle3, (ONT.directorOf,))
    _fact(cycle3, PETROV, ONT.directorOf, INSTITUTE, "Petrov is director again.",
          since="2027-01", passage="p3")  # fmt: skip
    _merge(production, cycle3, version=3)
    back = IRIS.relation(f"{IRIS.key_of(first, 'relation')}-v3")
    assert (back, FERAG.recordedIn, IRIS.version(3)) in production
    assert (back, FERAG.invalidatedIn, None) not in production
    assert (first, FERAG.invalidatedIn, IRIS.version(2)) in production  # history stays
    assert (eriksen, FERAG.supersededBy, back) in production
    assert set(production.subjects(ONT.directorOf, _entity(INSTITUTE))) == {_entity(PETROV)}
    # the same document again: nothing changes
    again = Graph()
    _ontology(again, (ONT.directorOf,))
    _fact(again, PETROV, ONT.directorOf, INSTITUTE, "Petrov is director again.",
          since="2027-01", passage="p3")  # fmt: skip
    repeat = compute_change_set(again, GraphProductionView(production), IRIS, MergeConfig(),
                                version=4)  # fmt: skip
    assert len(repeat.add) == len(repeat.remove) == 0


def test_unsure_keeps_both_and_flags_the_old_statement() -> None:
    production = _production()
    old = IRIS.relation(relation_key(_key(PETROV), ONT.directorOf, _key(INSTITUTE)))
    candidate = Graph()
    _ontology(candidate)
    _fact(candidate, PETROV, ONT.directorOf, STATION, "Petrov directs the station.",
          since="2026", passage="p2")  # fmt: skip
    change_set = _merge(production, candidate, version=2, judge=Scripted("unsure"))
    assert (old, FERAG.invalidatedIn, None) not in production
    assert (old, FERAG.staleEvidence, IRIS.passage("p2")) in production
    assert change_set.stats.facts_flagged == 1


def test_description_merge_keeps_the_full_description() -> None:
    production = Graph()
    _ontology(production)
    full = "Svalbard Station is a research station. It studies sea ice."
    station = add_entity(production, STATION, ONT.Organization, description=full)
    candidate = Graph()
    _ontology(candidate)
    add_entity(
        candidate,
        STATION,
        ONT.Organization,
        description="It was formerly headed by Marta Lindqvist. It studies sea ice.",
    )
    change_set = _merge(production, candidate, version=2)
    (text,) = production.objects(station, DCTERMS.description)
    assert str(text) == f"{full} It was formerly headed by Marta Lindqvist."
    (record,) = production.objects(station, FERAG.supersededDescription)
    assert (record, FERAG.text, Literal(full)) in production
    assert (record, FERAG.invalidatedIn, IRIS.version(2)) in production
    assert change_set.stats.descriptions_merged == 1
