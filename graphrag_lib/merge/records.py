"""The change set's record of each resolution decision (``ferag:Merge``), so the diff can show
it with its evidence and a reviewer can undo it: which names joined which entity, by which
signals and scores, decided by rules, the LLM or a reviewer, from which passages."""

from __future__ import annotations

import json
from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from graphrag_lib.resolution.resolver import PairDecision, Resolution
from graphrag_lib.resolution.similarity import Profile
from graphrag_lib.vocab import FERAG, RagIris, hash_key, text_literal


def _record(
    graph: Graph,
    iris: RagIris,
    pair: PairDecision,
    status: str,
    scope: str,
    names: list[str],
    passages: frozenset[URIRef],
) -> None:
    record = iris.merge_record(hash_key(str(pair.a), str(pair.b)))
    graph.add((record, RDF.type, FERAG.Merge))
    graph.add((record, FERAG.mergeStatus, Literal(status)))
    graph.add((record, FERAG.mergeScope, Literal(scope)))
    graph.add((record, FERAG.survivor, pair.a))
    graph.add((record, FERAG.absorbed, pair.b))
    for name in names:
        graph.add((record, FERAG.absorbedLabel, text_literal(name)))
    graph.add((record, FERAG.score, Literal(f"{pair.score:.3f}", datatype=XSD.decimal)))
    evidence = json.dumps(pair.signals, sort_keys=True)
    graph.add((record, FERAG.evidence, Literal(evidence, datatype=RDF.JSON)))
    graph.add((record, FERAG.decidedBy, Literal(pair.decided_by)))
    if pair.reason:
        graph.add((record, FERAG.reason, Literal(pair.reason)))
    for passage in sorted(passages):
        graph.add((record, PROV.wasDerivedFrom, passage))


def merge_records(
    resolution: Resolution,
    profiles: Mapping[URIRef, Profile],
    final: Mapping[URIRef, URIRef],
    iris: RagIris,
) -> tuple[Graph, dict[str, int]]:
    """Records of the merges that bring new names, and of flagged pairs; counts by kind.

    ``final`` maps an IRI resolution saw to the IRI it has in the change set.
    """
    graph = Graph()
    counts = {"merges_production": 0, "merges_cycle": 0, "merges_flagged": 0}
    for pair in resolution.merges:
        survivor, absorbed = profiles[pair.a], profiles[pair.b]
        known = {n.normalised for n in survivor.names} if survivor.in_production else set()
        names = [n.label for n in absorbed.names if n.normalised not in known]
        if not names:
            continue  # a name production already has: nothing new to review
        scope = "production" if survivor.in_production else "cycle"
        _record(graph, iris, pair, "merged", scope, names, absorbed.passages)
        counts[f"merges_{scope}"] += 1
    for pair in resolution.flagged:
        a, b = final.get(pair.a, pair.a), final.get(pair.b, pair.b)
        if a == b:
            continue
        shown = PairDecision(a, b, pair.score, pair.signals, pair.decided_by, pair.reason)
        scope = "production" if profiles[pair.a].in_production else "cycle"
        names = [n.label for n in profiles[pair.b].names]
        _record(graph, iris, shown, "flagged", scope, names, profiles[pair.b].passages)
        counts["merges_flagged"] += 1
    return graph, counts


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "январ"), ("february", "феврал"), ("march", "март"), ("april", "апрел"),
            ("may", "ма"), ("june", "июн"), ("july", "июл"), ("august", "август"),
            ("september", "сентябр"), ("october", "октябр"), ("november", "ноябр"),
            ("december", "декабр"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip


def date_literal(text: str) -> Literal | None:
    """``2026-04-01`` → xsd:date, ``April 2026`` / ``в апреле 2026`` → xsd:gYearMonth,
    ``2026`` → xsd:gYear; None when ``text`` holds no date."""
    words = text.casefold().split()
    if not words:
        return None
    if len(words) == 1:
        value = words[0]
        if len(value) == 10:
            return Literal(value, datatype=XSD.date)
        if len(value) == 7:
            return Literal(value, datatype=XSD.gYearMonth)
        return Literal(value, datatype=XSD.gYear) if value.isdigit() else None
    month = next((n for stem, n in _MONTHS.items() if words[0].startswith(stem)), None)
    if month is None or not words[-1].isdigit():
        return None
    return Literal(f"{words[-1]}-{month:02d}", datatype=XSD.gYearMonth)


def name_record(graph: Graph, iris: RagIris, entity: URIRef, old_name: str, until: str) -> None:
    """``entity`` no longer uses ``old_name`` (a rename), since ``until`` when known."""
    record = iris.name_record(hash_key(str(entity), old_name))
    graph.add((entity, FERAG.formerName, record))
    graph.add((record, RDF.type, FERAG.NameRecord))
    graph.add((record, FERAG.text, text_literal(old_name)))
    if (when := date_literal(until)) is not None:
        graph.add((record, FERAG.validUntil, when))
