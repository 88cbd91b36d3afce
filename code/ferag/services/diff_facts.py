"""The ``facts`` section of a diff: statements the change set supersedes, ends or flags.

Each item shows the old statement and (when superseded) the new one, with subject, predicate
and object labels, valid times and where they came from, the passages behind them, the reason
and the version that ends the old one. The triples are those of ``docs/rdf-model.md``, "Time":
merge writes the end (``ferag:invalidatedIn``, ``validUntil``, ``supersededBy``,
``endEvidence``, ``staleEvidence``, …) into the cycle's ``add`` graph; the old statement
itself is in production, the new one in ``add``.
"""

from __future__ import annotations

import re

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from ferag.services.diff_items import MAX_PROVENANCE, Facts, compact, end_ref
from ferag.services.diff_models import FactChange, FactStatement, FactStatus
from graphrag_lib.vocab import FERAG, RagIris

# Where a fact's evidence is, by the section's kind of change.
EVIDENCE = {"ended": FERAG.endEvidence, "flagged": FERAG.staleEvidence}
STATUS: dict[str, FactStatus] = {"superseded": "superseded", "ended": "ended", "flagged": "flagged"}
_VERSION = re.compile(r"/version/(\d+)$")


def load_fact_page(facts: Facts, subjects: list[URIRef]) -> None:
    """The old statements, their successors, the passages behind both and their ends' labels."""
    facts.load(subjects)
    successors = {n for s in subjects for n in facts.values(s, FERAG.supersededBy)}
    facts.load(successors)
    statements = [*subjects, *sorted(successors, key=str)]
    passages = {p for s in statements for p in _passages(facts, s)}
    passages |= {p for s in subjects for e in EVIDENCE.values() for p in facts.values(s, e)}
    facts.load_sources(passages, statements)


def _passages(facts: Facts, s: Node) -> list[Node]:
    return facts.values(s, PROV.wasDerivedFrom)[:MAX_PROVENANCE]


def _version(node: Node | None) -> int | None:
    match = _VERSION.search(str(node)) if node is not None else None
    return int(match.group(1)) if match else None


def _statement(facts: Facts, s: Node, iris: RagIris) -> FactStatement:
    predicate = facts.first(s, RDF.predicate)
    subject = end_ref(facts, s, RDF.subject)
    return FactStatement(
        iri=str(s),
        subject=subject,
        predicate=compact(predicate, iris) if predicate is not None else "",
        object=end_ref(facts, s, RDF.object),
        description=facts.text(s, DCTERMS.description),
        valid_from=facts.text(s, FERAG.validFrom),
        valid_from_source=facts.text(s, FERAG.validFromSource),
        valid_until=facts.text(s, FERAG.validUntil),
        valid_until_source=facts.text(s, FERAG.validUntilSource),
        recorded_in=_version(facts.first(s, FERAG.recordedIn)),
        provenance=facts.sources(_passages(facts, s), subject.label),
    )


def fact_change(facts: Facts, s: URIRef, change: str, iris: RagIris) -> FactChange:
    """One item of ``facts_{change}`` (``superseded``, ``ended`` or ``flagged``)."""
    old = _statement(facts, s, iris)
    successor = facts.first(s, FERAG.supersededBy, ("add", "prod"))
    new = _statement(facts, successor, iris) if change == "superseded" and successor else None
    if new is not None:
        evidence = new.provenance
    else:
        passages = facts.values(s, EVIDENCE.get(change, FERAG.endEvidence), ("add",))
        evidence = facts.sources(passages[:MAX_PROVENANCE], old.subject.label)
    return FactChange(
        iri=str(s),
        status=STATUS[change],
        old=old,
        new=new,
        reason=facts.text(s, FERAG.invalidationReason, ("add",)),
        invalidated_in=_version(facts.first(s, FERAG.invalidatedIn, ("add",))),
        end_description=facts.text(s, FERAG.endDescription, ("add",)),
        evidence=evidence,
    )
