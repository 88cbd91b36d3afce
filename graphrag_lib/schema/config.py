"""Settings of the schema step (ontology induction)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")]
"""A BCP 47 language tag such as ``en``, ``ru`` or ``pt-BR``."""


class SchemaConfig(BaseModel):
    """How ``induce_schema`` asks the model for an ontology and how big its prompts get."""

    output_language: LanguageTag = Field(
        "en", description="Language of ontology labels and comments (BCP 47 tag, e.g. en, ru)."
    )
    label_languages: list[LanguageTag] = Field(
        ["en"],
        description="Further languages the model may label terms in, where it knows a fitting "
        "label (e.g. English labels for a Russian ontology); the output language is dropped "
        "from this list.",
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

    @property
    def further_label_languages(self) -> list[str]:
        """``label_languages`` without the output language, in order, once each."""
        main = self.output_language.casefold()
        seen = {main}
        further: list[str] = []
        for tag in self.label_languages:
            if tag.casefold() not in seen:
                seen.add(tag.casefold())
                further.append(tag)
        return further
