"""What the candidate's relation statements do to production's: ``merge_facts``.

For each candidate statement N (the contract in ``docs/rdf-model.md``, "Time"):

1. Production already has a current statement E of the same triple: the same normalised
   description is a restatement (E gains N's passages); a different one goes to the judge.
   Only ended statements of the triple: N is history restated (E gains the passages) unless the
   documents date N after E ended; then the fact *changes back*: a new statement
   ``{key}-v{version}``.
2. Otherwise N is new; current production statements on the same subject (or object) that the
   ontology says cannot hold with N are replaced (functional, inverse-functional properties);
   pairs the ontology cannot decide (same subject and object; same subject or object and the
   same property) go to the judge.
3. Verdicts: ``same``/``compatible`` keep E (``same`` adds the passages); ``ends`` invalidates E
   and N is not added (its text and passages become E's end evidence); ``replaces`` invalidates
   E and adds N, unless N's valid time is before E's: then N is added already invalidated;
   ``unsure`` keeps both and flags E (``ferag:staleEvidence``).

An invalidated statement gets ``ferag:invalidatedIn`` (the version approval makes),
``ferag:validUntil`` (N's valid time, else its document's date), the reason, and
``ferag:supersededBy`` or ``ferag:endEvidence``; the direct triple is removed when no current
statement backs it any more. New statements get ``ferag:recordedIn``.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pydantic import BaseModel, Field
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDFS

from graphrag_lib.merge.view import ResourceReader
from graphrag_lib.temporal.facts import Fact, candidate_facts, production_facts
from graphrag_lib.temporal.judge import FactJudge, FactQuestion, FactVerdict, Statement
from graphrag_lib.temporal.rules import PropertyRules
from graphrag_lib.temporal.times import Dated, is_before, parts
from graphrag_lib.vocab import FERAG, RagIris

logger = logging.getLogger(__name__)


class FactConfig(BaseModel):
    """How many statement pairs the fact judge sees (see ``docs/merge.md``)."""

    llm_batch_size: int = Field(12, ge=1, description="Statement pairs per LLM request.")
    max_llm_pairs: int = Field(
        240,
        ge=0,
        description="At most this many pairs per cycle go to the LLM; the rest stay, flagged.",
    )


@dataclass
class FactChanges:
    """The statements' part of the change set, and which candidate triples it took over."""

    add: Graph = field(default_factory=Graph)
    remove: Graph = field(default_factory=Graph)
    counts: Counter[str] = field(default_factory=Counter)
    production: Graph = field(default_factory=Graph)  # the production triples read
    handled: Graph = field(default_factory=Graph)  # candidate triples merge_facts decided on


@dataclass(frozen=True)
class _Pair:
    new: Fact
    old: Fact


