"""How a name is written, in the forms resolution compares: normalised, Russian lemmas,
Latin transliteration, a consonant skeleton, an acronym.

``NameForms.of("Нордвикского института")`` gives the lemma form ``нордвикский институт``
(pymorphy3), the Latin forms ``nordvikskogo instituta`` / ``nordvikskiy institut`` (iuliia's
Wikipedia schema, the common English practice), skeletons ``nrdvkskg nstt`` / … that make
"Сульберг" meet "Solberg" (``slbrg``), and the acronym ``ni``. ``index_keys`` are what an entity is
found by, ``lookup_keys`` what a new name looks for; both are plain strings so PostgreSQL (or a
dict) can answer them from an index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import iuliia
import pymorphy3

from graphrag_lib.vocab import normalise_label

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
# Words an acronym skips ("Institute of Applied Geology" → IAG).
ACRONYM_SKIPS = frozenset(
    (
        "of",
        "the",
        "and",
        "for",
        "in",
        "on",
        "at",
        "to",
        "a",
        "an",
        "de",
        "du",
        "la",
        "le",
        "der",
        "die",
        "das",
        "und",
        "i",
        "v",
        "vo",
        "na",
        "po",
        "dlia",
        "dlya",
        "pri",
        "s",
        "so",
        "k",
        "ot",
        "iz",
    )
)  # fmt: skip  (the Russian ones as their Latin forms: acronyms are made of those)
# Spellings that transliterations of one name differ in, folded before comparing.
_PHONETIC = (
    ("sch", "sh"), ("shch", "sh"), ("ck", "k"), ("ce", "se"), ("ci", "si"), ("ph", "f"),
    ("th", "t"), ("kh", "h"),
    ("x", "ks"), ("w", "v"), ("q", "k"), ("c", "k"), ("j", "y"), ("ie", "i"), ("iy", "i"),
    ("yy", "i"), ("ey", "ei"), ("ei", "i"), ("y", "i"), ("ou", "u"), ("ts", "z"), ("tz", "z"),
)  # fmt: skip
_VOWELS = frozenset("aeiou")
_YO = {"\N{CYRILLIC SMALL LETTER IO}": "\N{CYRILLIC SMALL LETTER IE}",
       "\N{CYRILLIC CAPITAL LETTER IO}": "\N{CYRILLIC CAPITAL LETTER IE}"}  # fmt: skip
_NO_YO = str.maketrans(_YO)
MIN_SKELETON = 3  # shorter skeletons (e.g. "Oslo" → "sl") are too common to look up by
MIN_ACRONYM = 3  # "AP" for "Alexei Petrov" would pair every two-word name with its initials


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def lemma(token: str) -> str:
    """The dictionary form of a Russian word (``института`` → ``институт``); other tokens,
    acronyms and numbers as they are."""
    if not _CYRILLIC.search(token) or token.isupper() or any(ch.isdigit() for ch in token):
        return token.lower()
    return str(_morph().parse(token.lower())[0].normal_form).translate(_NO_YO)


@lru_cache(maxsize=20_000)
def grammemes(token: str) -> frozenset[str]:
    """The grammemes of a Russian word's likeliest reading (``она`` → NPRO, 3per, Anph, …)."""
    return frozenset(_morph().parse(token.lower())[0].tag.grammemes)


@lru_cache(maxsize=200_000)
def to_latin(token: str) -> str:
    """Cyrillic → Latin (Wikipedia's schema), accents stripped, lower case."""
    text = iuliia.WIKIPEDIA.translate(token) if _CYRILLIC.search(token) else token
    plain = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=200_000)
def phonetic(latin: str) -> str:
    """A Latin spelling with the letters transliterations disagree on folded together
    (``aleksey`` and ``alexei`` both become ``aleksi``), double letters single."""
    text = latin
    for old, new in _PHONETIC:
        text = text.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", text)


def skeleton(latin: str) -> str:
    """The consonants of a phonetic spelling (``solberg``, ``sulberg`` → ``slbrg``)."""
    return "".join(ch for ch in phonetic(latin) if ch.isalpha() and ch not in _VOWELS)


def script(text: str) -> str:
    """``cyrl``, ``latn``, or ``other`` by the letters of ``text``."""
    if _CYRILLIC.search(text):
        return "cyrl"
    return "latn" if _LATIN.search(text.lower()) else "other"


