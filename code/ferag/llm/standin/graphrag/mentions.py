"""Mentions of names in a text: sentences, capitalised word runs, «quoted» names.

``split_sentences`` breaks a text into sentences and lines (not after ``Inc.``, ``Dr.``, ``г.``
or an initial). ``find_mentions`` finds, in one sentence, «quoted» names (≤ 4 words, starting
upper-case, no punctuation) and runs of capitalised Latin or Cyrillic words (acronyms included,
connectors like ``of``/``von`` inside), minus opening and closing fillers (``The``, ``In``,
``Вчера``, months). Each mention carries a cue from its context: a legal form or institution
word (organization), ``Mr``/``г-н`` (person), ``in``/``в`` (geo), ``форум`` (event). A lone
capitalised word opening a sentence is *weak*: maybe only a capitalised first word.
``word_stems`` compares Russian word forms with their case endings removed.
"""

# ruff: noqa: RUF001, RUF002, RUF003

from __future__ import annotations

import re
from dataclasses import dataclass

from ferag.llm.standin.graphrag import lexicon

Kind = str  # "person" | "organization" | "geo" | "event" | "other"

# After . ! ? … (and a closing quote), before anything but a lower-case letter; or a blank line.
_SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?…][\"»”)])|(?<=[.!?…]))\s+(?![a-zа-яё])|\s*\n[ \t]*\n\s*")
# Abbreviations that never end a sentence (``Dr. Smith``, ``г. Москва``).
_ABBREVIATIONS = lexicon.word_set("mr mrs ms dr prof st vs no г ул им см т д")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_QUOTED = re.compile(r"«([^«»\n]{1,60})»|“([^“”\n]{1,60})”|\"([^\"\n]{1,60})\"")
_INLINE_GAP = re.compile(r"[ \t\u00a0]*\n?[ \t\u00a0]*")
_POSSESSIVE = re.compile(r"['’]s$")
_CONNECTORS = lexicon.word_set("of de du la le van von der den da bin al")
_MAX_NAME_WORDS = 6
_QUOTED_MAX_WORDS = 4
_SPEECH_AFTER = re.compile(r"\s*[,!?]?\s*[—–-]\s")


@dataclass(frozen=True)
class Mention:
    """One occurrence of a name: its words as written, its sentence and a cue from context."""

    words: tuple[str, ...]
    sentence: int
    cue: Kind | None = None
    weak: bool = False  # a lone capitalised word opening a sentence: maybe not a name

    @property
    def surface(self) -> str:
        return " ".join(self.words)

    @property
    def key_words(self) -> tuple[str, ...]:
        return tuple(w for w in self.words if w.casefold() not in lexicon.LEGAL_FORMS)


