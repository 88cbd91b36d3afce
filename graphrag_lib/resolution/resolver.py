"""Deciding which entities are one: candidate pairs scored, clear ones merged, unclear ones
judged by the LLM in bounded batches, the rest kept apart (and flagged when close).

Clusters grow by union-find over the pairs, best score first, under three constraints: classes
stay compatible, a cluster holds at most one production entity (production's entities are merged
only by an owner's reviewed proposal), and no cluster joins two entities a reviewer said are
different. Each cluster becomes one entity: the production one if it has one, else the member
the documents name most often in the RAG's language.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rdflib import URIRef

from graphrag_lib.resolution.config import ResolutionConfig, ResolutionDecision
from graphrag_lib.resolution.judge import Judge, PairQuestion, Side
from graphrag_lib.resolution.names import script
from graphrag_lib.resolution.similarity import (
    Profile,
    exact_name,
    may_join,
    score,
    signals,
)

logger = logging.getLogger(__name__)

DecidedBy = Literal["rules", "llm", "reviewer"]


@dataclass
class PairDecision:
    """One scored pair and what became of it."""

    a: URIRef
    b: URIRef
    score: float
    signals: dict[str, float]
    decided_by: DecidedBy = "rules"
    reason: str = ""


@dataclass
class Resolution:
    """The outcome: which entity each merged one becomes, and why."""

    survivor_of: dict[URIRef, URIRef] = field(default_factory=dict)  # member → survivor
    merges: list[PairDecision] = field(default_factory=list)  # (survivor, absorbed) evidence
    flagged: list[PairDecision] = field(default_factory=list)  # close pairs kept apart
    llm_pairs: int = 0


class _Clusters:
    """Union-find with the constraints of the module docstring."""

    def __init__(
        self,
        profiles: Mapping[URIRef, Profile],
        ancestors: Mapping[URIRef, set[URIRef]],
        apart: set[frozenset[URIRef]],
    ) -> None:
        self.parent = {iri: iri for iri in profiles}
        self.members = {iri: {iri} for iri in profiles}
        self.profiles = profiles
        self.ancestors = dict(ancestors)
        self.apart = apart

    def find(self, iri: URIRef) -> URIRef:
        while self.parent[iri] != iri:
            self.parent[iri] = self.parent[self.parent[iri]]
            iri = self.parent[iri]
        return iri

    def can_join(self, a: URIRef, b: URIRef, exact: bool = False, any_class: bool = False) -> bool:
        """``exact``: the pair's names are one name written two ways (see ``may_join``);
        ``any_class``: the documents state a rename, so classes do not block."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        ma, mb = self.members[ra], self.members[rb]
        if sum(self.profiles[m].in_production for m in ma | mb) > 1:
            return False
        if any(frozenset((x, y)) in self.apart for x in ma for y in mb):
            return False
        return any_class or all(
            may_join(self.profiles[x], self.profiles[y], self.ancestors, exact)
            for x in ma
            for y in mb
        )

    def join(self, a: URIRef, b: URIRef) -> None:
        ra, rb = self.find(a), self.find(b)
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)


def _side(profile: Profile) -> Side:
    return Side(
        names=tuple(dict.fromkeys(n.label for n in profile.names)),
        types=tuple(sorted(profile.class_names)),
        description=profile.description[:300],
    )


Verdicts = dict[tuple[URIRef, URIRef], tuple[str, str]]


def _ask(
    pairs: Sequence[PairDecision],
    profiles: Mapping[URIRef, Profile],
    judge: Judge,
    config: ResolutionConfig,
    verdicts: Verdicts,
) -> Verdicts:
    """The judge's verdict and reason per pair, in batches of ``llm_batch_size``; pairs in
    ``verdicts`` (asked by an earlier pass) are not asked again, new answers are added to it."""
    fresh = [p for p in pairs if (p.a, p.b) not in verdicts]
    for start in range(0, len(fresh), config.llm_batch_size):
        batch = fresh[start : start + config.llm_batch_size]
        questions = [
            PairQuestion(f"p{i}", _side(profiles[p.a]), _side(profiles[p.b]), p.signals)
            for i, p in enumerate(batch, start=1)
        ]
        for pair, answer in zip(batch, judge(questions), strict=True):
            verdicts[(pair.a, pair.b)] = (answer.verdict, answer.reason)
    return verdicts


def _preferred(
    members: Iterable[URIRef], profiles: Mapping[URIRef, Profile], language: str
) -> URIRef:
    """The production member; else a name not replaced by a rename, in the RAG's script, in
    dictionary form (nominative) before inflected ones, named most often."""
    wanted = "cyrl" if language == "ru" else "latn"

    def rank(iri: URIRef) -> tuple[bool, bool, bool, bool, int, int, str]:
        p = profiles[iri]
        name = p.names[0] if p.names else None
        in_script = name is not None and script(name.normalised) == wanted
        nominative = name is not None and name.tokens == name.lemmas
        return (
            not p.in_production,
            p.renamed,
            not in_script,
            not nominative,
            -p.mentions,
            len(p.label),
            str(iri),
        )

    return min(members, key=rank)


