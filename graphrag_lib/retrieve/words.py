"""Words of questions and names: tokens, stop words, stems, and spellings across scripts.

Names in the graph and in questions may be written in Cyrillic or Latin letters (``Москва`` /
``Moskva``, ``Smith`` / ``Смит``). Three tools bridge them, from exact to loose:

- ``transliterate`` (``graphrag_lib.vocab``): Cyrillic → Latin, the spelling used in IRIs;
- ``latin_to_cyrillic``: a reverse table, Latin → a plausible Cyrillic spelling;
- ``sound_key``: a consonant skeleton of the Latin spelling (``Alexander``, ``Александр`` →
  ``alksndr``), for proper names only, since unrelated words share skeletons too.

``same_stem`` stands in for stemming when comparing two words in Python (``Москвы`` ≈
``Москва``, ``Иване`` ≈ ``Иван``); PostgreSQL's own stemmers do the same inside the index.
"""

# ruff: noqa: RUF001 (Cyrillic letters that look Latin are intended)
from __future__ import annotations

import re
from functools import lru_cache

from graphrag_lib.resolution.names import grammemes
from graphrag_lib.vocab import normalise_label, transliterate

_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")

QUESTION_STOPWORDS = frozenset(
    {
        # English function and question words
        "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or",
        "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do",
        "does", "did", "as", "its", "it", "his", "her", "their", "they", "them", "he", "she",
        "we", "i", "me", "my", "our", "your", "you", "this", "that", "these", "those", "there",
        "also", "into", "about", "not", "no", "yes", "so", "than", "then", "if", "but", "all",
        "any", "some", "what", "who", "whom", "whose", "which", "where", "when", "why", "how",
        "can", "could", "would", "should", "will", "shall", "may", "might", "must", "tell",
        "please", "know", "known", "describe", "explain", "give", "list", "show", "find",
        "information", "info", "anything", "something", "s", "t", "d", "ll", "re", "ve",
        # Russian
        "в", "во", "на", "и", "или", "с", "со", "по", "к", "ко", "из", "у", "о", "об", "обо",
        "от", "для", "за", "при", "до", "про", "над", "под", "а", "но", "же", "ли", "бы", "не",
        "ни", "да", "нет", "это", "этот", "эта", "эти", "то", "тот", "та", "те", "его", "ее",
        "их", "он", "она", "оно", "они", "мы", "я", "вы", "ты", "мне", "нам", "вам", "был",
        "была", "было", "были", "есть", "является", "что", "кто", "где", "когда", "почему",
        "зачем", "как", "какой", "какая", "какое", "какие", "каков", "какова", "сколько",
        "чем", "чём", "кого", "кому", "чего", "расскажи", "расскажите", "скажи", "скажите",
        "пожалуйста", "известно", "знаешь", "знаете", "такой", "такая", "такое", "такие",
        "также", "который", "которая", "которые", "ещё", "еще", "всё", "все", "весь",
        # words that set a question's time (``query._PAST``), not what it is about
        "before", "previously", "formerly", "earlier", "раньше", "ранее", "прежде", "году",
    }
)  # fmt: skip

# English words that point back at something named earlier in a conversation ("Where did she
# study?", "What does it make?"). Russian ones are found by their grammemes (``refers_back``).
_ANAPHORS_EN = frozenset(
    {
        "he", "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs",
        "there", "then", "this", "that", "these", "those", "former", "latter", "same",
    }
)  # fmt: skip
# pymorphy3's marks of Russian words that point back: anaphoric pronouns (он, её, этот, тот)
# and demonstrative adverbs (там, тогда).
_ANAPHORIC_GRAMMEMES = frozenset({"Anph", "Dmns"})