@dataclass
class _Plan:
    """The decisions, before they become triples."""

    restated: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    ended: dict[URIRef, tuple[Fact, str, bool]] = field(
        default_factory=dict
    )  # old → new, why, ends
    history: dict[URIRef, tuple[Fact, str]] = field(default_factory=dict)  # new → later old, why
    added: dict[URIRef, URIRef] = field(default_factory=dict)  # candidate IRI → IRI added as
    dropped: set[URIRef] = field(default_factory=set)  # candidate statements not added
    flagged: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class _Merger:
    data: Graph
    facts: list[Fact]
    rules: PropertyRules
    iris: RagIris
    version: int
    judge: FactJudge | None
    config: FactConfig
    labels: Graph
    plan: _Plan = field(default_factory=_Plan)
    pairs: list[_Pair] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def by_triple(self, fact: Fact) -> list[Fact]:
        return [f for f in self.facts if f.triple == fact.triple]

    def place(self, new: Fact) -> None:
        """Step 1 for one candidate statement; step 2 when it is a new fact."""
        same = self.by_triple(new)
        current = [f for f in same if f.is_current]
        if current:
            old = current[0]
            if old.normalised == new.normalised or not new.normalised:
                self.restate(old, new)
            else:
                self.pairs.append(_Pair(new, old))
            return
        if same:
            ended = max(same, key=lambda f: _sort_time(f.valid_until or f.valid_from))
            if not _changes_back(new, ended):
                self.restate(ended, new)
                return
            key = self.iris.key_of(new.iri, "relation") or "fact"
            self.plan.added[new.iri] = self.iris.relation(f"{key}-v{self.version}")
        else:
            self.plan.added[new.iri] = new.iri
        self.contradictions(new)

    def restate(self, old: Fact, new: Fact) -> None:
        self.plan.dropped.add(new.iri)
        self.plan.restated[old.iri] |= new.passages - old.passages

    def contradictions(self, new: Fact) -> None:
        for old in self.facts:
            if not old.is_current or old.triple == new.triple:
                continue
            if reason := self.rules.conflict(new, old):
                self.decide(_Pair(new, old), "replaces", reason)
            elif _judged(new, old, self.rules):
                self.pairs.append(_Pair(new, old))

    def decide(self, pair: _Pair, verdict: FactVerdict, reason: str) -> None:
        new, old = pair.new, pair.old
        same_triple = new.triple == old.triple
        if verdict in ("same", "compatible") and same_triple:
            self.restate(old, new)
        elif verdict == "unsure":
            if same_triple:
                self.restate(old, new)
            self.plan.flagged[old.iri] |= new.passages
        elif verdict == "ends":
            self.plan.ended.setdefault(old.iri, (new, reason, True))
            self.plan.dropped.add(new.iri)
            self.plan.added.pop(new.iri, None)
        elif verdict == "replaces":
            self.replace(new, old, reason, same_triple)

    def replace(self, new: Fact, old: Fact, reason: str, same_triple: bool) -> None:
        if same_triple:
            key = self.iris.key_of(new.iri, "relation") or "fact"
            self.plan.added[new.iri] = self.iris.relation(f"{key}-v{self.version}")
        if new.observed and old.valid_from and is_before(new.observed.value, old.valid_from.value):
            self.plan.history.setdefault(new.iri, (old, reason))  # an older document, late
        else:
            self.plan.ended.setdefault(old.iri, (new, reason, False))

    def ask(self) -> None:
        """The judge's verdicts on the pairs, in batches; beyond the cap, pairs stay flagged."""
        asked = self.pairs[: self.config.max_llm_pairs] if self.judge else []
        for pair in self.pairs[len(asked) :]:
            self.decide(pair, "unsure", "not asked: no judge or over max_llm_pairs")
        size = self.config.llm_batch_size
        for start in range(0, len(asked), size):
            batch = asked[start : start + size]
            questions = [
                FactQuestion(f"f{start + i}", self.shown(p.old), self.shown(p.new))
                for i, p in enumerate(batch, start=1)
            ]
            assert self.judge is not None
            for pair, answer in zip(batch, self.judge(questions), strict=True):
                self.decide(pair, answer.verdict, answer.reason or f"the model: {answer.verdict}")
        self.counts["fact_llm_pairs"] += len(asked)

    def shown(self, fact: Fact) -> Statement:
        when = fact.observed.value if fact.observed else ""
        return Statement(
            self.label(fact.subject),
            _local(fact.predicate),
            self.label(fact.object),
            fact.description,
            str(when),
        )

    def label(self, entity: URIRef) -> str:
        found = self.labels.value(entity, RDFS.label)
        return str(found) if found is not None else _local(entity)


def _sort_time(dated: Dated | None) -> tuple[int, ...]:
    return (parts(dated.value) or ()) if dated else ()


def _changes_back(new: Fact, ended: Fact) -> bool:
    """Whether ``new`` asserts again a fact that ``ended``: dated after it ended (or after it
    began, when its end has no date). Undated restatements are history."""
    end = ended.valid_until or ended.valid_from
    return new.observed is not None and end is not None and is_before(end.value, new.observed.value)


def _judged(new: Fact, old: Fact, rules: PropertyRules) -> bool:
    """Pairs the judge sees: same ends with different texts; one end and the same property the
    ontology does not decide (not the fallback ``ferag:relatedTo``)."""
    if new.subject == old.subject and new.object == old.object:
        return new.normalised != old.normalised
    shares_end = new.subject == old.subject or new.object == old.object
    if new.predicate == FERAG.relatedTo:  # the fallback says nothing that could exclude
        return False
    return shares_end and new.predicate == old.predicate and not rules.is_decided(new.predicate)


def _local(iri: URIRef) -> str:
    text = str(iri)
    return text[max(text.rfind("#"), text.rfind("/")) + 1 :]


