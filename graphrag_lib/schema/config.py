"""Settings of the schema step (ontology induction)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SchemaConfig(BaseModel):
    """How ``induce_schema`` asks the model for an ontology and how big its prompts get."""

    output_language: str = Field(
        "en", description="Language of ontology labels and comments (BCP 47 tag, e.g. en, ru)."
    )
    max_attempts: int = Field(
        3, ge=1, description="Model answers tried per batch before the deterministic fallback."
    )
    max_pairs_per_batch: int = Field(
        6, ge=1, description="Entity type pairs (subject type → object type) in one prompt."
    )
    max_examples_per_pair: int = Field(
        5, ge=1, description="Relation descriptions shown per type pair (heaviest first)."
    )
    max_types_per_batch: int = Field(
        40, ge=1, description="Entity types in one prompt when listing types without relations."
    )
    max_example_labels: int = Field(
        3, ge=0, description="Entity labels shown as examples of each type."
    )
    max_existing_terms: int = Field(
        80, ge=0, description="Existing ontology terms offered for reuse in one prompt."
    )
    max_description_chars: int = Field(
        240, ge=40, description="Relation descriptions are cut to this many characters."
    )
