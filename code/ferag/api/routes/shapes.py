"""A RAG's own SHACL shapes for the consistency gate (docs/gate.md): read, replace, delete."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from ferag.api.deps import DbDep, RagOwner, RagViewer
from ferag.api.openapi import raises
from ferag.services import shapes

router = APIRouter(prefix="/rags/{rag_id}/shapes", tags=["gate"])


class ShapesUpdate(BaseModel):
    turtle: str = Field(description="SHACL shapes in Turtle (replaces the RAG's shapes).")


class ShapesPublic(BaseModel):
    turtle: str | None = Field(description="The RAG's shapes (null: none).")
    shapes: int = Field(description="Node and property shapes declared.")
    updated_at: datetime | None


@router.get("")
def read_shapes(access: RagViewer) -> ShapesPublic:
    """The shapes the consistency gate checks besides those generated from the ontology."""
    rag = access.rag
    return ShapesPublic(
        turtle=rag.shapes, shapes=shapes.shape_count(rag.shapes), updated_at=rag.shapes_updated_at
    )


@router.put("")
@raises(422)
def replace_shapes(body: ShapesUpdate, access: RagOwner, db: DbDep) -> ShapesPublic:
    """Replace the RAG's shapes; 422 `invalid_shapes` if they are not Turtle or not valid SHACL.
    The next staging step (a new cycle or a rebase) checks them."""
    count = shapes.replace_shapes(db, access.rag, body.turtle)
    return ShapesPublic(turtle=body.turtle, shapes=count, updated_at=access.rag.shapes_updated_at)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
def delete_shapes(access: RagOwner, db: DbDep) -> None:
    """Remove the RAG's shapes; the gate keeps checking the ontology's."""
    shapes.delete_shapes(db, access.rag)
