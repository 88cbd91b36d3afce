"""Scoring one candidate pair: the signals two entities share and one score in [0, 1].

Signals (each in [0, 1], all kept as the merge's evidence):

- ``label``: a name of one equals a name of the other after normalisation;
- ``lemma``: equal by Russian lemmas (``Нордвикского института`` = ``Нордвикский институт``);
- ``translit``: the names' phonetic Latin forms compared (rapidfuzz ratio): ``Петров`` / ``Petrov``;
- ``acronym``: one name is the other's acronym (``NIAG`` / ``Nordvik Institute of Applied
  Geology``);
- ``short_form``: every word of the shorter name matches a word of the longer (``Nordvik`` /
  ``Nordvik Institute``); weaker, so context or the LLM decides;
- ``shared_word``: names in different scripts sharing a proper word, the rest translated
  (``Kamensky Shipyard`` / ``Каменской верфи``): for the LLM to judge;
- ``neighbours`` / ``passages``: entities (already resolved) and passages both are linked to;
- ``explicit``: the documents say so ("also called", "renamed", "formerly") between the names;
- ``renamed``: a rename ("X was renamed Y"): classes do not block it (extractors type a
  programme a person in one sentence and an organisation in the next);
- ``name_conflict``: two persons' full names that differ in a word (``Alexei Petrov`` /
  ``Marina Petrova``): they are different people whatever else they share.

``score`` combines them (see ``docs/merge.md``); thresholds are in ``ResolutionConfig``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rdflib import URIRef

from graphrag_lib.resolution.names import MIN_SKELETON, NameForms, skeleton

TOKEN_MATCH = 0.82  # two words are "the same word" from this phonetic similarity
TRANSLIT_MIN = 0.86  # full names this similar are transliterations of each other
PERSON_CLASSES = frozenset({"person", "people", "human", "individual", "researcher", "персона"})


@dataclass
class Profile:
    """What resolution knows of one entity (of the cycle or of production)."""

    iri: URIRef
    names: list[NameForms]  # the label first
    classes: frozenset[URIRef] = frozenset()
    class_names: frozenset[str] = frozenset()  # lower-case local names of the classes
    description: str = ""
    passages: frozenset[URIRef] = frozenset()
    neighbours: frozenset[URIRef] = frozenset()
    in_production: bool = False
    mentions: int = 1  # passages that name it: how often the documents use it
    explicit: set[URIRef] = field(default_factory=set)  # entities the documents call the same
    renamed: bool = False  # the documents say this name was replaced by another
    renamed_from: set[URIRef] = field(default_factory=set)  # entities renamed to this one

    @property
    def is_person(self) -> bool:
        return bool(self.class_names & PERSON_CLASSES)

    @property
    def label(self) -> str:
        return self.names[0].label if self.names else str(self.iri)


STEM = 5  # words sharing this long a beginning may be one stem ("arktik" / "arkticheski")


def _word_similarity(a: str, b: str) -> float:
    """Phonetic similarity of two words; a long shared beginning counts as a shared stem (a
    noun and its adjective, a name and its inflected form)."""
    if not a or not b:
        return 0.0
    similarity = fuzz.ratio(a, b) / 100
    shorter = min(len(a), len(b))
    prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), shorter)
    if prefix >= STEM and prefix >= 0.8 * shorter:
        similarity = max(similarity, 0.9)
    return similarity


def _aligned(short: NameForms, long: NameForms) -> float:
    """How well every word of ``short`` finds a word in ``long`` (the weakest word's best)."""
    worst = 1.0
    for forms in ((short.latin, short.latin_lemmas),):
        for i in range(len(short.tokens)):
            candidates = {forms[0][i], forms[1][i]}
            best = max(
                (
                    _word_similarity(c, w)
                    for c in candidates
                    for w in (*long.latin, *long.latin_lemmas)
                ),
                default=0.0,
            )
            worst = min(worst, best)
    return worst


def _translit(a: NameForms, b: NameForms) -> float:
    if len(a.tokens) != len(b.tokens):
        return 0.0
    pairs = ((x, y) for x in (a.latin, a.latin_lemmas) for y in (b.latin, b.latin_lemmas))
    return max(fuzz.ratio(" ".join(x), " ".join(y)) / 100 for x, y in pairs)


def _acronym(a: NameForms, b: NameForms) -> bool:
    for short, long in ((a, b), (b, a)):
        if short.is_acronym and not long.is_acronym and short.acronym() == long.acronym():
            return True
    return False


def name_signals(a: NameForms, b: NameForms) -> dict[str, float]:
    """The name signals of one pair of names."""
    signals: dict[str, float] = {}
    if a.normalised == b.normalised:
        signals["label"] = 1.0
    if a.lemmas == b.lemmas:
        signals["lemma"] = 1.0
    if (translit := _translit(a, b)) >= TRANSLIT_MIN:
        signals["translit"] = round(translit, 3)
    if _acronym(a, b):
        signals["acronym"] = 1.0
    short, long = (a, b) if len(a.tokens) <= len(b.tokens) else (b, a)
    shorter = len(short.tokens) < len(long.tokens) and not short.is_acronym
    if shorter and _aligned(short, long) >= TOKEN_MATCH:
        signals["short_form"] = round(len(short.tokens) / len(long.tokens), 3)
    if a.script != b.script and not signals and _shares_a_word(a, b):
        signals["shared_word"] = 1.0
    return signals


def _shares_a_word(a: NameForms, b: NameForms) -> bool:
    words_a = {w for w in (*a.latin, *a.latin_lemmas) if len(skeleton(w)) >= MIN_SKELETON}
    words_b = {w for w in (*b.latin, *b.latin_lemmas) if len(skeleton(w)) >= MIN_SKELETON}
    return any(_word_similarity(x, y) >= TRANSLIT_MIN for x in words_a for y in words_b)


def _name_conflict(a: Profile, b: Profile) -> bool:
    """Persons whose full names (two words or more) differ in a word."""
    if not (a.is_person and b.is_person):
        return False
    full_a = [n for n in a.names if len(n.tokens) >= 2]
    full_b = [n for n in b.names if len(n.tokens) >= 2]
    if not full_a or not full_b:
        return False
    return all(min(_aligned(x, y), _aligned(y, x)) < TOKEN_MATCH for x in full_a for y in full_b)


def _best_name_signals(a: Profile, b: Profile) -> dict[str, float]:
    best: dict[str, float] = {}
    for x in a.names:
        for y in b.names:
            for name, value in name_signals(x, y).items():
                best[name] = max(best.get(name, 0.0), value)
    return best


def signals(
    a: Profile, b: Profile, resolved: dict[URIRef, URIRef] | None = None
) -> dict[str, float]:
    """Every signal of the pair; ``resolved`` maps neighbours to the entities they became."""
    found = _best_name_signals(a, b)
    if _name_conflict(a, b):
        found["name_conflict"] = 1.0
    resolved = resolved or {}
    shared = {resolved.get(n, n) for n in a.neighbours} & {resolved.get(n, n) for n in b.neighbours}
    shared -= {a.iri, b.iri}
    if shared:
        found["neighbours"] = float(len(shared))
    if common := len(a.passages & b.passages):
        found["passages"] = float(common)
    if b.iri in a.explicit or a.iri in b.explicit:
        found["explicit"] = 1.0
    if b.iri in a.renamed_from or a.iri in b.renamed_from:
        found["renamed"] = 1.0
    return found


def score(found: dict[str, float]) -> float:
    """One number from the signals; documented in ``docs/merge.md``."""
    if found.get("explicit"):
        return 1.0
    if found.get("name_conflict"):
        return 0.1
    name = max(
        found.get("label", 0.0),
        0.97 * found.get("lemma", 0.0),
        0.95 * found.get("translit", 0.0),
        0.8 * found.get("acronym", 0.0),
        0.6 + 0.1 * found.get("short_form", 0.0) if "short_form" in found else 0.0,
        0.6 * found.get("shared_word", 0.0),
    )
    neighbours, passages = min(found.get("neighbours", 0.0), 3), min(found.get("passages", 0.0), 2)
    if name == 0.0:  # context only (a translation?): a shared neighbour reaches the LLM
        return round(0.5 + 0.1 * neighbours + 0.05 * passages, 3) if neighbours else 0.0
    return round(min(1.0, name + 0.06 * min(neighbours, 2) + 0.04 * passages), 3)


def compatible_classes(
    a: Iterable[URIRef], b: Iterable[URIRef], ancestors: dict[URIRef, set[URIRef]]
) -> bool:
    """Either side untyped, or one class a subclass of the other."""
    a, b = set(a), set(b)
    if not a or not b:
        return True
    return any(x in ancestors.get(y, {y}) or y in ancestors.get(x, {x}) for x in a for y in b)


EXACT = ("label", "lemma", "explicit")  # plus ``translit`` of at least EXACT_TRANSLIT
EXACT_TRANSLIT = 0.9  # "Скарвика" / "Skarvik": an inflected form


def exact_name(found: dict[str, float]) -> bool:
    """The names are one name written another way (not a short form, acronym or translation)."""
    return any(found.get(s) for s in EXACT) or found.get("translit", 0.0) >= EXACT_TRANSLIT


# Classes extractors confuse for one name: one document's "Lisogorsk" is a place, another's an
# organisation (measured with the offline stand-in on the evaluation corpus).
PLACE_OR_ORGANISATION = frozenset(
    {"geo", "location", "place", "city", "town", "country", "region", "island", "facility",
     "organization", "organisation", "company", "institution"}
)  # fmt: skip


def may_join(a: Profile, b: Profile, ancestors: dict[URIRef, set[URIRef]], exact: bool) -> bool:
    """Classes allow the pair: compatible ones always; a place and an organisation when the
    names are one name written two ways or a judge (the LLM, a reviewer) says they are one
    (``exact``). Never a person and a non-person, nor an apple and Apple."""
    if compatible_classes(a.classes, b.classes, ancestors):
        return True
    return exact and bool(
        a.class_names & PLACE_OR_ORGANISATION and b.class_names & PLACE_OR_ORGANISATION
    )