# Longest spellings first, so "shch" wins over "sh" + "ch" (a regex alternation tries them in
# this order at each position).
_LATIN_TO_CYRILLIC = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("yu", "ю"), ("ya", "я"), ("ye", "е"), ("yo", "ё"), ("iy", "ий"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
    ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"),
    ("c", "к"), ("w", "в"), ("x", "кс"), ("q", "к"),
)  # fmt: skip
_VOWELS = "aeiouy"
_SOUND_RULES = (
    (re.compile(r"tch"), "ch"),
    (re.compile(r"sch"), "sh"),
    (re.compile(r"ch"), "9"),  # keep "ch" whole while "c" and "h" are rewritten
    (re.compile(r"ck"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"qu"), "kv"),
    (re.compile(r"q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"9"), "ch"),
    (re.compile(r"(.)\1+"), r"\1"),
)
_LATIN_SPELLING = re.compile("|".join(latin for latin, _ in _LATIN_TO_CYRILLIC) + "|y|.", re.S)
_CYRILLIC_OF = dict(_LATIN_TO_CYRILLIC)
MIN_SOUND_KEY = 3
CACHED_WORDS = 65536
SOUND_KEY_PREFIX = "zq"  # marks sound keys among the words of the name index


def words(text: str) -> list[str]:
    """The normalised words of ``text`` (``normalise_label``, then letter/digit runs)."""
    return _WORD.findall(normalise_label(text))


def refers_back(text: str) -> bool:
    """Whether ``text`` has a word that points back at something named before it: a
    third-person or demonstrative pronoun or adverb, in English or Russian."""
    # The text's own letters, not ``words``: folding yo into ye reads "нём" as the adjective.
    for word in _WORD.findall(text.lower()):
        if word in _ANAPHORS_EN:
            return True
        if _CYRILLIC.search(word) and grammemes(word) & _ANAPHORIC_GRAMMEMES:
            return True
    return False


def text_words(text: str) -> list[str]:
    """``words`` for long texts (passages, descriptions): case-folded, yo as ye, letter/digit
    runs; skips NFKC and the per-character scan of ``normalise_label``, which cost
    milliseconds per passage."""
    return _WORD.findall(text.casefold().replace("ё", "е"))


def content_words(text: str) -> list[str]:
    """``words`` without question stop words and one-letter words (digits are kept)."""
    return [w for w in words(text) if w not in QUESTION_STOPWORDS and (len(w) > 1 or w.isdigit())]


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word))


@lru_cache(maxsize=CACHED_WORDS)
def latin_to_cyrillic(word: str) -> str:
    """A plausible Cyrillic spelling of a lower-case Latin word (``moskva`` → ``москва``)."""
    out = []
    for match in _LATIN_SPELLING.finditer(word):
        part = match.group()
        if part == "y":
            out.append(_y_to_cyrillic(word, match.start()))
        else:
            out.append(_CYRILLIC_OF.get(part, part))
    return "".join(out)


def _y_to_cyrillic(word: str, position: int) -> str:
    """``y`` after a vowel is ``й`` (Sergey → Сергей), otherwise ``ы``."""
    return "й" if position > 0 and word[position - 1] in _VOWELS else "ы"


def to_latin(word: str) -> str:
    """The Latin spelling of a word: transliterated if Cyrillic, lower-cased either way."""
    return transliterate(word).lower()


@lru_cache(maxsize=CACHED_WORDS)
def sound_key(word: str) -> str | None:
    """The consonant skeleton of a name's Latin spelling, or None when too short to trust.

    ``Alexander``/``Александр`` → ``alksndr``, ``Smith``/``Смит`` → ``smt``,
    ``Moscow``/``Москва`` → ``mskv``. The first letter is kept, later vowels dropped.
    """
    latin = "".join(ch for ch in to_latin(word) if "a" <= ch <= "z")
    if not latin:
        return None
    for pattern, replacement in _SOUND_RULES:
        latin = pattern.sub(replacement, latin)
    key = latin[0] + "".join(ch for ch in latin[1:] if ch not in _VOWELS)
    return key if len(key) >= MIN_SOUND_KEY else None


@lru_cache(maxsize=CACHED_WORDS)
def spellings(word: str) -> frozenset[str]:
    """``word`` and its spelling in the other script (both directions)."""
    if is_cyrillic(word):
        return frozenset((word, to_latin(word)))
    if _LATIN.search(word):
        return frozenset((word, latin_to_cyrillic(word)))
    return frozenset((word,))


def same_stem(a: str, b: str) -> bool:
    """Whether two normalised words are forms of one word: equal, or sharing a prefix of at
    least four letters that leaves at most two letters of each (a crude inflection rule)."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter < 4:
        return False
    common = 0
    while common < shorter and a[common] == b[common]:
        common += 1
    return common >= 4 and len(a) - common <= 2 and len(b) - common <= 2


def name_index_terms(names: list[str]) -> str:
    """The words the name index holds for an entity's label and aliases: each word, its other
    spelling, and its sound key (prefixed, so keys never meet ordinary words)."""
    terms: dict[str, None] = {}
    for name in names:
        for word in words(name):
            for spelling in spellings(word):
                terms.setdefault(spelling)
            key = sound_key(word)
            if key:
                terms.setdefault(SOUND_KEY_PREFIX + key)
    return " ".join(terms)


class WordForms:
    """The words of a text, for fast ``same_stem`` look-ups (bucketed by their first four
    letters, which ``same_stem`` requires to be shared)."""

    def __init__(self, text_words: list[str]) -> None:
        self._buckets: dict[str, set[str]] = {}
        for word in text_words:
            self._buckets.setdefault(word[:4], set()).add(word)

    def has_form_of(self, word: str) -> bool:
        return any(same_stem(word, other) for other in self._buckets.get(word[:4], ()))
