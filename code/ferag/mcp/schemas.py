"""What the MCP tools return (their output schemas) and how services' results map to them."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from ferag.api.chat_schemas import CitationPublic
from ferag.api.schemas import EntityFound
from ferag.db.models import Rag, Role
from ferag.services.chat import TurnResult
from ferag.services.entity_facts import EntityFacts
from graphrag_lib.retrieve.gather import PassageCandidate, RelationCandidate


class RagSummary(BaseModel):
    id: int
    name: str
    description: str
    role: str = Field(description="Your role on it: owner, editor or viewer.")

    @classmethod
    def of(cls, rag: Rag, role: Role) -> RagSummary:
        return cls(id=rag.id, name=rag.name, description=rag.description, role=role.value)


class RagList(BaseModel):
    rags: list[RagSummary]
    total: int = Field(description="How many RAGs you are a member of (the list may be shorter).")


class EntitiesFound(BaseModel):
    entities: list[EntityFound]


class FactPublic(BaseModel):
    """A current relation statement of the entity."""

    iri: str
    subject: str
    predicate: str
    object: str
    subject_iri: str
    object_iri: str
    description: str
    valid_from: str | None = None
    valid_until: str | None = None

    @classmethod
    def of(cls, fact: RelationCandidate) -> FactPublic:
        return cls(iri=fact.iri, subject=fact.subject_label, predicate=fact.predicate_label,
                   object=fact.object_label, subject_iri=fact.subject, object_iri=fact.object,
                   description=fact.description, valid_from=fact.valid_from,
                   valid_until=fact.valid_until)  # fmt: skip


class SourcePublic(BaseModel):
    """A passage the entity or its facts were read from."""

    iri: str
    text: str
    document_iri: str | None
    title: str
    path: str | None
    folder_path: str | None
    order: int | None = Field(description="0-based position of the passage in its document.")

    @classmethod
    def of(cls, passage: PassageCandidate) -> SourcePublic:
        return cls(iri=passage.iri, text=passage.text, document_iri=passage.document,
                   title=passage.title, path=passage.path, folder_path=passage.folder,
                   order=passage.order)  # fmt: skip


class EntityDetail(BaseModel):
    iri: str
    label: str
    aliases: list[str]
    classes: list[str]
    description: str
    facts: list[FactPublic] = Field(description="Current statements, heaviest first.")
    sources: list[SourcePublic] = Field(description="Passages they were read from.")

    @classmethod
    def of(cls, found: EntityFacts) -> EntityDetail:
        entity = found.entity
        return cls(iri=entity.iri, label=entity.label, aliases=list(found.aliases),
                   classes=list(entity.classes), description=entity.description,
                   facts=[FactPublic.of(f) for f in found.facts],
                   sources=[SourcePublic.of(p) for p in found.sources])  # fmt: skip


class LinkedEntity(BaseModel):
    iri: str
    label: str


class Answer(BaseModel):
    answer: str
    citations: list[CitationPublic] = Field(description="The sources the answer cites, in order.")
    entities: list[LinkedEntity] = Field(description="Entities the question was linked to.")
    session_id: uuid.UUID = Field(description="Pass it back to ask a follow-up question.")
    cached: bool = Field(description="Answered from the answer cache (the same question asked "
                         "before on the same production version).")  # fmt: skip

    @classmethod
    def of(cls, result: TurnResult) -> Answer:
        return cls(answer=result.answer, citations=[CitationPublic.of(r) for r in result.citations],
                   entities=[LinkedEntity(iri=e.iri, label=e.label) for e in result.entities],
                   session_id=result.session_id, cached=result.cached)  # fmt: skip


class SparqlResult(BaseModel):
    content_type: str = Field(
        description="application/sparql-results+json (SELECT, ASK) or text/turtle "
        "(CONSTRUCT, DESCRIBE)."
    )
    result: str
