"""Entity resolution in the merge step: which of the cycle's entities are one real-world thing,
and which production entity each of them is (``graphrag_lib.resolution`` decides; this module
reads the graphs and production for it).

1. Profiles of the cycle's entities (names, classes, description, passages, neighbours, what the
   documents say they are also called).
2. Production candidates by name keys (``ProductionView.find_by_keys``: indexed, never a scan),
   described; a cycle entity whose IRI production already has is that entity (unless the classes
   clash: then it gets an IRI qualified by its class, and both stay apart).
3. Pairs: cycle x cycle sharing a key, cycle x production sharing a key; after a first pass by
   names, pairs of different scripts that share resolved neighbours (translations), including
   production entities next to those neighbours.
4. ``resolution.resolve`` clusters them; the result maps each merged cycle entity onto its
   survivor, with the evidence for the change set's merge records.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from graphrag_lib.merge.config import MergeConfig
from graphrag_lib.merge.view import ProductionView
from graphrag_lib.resolution.judge import Judge
from graphrag_lib.resolution.names import NameForms, script
from graphrag_lib.resolution.resolver import Resolution, Verdicts, resolve
from graphrag_lib.resolution.similarity import Profile, compatible_classes, may_join
from graphrag_lib.schema.terms import local_name
from graphrag_lib.vocab import FERAG, RagIris, entity_key

T = TypeVar("T")
MAX_BUCKET = 40  # a key shared by more entities is too common to pair by (e.g. "w:nstt")
MAX_NEIGHBOURHOOD = 30  # entities next to a hub are not paired by context
# Relation descriptions saying two names are one thing ("renamed" is a rename: see rename_of).
ALIAS_MARKERS = re.compile(
    r"\b(also (called|known as)|known as|aka|formerly|renamed|abbreviat\w*|short for|"
    r"также (называем\w*|известн\w*)|переименова\w*|ранее|прежнее название|сокращ\w*)\b",
    re.IGNORECASE,
)
_KEY_STRENGTH = ("n:", "l:", "t:", "a:", "s:", "w:")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def describe(production: ProductionView, iris: Iterable[URIRef], config: MergeConfig) -> Graph:
    """``production.describe`` in batches of ``lookup_batch_size`` IRIs."""
    described = Graph()
    for batch in chunks(sorted(set(iris)), config.lookup_batch_size):
        described += production.describe(batch)
    return described


def entity_labels(graph: Graph, entity: URIRef) -> list[str]:
    """Label first, then aliases (as written)."""
    names = [*graph.objects(entity, RDFS.label), *graph.objects(entity, SKOS.altLabel)]
    return list(dict.fromkeys(str(name) for name in names))


def classes_of(graph: Graph, entity: URIRef, classes: Iterable[URIRef]) -> set[URIRef]:
    return {c for c in classes if (entity, RDF.type, c) in graph}


def _entities(graph: Graph) -> list[URIRef]:
    return sorted(e for e in graph.subjects(RDF.type, FERAG.Entity) if isinstance(e, URIRef))


def _neighbours(graph: Graph, entities: Collection[URIRef]) -> dict[URIRef, set[URIRef]]:
    """Entity → the entities a relation statement links it to (either direction)."""
    found: dict[URIRef, set[URIRef]] = defaultdict(set)
    for statement in graph.subjects(RDF.type, FERAG.Relation):
        s, o = graph.value(statement, RDF.subject), graph.value(statement, RDF.object)
        if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o:
            found[s].add(o)
            found[o].add(s)
    for s, _, o in graph:  # production's direct triples (describe() reads no statement nodes)
        if not (isinstance(s, URIRef) and isinstance(o, URIRef)) or s == o:
            continue
        if s in entities and o in entities:
            found[s].add(o)
            found[o].add(s)
    return found


_GAP = r"[^.;\n]{0,40}?"  # a few words, within one sentence


def _says_one(text: str, names_a: list[str], names_b: list[str]) -> bool:
    """``text`` puts an alias marker between a name of one side and a name of the other
    ("X, also known as Y", "X was renamed Y", "Y (formerly X)"), not merely near them."""
    for first, second in ((names_a, names_b), (names_b, names_a)):
        for x in first:
            for y in second:
                marker = f"(?:{ALIAS_MARKERS.pattern})" + r"(?!\s+(?:of|at|with)\b)"
                pattern = re.escape(x) + _GAP + marker + _GAP + re.escape(y)
                if re.search(pattern, text, re.IGNORECASE):
                    return True
    return False


def explicit_aliases(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """Pairs a relation's description calls one thing ("also known as", "renamed")."""
    found: dict[URIRef, set[URIRef]] = defaultdict(set)
    for statement in graph.subjects(RDF.type, FERAG.Relation):
        text = " ".join(str(d) for d in graph.objects(statement, DCTERMS.description))
        s, o = graph.value(statement, RDF.subject), graph.value(statement, RDF.object)
        if not isinstance(s, URIRef) or not isinstance(o, URIRef):
            continue
        if not ALIAS_MARKERS.search(text):
            continue
        if _says_one(text, entity_labels(graph, s), entity_labels(graph, o)):
            found[s].add(o)
            found[o].add(s)
    return found


