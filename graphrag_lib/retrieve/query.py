"""Question analysis: content words, proper-name candidates, spellings, broadness, and whether
it asks about the past (words such as "before" or "раньше", years).

``analyse_question`` is pure and cheap; its result drives entity linking (the words and
spellings searched in the index) and context assembly (passage ranking, community reports for
broad questions). The question text is never put into SPARQL.
"""

# ruff: noqa: RUF001 (Russian words are Cyrillic on purpose)
from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphrag_lib.retrieve.words import (
    QUESTION_STOPWORDS,
    SOUND_KEY_PREFIX,
    content_words,
    is_cyrillic,
    refers_back,
    sound_key,
    spellings,
    words,
)

_QUOTED = re.compile(r"[\"«“'„]([^\"»”'“]{2,80})[\"»”'“]")
_CAPITALISED = re.compile(r"\b[^\W\d_][^\W_]*")
# Words (or word beginnings) that ask for an overview rather than a fact about one thing.
_BROAD_STEMS = (
    "overview", "summar", "theme", "topic", "overall", "main",
    "обзор", "кратк", "основн", "главн", "резюм", "тематик", "целом", "вкратце",
)  # fmt: skip
_BROAD_WORDS = frozenset({"тема", "темы", "тем", "темах"})
_BROAD_PHRASES = ("what is this about", "what are these documents", "о чём", "о чем")
# Words that ask about the past (history rather than the current view), and years.
_PAST = re.compile(
    r"\b(before|previous(ly)?|former(ly)?|earlier|used to|in the past|"
    r"раньше|ранее|до этого|прежде|бывш\w*|прошл\w*)\b"
    r"|\b(was|were)\b.+\bin\b",
    re.IGNORECASE,
)
# A year asked about: "in 2025", "during 2025", "в 2025 году", "2025 год" (a year inside a
# quoted name such as «Вечная мерзлота 2030» is part of the name, not a time).
_YEAR = re.compile(
    r"(?:\b(?:in|during|в|во)\s+(1[89]\d\d|2[01]\d\d)(?!\d))"
    r"|(?:(?<!\d)(1[89]\d\d|2[01]\d\d)\s+год)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QueryAnalysis:
    """What retrieval needs to know about a question."""

    question: str
    words: tuple[str, ...]  # content words, normalised, in order
    proper_names: tuple[str, ...]  # candidate names, normalised (capitalised or quoted words)
    spellings: dict[str, frozenset[str]] = field(default_factory=dict)  # word → its spellings
    sound_keys: dict[str, str] = field(default_factory=dict)  # proper-name word → sound key
    is_broad: bool = False
    language: str = "en"  # "ru" when the question has Cyrillic letters
    asks_past: bool = False  # "before", "previously", "раньше", … (history, not the current view)
    years: tuple[str, ...] = ()  # years the question names ("in 2025", "в 2025 году")
    refers_back: bool = False  # a pronoun or "there"/"там" points at something named before

    def search_terms(self) -> list[str]:
        """Every word and spelling to look up in the full-text index (stemmed there)."""
        found: dict[str, None] = {}
        for word in self.words:
            for spelling in sorted(self.spellings.get(word, {word})):
                found.setdefault(spelling)
        return list(found)

    def name_terms(self) -> list[str]:
        """``search_terms`` plus the sound keys of proper-name words, for the name index."""
        keys = [SOUND_KEY_PREFIX + key for key in self.sound_keys.values()]
        return self.search_terms() + sorted(set(keys))

    def variants(self, word: str) -> frozenset[str]:
        return self.spellings.get(word, frozenset({word}))


def _proper_names(question: str) -> list[str]:
    """Capitalised non-stop words and words inside quotes. A question written all in lower
    case has no capitals to go by, so every content word is a candidate then."""
    names: dict[str, None] = {}
    for quoted in _QUOTED.findall(question):
        for word in words(quoted):
            names.setdefault(word)
    capitalised = [m for m in _CAPITALISED.findall(question) if m[0].isupper()]
    for token in capitalised:
        for word in words(token):
            if word not in QUESTION_STOPWORDS:
                names.setdefault(word)
    if not capitalised and not names:
        for word in content_words(question):
            names.setdefault(word)
    return list(names)


def _is_broad(question: str, content: list[str]) -> bool:
    lowered = " ".join(words(question))
    if any(phrase in lowered for phrase in _BROAD_PHRASES):
        return True
    all_words = words(question)
    return any(w in _BROAD_WORDS or w.startswith(_BROAD_STEMS) for w in all_words + content)


def _years(question: str) -> tuple[str, ...]:
    unquoted = _QUOTED.sub(" ", question)
    return tuple(dict.fromkeys(a or b for a, b in _YEAR.findall(unquoted)))


def analyse_question(question: str) -> QueryAnalysis:
    """Content words, proper names with their spellings and sound keys, broadness, and the
    past it asks about."""
    content = list(dict.fromkeys(content_words(question)))
    names = [n for n in _proper_names(question) if n in content]
    keys = {word: key for word in names if (key := sound_key(word))}
    return QueryAnalysis(
        question=question,
        words=tuple(content),
        proper_names=tuple(names),
        spellings={word: spellings(word) for word in content},
        sound_keys=keys,
        is_broad=_is_broad(question, content),
        language="ru" if is_cyrillic(question) else "en",
        asks_past=bool(_PAST.search(question)),
        years=_years(question),
        refers_back=refers_back(question),
    )
