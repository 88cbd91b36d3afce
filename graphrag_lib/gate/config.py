"""Settings of the consistency gate."""

from __future__ import annotations

from pydantic import BaseModel, Field


class GateConfig(BaseModel):
    """What ``check_change_set`` checks besides the shapes it derives from the ontology."""

    owner_shapes: str = Field(
        "", description="The RAG owner's SHACL shapes (Turtle), checked with the ontology's."
    )
    max_violations: int = Field(
        200, ge=1, description="Violations kept per cycle (the count covers all of them)."
    )
    max_statements: int = Field(
        5, ge=1, description="Offending statements kept per violation, with their passages."
    )
    snippet_chars: int = Field(300, ge=20, description="Characters of each passage shown.")
