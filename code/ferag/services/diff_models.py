"""What a cycle's diff holds (``ferag.services.diff`` builds it): sections of entities,
relations and ontology terms added, changed and removed, and the entity resolution's merges,
with the passages behind them.

The service returns these models and the API answers them as they are (``GET
/rags/{id}/cycles/{cid}/diff``), so their class names are the OpenAPI schema names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ferag.db.models import CycleKind

DiffSection = Literal[
    "entities_added",
    "entities_changed",
    "entities_removed",
    "relations_added",
    "relations_changed",
    "relations_removed",
    "ontology_added",
    "ontology_changed",
    "merges_production",
    "merges_cycle",
    "merges_flagged",
    "violations",
    "facts_superseded",
    "facts_ended",
    "facts_flagged",
]

OntologyKind = Literal["class", "object_property", "datatype_property"]
FactStatus = Literal["superseded", "ended", "flagged"]


class Provenance(BaseModel):
    passage: str = Field(description="IRI of the passage (GraphRAG text unit).")
    document: str | None = Field(None, description="IRI of the passage's document.")
    path: str | None = Field(None, description="The document's path inside its upload.")
    snippet: str = Field(description="The passage text around the item's mention.")


class EntityRef(BaseModel):
    iri: str
    label: str | None


class EntityChange(BaseModel):
    iri: str
    label: str | None
    classes: list[str] = Field(description="Local names of its ontology classes.")
    description: str | None = Field(description="New description (current one if unchanged).")
    old_description: str | None = Field(description="The description this change replaces.")
    description_added: str | None = Field(
        None,
        description="What the merged description adds to the old one (its new sentences); "
        "None when nothing was merged.",
    )
    new_aliases: list[str]
    provenance: list[Provenance] = Field(description="Passages behind the change (at most 3).")


class RelationChange(BaseModel):
    iri: str
    subject: EntityRef
    predicate: str = Field(description="Compact IRI of the property, e.g. `ont:worksFor`.")
    object: EntityRef
    description: str | None
    old_description: str | None
    weight: float | None
    old_weight: float | None
    provenance: list[Provenance]


class Statement(BaseModel):
    predicate: str
    value: str


class OntologyChange(BaseModel):
    iri: str
    kind: OntologyKind
    label: str | None
    added: list[Statement]
    removed: list[Statement]


class MergeRecord(BaseModel):
    """One ``ferag:Merge`` record of the change set: names merged into an entity, or a
    possible duplicate flagged and kept apart."""

    iri: str
    status: Literal["merged", "flagged"] = Field(
        description="`flagged`: a possible duplicate kept apart (both stay entities)."
    )
    scope: Literal["production", "cycle"] = Field(
        description="`production`: into an entity production already has; `cycle`: entities "
        "of this cycle merged with each other."
    )
    survivor: EntityRef = Field(description="The entity that stays (keeps its IRI).")
    absorbed: EntityRef = Field(
        description="The IRI the absorbed names had on their own (for a flagged pair: the "
        "other entity). Split a merge with this IRI and the survivor's."
    )
    absorbed_labels: list[str] = Field(description="The names the absorbed entity brought.")
    score: float | None = Field(description="The combined score in [0, 1].")
    signals: dict[str, float] = Field(
        description='Each signal\'s score, e.g. `{"lemma": 1.0, "translit": 0.92}`.'
    )
    decided_by: str | None = Field(description="`rules`, `llm` or `reviewer`.")
    reason: str | None
    provenance: list[Provenance] = Field(
        description="Passages naming the absorbed entity (at most 3)."
    )


class FactStatement(BaseModel):
    """A relation statement with its valid time (``docs/rdf-model.md``, "Time")."""

    iri: str
    subject: EntityRef
    predicate: str = Field(description="Compact IRI of the property, e.g. `ont:directorOf`.")
    object: EntityRef
    description: str | None
    valid_from: str | None = Field(description="When it became true: `2015`, `2026-03`, a date.")
    valid_from_source: str | None = Field(
        description="`text`, `document-metadata`, `file-name` or `upload`."
    )
    valid_until: str | None = Field(description="When it stopped being true, if it did.")
    valid_until_source: str | None
    recorded_in: int | None = Field(description="The version whose approval added it.")
    provenance: list[Provenance] = Field(description="Passages it was read from (at most 3).")


class FactChange(BaseModel):
    """A statement the change set ends (``superseded``, ``ended``) or flags as possibly stale."""

    iri: str = Field(description="The old statement.")
    status: FactStatus
    old: FactStatement = Field(description="The old statement, with the end this change sets.")
    new: FactStatement | None = Field(
        description="`superseded`: the statement that replaces it; otherwise None."
    )
    reason: str | None = Field(
        description="Why it ends, e.g. `functional property ont:directorOf` or the model's reason."
    )
    invalidated_in: int | None = Field(description="The version whose approval ends it.")
    end_description: str | None = Field(description="`ended`: what the documents say.")
    evidence: list[Provenance] = Field(
        description="Passages behind the change: the new statement's (`superseded`), those "
        "saying it ended (`ended`), or those that may contradict it (`flagged`)."
    )


class FactChanges(BaseModel):
    superseded: list[FactChange] = Field(default_factory=list)
    ended: list[FactChange] = Field(default_factory=list)
    flagged: list[FactChange] = Field(default_factory=list)


class MergeChanges(BaseModel):
    production: list[MergeRecord] = Field(default_factory=list)
    cycle: list[MergeRecord] = Field(default_factory=list)
    flagged: list[MergeRecord] = Field(default_factory=list)


class EntityChanges(BaseModel):
    added: list[EntityChange] = Field(default_factory=list)
    changed: list[EntityChange] = Field(default_factory=list)
    removed: list[EntityChange] = Field(default_factory=list)


class RelationChanges(BaseModel):
    added: list[RelationChange] = Field(default_factory=list)
    changed: list[RelationChange] = Field(default_factory=list)
    removed: list[RelationChange] = Field(default_factory=list)


class OntologyChanges(BaseModel):
    added: list[OntologyChange] = Field(default_factory=list)
    changed: list[OntologyChange] = Field(default_factory=list)


class DiffCounts(BaseModel):
    entities_added: int
    entities_changed: int
    entities_removed: int
    relations_added: int
    relations_changed: int
    relations_removed: int
    ontology_added: int
    ontology_changed: int
    merges_production: int
    merges_cycle: int
    merges_flagged: int
    facts_superseded: int = Field(description="Statements a new statement replaces.")
    facts_ended: int = Field(description="Statements the documents say ended.")
    facts_flagged: int = Field(description="Current statements a new document may contradict.")
    aliases_added: int
    descriptions_changed: int
    triples_added: int
    triples_removed: int
    violations: int = Field(0, description="Consistency-gate violations (they block approval).")


class StepWarning(BaseModel):
    step: str = Field(description="The pipeline step that raised it.")
    message: str


class CycleDiffPublic(BaseModel):
    cycle_id: int
    kind: CycleKind = Field(
        description="`upload`, or `production_merge`: an owner's merge of production entities."
    )
    base_version: int = Field(description="Production version the change set was computed on.")
    counts: DiffCounts = Field(description="Totals of every section, whatever the page.")
    warnings: list[StepWarning] = Field(
        description="What the steps want a reviewer to know before deciding, e.g. that the "
        "ontology fell back to one class per entity type because the model's answers were "
        "rejected."
    )
    section: DiffSection | None = Field(description="The one section paged, or all of them.")
    offset: int
    limit: int
    entities: EntityChanges
    relations: RelationChanges
    ontology: OntologyChanges
    merges: MergeChanges = Field(
        description="Entity resolution's decisions, with their signals and passages: names "
        "merged into production entities, entities of the cycle merged, duplicates flagged."
    )
    violations: list[GateViolation] = Field(
        default_factory=list,
        description="What the consistency gate found (docs/gate.md): approval answers 409 "
        "`consistency_violations` unless the owner overrides with a reason.",
    )
    facts: FactChanges = Field(
        default_factory=FactChanges,
        description="Facts that change: statements superseded by a new one, ended, or flagged "
        "as possibly stale, with their valid times, sources and passages.",
    )


# --- the consistency gate's findings (section ``violations``) --------------------------------


class PassageSnippet(BaseModel):
    iri: str
    text: str = Field(description="The start of the passage.")


class OffendingStatement(BaseModel):
    iri: str = Field(description="The relation statement node.")
    subject: str
    predicate: str
    object: str
    subject_label: str | None
    object_label: str | None
    description: str | None
    is_new: bool = Field(description="Added by this cycle (else already in production).")
    passages: list[PassageSnippet]


class GateViolation(BaseModel):
    focus: str = Field(description="The resource that breaks the shape.")
    focus_label: str | None
    path: str | None = Field(description="The property (`^IRI`: its inverse).")
    value: str | None
    message: str
    severity: Literal["Violation", "Warning", "Info"]
    shape: str = Field(description="`urn:ferag:shape:{kind}:{property}`, or an owner's shape.")
    statements: list[OffendingStatement] = Field(
        description="The current statements behind it, with their passages."
    )
