"""What retrieval hands to the prompt: entity and relation facts, numbered references, and how
each renders as one line of the context (so the token budget counts what the model will see).

A **reference** is something an answer may cite as ``[n]``: a passage (with its document's
title, path and folder, and the passage's position) or a community report. Facts carry the
numbers of the references they were read from. A relation line ends with its period (``since
2015``; ``from 2015 until 2026-03, ended`` for one that no longer holds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from graphrag_lib.retrieve.time import CURRENT, TimeScope, period_label

DEFAULT_CHARS_PER_TOKEN = 3.5
REPORT_PREFIX = "community report"


def estimate_tokens(text: str, chars_per_token: float = DEFAULT_CHARS_PER_TOKEN) -> int:
    """A model-independent estimate: characters over ``chars_per_token`` (Cyrillic text and
    code tokenise denser than English prose; 3.5 errs on the generous side for both)."""
    return max(1, math.ceil(len(text) / chars_per_token)) if text else 0


def clip(text: str, tokens: int, chars_per_token: float = DEFAULT_CHARS_PER_TOKEN) -> str:
    """``text`` cut at a word boundary to about ``tokens`` tokens, marked with ``…``."""
    limit = int(tokens * chars_per_token)
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


@dataclass(frozen=True)
class Reference:
    """A citable source: ``kind`` is ``passage`` or ``report``. ``excerpt`` is the text put in
    the context (None when the source is listed for citation only)."""

    number: int
    kind: str
    iri: str
    title: str
    document_iri: str | None = None
    path: str | None = None
    folder_path: str | None = None
    order: int | None = None
    excerpt: str | None = None

    def location(self) -> str:
        """``title — path, passage n`` (1-based passage position) for people and prompts."""
        if self.kind == "report":
            return f"{REPORT_PREFIX} “{self.title}”"
        parts = [self.title or self.path or self.iri]
        if self.path and self.path != self.title:
            parts.append(self.path)
        where = " — ".join(parts)
        return f"{where}, passage {self.order + 1}" if self.order is not None else where


@dataclass(frozen=True)
class EntityFact:
    iri: str
    label: str
    classes: tuple[str, ...] = ()
    description: str = ""
    refs: tuple[int, ...] = ()
    score: float = 0.0


@dataclass(frozen=True)
class RelationFact:
    iri: str
    subject: str
    predicate: str
    object: str
    subject_iri: str
    object_iri: str
    description: str = ""
    weight: float | None = None
    hop: int = 1
    score: float = 0.0
    refs: tuple[int, ...] = ()
    valid_from: str | None = None
    valid_until: str | None = None
    is_current: bool = True

    @property
    def period(self) -> str:
        """``since 2015``, ``from 2015 until 2026-03, ended``, … (empty when nothing is known)."""
        return period_label(self.valid_from, self.valid_until, self.is_current)


@dataclass
class RetrievedContext:
    """The context of one question, ranked and within the token budget."""

    entities: list[EntityFact] = field(default_factory=list)
    relations: list[RelationFact] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    tokens: int = 0
    is_broad: bool = False
    time: TimeScope = CURRENT  # which statements it draws on

    @property
    def is_empty(self) -> bool:
        return not (self.entities or self.relations or self.references)

    @property
    def passages(self) -> list[Reference]:
        return [r for r in self.references if r.kind == "passage"]

    def reference(self, number: int) -> Reference | None:
        return next((r for r in self.references if r.number == number), None)


def one_line(text: str) -> str:
    return " ".join(text.split())


def cite(refs: tuple[int, ...]) -> str:
    return "".join(f"[{n}]" for n in refs)


def entity_line(fact: EntityFact) -> str:
    kinds = f" ({', '.join(fact.classes)})" if fact.classes else ""
    text = f": {one_line(fact.description)}" if fact.description else ""
    refs = f" {cite(fact.refs)}" if fact.refs else ""
    return f"- {one_line(fact.label)}{kinds}{text}{refs}"


def relation_line(fact: RelationFact) -> str:
    text = f": {one_line(fact.description)}" if fact.description else ""
    text += f" ({fact.period})" if fact.period else ""
    refs = f" {cite(fact.refs)}" if fact.refs else ""
    ends = (one_line(fact.subject), one_line(fact.predicate), one_line(fact.object))
    return f"- {' → '.join(ends)}{text}{refs}"


def reference_line(ref: Reference) -> str:
    head = f"[{ref.number}] {one_line(ref.location())}"
    return f'{head}: "{one_line(ref.excerpt)}"' if ref.excerpt else head