def merge_facts(
    data: Graph,
    production: ResourceReader,
    ontology: Graph,
    iris: RagIris,
    *,
    version: int,
    judge: FactJudge | None = None,
    config: FactConfig | None = None,
    labels: Graph | None = None,
    batch_size: int = 500,
) -> FactChanges:
    """The add/remove triples of the candidate's relation statements in ``data`` (already on
    production's IRIs) against production, for the version ``version`` approval would make.

    ``ontology`` is the merged ontology (its functional properties decide first); ``judge``
    answers the pairs it cannot decide (none: they stay, flagged); ``labels`` holds entity
    labels for the judge's prompt. ``FactChanges.handled`` are the candidate triples (statement
    nodes and their direct triples) this decided on: the caller compares only the rest.
    """
    new_facts = candidate_facts(data)
    entities = {end for f in new_facts for end in (f.subject, f.object)}
    old_facts, read = production_facts(production, entities, batch_size)
    merger = _Merger(data, old_facts, PropertyRules.of(ontology), iris, version, judge,
                     config or FactConfig(), (labels or Graph()) + data + read)  # fmt: skip
    for fact in new_facts:
        merger.place(fact)
    merger.ask()
    changes = FactChanges(production=read, counts=merger.counts)
    _write(changes, merger, new_facts)
    for fact in new_facts:
        changes.handled += data.triples((fact.iri, None, None))
        changes.handled.add(fact.triple)
    logger.info("facts: %s", dict(changes.counts))
    return changes


def _write(changes: FactChanges, merger: _Merger, new_facts: list[Fact]) -> None:
    plan, version = merger.plan, merger.iris.version(merger.version)
    by_iri = {f.iri: f for f in new_facts}
    for candidate, iri in sorted(plan.added.items()):
        if candidate in plan.dropped and candidate not in plan.history:
            continue
        _add_statement(changes.add, merger.data, by_iri[candidate], iri, version)
        if candidate in plan.history:
            later, reason = plan.history[candidate]
            since = later.valid_from
            _invalidate(changes.add, iri, version, since.value if since else None, reason,
                        since.source if since else None)  # fmt: skip
            changes.add.add((iri, FERAG.supersededBy, later.iri))
            changes.counts["facts_superseded"] += 1
        else:
            changes.add.add(by_iri[candidate].triple)
    for old_iri, (new, reason, ends) in sorted(plan.ended.items(), key=lambda x: str(x[0])):
        until = new.observed
        _invalidate(changes.add, old_iri, version, until.value if until else None, reason,
                    until.source if until else None)  # fmt: skip
        if ends:
            for passage in sorted(new.passages):
                changes.add.add((old_iri, FERAG.endEvidence, passage))
            if new.description:
                changes.add.add((old_iri, FERAG.endDescription, Literal(new.description)))
        else:
            changes.add.add((old_iri, FERAG.supersededBy, plan.added.get(new.iri, new.iri)))
        changes.counts["facts_ended" if ends else "facts_superseded"] += 1
    _unbacked(changes, merger, new_facts)
    _restated(changes, plan)
    for old_iri, passages in sorted(plan.flagged.items()):
        if old_iri not in plan.ended:
            changes.counts["facts_flagged"] += 1
            for passage in sorted(passages):
                changes.add.add((old_iri, FERAG.staleEvidence, passage))
    changes.counts["relations_added"] += sum(
        1 for c in plan.added if c not in plan.dropped or c in plan.history
    )


def _restated(changes: FactChanges, plan: _Plan) -> None:
    for old_iri, passages in sorted(plan.restated.items()):
        for passage in sorted(passages):
            changes.add.add((old_iri, PROV.wasDerivedFrom, passage))
        changes.counts["relations_changed" if passages else "relations_unchanged"] += 1


def _add_statement(add: Graph, data: Graph, fact: Fact, iri: URIRef, version: URIRef) -> None:
    for _, p, o in data.triples((fact.iri, None, None)):
        add.add((iri, p, o))
    if iri != fact.iri:  # a fact that changes back: its own key
        add.set((iri, FERAG.key, Literal(str(iri).rsplit("/", 1)[-1])))
    add.add((iri, FERAG.recordedIn, version))


def _invalidate(
    add: Graph,
    statement: URIRef,
    version: URIRef,
    until: Literal | None,
    reason: str,
    source: Literal | None = None,
) -> None:
    add.add((statement, FERAG.invalidatedIn, version))
    add.add((statement, FERAG.invalidationReason, Literal(reason)))
    if until is not None:
        add.add((statement, FERAG.validUntil, until))
        if source is not None:
            add.add((statement, FERAG.validUntilSource, source))


def _unbacked(changes: FactChanges, merger: _Merger, new_facts: list[Fact]) -> None:
    """Remove the direct triple of each ended statement no current statement backs."""
    plan = merger.plan
    backed = {f.triple for f in merger.facts if f.is_current and f.iri not in plan.ended}
    backed |= {
        f.triple
        for f in new_facts
        if f.iri in plan.added and f.iri not in plan.history and f.iri not in plan.dropped
    }
    ended = [f for f in merger.facts if f.iri in plan.ended]
    for triple in sorted({f.triple for f in ended} - backed):
        changes.remove.add(triple)