def split_sentences(text: str) -> list[str]:
    """Sentences and paragraphs of ``text`` (a single line break is a space); a break after an
    abbreviation or an initial is undone."""
    pieces = [p.strip() for p in _SENTENCE_BREAK.split(text) if p and p.strip()]
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ends_with_abbreviation(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def _ends_with_abbreviation(sentence: str) -> bool:
    if not sentence.endswith("."):
        return False
    last = sentence[:-1].rsplit(maxsplit=1)[-1] if sentence[:-1].strip() else ""
    return last.casefold() in _ABBREVIATIONS or (len(last) == 1 and last.isupper())


def find_mentions(sentence: str, index: int) -> list[Mention]:
    """Quoted names first, then capitalised word runs outside the quotes."""
    mentions, taken = _quoted_mentions(sentence, index)
    words = [w for w in _WORD.finditer(sentence) if not any(a <= w.start() < b for a, b in taken)]
    for run in _capitalised_runs(sentence, words):
        if mention := _run_mention(sentence, run, index, first=run[0] is words[0]):
            mentions.append(mention)
    return mentions


def _quoted_mentions(sentence: str, index: int) -> tuple[list[Mention], list[tuple[int, int]]]:
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for match in _QUOTED.finditer(sentence):
        content = next(g for g in match.groups() if g is not None).strip()
        words = tuple(_WORD.findall(content))
        if not _is_quoted_name(content, words, sentence[match.end() :]):
            continue
        before = word_stems(_word_before(sentence, match.start()))
        cue = "event" if before & lexicon.EVENT_WORDS else "organization"
        mentions.append(Mention(words, index, cue))
        taken.append(match.span())
    return mentions, taken


def _is_quoted_name(content: str, words: tuple[str, ...], after: str) -> bool:
    """Short, capitalised, unpunctuated, not opening with ``We``/``Мы``, not speech (``», —``)."""
    return (
        0 < len(words) <= _QUOTED_MAX_WORDS
        and content[0].isupper()
        and words[0].casefold() not in lexicon.STOPWORDS
        and not re.search(r"[.!?,;:]", content)
        and not _SPEECH_AFTER.match(after)
    )


def _word_before(sentence: str, position: int) -> str:
    previous = _WORD.findall(sentence[:position])
    return previous[-1].casefold() if previous else ""


def _is_capitalised(word: str) -> bool:
    if word.isupper() and len(word) > 1:
        return word.casefold() not in lexicon.ACRONYM_STOPWORDS
    return word[0].isupper()


def _capitalised_runs(sentence: str, words: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    """Maximal runs of capitalised words separated by spaces only (connectors may sit inside)."""
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for word in words:
        text = word.group()
        adjacent = bool(current) and bool(
            _INLINE_GAP.fullmatch(sentence[current[-1].end() : word.start()])
        )
        if _is_capitalised(text) or (adjacent and text in _CONNECTORS):
            if current and not adjacent:
                runs.append(current)
                current = []
            current.append(word)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _run_mention(
    sentence: str, run: list[re.Match[str]], index: int, *, first: bool
) -> Mention | None:
    """A run minus its opening and closing fillers (``The``, ``In``, months), as a mention."""
    words = [_POSSESSIVE.sub("", w.group()) for w in run]
    cue = _cue_before(sentence, run[0].start())
    while words and (_is_filler(words[0]) or words[0] in _CONNECTORS):
        cue = _cue_of(words[0].casefold()) or cue
        words.pop(0)
        first = False
    while words and (_is_filler(words[-1]) or words[-1] in _CONNECTORS):
        words.pop()
    key = [w for w in words if w.casefold() not in lexicon.LEGAL_FORMS]
    if not key or len(words) > _MAX_NAME_WORDS:
        return None
    if len(key) < len(words):
        cue = "organization"
    weak = first and len(key) == 1 and cue is None
    return Mention(tuple(words), index, cue, weak)


def _is_filler(word: str) -> bool:
    folded = word.casefold()
    return folded in lexicon.STOPWORDS or folded in lexicon.MONTHS_AND_DAYS


def _cue_of(folded: str) -> Kind | None:
    if folded in lexicon.PERSON_TITLES:
        return "person"
    if folded in lexicon.PLACE_PREPOSITIONS:
        return "geo"
    if folded in lexicon.LEGAL_FORMS or folded in lexicon.ORGANISATION_WORDS:
        return "organization"
    return None


def _cue_before(sentence: str, position: int) -> Kind | None:
    return _cue_of(_word_before(sentence, position))


def word_stems(word: str) -> frozenset[str]:
    """The word and, for Cyrillic words, the word minus each Russian case ending it has."""
    folded = _POSSESSIVE.sub("", word.casefold()).replace("ё", "е")
    stems = {folded}
    if re.search(r"[а-я]", folded):
        for ending in lexicon.RUSSIAN_CASE_ENDINGS:
            if folded.endswith(ending) and len(folded) - len(ending) >= 3:
                stems.add(folded[: -len(ending)])
    return frozenset(stems)


def same_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two word sequences are forms of one name (word by word, case endings aside)."""
    if len(a) != len(b):
        return False
    return all(word_stems(x) & word_stems(y) for x, y in zip(a, b, strict=True))
