"""Named entities in a text by plain rules: the stand-in's answer to GraphRAG's extraction prompt.

``find_names(text)`` splits the text into sentences, collects *mentions* (capitalised word runs in
Latin or Cyrillic script, «quoted» names, upper-case acronyms), groups the mentions that are
forms of one name (Russian case endings are ignored when comparing words, legal forms such as
``LLC`` or ``ООО`` are ignored altogether, a lone surname joins the one full name it ends) and
gives every group a *kind* — ``person``, ``organization``, ``geo``, ``event`` or ``other`` —
from cues in ``lexicon``. No model and no meaning are involved.
"""

# ruff: noqa: RUF001, RUF002

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ferag.llm.standin.graphrag import lexicon
from ferag.llm.standin.graphrag.mentions import (
    Kind,
    Mention,
    find_mentions,
    same_name,
    split_sentences,
    word_stems,
)


@dataclass(eq=False)
class Name:
    """A group of mentions of one name (compared by identity)."""

    mentions: list[Mention] = field(default_factory=list)
    kind: Kind = "other"
    spelling: str | None = None  # the gazetteer's spelling of a known place

    @property
    def title(self) -> str:
        """A known place's usual spelling, else the most frequent surface form among the
        longest ones; ties go to the form that looks least like an oblique Russian case, then
        the shortest, then the first in alphabetical order."""
        if self.spelling:
            return self.spelling
        longest = max(len(m.key_words) for m in self.mentions)
        counts = Counter(m.surface for m in self.mentions if len(m.key_words) == longest)
        return min(counts, key=lambda s: (-counts[s], _case_score(s), len(s), s))

    @property
    def key(self) -> tuple[str, ...]:
        """The words that identify the name (of its first strong mention)."""
        return self.mentions[0].key_words

    @property
    def sentences(self) -> list[int]:
        return sorted({m.sentence for m in self.mentions})


def _case_score(surface: str) -> int:
    """How oblique a form looks, summed over its Cyrillic words: 0 for a consonant, ь or й
    ending (nominative-like), 1 for а/я/о, 2 for other vowels and -ой/-ей/-ым/-им/-ую/-юю."""
    score = 0
    for word in surface.casefold().split():
        if not re.search(r"[а-яё]$", word):
            continue
        if word.endswith(_OBLIQUE_ENDINGS) or (word[-1] in _VOWELS and word[-1] not in "аяо"):
            score += 2
        elif word[-1] in "аяо":
            score += 1
    return score


_VOWELS = "аеёиоуыэюя"
_OBLIQUE_ENDINGS = ("ой", "ей", "ым", "им", "ую", "юю")


def find_names(text: str) -> tuple[list[str], list[Name]]:
    """The sentences of ``text`` and the names found in them, in order of first mention."""
    sentences = split_sentences(text)
    mentions = [m for index, s in enumerate(sentences) for m in find_mentions(s, index)]
    names = group_mentions(mentions)
    for name in names:
        name.kind = classify(name)
        name.spelling = known_place(name.key) if name.kind == "geo" else None
    return sentences, names


# --- grouping ------------------------------------------------------------------------------


def group_mentions(mentions: list[Mention]) -> list[Name]:
    """Mentions grouped into names; a name only of weak mentions is dropped."""
    names: list[Name] = []
    for mention in sorted(mentions, key=lambda m: m.weak):  # strong mentions found names first
        key = mention.key_words
        name = next((n for n in names if same_name(n.mentions[0].key_words, key)), None)
        if name is not None:
            name.mentions.append(mention)
        else:
            names.append(Name([mention]))
    _attach_surnames(names)
    kept = [n for n in names if not all(m.weak for m in n.mentions) or known_place(n.key)]
    return sorted(kept, key=lambda n: min(m.sentence for m in n.mentions))


def _attach_surnames(names: list[Name]) -> None:
    """A one-word name joins the single longer name whose last word it is (``Petrov``)."""
    for short in [n for n in names if len(n.key) == 1]:
        owners = [
            n
            for n in names
            if len(n.key) in (2, 3) and same_name(n.key[-1:], short.key) and _looks_like_person(n)
        ]
        if len(owners) == 1:
            owners[0].mentions.extend(short.mentions)
            names.remove(short)


# --- kinds -----------------------------------------------------------------------------------


def classify(name: Name) -> Kind:
    """The kind of a name from legal forms, institution and event words, places and persons."""
    words = [w.casefold() for m in name.mentions for w in m.words]
    cues = {m.cue for m in name.mentions}
    key = name.key
    if "organization" in cues or _has_organisation_word(key):
        return "organization"
    if "event" in cues or any(w in lexicon.EVENT_WORDS for w in words):
        return "event"
    if known_place(key) is not None:
        return "geo"
    if "person" in cues or _looks_like_person(name):
        return "person"
    if "geo" in cues:
        return "geo"
    if len(key) == 1 and key[0].isupper():
        return "organization"
    return "other"


def _has_organisation_word(key: tuple[str, ...]) -> bool:
    edges = {key[0].casefold(), key[-1].casefold()}
    return bool(edges & lexicon.ORGANISATION_WORDS)


def known_place(key: tuple[str, ...]) -> str | None:
    """The gazetteer spelling of a place name, if ``key`` is one (case endings aside)."""
    text = " ".join(key).casefold().replace("ё", "е")
    for stem, place in _PLACE_STEMS:
        if text.startswith(stem) and len(text) - len(stem) <= _PLACE_ENDING:
            return place
    return None


def _place_stem(place: str) -> str:
    folded = place.casefold().replace("ё", "е")
    if re.search(r"[а-я]", folded) and len(folded) >= 5 and folded[-1] in "аяйьо":
        return folded[:-1]
    return folded


_PLACE_ENDING = 2
_PLACE_STEMS = tuple(
    sorted(((_place_stem(p), p) for p in lexicon.PLACES), key=lambda sp: -len(sp[0]))
)


def _looks_like_person(name: Name) -> bool:
    key = max((m.key_words for m in name.mentions), key=len)
    if not 2 <= len(key) <= 3 or any(w.isupper() for w in key):
        return False
    if any(w.casefold().endswith(lexicon.PATRONYMIC_ENDINGS) for w in key[1:]):
        return True
    if word_stems(key[0]) & lexicon.FIRST_NAMES:
        return True
    return len(key) == 2  # two capitalised words with no other cue: taken as a person