_RENAMED = re.compile(r"\b(renamed|переименова\w*)\b", re.IGNORECASE)
_FORMERLY = re.compile(r"\b(formerly|ранее|прежнее название)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rename:
    """The documents say ``old`` is now called ``new`` (``when``: the text of the date, if any)."""

    old: URIRef
    new: URIRef
    when: str


def renames(graph: Graph) -> list[Rename]:
    """Renames stated in relation descriptions: the name written after "renamed (to)" /
    "переименован в" is the new one; the one after "formerly" / "ранее" the old one."""
    found = []
    for statement in sorted(graph.subjects(RDF.type, FERAG.Relation), key=str):
        text = " ".join(str(d) for d in graph.objects(statement, DCTERMS.description))
        marker = _RENAMED.search(text) or _FORMERLY.search(text)
        s, o = graph.value(statement, RDF.subject), graph.value(statement, RDF.object)
        if marker is None or not isinstance(s, URIRef) or not isinstance(o, URIRef):
            continue
        after = text[marker.end() :].casefold()
        later = {
            e for e in (s, o) if any(str(n).casefold() in after for n in entity_labels(graph, e))
        }
        if len(later) != 1:
            continue
        named_after = later.pop()
        other = o if named_after == s else s
        new, old = (named_after, other) if _RENAMED.match(marker.group(0)) else (other, named_after)
        for name in (*entity_labels(graph, s), *entity_labels(graph, o)):
            after = after.replace(name.casefold(), " ")  # "Frozen Ground 2030" is no date
        found.append(Rename(old, new, _date_text(after)))
    return found


_DATE = re.compile(
    r"\b(\d{4}-\d{2}(-\d{2})?|(january|february|march|april|may|june|july|august|september|"
    r"october|november|december|январ\w*|феврал\w*|март\w*|апрел\w*|ма[йея]\w*|июн\w*|июл\w*|"
    r"август\w*|сентябр\w*|октябр\w*|ноябр\w*|декабр\w*)\s+\d{4}|\d{4})\b",
    re.IGNORECASE,
)


def _date_text(text: str) -> str:
    match = _DATE.search(text)
    return match.group(0) if match else ""


def profiles_of(
    graph: Graph,
    entities: Iterable[URIRef],
    classes: Collection[URIRef],
    *,
    in_production: bool,
    neighbours: Mapping[URIRef, set[URIRef]],
    explicit: Mapping[URIRef, set[URIRef]] | None = None,
) -> dict[URIRef, Profile]:
    profiles = {}
    for entity in entities:
        names = [NameForms.of(label) for label in entity_labels(graph, entity)]
        if not names:
            continue
        own = classes_of(graph, entity, classes)
        passages = frozenset(
            p for p in graph.objects(entity, PROV.wasDerivedFrom) if isinstance(p, URIRef)
        )
        profiles[entity] = Profile(
            iri=entity,
            names=names,
            classes=frozenset(own),
            class_names=frozenset(local_name(c).lower() for c in own),
            description=str(graph.value(entity, DCTERMS.description) or ""),
            passages=passages,
            neighbours=frozenset(neighbours.get(entity, ())),
            in_production=in_production,
            mentions=max(1, len(passages)),
            explicit=set((explicit or {}).get(entity, ())),
        )
    return profiles


def _by_strength(keys: Iterable[str]) -> list[str]:
    return sorted(
        keys, key=lambda k: (_KEY_STRENGTH.index(k[:2]) if k[:2] in _KEY_STRENGTH else 9, k)
    )


def key_pairs(profiles: Mapping[URIRef, Profile]) -> set[tuple[URIRef, URIRef]]:
    """Pairs of ``profiles`` where one's lookup keys meet the other's index keys."""
    index: dict[str, set[URIRef]] = defaultdict(set)
    for iri, profile in profiles.items():
        for name in profile.names:
            for key in name.index_keys():
                index[key].add(iri)
    pairs: set[tuple[URIRef, URIRef]] = set()
    for iri, profile in profiles.items():
        for key in {k for name in profile.names for k in name.lookup_keys()}:
            bucket = index.get(key, set())
            if len(bucket) > MAX_BUCKET:
                continue
            pairs |= {_ordered(iri, other) for other in bucket if other != iri}
    return pairs


def _ordered(a: URIRef, b: URIRef) -> tuple[URIRef, URIRef]:
    return (a, b) if str(a) <= str(b) else (b, a)


def context_pairs(
    profiles: Mapping[URIRef, Profile], ancestors: Mapping[URIRef, set[URIRef]]
) -> set[tuple[URIRef, URIRef]]:
    """Pairs of non-persons named in different scripts that share a neighbour (translations
    have no name in common: "Норвежский полярный институт" / "Norwegian Polar Institute")."""
    around: dict[URIRef, set[URIRef]] = defaultdict(set)
    for iri, profile in profiles.items():
        for neighbour in profile.neighbours:
            around[neighbour].add(iri)
    pairs: set[tuple[URIRef, URIRef]] = set()
    for group in around.values():
        if len(group) > MAX_NEIGHBOURHOOD:
            continue
        for a in group:
            for b in group:
                pa, pb = profiles[a], profiles[b]
                if str(a) >= str(b) or pa.is_person or pb.is_person:
                    continue
                if pa.in_production and pb.in_production:
                    continue
                if script(pa.names[0].normalised) == script(pb.names[0].normalised):
                    continue
                if (
                    pa.classes
                    and pb.classes
                    and compatible_classes(pa.classes, pb.classes, dict(ancestors))
                ):
                    pairs.add((a, b))
    return pairs


@dataclass
class ResolvedEntities:
    """What merge needs from resolution."""

    mapping: dict[URIRef, URIRef]  # cycle entity → production or survivor IRI (where it differs)
    described: Graph  # production triples of every production entity considered
    resolution: Resolution
    profiles: dict[URIRef, Profile]
    renames: list[Rename]  # stated in the candidate's relation descriptions


class _Production:
    """The production entities resolution has looked at, found by keys and described."""

    def __init__(
        self, view: ProductionView, config: MergeConfig, classes: Collection[URIRef]
    ) -> None:
        self.view, self.config, self.classes = view, config, classes
        self.described = Graph()
        self.profiles: dict[URIRef, Profile] = {}

    def find(self, names: Iterable[NameForms]) -> dict[str, set[URIRef]]:
        keys = {k for name in names for k in name.lookup_keys()}
        found: dict[str, set[URIRef]] = {}
        for batch in chunks(sorted(keys), self.config.lookup_batch_size):
            found.update(self.view.find_by_keys(batch))
        return found

    def load(self, iris: Collection[URIRef]) -> None:
        fresh = set(iris) - set(self.profiles)
        if not fresh:
            return
        self.described += describe(self.view, fresh, self.config)
        loaded = set(self.profiles) | fresh
        neighbours = _neighbours(self.described, loaded)
        self.profiles = profiles_of(
            self.described, loaded, self.classes, in_production=True, neighbours=neighbours
        )  # all again: an entity described now may point at one described before

    def around(self, iris: Collection[URIRef]) -> set[URIRef]:
        """Production entities linked to ``iris`` (both directions), hubs left out."""
        if not iris:
            return set()
        linked: dict[URIRef, set[URIRef]] = defaultdict(set)
        outgoing = describe(self.view, iris, self.config)
        for s, _, o in outgoing:
            if isinstance(o, URIRef) and "/entity/" in str(o) and s != o:
                linked[s].add(o)  # type: ignore[index]
        for batch in chunks(sorted(iris), self.config.lookup_batch_size):
            for s, p, o in self.view.referencing(batch):
                if (
                    isinstance(s, URIRef)
                    and "/entity/" in str(s)
                    and p not in (RDF.subject, RDF.object)
                ):
                    linked[o].add(s)  # type: ignore[index]
        return {x for group in linked.values() if len(group) <= MAX_NEIGHBOURHOOD for x in group}


def _candidates_in_production(
    profiles: Mapping[URIRef, Profile], production: _Production, config: MergeConfig
) -> set[tuple[URIRef, URIRef]]:
    """Cycle x production pairs sharing a key, at most ``max_candidates`` x 4 per entity by key
    strength; loads (describes) those production entities."""
    hits = production.find(n for p in profiles.values() for n in p.names)
    limit = config.resolution.max_candidates * 4
    wanted: dict[URIRef, list[URIRef]] = {}
    for iri, profile in profiles.items():
        keys = _by_strength({k for n in profile.names for k in n.lookup_keys()})
        options: list[URIRef] = []
        for key in keys:
            found = hits.get(key, set())
            if len(found) > MAX_BUCKET:
                continue
            options += sorted(x for x in found if x not in options)
        wanted[iri] = options[:limit]
    production.load({x for options in wanted.values() for x in options} | set(profiles))
    return {
        (iri, x)
        for iri, options in wanted.items()
        for x in options
        if x in production.profiles and x != iri
    }


def resolve_entities(
    candidate: Graph,
    production_view: ProductionView,
    iris: RagIris,
    ancestors: Mapping[URIRef, set[URIRef]],
    config: MergeConfig,
    judge: Judge | None = None,
) -> ResolvedEntities:
    """See the module docstring."""
    classes = set(ancestors)
    entities = _entities(candidate)
    explicit = explicit_aliases(candidate)
    cycle = profiles_of(
        candidate, entities, classes, in_production=False,
        neighbours=_neighbours(candidate, set(entities)), explicit=explicit,
    )  # fmt: skip
    production = _Production(production_view, config, classes)
    prod_pairs = _candidates_in_production(cycle, production, config)
    mapping = _same_iri(cycle, production, iris, ancestors)
    stated = renames(candidate)
    for rename in stated:  # the old name is not the one to keep
        if rename.old in cycle and rename.new in explicit.get(rename.old, ()):
            cycle[rename.old] = replace(cycle[rename.old], renamed=True)
            cycle[rename.new].renamed_from.add(rename.old)
    profiles = _combined(cycle, production.profiles, mapping)
    told = {
        _ordered(a, b)
        for a, others in explicit.items()
        for b in others
        if a in cycle and b in cycle
    }
    pairs = {
        (mapping.get(a, a), mapping.get(b, b)) for a, b in key_pairs(cycle) | prod_pairs | told
    }
    pairs = {p for p in pairs if p[0] != p[1] and p[0] in profiles and p[1] in profiles}
    language = config.language
    verdicts: Verdicts = {}  # the judge's answers, shared by both passes
    first = resolve(
        profiles, pairs, ancestors, config.resolution,
        decisions=config.decisions, judge=judge, language=language, verdicts=verdicts,
    )  # fmt: skip
    provisional = {**first.survivor_of}
    production.load(
        production.around(
            {provisional.get(n, n) for p in cycle.values() for n in p.neighbours}
            & set(production.profiles)
        )
    )
    profiles = _combined(cycle, production.profiles, mapping)
    profiles = {
        iri: replace(
            p, neighbours=frozenset(provisional.get(n, mapping.get(n, n)) for n in p.neighbours)
        )
        for iri, p in profiles.items()
    }
    pairs |= context_pairs(profiles, ancestors)
    pairs = {p for p in pairs if p[0] in profiles and p[1] in profiles}
    resolution = resolve(
        profiles, pairs, ancestors, config.resolution,
        decisions=config.decisions, judge=judge, language=language, verdicts=verdicts,
    )  # fmt: skip
    for member, survivor in resolution.survivor_of.items():
        for original in [c for c, m in mapping.items() if m == member] + [member]:
            if original in cycle:
                mapping[original] = survivor
    mapping = {k: v for k, v in mapping.items() if k != v}
    resolution.llm_pairs = len(verdicts)
    return ResolvedEntities(mapping, production.described, resolution, profiles, stated)


def _same_iri(
    cycle: Mapping[URIRef, Profile],
    production: _Production,
    iris: RagIris,
    ancestors: Mapping[URIRef, set[URIRef]],
) -> dict[URIRef, URIRef]:
    """Cycle entities whose IRI (name) production has with a clashing class get an IRI
    qualified by their class (both stay apart); the others are that production entity."""
    mapping: dict[URIRef, URIRef] = {}
    for iri, profile in cycle.items():
        existing = production.profiles.get(iri)
        if existing is None or may_join(profile, existing, dict(ancestors), exact=True):
            continue
        qualifier = local_name(min(profile.classes)) if profile.classes else "entity"
        mapping[iri] = iris.entity(entity_key(profile.names[0].label, qualifier))
    return mapping


def _combined(
    cycle: Mapping[URIRef, Profile],
    production: Mapping[URIRef, Profile],
    mapping: Mapping[URIRef, URIRef],
) -> dict[URIRef, Profile]:
    """One profile per IRI: a cycle entity with a production entity's IRI is that entity (its
    names and context added); a re-keyed one under its new IRI."""
    profiles = dict(production)
    for iri, profile in cycle.items():
        target = mapping.get(iri, iri)
        known = profiles.get(target)
        if known is None:
            profiles[target] = replace(profile, iri=target)
            continue
        names = known.names + [
            n for n in profile.names if n.normalised not in {k.normalised for k in known.names}
        ]
        profiles[target] = replace(
            known,
            names=names,
            passages=known.passages | profile.passages,
            neighbours=known.neighbours | profile.neighbours,
            explicit=known.explicit | profile.explicit,
            mentions=known.mentions + profile.mentions,
        )
    return profiles
