"""When a relation became true (``ferag:validFrom``), read from its passages.

A date stated in the text next to the fact wins (source ``"text"``): a sentence of one of the
relation's passages that names both ends (label or alias, Russian case forms by pymorphy3 lemma
or a case ending on the name) and holds a date that starts something (``since 2015``,
``в марте 2026``; not ``until 2020``). Of several such sentences, the one sharing most words
with the relation's description, then the first in reading order. Otherwise the earliest date
of the relation's documents, with that document's source.

Cost is linear: each passage is split and searched for dates once (``PassageDates``), and only
sentences holding a date are lemmatised.
"""

# ruff: noqa: RUF001, RUF003 (Russian abbreviations are Cyrillic on purpose)
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graphrag_lib.documents.dates import DocumentDate, PartialDate
from graphrag_lib.resolution.names import lemma
from graphrag_lib.to_rdf.text_dates import dates_in_text
from graphrag_lib.vocab import normalise_label

_BOUNDARY = re.compile(r"(?<=[.!?…])\s+|\n+")
# A full stop after these does not end a sentence: "1 апреля 2026 г. Эриксен", "A. Petrov".
_NOT_AN_END = re.compile(r"(?:\b(?:г|гг|им|ул|mr|mrs|dr|st|no|vs|jan|feb|mar|apr|jun|jul|aug|"
                         r"sep|sept|oct|nov|dec)|\b[^\W\d_])\.$", re.IGNORECASE)  # fmt: skip
_MAX_ENDING = 3  # letters a Russian case ending adds to a name: "Эриксен" → "Эриксеном"
_MIN_STEM = 4


@dataclass(frozen=True)
class DatedSentence:
    """A sentence holding at least one date that starts something, and its word forms."""

    starts: tuple[PartialDate, ...]
    words: frozenset[str]  # lemmas, lower-case tokens and their stems without a case ending


def sentences(text: str) -> list[str]:
    """``text`` split into sentences (abbreviations and initials do not end one)."""
    out: list[str] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        piece = text[start : boundary.start()]
        if boundary.group().startswith("\n") or not _NOT_AN_END.search(piece):
            out.append(piece)
            start = boundary.end()
    out.append(text[start:])
    return [piece.strip() for piece in out if piece.strip()]


def name_tokens(name: str) -> tuple[str, ...]:
    return tuple(normalise_label(name).split())


def _word_forms(tokens: Iterable[str]) -> frozenset[str]:
    forms: set[str] = set()
    for token in tokens:
        forms.add(token)
        forms.add(lemma(token))
        forms.update(
            token[:-cut] for cut in range(1, _MAX_ENDING + 1) if len(token) - cut >= _MIN_STEM
        )
    return frozenset(forms)


def dated_sentences(text: str) -> list[DatedSentence]:
    """The sentences of ``text`` that hold a start date, in reading order."""
    found = []
    for sentence in sentences(text):
        starts = tuple(d.value for d in dates_in_text(sentence) if not d.is_end)
        if starts:
            found.append(DatedSentence(starts, _word_forms(name_tokens(sentence))))
    return found


class PassageDates:
    """The dated sentences of each passage, read once however many relations ask."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._read: dict[str, list[DatedSentence]] = {}

    def of(self, unit_id: str) -> list[DatedSentence]:
        if unit_id not in self._read:
            self._read[unit_id] = dated_sentences(self._texts.get(unit_id, ""))
        return self._read[unit_id]


def names_in(names: Iterable[str], words: frozenset[str]) -> bool:
    """Whether a sentence with ``words`` names one of ``names``: every token of the name, or
    the last word of a name of several words (a surname: "Petrov" for "Alexei Petrov")."""
    for name in names:
        tokens = name_tokens(name)
        if tokens and all(_has(token, words) for token in tokens):
            return True
        last = tokens[-1] if len(tokens) > 1 else ""
        if last.isalpha() and len(last) >= _MIN_STEM and _has(last, words):
            return True
    return False


def _has(token: str, words: frozenset[str]) -> bool:
    return token in words or lemma(token) in words


def text_valid_from(
    subject_names: Sequence[str],
    object_names: Sequence[str],
    description: str,
    unit_ids: Sequence[str],
    passages: PassageDates,
) -> PartialDate | None:
    """The start date stated next to the fact in its passages (``unit_ids`` in reading order)."""
    candidates = [
        sentence
        for unit in unit_ids
        for sentence in passages.of(unit)
        if names_in(subject_names, sentence.words) and names_in(object_names, sentence.words)
    ]
    if not candidates:
        return None
    described = _word_forms(name_tokens(description))
    best = max(candidates, key=lambda s: len(s.words & described))  # first of equals
    return best.starts[0]


def earliest(dates: Iterable[DocumentDate]) -> DocumentDate | None:
    """The earliest of ``dates`` (a year before its months), None when there are none."""
    return min(dates, key=lambda d: d.value.sort_key(), default=None)
