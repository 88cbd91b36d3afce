"""A cycle's stage configs: graphrag_lib's ``IndexConfig`` (its options), ``SchemaConfig`` and
``MergeConfig``, built from the deployment's ``Settings`` and the RAG's own language, entity
types and chunking.

Each value comes from the first of: the RAG's column, the ``FERAG_*`` setting, the library
config field's default. The library fields hold the defaults (written once, there); a setting
left empty and a RAG column left NULL add nothing. A RAG whose language is ``auto`` (its own or
the deployment's) gets the language of the cycle's documents: Russian when at least half of
their letters are Cyrillic, else English.

A cycle keeps what its first step resolved (``cycle_stage_configs`` stores the RAG's choices
as a cycle artifact), so changing the RAG mid-cycle applies to the next cycle, and a retried
step uses the settings its cycle started with. The RAG's remembered resolution decisions
(``resolution_decisions``) and its SHACL shapes (``GateConfig.owner_shapes``) are the
exceptions: they are read afresh for every step, so a decision taken or a shape changed during
review applies to the merge and staging a rebase re-runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ferag.db.models import CycleArtifact, Document, Rag, ResolutionDecisionRow
from ferag.settings import RagLanguage, Settings
from graphrag_lib.gate.config import GateConfig
from graphrag_lib.index import IndexConfig
from graphrag_lib.llm import LlmEndpoint
from graphrag_lib.merge import MergeConfig, ResolutionDecision
from graphrag_lib.schema import SchemaConfig

Language = Literal["ru", "en"]
LanguageSource = Literal["rag", "deployment", "detected"]

# What GraphRAG's prompts call each language (``IndexConfig.language``).
LANGUAGE_NAMES: dict[Language, str] = {"en": "English", "ru": "Russian"}
RUSSIAN_CYRILLIC_SHARE = 0.5  # of the sample's letters
SAMPLE_DOCUMENTS = 100
SAMPLE_CHARS_PER_DOCUMENT = 20_000
CHOICES_ARTIFACT = "rag_choices.json"


class RagSettingsLike(Protocol):
    """What a RAG chooses about indexing (a ``Rag`` row, or ``RagChoices``); None: default."""

    @property
    def language(self) -> RagLanguage | None: ...
    @property
    def entity_types(self) -> Sequence[str] | None: ...
    @property
    def chunk_size(self) -> int | None: ...
    @property
    def chunk_overlap(self) -> int | None: ...


@dataclass(frozen=True)
class RagChoices:
    """A RAG's indexing choices on their own (the snapshot a cycle keeps, or the CLI's)."""

    language: RagLanguage | None = None
    entity_types: tuple[str, ...] | None = None
    chunk_size: int | None = None
    chunk_overlap: int | None = None


@dataclass(frozen=True)
class StageConfigs:
    """The configs of one cycle's stages and the language they write in.

    ``index`` holds ``IndexConfig``'s options without the endpoint and cache directory, which
    belong to the host that runs the step (``index_config``).
    """

    language: Language
    language_source: LanguageSource
    schema: SchemaConfig
    merge: MergeConfig
    index: Mapping[str, Any] = field(default_factory=dict)
    gate: GateConfig = field(default_factory=GateConfig)

    def index_config(
        self, endpoint: LlmEndpoint, cache_dir: Path, metrics_store: str | None = None
    ) -> IndexConfig:
        return IndexConfig(
            endpoint=endpoint, cache_dir=cache_dir, metrics_store=metrics_store, **self.index
        )

    @property
    def stats(self) -> dict[str, str]:
        """What a step reports about the language it used."""
        return {"language": self.language, "language_source": self.language_source}


def detect_language(text: str) -> Language:
    """``ru`` when at least half the letters of ``text`` are Cyrillic, else ``en``."""
    letters = [char for char in text if char.isalpha()]
    cyrillic = sum(1 for char in letters if "\u0400" <= char <= "\u04ff")
    return "ru" if letters and cyrillic / len(letters) >= RUSSIAN_CYRILLIC_SHARE else "en"


def resolve_language(
    settings: Settings, rag: RagSettingsLike, documents_text_sample: str | None
) -> tuple[Language, LanguageSource]:
    """The language the cycle writes in and where it came from (``auto``: the sample's)."""
    chosen = rag.language or settings.rag_language
    source: LanguageSource = "rag" if rag.language else "deployment"
    if chosen == "auto":
        return detect_language(documents_text_sample or ""), "detected"
    return chosen, source


def _given(**values: Any) -> dict[str, Any]:
    """The values that are set: an unset one leaves the library default in place."""
    return {name: value for name, value in values.items() if value is not None}


def _chunking(settings: Settings, rag: RagSettingsLike) -> dict[str, Any]:
    """The RAG's size and overlap as a pair (they were checked together), else the settings'."""
    if rag.chunk_size is not None and rag.chunk_overlap is not None:
        return {"chunk_size": rag.chunk_size, "chunk_overlap": rag.chunk_overlap}
    return _given(chunk_size=settings.rag_chunk_size, chunk_overlap=settings.rag_chunk_overlap)


def stage_configs(
    settings: Settings, rag: RagSettingsLike, documents_text_sample: str | None = None
) -> StageConfigs:
    """The stage configs for a cycle of ``rag``; the sample decides an ``auto`` language."""
    language, source = resolve_language(settings, rag, documents_text_sample)
    entity_types = rag.entity_types if rag.entity_types is not None else settings.rag_entity_types
    index = _given(
        language=LANGUAGE_NAMES[language],
        entity_types=list(entity_types) if entity_types is not None else None,
        encoding_model=settings.index_encoding_model,
        max_gleanings=settings.index_max_gleanings,
        concurrency=settings.index_concurrency,
        report_max_input_tokens=settings.index_report_max_input_tokens,
        embeddings=settings.index_embeddings,
    )
    schema = SchemaConfig.model_validate(
        _given(
            output_language=language,
            label_languages=settings.ontology_label_languages,
            max_attempts=settings.schema_max_attempts,
        )
    )
    resolution = _given(
        auto_merge_score=settings.merge_auto_merge_score,
        ask_score=settings.merge_ask_score,
        max_llm_pairs=settings.merge_max_llm_pairs,
    )
    merge = MergeConfig.model_validate(
        _given(
            supersede_descriptions=settings.merge_supersede_descriptions,
            language=language,
            resolution=resolution,
        )
    )
    return StageConfigs(language, source, schema, merge, {**index, **_chunking(settings, rag)})


def documents_text_sample(db: Session, cycle_id: int) -> str:
    """The start of each of the cycle's first documents (by path), enough to tell a language."""
    starts = db.scalars(
        select(func.substr(Document.text, 1, SAMPLE_CHARS_PER_DOCUMENT))
        .where(Document.cycle_id == cycle_id)
        .order_by(Document.path)
        .limit(SAMPLE_DOCUMENTS)
    )
    return "\n".join(starts)


def remembered_decisions(db: Session, rag_id: int) -> list[ResolutionDecision]:
    """The RAG's resolution decisions as merge takes them (``MergeConfig.decisions``)."""
    rows = db.scalars(
        select(ResolutionDecisionRow)
        .where(ResolutionDecisionRow.rag_id == rag_id)
        .order_by(ResolutionDecisionRow.id)
    )
    return [
        ResolutionDecision.model_validate(
            {"a": r.a, "b": r.b, "verdict": r.verdict, "reason": r.reason}
        )
        for r in rows
    ]


def _with_decisions(configs: StageConfigs, decisions: list[ResolutionDecision]) -> StageConfigs:
    merge = configs.merge.model_copy(update={"decisions": decisions})
    return replace(configs, merge=merge)


def cycle_stage_configs(
    db: Session, settings: Settings, rag_id: int, cycle_id: int
) -> StageConfigs:
    """The cycle's stage configs from the RAG's choices as the cycle's first call found them
    (``auto`` already resolved), stored as the cycle artifact ``rag_choices.json``, with the
    RAG's resolution decisions as they are now."""
    configs = _frozen_stage_configs(db, settings, rag_id, cycle_id)
    shapes = db.scalar(select(Rag.shapes).where(Rag.id == rag_id)) or ""
    configs = replace(configs, gate=GateConfig(owner_shapes=shapes))
    return _with_decisions(configs, remembered_decisions(db, rag_id))


def _frozen_stage_configs(
    db: Session, settings: Settings, rag_id: int, cycle_id: int
) -> StageConfigs:
    saved = db.scalar(
        select(CycleArtifact.content).where(
            CycleArtifact.cycle_id == cycle_id, CycleArtifact.name == CHOICES_ARTIFACT
        )
    )
    if saved is not None:
        snapshot = json.loads(bytes(saved))
        source = snapshot.pop("language_source")
        configs = stage_configs(settings, _choices(snapshot))
        return StageConfigs(configs.language, source, configs.schema, configs.merge, configs.index)
    rag = db.get(Rag, rag_id)
    if rag is None:
        raise LookupError(f"RAG {rag_id} of cycle {cycle_id} no longer exists")
    configs = stage_configs(settings, rag, documents_text_sample(db, cycle_id))
    snapshot = {
        "language": configs.language,
        "language_source": configs.language_source,
        "entity_types": rag.entity_types,
        "chunk_size": rag.chunk_size,
        "chunk_overlap": rag.chunk_overlap,
    }
    content = json.dumps(snapshot, ensure_ascii=False).encode()
    db.execute(  # the first writer wins: concurrent runs of a step resolve the same way
        insert(CycleArtifact)
        .values(cycle_id=cycle_id, name=CHOICES_ARTIFACT, content=content)
        .on_conflict_do_nothing(constraint="uq_cycle_artifacts_cycle_id")
    )
    db.commit()
    return configs


def _choices(snapshot: dict[str, Any]) -> RagChoices:
    types = snapshot.get("entity_types")
    return RagChoices(
        language=snapshot["language"],
        entity_types=tuple(types) if types is not None else None,
        chunk_size=snapshot.get("chunk_size"),
        chunk_overlap=snapshot.get("chunk_overlap"),
    )