def score_pairs(
    pairs: Iterable[tuple[URIRef, URIRef]],
    profiles: Mapping[URIRef, Profile],
    ancestors: Mapping[URIRef, set[URIRef]],
) -> list[PairDecision]:
    """Scored pairs of compatible classes, best first."""
    scored = []
    for a, b in pairs:
        pa, pb = profiles[a], profiles[b]
        found = signals(pa, pb)
        if not (may_join(pa, pb, dict(ancestors), exact=True) or found.get("renamed")):
            continue  # place/organisation confusion: merged by exact names or the judge only
        value = score(found)
        if value > 0:
            scored.append(PairDecision(a, b, value, found))
    scored.sort(key=lambda p: (-p.score, str(p.a), str(p.b)))
    return scored


def resolve(
    profiles: Mapping[URIRef, Profile],
    pairs: Iterable[tuple[URIRef, URIRef]],
    ancestors: Mapping[URIRef, set[URIRef]],
    config: ResolutionConfig,
    *,
    decisions: Sequence[ResolutionDecision] = (),
    judge: Judge | None = None,
    language: str = "en",
    verdicts: Verdicts | None = None,
) -> Resolution:
    """Cluster ``profiles`` over the candidate ``pairs``; see the module docstring.
    ``verdicts`` carries the judge's answers from one pass to the next."""
    apart = {frozenset((URIRef(d.a), URIRef(d.b))) for d in decisions if d.verdict == "different"}
    clusters = _Clusters(profiles, ancestors, apart)
    scored = score_pairs(pairs, profiles, ancestors)
    joined: dict[URIRef, PairDecision] = {}  # absorbed member → the pair that joined it

    def join(pair: PairDecision, judged: bool = False) -> bool:
        exact = judged or exact_name(pair.signals)
        if not clusters.can_join(pair.a, pair.b, exact, bool(pair.signals.get("renamed"))):
            return False
        clusters.join(pair.a, pair.b)
        joined.setdefault(pair.b, pair)
        joined.setdefault(pair.a, pair)
        return True

    for d in decisions:
        a, b = URIRef(d.a), URIRef(d.b)
        if d.verdict == "same" and a in profiles and b in profiles:
            found = signals(profiles[a], profiles[b])
            reviewed = PairDecision(
                a, b, 1.0, found, "reviewer", d.reason or "a reviewer merged them"
            )
            join(reviewed, judged=True)
    for pair in scored:
        if pair.score >= config.auto_merge_score and frozenset((pair.a, pair.b)) not in apart:
            join(pair)
    unclear = [
        p
        for p in scored
        if config.ask_score <= p.score < config.auto_merge_score and clusters.can_join(p.a, p.b)
    ]
    resolution = Resolution()
    asked, rest = unclear[: config.max_llm_pairs], unclear[config.max_llm_pairs :]
    verdicts = verdicts if verdicts is not None else {}
    before = len(verdicts)
    if judge and asked:
        _ask(asked, profiles, judge, config, verdicts)
    resolution.llm_pairs = len(verdicts) - before
    flagged: list[PairDecision] = []
    for pair in asked:
        verdict, reason = verdicts.get((pair.a, pair.b), ("unsure", "no model to ask"))
        pair.decided_by, pair.reason = ("llm" if judge else "rules"), reason
        if verdict == "same" and join(pair, judged=True):
            continue
        if verdict != "different":
            flagged.append(pair)
    flagged += rest
    flagged += [p for p in scored if config.flag_score <= p.score < config.ask_score]
    _finish(resolution, clusters, profiles, joined, flagged, language)
    return resolution


def _finish(
    resolution: Resolution,
    clusters: _Clusters,
    profiles: Mapping[URIRef, Profile],
    joined: Mapping[URIRef, PairDecision],
    flagged: Sequence[PairDecision],
    language: str,
) -> None:
    for members in clusters.members.values():
        if len(members) == 1:
            continue
        survivor = _preferred(members, profiles, language)
        for member in sorted(members - {survivor}):
            resolution.survivor_of[member] = survivor
            pair = joined[member]
            resolution.merges.append(
                PairDecision(
                    survivor, member, pair.score, pair.signals, pair.decided_by, pair.reason
                )
            )
    seen: set[frozenset[URIRef]] = set()
    for pair in flagged:
        key = frozenset((pair.a, pair.b))
        if key in seen or clusters.find(pair.a) == clusters.find(pair.b):
            continue
        seen.add(key)
        a, b = sorted((pair.a, pair.b), key=lambda x: (not profiles[x].in_production, str(x)))
        resolution.flagged.append(
            PairDecision(a, b, pair.score, pair.signals, pair.decided_by, pair.reason)
        )