@dataclass(frozen=True)
class NameForms:
    """One name in every form resolution compares."""

    label: str
    normalised: str
    tokens: tuple[str, ...]  # normalised tokens
    lemmas: tuple[str, ...]
    latin: tuple[str, ...]  # phonetic Latin of the surface tokens
    latin_lemmas: tuple[str, ...]  # phonetic Latin of the lemmas
    is_acronym: bool  # written like "NIAG" / "НИАГ"

    @classmethod
    def of(cls, label: str) -> NameForms:
        return _forms(label)

    @property
    def script(self) -> str:
        return script(self.normalised)

    @property
    def significant(self) -> tuple[int, ...]:
        """Indexes of the tokens an acronym is made of."""
        return tuple(i for i, t in enumerate(self.latin_lemmas) if t not in ACRONYM_SKIPS)

    def acronym(self) -> str | None:
        """The Latin acronym this name is or stands for (``NIAG``; ``Nordvik Institute of
        Applied Geology`` → ``niag``), None for one-word names that are not acronyms."""
        if self.is_acronym:
            return to_latin(self.normalised.replace(" ", ""))
        significant = self.significant
        if len(significant) < 2:
            return None
        return "".join(to_latin(self.tokens[i])[0] for i in significant)

    def skeletons(self) -> tuple[str, ...]:
        return tuple(skeleton(t) for t in self.latin)

    def index_keys(self) -> set[str]:
        """The keys an entity with this name is found by."""
        keys = {f"n:{self.normalised}", f"l:{' '.join(self.lemmas)}"}
        for forms in (self.latin, self.latin_lemmas):
            keys.add(f"t:{' '.join(forms)}")
            keys.add(f"s:{' '.join(skeleton(t) for t in forms)}")
        if (acronym := self.acronym()) and len(acronym) >= MIN_ACRONYM:
            keys.add(f"a:{acronym}")
        if len(self.tokens) > 1:  # a short form names it by its first or last word
            for forms in (self.latin, self.latin_lemmas):
                for part in (forms[0], forms[-1]):
                    if len(skeleton(part)) >= MIN_SKELETON:
                        keys.add(f"w:{skeleton(part)}")
        return keys

    def lookup_keys(self) -> set[str]:
        """The keys a new name looks for: its own, and for one word the names it may be the
        first or last word of (``w:``), for several words each word on its own (``s:``) and as
        another name's first or last word (``w:``: "Каменской верфи" meets "Kamensky Shipyard")."""
        keys = self.index_keys()
        if len(self.tokens) == 1:
            keys |= {f"w:{s}" for s in (skeleton(self.latin[0]), skeleton(self.latin_lemmas[0]))}
        else:  # each word alone, and each word as the first or last of another name
            for forms in (self.latin, self.latin_lemmas):
                for word in (skeleton(t) for t in forms if len(skeleton(t)) >= MIN_SKELETON):
                    keys |= {f"s:{word}", f"w:{word}"}
        return {k for k in keys if len(k) > 2}


@lru_cache(maxsize=100_000)
def _forms(label: str) -> NameForms:
    normalised = normalise_label(label)
    raw_tokens = _raw_tokens(label)
    tokens = tuple(normalised.split()) or ("",)
    lemmas = tuple(lemma(t) for t in (raw_tokens if len(raw_tokens) == len(tokens) else tokens))
    letters = [ch for ch in label if ch.isalpha()]
    is_acronym = 2 <= len(letters) <= 8 and len(tokens) == 1 and all(ch.isupper() for ch in letters)
    return NameForms(
        label=label,
        normalised=normalised,
        tokens=tokens,
        lemmas=tuple(lemma.translate(_NO_YO) for lemma in lemmas),
        latin=tuple(phonetic(to_latin(t)) for t in tokens),
        latin_lemmas=tuple(phonetic(to_latin(t)) for t in lemmas),
        is_acronym=is_acronym,
    )


def _raw_tokens(label: str) -> list[str]:
    """The label's words with their case (acronyms must stay recognisable for ``lemma``)."""
    text = unicodedata.normalize("NFKC", label).translate(_NO_YO)
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return kept.split()


def entity_keys(label: str, aliases: Iterable[str] = ()) -> list[str]:
    """Every index key of an entity with ``label`` and ``aliases``, sorted."""
    return sorted(
        {key for name in (label, *aliases) if name for key in NameForms.of(name).index_keys()}
    )
