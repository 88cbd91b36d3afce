"""Entity linking: which indexed entities a question names.

The service finds candidates with PostgreSQL full-text search (``IndexedEntity.name_terms``
feed its name index); ``rank_candidates`` decides which of them the question is about:

- **by name**: the share of an entity's label (or alias) words that the question contains,
  as the same word, another inflection (``same_stem``), the other script's spelling, or, for
  proper names, the same sound key. A partial match (``Alice`` for ``Alice Smith``) counts only
  for words the question writes as a proper name; the entity needs ``min_name_coverage``;
- **by description**, only when nothing is linked by name: the best full-text matches of
  entity descriptions, provided they mention every proper name the question asks about, so a
  question about an unknown name links nothing instead of something merely similar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, Field

from graphrag_lib.retrieve.query import QueryAnalysis
from graphrag_lib.retrieve.words import (
    CACHED_WORDS,
    QUESTION_STOPWORDS,
    name_index_terms,
    same_stem,
    sound_key,
    spellings,
    words,
)

MATCH_SCORES = {"exact": 1.0, "spelling": 0.9, "sound": 0.75}
ALIAS_FACTOR = 0.95


class LinkingConfig(BaseModel):
    """How many entities a question may link, and how sure a link must be."""

    max_entities: int = Field(8, gt=0, description="Most entities linked to one question.")
    min_name_coverage: float = Field(
        0.5, gt=0, le=1, description="Least share of a name's words the question must contain."
    )
    max_description_links: int = Field(
        3, ge=0, description="Most entities linked by description when none is linked by name."
    )
    min_description_rank: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Least description rank, relative to the best candidate's, to link by it.",
    )
    description_weight: float = Field(
        0.3, ge=0, description="Score of a description link at the best rank (names score ≥ 0.5)."
    )


@dataclass(frozen=True)
class IndexedEntity:
    """An entity as the linking index stores it."""

    iri: str
    label: str
    aliases: tuple[str, ...] = ()
    description: str = ""

    def name_terms(self) -> str:
        """Words of the name index: label and alias words, other spellings, sound keys."""
        return name_index_terms([self.label, *self.aliases])


@dataclass(frozen=True)
class EntityCandidate:
    """An index row that matched the question, with its full-text rank."""

    entity: IndexedEntity
    text_rank: float = 0.0


@dataclass(frozen=True)
class LinkedEntity:
    """An entity the question is about; ``matched_by``: label, alias, description, with the
    kind of word match (exact, spelling, sound), e.g. ``label/spelling``."""

    iri: str
    label: str
    score: float
    matched_by: str


@lru_cache(maxsize=CACHED_WORDS)
def _name_words(name: str) -> tuple[str, ...]:
    all_words = tuple(words(name))
    return tuple(w for w in all_words if w not in QUESTION_STOPWORDS) or all_words


def _match_word(analysis: QueryAnalysis, name_word: str) -> tuple[float, str, str | None]:
    """Best match of one name word in the question: (score, kind, question word)."""
    best: tuple[float, str, str | None] = (0.0, "", None)
    name_spellings = spellings(name_word)
    name_key = sound_key(name_word)
    for word in analysis.words:
        if same_stem(word, name_word):
            return MATCH_SCORES["exact"], "exact", word
        if any(same_stem(v, n) for v in analysis.variants(word) for n in name_spellings):
            best = max(best, (MATCH_SCORES["spelling"], "spelling", word), key=lambda m: m[0])
        elif name_key and analysis.sound_keys.get(word) == name_key:
            best = max(best, (MATCH_SCORES["sound"], "sound", word), key=lambda m: m[0])
    return best


def _name_coverage(analysis: QueryAnalysis, name: str) -> tuple[float, str]:
    """The share of ``name``'s words the question contains, and the weakest match kind."""
    name_words = _name_words(name)
    if not name_words:
        return 0.0, ""
    matches = [_match_word(analysis, w) for w in name_words]
    found = [m for m in matches if m[0] > 0]
    if not found:
        return 0.0, ""
    partial = len(found) < len(name_words)
    if partial and not all(m[2] in analysis.proper_names for m in found):
        return 0.0, ""  # "project" alone does not name "Project Falcon"
    kind = min(found, key=lambda m: m[0])[1]
    return sum(m[0] for m in matches) / len(name_words), kind


def _link_by_name(
    analysis: QueryAnalysis, candidate: EntityCandidate, config: LinkingConfig
) -> LinkedEntity | None:
    entity = candidate.entity
    best: tuple[float, str] = (0.0, "")
    for source, name, factor in [("label", entity.label, 1.0)] + [
        ("alias", alias, ALIAS_FACTOR) for alias in entity.aliases
    ]:
        coverage, kind = _name_coverage(analysis, name)
        if coverage * factor > best[0]:
            best = (coverage * factor, f"{source}/{kind}")
    if best[0] < config.min_name_coverage:
        return None
    return LinkedEntity(entity.iri, entity.label, round(best[0], 4), best[1])


def _mentions(text: str, name_word: str) -> bool:
    return any(same_stem(name_word, w) for w in words(text))


def _link_by_description(
    analysis: QueryAnalysis, candidates: Sequence[EntityCandidate], config: LinkingConfig
) -> list[LinkedEntity]:
    top = max((c.text_rank for c in candidates), default=0.0)
    if top <= 0:
        return []
    linked = []
    for candidate in candidates:
        relative = candidate.text_rank / top
        text = f"{candidate.entity.label} {candidate.entity.description}"
        if relative < config.min_description_rank:
            continue
        if not all(_mentions(text, name) for name in analysis.proper_names):
            continue
        score = round(config.description_weight * relative, 4)
        entity = candidate.entity
        linked.append(LinkedEntity(entity.iri, entity.label, score, "description"))
    return sorted(linked, key=lambda e: (-e.score, e.label))[: config.max_description_links]


def rank_candidates(
    analysis: QueryAnalysis,
    candidates: Sequence[EntityCandidate],
    config: LinkingConfig | None = None,
) -> list[LinkedEntity]:
    """The entities the question is about, best first (see the module docstring)."""
    config = config or LinkingConfig()
    by_name = [e for c in candidates if (e := _link_by_name(analysis, c, config))]
    linked = by_name or _link_by_description(analysis, candidates, config)
    unique = {e.iri: e for e in sorted(linked, key=lambda e: e.score)}  # best score wins
    ranked = sorted(unique.values(), key=lambda e: (-e.score, e.label, e.iri))
    return ranked[: config.max_entities]
