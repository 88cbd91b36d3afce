"""Production's entities found by name: what a reviewer (or a tool) picks an entity with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ferag.api.deps import DbDep, RagViewer
from ferag.api.schemas import EntityFound
from ferag.services.entity_index import search_entities

router = APIRouter(prefix="/rags/{rag_id}/entities", tags=["entities"])


class EntitiesFound(BaseModel):
    data: list[EntityFound]


@router.get("")
def find_entities(
    access: RagViewer,
    db: DbDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="A name or a few words.")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> EntitiesFound:
    """Production's entities named by `q` (label, alias, other spellings, Russian case forms,
    transliteration), best first."""
    hits = search_entities(db, access.rag.id, q, limit)
    return EntitiesFound(data=[EntityFound.of(hit) for hit in hits])
