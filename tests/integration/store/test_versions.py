"""The guarded change update of ``ferag.store.versions`` on Oxigraph and on Fuseki: one request
moves production and its marker together, a stale expected version changes nothing, and the
inverse step restores production exactly; the same on both stores."""

from __future__ import annotations

from rdflib import RDF, Graph

from ferag.store.client import TripleStore
from ferag.store.space import RagSpace
from ferag.store.versions import (
    ChangeStep,
    apply_steps,
    count_triples,
    entity_subjects,
    is_exact,
    read_marker,
)
from graphrag_lib.vocab import FERAG
from tests.integration.store.conftest import BASE_IRI

IS_ENTITY = f"<{RDF.type}> <{FERAG.Entity}>"
PROD = f"<urn:ferag:a> {IS_ENTITY} .\n<urn:ferag:a> <urn:ferag:p> <urn:ferag:old> .\n".encode()
ADD = f"<urn:ferag:b> {IS_ENTITY} .\n<urn:ferag:a> <urn:ferag:p> <urn:ferag:new> .\n".encode()
REMOVE = b"<urn:ferag:a> <urn:ferag:p> <urn:ferag:old> .\n"


def _space(store: TripleStore, rag_id: int) -> tuple[RagSpace, ChangeStep]:
    space = RagSpace.of(store, BASE_IRI, rag_id)
    store.put_graph(rag_id, space.prod, PROD)
    add, remove = space.cycle_graph(1, "add"), space.cycle_graph(1, "remove")
    store.put_graph(rag_id, add, ADD)
    store.put_graph(rag_id, remove, REMOVE)
    return space, ChangeStep(insert=add, delete=remove)


def _prod(space: RagSpace) -> Graph:
    return Graph().parse(data=space.get_graph(space.prod).decode(), format="nt")


def test_a_change_moves_production_and_its_marker_together(store: TripleStore, rag_id: int) -> None:
    space, step = _space(store, rag_id)
    assert is_exact(space, step)

    apply_steps(space, [step], expected=0, record={"number": 1, "at": "2026-01-01T00:00:00Z"})

    expected = Graph().parse(data=(ADD + PROD.replace(REMOVE, b"")).decode(), format="nt")
    assert _prod(space).isomorphic(expected)
    assert read_marker(space).number == 1
    assert count_triples(space, space.prod) == 3
    assert entity_subjects(space, [step.insert]) == ["urn:ferag:a", "urn:ferag:b"]


def test_a_stale_expected_version_changes_nothing(store: TripleStore, rag_id: int) -> None:
    space, step = _space(store, rag_id)
    apply_steps(space, [step], expected=0, record={"number": 1})
    before = _prod(space)

    apply_steps(space, [step.inverse()], expected=0, record={"number": 2})

    assert _prod(space).isomorphic(before)
    assert read_marker(space).number == 1


def test_the_inverse_step_restores_production_exactly(store: TripleStore, rag_id: int) -> None:
    space, step = _space(store, rag_id)
    apply_steps(space, [step], expected=0, record={"number": 1})

    apply_steps(space, [step.inverse()], expected=1, record={"number": 2})

    assert _prod(space).isomorphic(Graph().parse(data=PROD.decode(), format="nt"))
    assert read_marker(space).number == 2
