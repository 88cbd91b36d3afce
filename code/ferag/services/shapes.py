"""A RAG's own SHACL shapes: the Turtle an owner adds to the consistency gate.

Stored on the RAG's row (PostgreSQL) and read by every ``staging`` step
(``ferag.cycle.configs``), so a change applies to the next cycle and to a rebase. Shapes are
checked on upload (``graphrag_lib.gate.parse_shapes``): Turtle, at least one shape, valid SHACL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ferag.db.models import Rag
from ferag.errors import InvalidInput
from graphrag_lib.gate import InvalidShapes, parse_shapes

MAX_SHAPES_CHARS = 200_000


def shape_count(turtle: str | None) -> int:
    """Node and property shapes declared in ``turtle`` (0 for none)."""
    if not turtle:
        return 0
    from rdflib.namespace import RDF, SH

    graph = parse_shapes(turtle)
    kinds = (SH.NodeShape, SH.PropertyShape)
    return len({s for kind in kinds for s in graph.subjects(RDF.type, kind)})


def replace_shapes(db: Session, rag: Rag, turtle: str) -> int:
    """Check ``turtle`` and store it as the RAG's shapes; returns the number of shapes.
    ``InvalidInput`` ``invalid_shapes`` (422) says what is wrong."""
    if len(turtle) > MAX_SHAPES_CHARS:
        raise InvalidInput(
            f"the shapes are {len(turtle)} characters; at most {MAX_SHAPES_CHARS} are accepted",
            code="invalid_shapes",
        )
    try:
        count = shape_count(turtle)
    except InvalidShapes as exc:
        raise InvalidInput(
            f"{exc}; fix the Turtle and upload it again", code="invalid_shapes"
        ) from exc
    rag.shapes, rag.shapes_updated_at = turtle, datetime.now(UTC)
    db.commit()
    return count


def delete_shapes(db: Session, rag: Rag) -> None:
    rag.shapes, rag.shapes_updated_at = None, datetime.now(UTC)
    db.commit()
