"""An extractive answer from the context's facts: what answers without a model.

Used by the offline stand-in (which reads the facts back from the prompt) and by the service
when no model endpoint is configured. No model is involved: the statements of the context
(entity descriptions, relation descriptions, sentences of quoted sources) that share the most
words with the question are repeated with their citations. With nothing relevant it says it
does not know, in the question's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graphrag_lib.retrieve.prompt import ContextFact
from graphrag_lib.retrieve.query import QueryAnalysis, analyse_question
from graphrag_lib.retrieve.words import WordForms, text_words, words

DONT_KNOW = {
    "en": "I don't know: the knowledge base has no information about this.",
    "ru": "Не знаю: в базе знаний нет сведений об этом.",  # noqa: RUF001
}
MAX_STATEMENTS = 3
MAX_STATEMENT_WORDS = 60
KIND_BONUS = {"relation": 0.1, "entity": 0.05, "source": 0.0, "report": 0.0}
BROAD_REPORT_SCORE = 0.5  # a report answers a broad question even without shared words
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class _Statement:
    text: str
    refs: tuple[int, ...]
    kind: str


def dont_know(question: str) -> str:
    return DONT_KNOW[analyse_question(question).language]


def _statements(facts: Sequence[ContextFact]) -> list[_Statement]:
    found = []
    for fact in facts:
        if fact.kind == "report":
            found.append(_Statement(fact.text, fact.refs, "report"))
        elif fact.kind == "source":
            sentences = _SENTENCE_END.split(fact.text.strip("… "))
            found += [_Statement(s, fact.refs, "source") for s in sentences if s.strip("… ")]
        elif ": " in fact.text:  # "label (Class): description", "a → p → b: description"
            found.append(_Statement(fact.text.split(": ", 1)[1], fact.refs, fact.kind))
        elif fact.kind == "relation":
            found.append(_Statement(fact.text.replace(" → ", " "), fact.refs, fact.kind))
    return found


def _score(analysis: QueryAnalysis, statement: _Statement) -> float:
    """Question words found in the statement; words other than names count double. Reports
    answer broad questions whatever their words."""
    if statement.kind == "report" and analysis.is_broad:
        return BROAD_REPORT_SCORE + _score(analysis, _Statement(statement.text, (), "source"))
    if not analysis.words:
        return 0.0
    forms = WordForms(text_words(statement.text))
    total = found = 0.0
    for word in analysis.words:
        weight = 1.0 if word in analysis.proper_names else 2.0
        total += weight
        if any(forms.has_form_of(v) for v in analysis.variants(word)):
            found += weight
    return found / total + KIND_BONUS[statement.kind] if found else 0.0


def _sentence(statement: _Statement) -> str:
    text = " ".join(statement.text.split()[:MAX_STATEMENT_WORDS]).rstrip(" .!…;,")
    refs = "".join(f"[{n}]" for n in statement.refs)
    return f"{text} {refs}." if refs else f"{text}."


def compose_answer(question: str, facts: Sequence[ContextFact]) -> str:
    """Up to three statements of ``facts`` that best match ``question``, with citations."""
    analysis = analyse_question(question)
    scored = [(_score(analysis, s), i, s) for i, s in enumerate(_statements(facts))]
    chosen: list[_Statement] = []
    seen: list[set[str]] = []
    for score, _, statement in sorted(scored, key=lambda x: (-x[0], x[1])):
        key = set(words(statement.text))
        if score <= 0 or any(key <= other for other in seen):
            continue  # nothing new: its words are all in a statement already chosen
        seen.append(key)
        chosen.append(statement)
        if len(chosen) == MAX_STATEMENTS:
            break
    if not chosen:
        return DONT_KNOW[analysis.language]
    return " ".join(_sentence(s) for s in chosen)
