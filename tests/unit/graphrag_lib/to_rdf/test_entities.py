"""Entity labels: GraphRAG's upper-cased titles get their casing back from the passages."""

from __future__ import annotations

from graphrag_lib.to_rdf.entities import surface_form


def test_surface_form_recovers_casing() -> None:
    assert surface_form("ALICE SMITH", ["Then  Alice\nSmith left."]) == "Alice Smith"
    assert surface_form("МОСКВА", ["Он живёт в Москве. Москва большая."]) == "Москва"


def test_surface_form_keeps_titles_it_cannot_place() -> None:
    assert surface_form("NASA", ["nothing here"]) == "NASA"
    assert surface_form("Acme", ["ACME builds"]) == "Acme"  # not all caps: as given
    assert surface_form("AL", ["ALBERT"]) == "AL"  # whole words only
